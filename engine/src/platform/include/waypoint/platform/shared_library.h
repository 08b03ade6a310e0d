// Loading a shared library at run time with its dependencies kept private,
// and looking up symbols. The sentencepiece bridge needs this: its
// sentencepiece carries a protobuf that clashes with libtorch's.
#pragma once

#include <string>

namespace waypoint::platform {

// The file name of a shared library called `stem` here:
// lib<stem>.so (Linux), lib<stem>.dylib (macOS), <stem>.dll (Windows).
std::string shared_library_file_name(const std::string& stem);

// Opens the library at `path`, binding its undefined symbols to its own
// dependencies before the process's (Linux: RTLD_NOW | RTLD_LOCAL |
// RTLD_DEEPBIND; macOS' two-level namespace and Windows' per-module imports
// do this by themselves). Returns nullptr and sets `error` on failure.
void* open_private_library(const std::string& path, std::string& error);

// A symbol of a library from open_private_library, or nullptr.
void* library_symbol(void* library, const char* name);

void close_library(void* library);

// A symbol already loaded into the process by any library (e.g. OpenBLAS's
// openblas_set_num_threads, whichever BLAS libtorch was linked against), or
// nullptr. Windows: searched in every module the process has loaded.
void* find_loaded_symbol(const char* name);

}  // namespace waypoint::platform
