// Hands the pages of a memory-mapped checkpoint tensor back to the kernel
// once it has been converted (bf16/fp16 on the CPU, or copied to a GPU), so
// that loading does not hold the file's pages and the converted copy at once
// (peak memory: weights + KV cache + a little, not 1.5x the weights).
#pragma once

#include <ATen/ATen.h>

namespace waypoint::detail {

// Asks the kernel to reclaim the whole pages inside `t`'s bytes if they lie
// in a file-backed mapping (MADV_PAGEOUT: content is never lost; touching
// them again reads the file back). Does nothing for heap memory, and where
// the kernel lacks MADV_PAGEOUT.
void release_mapped_pages(const at::Tensor& t);

}  // namespace waypoint::detail
