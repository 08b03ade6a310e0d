#include "waypoint/platform/executable_path.h"

#if defined(_WIN32)
#include <windows.h>
#elif defined(__APPLE__)
#include <mach-o/dyld.h>
#include <climits>
#include <cstdlib>
#include <cstdint>
#else
#include <unistd.h>
#endif

#include <vector>

namespace waypoint::platform {

namespace {

std::string parent_of(const std::string& file) {
    const auto slash = file.find_last_of("/\\");
    return slash == std::string::npos ? std::string() : file.substr(0, slash);
}

}  // namespace

std::string executable_dir() {
#if defined(_WIN32)
    std::vector<wchar_t> w(32768);
    const DWORD n = ::GetModuleFileNameW(nullptr, w.data(), static_cast<DWORD>(w.size()));
    if (n == 0 || n >= w.size()) return {};
    const int bytes = ::WideCharToMultiByte(CP_UTF8, 0, w.data(), static_cast<int>(n), nullptr, 0, nullptr, nullptr);
    std::string out(static_cast<size_t>(bytes), '\0');
    ::WideCharToMultiByte(CP_UTF8, 0, w.data(), static_cast<int>(n), out.data(), bytes, nullptr, nullptr);
    return parent_of(out);
#elif defined(__APPLE__)
    uint32_t size = 0;
    ::_NSGetExecutablePath(nullptr, &size);
    std::string raw(size, '\0');
    if (::_NSGetExecutablePath(raw.data(), &size) != 0) return {};
    char resolved[PATH_MAX];
    if (::realpath(raw.c_str(), resolved) == nullptr) return parent_of(raw.c_str());
    return parent_of(resolved);
#else
    std::string buf(4096, '\0');
    const ssize_t n = ::readlink("/proc/self/exe", buf.data(), buf.size() - 1);
    if (n <= 0) return {};
    buf.resize(static_cast<size_t>(n));
    return parent_of(buf);
#endif
}

}  // namespace waypoint::platform
