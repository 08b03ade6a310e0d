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
#include <cstdio>
#include <cstdlib>
#include <cstring>

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

ResidentMemory resident_memory() {
    ResidentMemory m;
#if defined(__linux__)
    FILE* f = std::fopen("/proc/self/status", "r");
    if (!f) return m;
    char line[256];
    const auto mb = [&](const char* key, double& out) {
        const size_t n = std::strlen(key);
        if (std::strncmp(line, key, n) == 0) out = std::atof(line + n) / 1024.0;  // "Key:  1234 kB"
    };
    while (std::fgets(line, sizeof line, f)) {
        mb("VmRSS:", m.total);
        mb("VmHWM:", m.peak);
        mb("RssAnon:", m.anonymous);
        mb("RssFile:", m.file);
        mb("RssShmem:", m.shared);
        if (std::strncmp(line, "Threads:", 8) == 0) m.threads = std::atoi(line + 8);
    }
    std::fclose(f);
#else
    m.peak = m.total = peak_resident_mb();
#endif
    return m;
}

HeapFigures heap_figures() {
    HeapFigures h;
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    const struct mallinfo2 i = ::mallinfo2();  // sums over all arenas
    h.known = true;
    h.in_use = double(i.uordblks) / (1024.0 * 1024.0);
    h.kept_free = double(i.fordblks) / (1024.0 * 1024.0);
    h.mapped = double(i.hblkhd) / (1024.0 * 1024.0);
    // mallinfo2 has no arena count; malloc_info's XML has one <heap> per arena.
    char* text = nullptr;
    size_t size = 0;
    if (FILE* f = ::open_memstream(&text, &size)) {
        ::malloc_info(0, f);
        std::fclose(f);
        for (const char* p = text; p && (p = std::strstr(p, "<heap nr=")) != nullptr; ++p) ++h.arenas;
        std::free(text);
    }
#endif
    return h;
}

}  // namespace waypoint::platform
