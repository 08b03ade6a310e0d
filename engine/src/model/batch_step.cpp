#include "model/batch_step.h"

#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "model/model_access.h"
#include "model/session_impl.h"
#include "model/torch_guard.h"

namespace waypoint::detail {

SessionBatch::SessionBatch(const Model& model, int max_batch) {
    const ModelImpl& m = ModelAccess::impl(model);
    step_ = m.family->make_batch_decode_step(m, max_batch);
}

SessionBatch::~SessionBatch() = default;

void SessionBatch::step(Session* const* sessions, const int* ids, int n, float* const* logits) {
    if (n <= 0) return;
    std::vector<SessionImpl*> s(static_cast<size_t>(n), nullptr);
    for (int b = 0; b < n; ++b) {
        s[size_t(b)] = &SessionAccess::impl(*sessions[b]);
        s[size_t(b)]->check(&ids[b], 1);
    }
    torch_guard("batched decode step", [&] {
        c10::InferenceMode guard;
        if (!step_) {
            // One after the other (other devices, families without a batched step).
            for (int b = 0; b < n; ++b) {
                s[size_t(b)]->advance(&ids[b], 1);
                std::memcpy(logits[b], s[size_t(b)]->logits.data(), sizeof(float) * s[size_t(b)]->logits.size());
            }
            return;
        }
        std::vector<KvCache*> caches(static_cast<size_t>(n));
        std::vector<int> pos(static_cast<size_t>(n));
        for (int b = 0; b < n; ++b) {
            caches[size_t(b)] = &s[size_t(b)]->cache;
            pos[size_t(b)] = int(s[size_t(b)]->history.size());
        }
        const int chunk = step_->max_batch();
        for (int b0 = 0; b0 < n; b0 += chunk) {
            const int k = std::min(chunk, n - b0);
            step_->run(caches.data() + b0, ids + b0, pos.data() + b0, k, logits + b0);
        }
        count_tokens_computed(n);
        for (int b = 0; b < n; ++b) s[size_t(b)]->history.push_back(ids[b]);
    });
}

}  // namespace waypoint::detail
