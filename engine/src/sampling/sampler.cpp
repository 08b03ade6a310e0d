// Sampler::sample: the chain of waypoint/sampler.h on one logits vector,
// without sorting the whole vocabulary (V = 32000..50000 for real models):
// top-k is a partial sort of k candidates, top-p grows a sorted prefix only
// as far as the nucleus reaches, min-p partitions by its threshold. The kept
// candidates end up in the same order as the reference steps (steps.cpp) give.
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

int Sampler::sample(std::vector<float>& logits, const std::vector<int>& history) {
    if (logits.empty()) throw Error(ErrorKind::InvalidArgument, "sampler: empty logits");
    apply_repetition_penalty(logits, history, params_.repeat_penalty, params_.repeat_window);

    // last_dist_: [V] candidates, probabilities after temperature, id order.
    detail::softmax_in_id_order(logits, params_.greedy() ? 1.0f : params_.temperature, last_dist_);
    if (params_.greedy()) {
        const int id = argmax(logits);
        last_p_ = last_dist_[size_t(id)].p;
        return id;
    }

    const detail::MoreLikely more;
    const auto begin = last_dist_.begin();
    size_t n = last_dist_.size();  // candidates still in the running: [0, n)
    size_t sorted = 0;             // [0, sorted) is sorted and holds the most likely

    if (params_.top_k > 0 && size_t(params_.top_k) < n) {
        n = sorted = size_t(params_.top_k);
        std::partial_sort(begin, begin + std::ptrdiff_t(n), last_dist_.end(), more);
    }

    if (params_.top_p < 1.0f) {
        double mass = 0.0;  // of the candidates still in the running
        if (n == last_dist_.size())
            mass = 1.0;
        else
            for (size_t i = 0; i < n; ++i) mass += last_dist_[i].p;
        const double target = double(params_.top_p) * mass - detail::kMassTolerance * mass;
        double cum = 0.0;
        size_t i = 0;
        for (;;) {
            if (i == sorted) {
                if (sorted == n) break;  // everything kept
                // Sort the next chunk of the rest: 64, then 4x as needed.
                const size_t m = std::min(n, sorted == 0 ? size_t(64) : sorted * 4);
                std::partial_sort(begin + std::ptrdiff_t(sorted), begin + std::ptrdiff_t(m),
                                  begin + std::ptrdiff_t(n), more);
                sorted = m;
            }
            cum += last_dist_[i++].p;
            if (cum >= target) {
                n = sorted = i;
                break;
            }
        }
    }

    if (params_.min_p > 0.0f) {
        const float p_max = sorted > 0 ? last_dist_[0].p
                                       : std::max_element(begin, begin + std::ptrdiff_t(n),
                                                          [&](const Candidate& a, const Candidate& b) {
                                                              return more(b, a);
                                                          })->p;
        const float threshold = params_.min_p * p_max;
        size_t keep = 0;
        while (keep < sorted && last_dist_[keep].p >= threshold) ++keep;
        if (keep == sorted && sorted < n) {
            // The threshold reaches past the sorted prefix: take the rest that passes.
            const auto mid = std::partition(begin + std::ptrdiff_t(sorted), begin + std::ptrdiff_t(n),
                                            [&](const Candidate& c) { return c.p >= threshold; });
            std::sort(begin + std::ptrdiff_t(sorted), mid, more);
            keep = size_t(mid - begin);
        }
        n = sorted = std::max<size_t>(keep, 1);
    }

    // The draw over [0, n): sorted order where a filter ran, else id order.
    double mass = 0.0;
    for (size_t i = 0; i < n; ++i) mass += last_dist_[i].p;
    const double r = next_uniform() * mass;
    size_t pick = 0;
    double cum = 0.0;
    for (size_t i = 0; i < n; ++i) {
        cum += last_dist_[i].p;
        if (r < cum) {
            pick = i;
            break;
        }
        if (last_dist_[i].p > 0.0f) pick = i;  // rounding at the very end: the last possible one
    }
    last_p_ = last_dist_[pick].p;
    return last_dist_[pick].id;
}

std::vector<Candidate> Sampler::last_top(int n) const {
    const size_t count = std::min(last_dist_.size(), size_t(std::max(n, 0)));
    std::vector<Candidate> top(count);
    std::partial_sort_copy(last_dist_.begin(), last_dist_.end(), top.begin(), top.end(),
                           detail::MoreLikely{});
    return top;
}

}  // namespace waypoint
