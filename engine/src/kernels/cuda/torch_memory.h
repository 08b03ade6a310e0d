// libtorch's CUDA caching allocator as benchmarks report it: what its
// tensors hold (allocated) and what it keeps from the driver (reserved),
// now and at their peak. Known only in a CUDA build whose libtorch headers
// offer the counters (CMake checks); cudaMemGetInfo (decode_graph.h Stats)
// counts everything on the device instead, the CUDA context included.
#pragma once

namespace waypoint::kernels::cuda {

struct TorchMemory {
    bool known = false;
    double allocated_mb = 0, reserved_mb = 0;
    double peak_allocated_mb = 0, peak_reserved_mb = 0;
};

TorchMemory torch_memory(int device);

}  // namespace waypoint::kernels::cuda
