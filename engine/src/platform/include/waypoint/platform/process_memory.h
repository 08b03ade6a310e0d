// Process-wide memory settings and figures.
#pragma once

namespace waypoint::platform {

// Keeps allocations of up to 64 MiB in the heap instead of fresh mappings
// (glibc: M_MMAP_THRESHOLD / M_TRIM_THRESHOLD). A prefill allocates tensors
// of a few MB per op; mapped anew each time, every use pays page faults and
// page clearing (~8% of a 256-token prefill here). Elsewhere nothing.
void keep_large_allocations_in_heap();

// The most resident memory this process has used, in MiB (0 when unknown).
double peak_resident_mb();

// The resident set now, by kind, in MiB (Linux: /proc/self/status; zeros
// where unknown). anonymous: heap, stacks, relocated library data, buffers;
// file: pages of mapped files (shared libraries, a mapped checkpoint);
// shared: shared memory. peak is VmHWM, the same as peak_resident_mb().
struct ResidentMemory {
    double total = 0, peak = 0, anonymous = 0, file = 0, shared = 0;
    int threads = 0;
};
ResidentMemory resident_memory();

// The C library's heap (glibc: mallinfo2 and malloc_info), in MiB; known is
// false elsewhere. in_use: allocated and not freed; kept_free: freed but
// still held by the allocator (resident if it was ever touched); mapped:
// allocations served by their own mappings; arenas: the main one plus one
// per set of threads that allocated concurrently.
struct HeapFigures {
    bool known = false;
    double in_use = 0, kept_free = 0, mapped = 0;
    int arenas = 0;
};
HeapFigures heap_figures();

}  // namespace waypoint::platform
