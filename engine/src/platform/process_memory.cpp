#include "waypoint/platform/process_memory.h"

#if defined(_WIN32)
#include <windows.h>
#include <psapi.h>
#else
#include <sys/resource.h>
#endif
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace waypoint::platform {

void keep_large_allocations_in_heap() {
#if defined(__GLIBC__) && defined(M_MMAP_THRESHOLD)
    ::mallopt(M_MMAP_THRESHOLD, 64 << 20);
    ::mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}

double peak_resident_mb() {
#if defined(_WIN32)
    PROCESS_MEMORY_COUNTERS c{};
    if (!::GetProcessMemoryInfo(::GetCurrentProcess(), &c, sizeof c)) return 0;
    return double(c.PeakWorkingSetSize) / (1024.0 * 1024.0);
#else
    rusage u{};
    if (::getrusage(RUSAGE_SELF, &u) != 0) return 0;
#if defined(__APPLE__)
    return double(u.ru_maxrss) / (1024.0 * 1024.0);  // bytes on macOS
#else
    return double(u.ru_maxrss) / 1024.0;  // KiB on Linux
#endif
#endif
}

}  // namespace waypoint::platform
