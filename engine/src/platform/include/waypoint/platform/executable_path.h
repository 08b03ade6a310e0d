// Where the running program lives, so that it finds its own files (the
// tokenizer bridge, demo checkpoints) relative to itself wherever it was
// installed or unpacked.
#pragma once

#include <string>

namespace waypoint::platform {

// The folder holding the running executable, symlinks resolved
// (/proc/self/exe on Linux, _NSGetExecutablePath on macOS,
// GetModuleFileNameW on Windows; UTF-8). Empty when the system cannot tell.
std::string executable_dir();

}  // namespace waypoint::platform
