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

// `t` (contiguous, on the CPU) as a new contiguous CPU tensor of `dtype`,
// converted a piece of ~4 MiB of the source at a time, each piece's mapped
// pages released as soon as it is converted: loading holds one piece of the
// source beside the converted copy, not the whole tensor (the fp32 token
// embedding of a 32,000-token vocabulary is 37-98 MB on the stories shapes,
// more than their bf16 weights and KV cache add up to for stories15M).
at::Tensor convert_releasing_pages(const at::Tensor& t, at::ScalarType dtype);

}  // namespace waypoint::detail
