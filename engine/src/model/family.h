// What an architecture family (llama/, gpt2/) gives the shared Model and
// Session code: the batched forward on libtorch ops and, where it has one, a
// faster one-token decode step. Session and the perplexity code call only
// these; nothing outside a family's folder branches on the architecture.
#pragma once

#include <ATen/ATen.h>

#include <memory>
#include <vector>

#include "waypoint/sampler.h"

namespace waypoint::detail {

struct ModelImpl;
class KvCache;

// The one-token step of one Session (it owns its scratch buffers).
class DecodeStep {
public:
    virtual ~DecodeStep() = default;
    // Token `id` at position `pos` (< context): writes its K/V rows into the
    // cache and the fp32 logits [V] into `logits`.
    // A step that samples() may be given logits == nullptr: the logits then
    // stay where it computed them for sample() or fetch_logits().
    virtual void run(KvCache& cache, int id, int pos, float* logits) = 0;

    // Whether this step can choose the next token where it computed the
    // logits (the CUDA graph's device sampler).
    virtual bool samples() const { return false; }
    // After run(..., nullptr): the sampler chain of `params` on the logits,
    // penalising `penalized` (penalized_ids of the history), drawing with
    // `u`; fills `pick` (with `top_n` alternatives) and returns true, or
    // false when it cannot (then fetch_logits and sample on the host).
    virtual bool sample(const SamplingParams& /*params*/, const std::vector<int>& /*penalized*/, double /*u*/,
                        int /*top_n*/, Pick& /*pick*/) {
        return false;
    }
    // The last run's fp32 logits [V] into `logits`.
    virtual void fetch_logits(float* /*logits*/) {}
};

// One decode step for several sessions at once (continuous batching): every
// weight matrix is read once for all of them. Each row's result is the same,
// bit for bit, as the family's one-token DecodeStep on that session alone.
class BatchDecodeStep {
public:
    virtual ~BatchDecodeStep() = default;
    virtual int max_batch() const = 0;
    // For b < n (<= max_batch): token ids[b] at position pos[b] (< context) of
    // the session whose cache is caches[b]: writes its K/V rows there and the
    // fp32 logits [V] into logits[b].
    virtual void run(KvCache* const* caches, const int* ids, const int* pos, int n,
                     float* const* logits) = 0;
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

    // A batched decode step for up to `max_batch` sessions, or nullptr: the
    // batched decoder then steps its sessions one after the other.
    virtual std::unique_ptr<BatchDecodeStep> make_batch_decode_step(const ModelImpl& m, int max_batch) const {
        return nullptr;
    }
};

}  // namespace waypoint::detail
