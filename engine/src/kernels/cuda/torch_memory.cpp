#include "kernels/cuda/torch_memory.h"

#if defined(WAYPOINT_TORCH_CUDA_STATS)
#include <c10/cuda/CUDACachingAllocator.h>
#endif

namespace waypoint::kernels::cuda {

TorchMemory torch_memory(int device) {
    TorchMemory m;
#if defined(WAYPOINT_TORCH_CUDA_STATS)
    const auto st = c10::cuda::CUDACachingAllocator::getDeviceStats(static_cast<c10::DeviceIndex>(device));
    constexpr double mb = 1024.0 * 1024.0;
    // [0]: the aggregate over the small and large pools
    m.known = true;
    m.allocated_mb = double(st.allocated_bytes[0].current) / mb;
    m.reserved_mb = double(st.reserved_bytes[0].current) / mb;
    m.peak_allocated_mb = double(st.allocated_bytes[0].peak) / mb;
    m.peak_reserved_mb = double(st.reserved_bytes[0].peak) / mb;
#else
    (void)device;
#endif
    return m;
}

}  // namespace waypoint::kernels::cuda
