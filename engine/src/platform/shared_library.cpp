#include "waypoint/platform/shared_library.h"

#if defined(_WIN32)
#include <windows.h>
#include <psapi.h>

#include <algorithm>
#include <vector>
#else
#include <dlfcn.h>
#endif

namespace waypoint::platform {

std::string shared_library_file_name(const std::string& stem) {
#if defined(_WIN32)
    return stem + ".dll";
#elif defined(__APPLE__)
    return "lib" + stem + ".dylib";
#else
    return "lib" + stem + ".so";
#endif
}

#if defined(_WIN32)

void* open_private_library(const std::string& path, std::string& error) {
    const int n = ::MultiByteToWideChar(CP_UTF8, 0, path.data(), static_cast<int>(path.size()), nullptr, 0);
    std::wstring w(static_cast<size_t>(n), L'\0');
    ::MultiByteToWideChar(CP_UTF8, 0, path.data(), static_cast<int>(path.size()), w.data(), n);
    // The library's own folder is searched for its dependencies first.
    HMODULE h = ::LoadLibraryExW(w.c_str(), nullptr,
                                 LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR | LOAD_LIBRARY_SEARCH_DEFAULT_DIRS);
    if (h == nullptr) error = "LoadLibrary failed with error " + std::to_string(::GetLastError());
    return reinterpret_cast<void*>(h);
}

void* library_symbol(void* library, const char* name) {
    return reinterpret_cast<void*>(::GetProcAddress(static_cast<HMODULE>(library), name));
}

void close_library(void* library) { ::FreeLibrary(static_cast<HMODULE>(library)); }

void* find_loaded_symbol(const char* name) {
    std::vector<HMODULE> modules(1024);
    DWORD needed = 0;
    if (!::EnumProcessModules(::GetCurrentProcess(), modules.data(),
                              static_cast<DWORD>(modules.size() * sizeof(HMODULE)), &needed))
        return nullptr;
    const size_t count = std::min<size_t>(modules.size(), needed / sizeof(HMODULE));
    for (size_t i = 0; i < count; ++i)
        if (FARPROC f = ::GetProcAddress(modules[i], name)) return reinterpret_cast<void*>(f);
    return nullptr;
}

#else

void* open_private_library(const std::string& path, std::string& error) {
#if defined(WAYPOINT_SANITIZED_BUILD) && defined(__linux__)
    // The sanitizer runtimes refuse RTLD_DEEPBIND (they abort: google/
    // sanitizers issue 611), and a plain dlopen lets the bridge's
    // sentencepiece bind to libtorch's protobuf (its version check aborts the
    // load; DESIGN.md trap 2). Sanitizer builds load the library into a new
    // link namespace instead: its own libc, libstdc++ and protobuf, nothing of
    // ours. Safe for a plain C API where nothing allocated on one side is
    // freed on the other; measured to work under ASan with libtorch linked.
    void* h = ::dlmopen(LM_ID_NEWLM, path.c_str(), RTLD_NOW | RTLD_LOCAL);
#else
#ifdef RTLD_DEEPBIND
    const int flags = RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND;
#else
    const int flags = RTLD_NOW | RTLD_LOCAL;  // macOS: two-level namespace binds per library
#endif
    void* h = ::dlopen(path.c_str(), flags);
#endif
    if (h == nullptr) {
        const char* e = ::dlerror();
        error = e ? e : "dlopen failed";
    }
    return h;
}

void* library_symbol(void* library, const char* name) { return ::dlsym(library, name); }

void close_library(void* library) { ::dlclose(library); }

void* find_loaded_symbol(const char* name) { return ::dlsym(RTLD_DEFAULT, name); }

#endif

}  // namespace waypoint::platform
