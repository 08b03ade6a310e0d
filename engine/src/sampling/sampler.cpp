// Sampler::sample: the chain of waypoint/sampler.h on one logits vector, step
// by step (steps.cpp), with the sampler's own seeded random stream.
#include <algorithm>
#include <cmath>
#include <string>

#include "sampling/order.h"
#include "sampling/rng.h"
#include "waypoint/error.h"
#include "waypoint/sampler.h"

namespace waypoint {
namespace {

void check_params(const SamplingParams& p) {
    auto bad = [](const std::string& what) {
        throw Error(ErrorKind::InvalidArgument, "sampling: " + what);
    };
    if (std::isnan(p.temperature)) bad("temperature is NaN");
    if (std::isnan(p.top_p)) bad("top_p is NaN");
    if (std::isnan(p.min_p) || p.min_p > 1.0f) bad("min_p must be in [0, 1] (got " + std::to_string(p.min_p) + ")");
    if (!(p.repeat_penalty > 0.0f) || !std::isfinite(p.repeat_penalty))
        bad("repeat_penalty must be > 0 (got " + std::to_string(p.repeat_penalty) + "); 1 turns it off");
}

}  // namespace

Sampler::Sampler(const SamplingParams& params) : params_(params) {
    check_params(params_);
    reseed(params_.seed);
}

void Sampler::reseed(uint64_t seed) {
    params_.seed = seed;
    detail::xoshiro_seed(state_, seed);
}

double Sampler::next_uniform() { return detail::to_unit_double(detail::xoshiro_next(state_)); }

double Sampler::peek_uniform() const {
    if (params_.greedy()) return 0.0;
    uint64_t copy[4] = {state_[0], state_[1], state_[2], state_[3]};
    return detail::to_unit_double(detail::xoshiro_next(copy));
}

void Sampler::skip_uniform() {
    if (!params_.greedy()) next_uniform();
}

int Sampler::sample(std::vector<float>& logits, const std::vector<int>& history) {
    if (logits.empty()) throw Error(ErrorKind::InvalidArgument, "sampler: empty logits");
    apply_repetition_penalty(logits, history, params_.repeat_penalty, params_.repeat_window);
    // cands_: [V] candidates, probabilities after temperature, id order.
    softmax(logits, params_.greedy() ? 1.0f : params_.temperature, cands_);
    if (params_.greedy()) {
        const int id = argmax(logits);
        last_p_ = cands_.items[size_t(id)].p;
        return id;
    }
    keep_top_k(cands_, params_.top_k);
    keep_top_p(cands_, params_.top_p);
    keep_min_p(cands_, params_.min_p);
    const Candidate picked = draw(cands_, next_uniform());
    last_p_ = picked.p;
    return picked.id;
}

std::vector<Candidate> Sampler::last_top(int n) const {
    // The filters only reorder items and shrink size: all V are still there.
    const std::vector<Candidate>& all = cands_.items;
    const size_t count = std::min(all.size(), size_t(std::max(n, 0)));
    std::vector<Candidate> top(count);
    std::partial_sort_copy(all.begin(), all.end(), top.begin(), top.end(), detail::MoreLikely{});
    return top;
}

}  // namespace waypoint
