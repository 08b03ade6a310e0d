// Session: one conversation over a Model (session.h).
#include "waypoint/session.h"

#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <string>

#include "model/family.h"
#include "model/forward.h"
#include "model/kv_cache.h"
#include "model/model_access.h"
#include "model/model_impl.h"
#include "model/session_counters.h"
#include "model/session_impl.h"
#include "model/torch_guard.h"
#include "waypoint/error.h"

namespace waypoint {

namespace detail {

namespace {
std::atomic<int64_t> g_tokens_computed{0};
}  // namespace

int64_t tokens_computed() { return g_tokens_computed.load(std::memory_order_relaxed); }

void count_tokens_computed(int64_t n) { g_tokens_computed.fetch_add(n, std::memory_order_relaxed); }

SessionImpl::SessionImpl(const ModelImpl& model)
    : m(model), cache(model.config, model.act_dtype, model.device),
      decode_step(model.family->make_decode_step(model)), logits(size_t(model.config.vocab_size)) {
    history.reserve(size_t(m.config.max_seq_len));
}

void SessionImpl::check(const int* ids, size_t n) const {
    if (n == 0) throw Error(ErrorKind::InvalidArgument, "no tokens to process (empty input)");
    if (history.size() + n > size_t(ctx())) {
        throw Error(ErrorKind::InvalidArgument,
                    std::to_string(history.size()) + " tokens in the session + " +
                        std::to_string(n) + " new exceed the context of " +
                        std::to_string(ctx()) + "; call make_room() or truncate() first");
    }
    for (size_t i = 0; i < n; ++i) {
        if (ids[i] < 0 || ids[i] >= m.config.vocab_size) {
            throw Error(ErrorKind::InvalidArgument,
                        "token id " + std::to_string(ids[i]) + " is outside the vocabulary of " +
                            std::to_string(m.config.vocab_size));
        }
    }
}

at::Tensor SessionImpl::forward(const int* ids, size_t n, bool all_logits) {
    at::Tensor t = at::empty({int64_t(n)}, at::kLong);
    int64_t* p = t.data_ptr<int64_t>();
    for (size_t i = 0; i < n; ++i) p[i] = ids[i];
    at::Tensor out = forward_tokens(m, cache, t.to(m.device), int64_t(history.size()), all_logits);
    return out.to(at::kCPU).contiguous();
}

void SessionImpl::advance(const int* ids, size_t n) {
    check(ids, n);
    g_tokens_computed.fetch_add(int64_t(n), std::memory_order_relaxed);
    const int pos = static_cast<int>(history.size());
    logits_on_device = false;
    if (n == 1 && decode_step) {
        decode_step->run(cache, ids[0], pos, logits.data());
    } else {
        at::Tensor out = forward(ids, n, /*all_logits=*/false);  // [1, V]
        std::memcpy(logits.data(), out.data_ptr<float>(), sizeof(float) * logits.size());
    }
    history.insert(history.end(), ids, ids + n);
}

}  // namespace detail

using detail::torch_guard;

Session::Session(std::shared_ptr<const Model> model) : model_(std::move(model)) {
    if (!model_) throw Error(ErrorKind::InvalidArgument, "Session needs a loaded model");
    impl_ = torch_guard("allocating the session's KV cache", [&] {
        c10::InferenceMode guard;
        return std::make_unique<detail::SessionImpl>(detail::ModelAccess::impl(*model_));
    });
}

Session::~Session() = default;

const std::vector<float>& Session::prefill(const std::vector<int>& ids) {
    torch_guard("prefill", [&] {
        c10::InferenceMode guard;
        impl_->advance(ids.data(), ids.size());
    });
    return impl_->logits;
}

const std::vector<float>& Session::step(int id) {
    torch_guard("decode step", [&] {
        c10::InferenceMode guard;
        impl_->advance(&id, 1);
    });
    return impl_->logits;
}

bool Session::step_sampled(int id, const SamplingParams& params, double u, int top_n, Pick& pick) {
    return torch_guard("decode step", [&] {
        c10::InferenceMode guard;
        detail::SessionImpl& s = *impl_;
        if (!samples_on_device()) {
            s.advance(&id, 1);
            return false;
        }
        s.check(&id, 1);
        detail::count_tokens_computed(1);
        s.decode_step->run(s.cache, id, position(), nullptr);
        s.history.push_back(id);
        s.logits_on_device = true;
        const std::vector<int> penalized =
            penalized_ids(s.history, params.repeat_penalty, params.repeat_window, s.m.config.vocab_size);
        if (s.decode_step->sample(params, penalized, u, top_n, pick)) return true;
        s.decode_step->fetch_logits(s.logits.data());
        s.logits_on_device = false;
        return false;
    });
}

bool Session::samples_on_device() const { return impl_->decode_step && impl_->decode_step->samples(); }

const std::vector<float>& Session::logits() {
    detail::SessionImpl& s = *impl_;
    if (s.logits_on_device) {
        torch_guard("fetching the logits", [&] { s.decode_step->fetch_logits(s.logits.data()); });
        s.logits_on_device = false;
    }
    return s.logits;
}

std::vector<float> Session::forward_all(const std::vector<int>& ids) {
    return torch_guard("forward", [&] {
        c10::InferenceMode guard;
        detail::SessionImpl& s = *impl_;
        s.check(ids.data(), ids.size());
        detail::g_tokens_computed.fetch_add(int64_t(ids.size()), std::memory_order_relaxed);
        at::Tensor out = s.forward(ids.data(), ids.size(), /*all_logits=*/true);  // [n, V]
        std::vector<float> all(size_t(out.numel()));
        std::memcpy(all.data(), out.data_ptr<float>(), sizeof(float) * all.size());
        const size_t V = s.logits.size();
        std::memcpy(s.logits.data(), all.data() + (ids.size() - 1) * V, sizeof(float) * V);
        s.logits_on_device = false;
        s.history.insert(s.history.end(), ids.begin(), ids.end());
        return all;
    });
}

void Session::truncate(int n) {
    n = std::clamp(n, 0, position());
    impl_->history.resize(size_t(n));
}

int Session::make_room(int needed, int keep) {
    detail::SessionImpl& s = *impl_;
    const int ctx = s.ctx();
    if (needed < 0 || needed > ctx) {
        throw Error(ErrorKind::InvalidArgument,
                    std::to_string(needed) + " tokens cannot fit a context of " + std::to_string(ctx));
    }
    const int pos = position();
    if (pos + needed <= ctx) return 0;
    keep = std::clamp(keep, 0, std::min(pos, ctx - needed));
    const int drop = pos + needed - ctx;  // <= pos - keep since keep <= ctx - needed
    std::vector<int> kept(s.history.begin(), s.history.begin() + keep);
    kept.insert(kept.end(), s.history.begin() + keep + drop, s.history.end());
    s.history.clear();
    // Positions moved: the cached rows are stale, recompute them in one forward.
    if (!kept.empty()) prefill(kept);
    return drop;
}

int Session::position() const { return static_cast<int>(impl_->history.size()); }

int Session::context_length() const { return impl_->ctx(); }

const std::vector<int>& Session::history() const { return impl_->history; }

}  // namespace waypoint
