// The batched Llama forward on libtorch ops, for any device: prefill of a
// whole prompt in one forward (causal mask), forward_all for perplexity, and
// the decode step off the CPU.
#pragma once

#include <ATen/ATen.h>

#include "model/kv_cache.h"
#include "model/model_impl.h"

namespace waypoint::detail {

// ids: [T] int64 on the model's device, at positions pos .. pos+T-1 (which
// must fit the context). Writes their K/V rows into the cache and returns
// fp32 logits [T, V] when all_logits, else [1, V] for the last position.
at::Tensor forward_tokens(const ModelImpl& m, KvCache& cache, const at::Tensor& ids, int64_t pos,
                          bool all_logits);

// The same forward with no cache at all (attention over the T tokens only,
// from position 0): the reference the KV-cache tests compare against.
at::Tensor forward_uncached(const ModelImpl& m, const at::Tensor& ids);

}  // namespace waypoint::detail
