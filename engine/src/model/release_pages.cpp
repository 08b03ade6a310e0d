#include "model/release_pages.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>

namespace waypoint::detail {

namespace {

// True when [begin, end) lies inside one file-backed mapping.
bool in_file_mapping(uintptr_t begin, uintptr_t end) {
    FILE* f = std::fopen("/proc/self/maps", "r");
    if (!f) return false;
    char line[4096];
    bool found = false;
    while (!found && std::fgets(line, sizeof line, f)) {
        unsigned long lo = 0, hi = 0, inode = 0;
        char perms[8] = {}, path[2] = {};
        // lo-hi perms offset dev inode path
        if (std::sscanf(line, "%lx-%lx %7s %*s %*s %lu %1s", &lo, &hi, perms, &inode, path) < 4) continue;
        if (begin >= lo && end <= hi) found = inode != 0 && path[0] == '/';
        else if (begin >= lo && begin < hi) break;  // straddles mappings: leave it
    }
    std::fclose(f);
    return found;
}

}  // namespace

void release_mapped_pages(const at::Tensor& t) {
#ifdef MADV_PAGEOUT
    if (!t.defined() || !t.is_cpu() || t.nbytes() == 0) return;
    const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    const uintptr_t begin = reinterpret_cast<uintptr_t>(t.data_ptr());
    const uintptr_t end = begin + t.nbytes();
    const uintptr_t first = (begin + page - 1) & ~(page - 1);
    const uintptr_t last = end & ~(page - 1);
    if (last <= first || !in_file_mapping(begin, end)) return;
    // PAGEOUT (Linux 5.4+) reclaims without ever losing content: clean file
    // pages are dropped (and read back from the file if touched again), pages
    // a reader wrote (copy-on-write) stay. Older kernels ignore it (EINVAL).
    madvise(reinterpret_cast<void*>(first), last - first, MADV_PAGEOUT);
#else
    (void)t;
#endif
}

}  // namespace waypoint::detail
