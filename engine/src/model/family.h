// What an architecture family (llama/, gpt2/) gives the shared Model and
// Session code: the batched forward on libtorch ops and, where it has one, a
// faster one-token decode step. Session and the perplexity code call only
// these; nothing outside a family's folder branches on the architecture.
#pragma once

#include <ATen/ATen.h>

#include <memory>

namespace waypoint::detail {

struct ModelImpl;
class KvCache;

// The one-token step of one Session (it owns its scratch buffers).
class DecodeStep {
public:
    virtual ~DecodeStep() = default;
    // Token `id` at position `pos` (< context): writes its K/V rows into the
    // cache and the fp32 logits [V] into `logits`.
    virtual void run(KvCache& cache, int id, int pos, float* logits) = 0;
};

class ModelFamily {
public:
    virtual ~ModelFamily() = default;

    // ids: [T] int64 on the model's device at positions pos .. pos+T-1 (which
    // must fit the context). With a cache, their K/V rows are written into it
    // and attention sees positions 0 .. pos+T-1; without (nullptr), only the
    // T tokens from position 0 (pos must be 0). Returns fp32 logits [T, V]
    // when all_logits, else [1, V] for the last position.
    virtual at::Tensor forward(const ModelImpl& m, KvCache* cache, const at::Tensor& ids, int64_t pos,
                               bool all_logits) const = 0;

    // A decode step faster than forward() on one token for this model's
    // device, or nullptr: the Session then decodes through forward().
    virtual std::unique_ptr<DecodeStep> make_decode_step(const ModelImpl& m) const { return nullptr; }
};

}  // namespace waypoint::detail
