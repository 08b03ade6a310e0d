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

}  // namespace waypoint::platform
