// The forward of any loaded model, through its family (family.h): the cached
// forward Session uses, and the uncached one the KV-cache tests compare
// against.
#pragma once

#include <ATen/ATen.h>

#include "model/kv_cache.h"
#include "model/model_impl.h"

namespace waypoint::detail {

// ids: [T] int64 on the model's device, at positions pos .. pos+T-1 (which
// must fit the context). Writes their K/V rows into the cache and returns
// fp32 logits [T, V] when all_logits, else [1, V] for the last position.
inline at::Tensor forward_tokens(const ModelImpl& m, KvCache& cache, const at::Tensor& ids, int64_t pos,
                                 bool all_logits) {
    return m.family->forward(m, &cache, ids, pos, all_logits);
}

// The same forward with no cache at all (attention over the T tokens only,
// from position 0): logits [T, V].
inline at::Tensor forward_uncached(const ModelImpl& m, const at::Tensor& ids) {
    return m.family->forward(m, nullptr, ids, 0, /*all_logits=*/true);
}

}  // namespace waypoint::detail
