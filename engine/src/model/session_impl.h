// Engine-internal state of a Session (waypoint/session.h): its KV cache, the
// token history and the last logits. Here rather than in session.cpp so that
// the batched decoder (batch/) can step many sessions in one forward.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "model/family.h"
#include "model/kv_cache.h"
#include "model/model_impl.h"
#include "waypoint/session.h"

namespace waypoint::detail {

struct SessionImpl {
    const ModelImpl& m;
    KvCache cache;
    std::unique_ptr<DecodeStep> decode_step;  // where the family has a faster one-token step
    std::vector<int> history;
    std::vector<float> logits;               // [V], the last position's
    bool logits_on_device = false;           // step_sampled picked there: `logits` is stale

    explicit SessionImpl(const ModelImpl& model);

    int ctx() const { return m.config.max_seq_len; }

    // Error(InvalidArgument) for no ids, ids past the context or outside the vocabulary.
    void check(const int* ids, size_t n) const;

    // Batched forward of n ids on the libtorch path: logits [n or 1, V] fp32 on the host.
    at::Tensor forward(const int* ids, size_t n, bool all_logits);

    // Appends ids; leaves the last position's logits in `logits`.
    void advance(const int* ids, size_t n);
};

// Adds n to the count session_counters.h reports.
void count_tokens_computed(int64_t n);

// The engine's way into a Session's internals (the public class keeps them private).
struct SessionAccess {
    static SessionImpl& impl(Session& session) { return *session.impl_; }
};

}  // namespace waypoint::detail
