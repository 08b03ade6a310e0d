// The forward of a prompt (prefill, perplexity windows) on the CPU with the
// hand-written kernels (kernels/gemm.h, kernels/prompt_ops.h) instead of
// libtorch's ops: the prompt in chunks of up to 128 tokens, each chunk's
// activations in the token-column layout [features][ld], every matrix read
// in order once per 64 tokens, attention straight from the KV cache. Writes
// the same cache rows as forward_torch.cpp; the uncached forward (the tests'
// reference) stays on libtorch.
#pragma once

#include <ATen/ATen.h>

#include "model/kv_cache.h"
#include "model/llama/llama_model.h"
#include "model/model_impl.h"

namespace waypoint::detail {

// Whether prefill_cpu() runs `m`'s forward into `cache`: a CPU model with
// fp32 activations and cache on a CPU with AVX-512. WAYPOINT_TORCH_PREFILL=1
// in the environment keeps libtorch's forward (for measurements).
bool prefill_cpu_available(const ModelImpl& m, const KvCache& cache);

// ids: [T] int64 on the CPU at positions pos .. pos+T-1 (within the context).
// Writes their K/V rows into the cache and returns fp32 logits [T, V] when
// all_logits, else [1, V] for the last position.
at::Tensor prefill_cpu(const ModelImpl& m, const LlamaModel& lm, KvCache& cache, const at::Tensor& ids, int64_t pos,
                       bool all_logits);

}  // namespace waypoint::detail
