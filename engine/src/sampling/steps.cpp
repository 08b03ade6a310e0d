// The sampler chain's steps (waypoint/sampler.h), as Sampler::sample runs
// them: on Candidates that are sorted only as far as a step needs, so that a
// real vocabulary is never sorted whole: top-k is a partial sort of k
// candidates, top-p grows a sorted prefix only as far as the nucleus
// reaches, min-p partitions by its threshold.
#include <algorithm>
#include <cmath>
#include <limits>

#include "sampling/fast_exp.h"
#include "sampling/order.h"
#include "waypoint/sampler.h"

namespace waypoint {

using detail::MoreLikely;

Candidates Candidates::from_sorted(std::vector<Candidate> sorted) {
    Candidates c;
    c.size = c.sorted = sorted.size();
    c.items = std::move(sorted);
    return c;
}

std::vector<Candidate> Candidates::kept() const {
    std::vector<Candidate> out(items.begin(), items.begin() + std::ptrdiff_t(size));
    std::sort(out.begin() + std::ptrdiff_t(sorted), out.end(), MoreLikely{});
    return out;  // the sorted prefix holds the most likely: it stays in front
}

std::vector<int> penalized_ids(const std::vector<int>& history, float penalty, int window, int vocab) {
    if (!(penalty > 0.0f) || penalty == 1.0f || window == 0 || history.empty()) return {};
    const size_t n = history.size();
    const size_t start = (window < 0 || size_t(window) >= n) ? 0 : n - size_t(window);
    // Each distinct id is penalised once, however often it occurs (llama.cpp).
    std::vector<int> ids(history.begin() + std::ptrdiff_t(start), history.end());
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    ids.erase(std::remove_if(ids.begin(), ids.end(), [&](int id) { return id < 0 || id >= vocab; }), ids.end());
    return ids;
}

void apply_repetition_penalty(std::vector<float>& logits, const std::vector<int>& history,
                              float penalty, int window) {
    for (int id : penalized_ids(history, penalty, window, int(logits.size()))) {
        float& l = logits[size_t(id)];
        // llama.cpp / CTRL convention: shrink positive logits, grow negative ones.
        l = l > 0.0f ? l / penalty : l * penalty;
    }
}

void softmax(const std::vector<float>& logits, float temperature, Candidates& cands) {
    const float t = temperature > 0.0f ? temperature : 1.0f;
    const size_t n = logits.size();
    std::vector<Candidate>& out = cands.items;
    out.resize(n);
    cands.size = n;
    cands.sorted = 0;
    float mx = -std::numeric_limits<float>::infinity();
    for (float l : logits)
        if (l > mx) mx = l;  // NaN compares false: skipped
    if (!std::isfinite(mx)) {
        // All -inf/NaN (or a +inf): no information; spread evenly over the
        // +inf ones if any, else over everything.
        size_t count = 0;
        for (float l : logits) count += (mx > 0.0f && l == mx) ? 1 : 0;
        for (size_t i = 0; i < n; ++i) {
            const bool hit = count == 0 || logits[i] == mx;
            out[i] = {int(i), hit ? 1.0f / float(count == 0 ? n : count) : 0.0f};
        }
        return;
    }
    // exp((l - max) / T) in (0, 1]: vectorised (fast_exp.h); NaN and -inf give 0.
    const float inv_t = std::min(1.0f / t, 1e30f);  // 0 * inv_t stays 0 for any t
    Candidate* c = out.data();
    const float* l = logits.data();
    for (size_t i = 0; i < n; ++i) c[i] = {int(i), detail::exp_nonpositive((l[i] - mx) * inv_t)};
    // Four partial sums in a fixed order: fast and the same everywhere.
    double acc[4] = {0, 0, 0, 0};
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        for (size_t k = 0; k < 4; ++k) acc[k] += c[i + k].p;
    for (; i < n; ++i) acc[0] += c[i].p;
    const float inv = float(1.0 / ((acc[0] + acc[1]) + (acc[2] + acc[3])));  // sum >= 1: the max gives 1
    for (size_t j = 0; j < n; ++j) c[j].p *= inv;
}

void keep_top_k(Candidates& c, int k) {
    if (k <= 0 || size_t(k) >= c.size) return;
    const auto begin = c.items.begin();
    if (c.sorted < size_t(k))
        std::partial_sort(begin + std::ptrdiff_t(c.sorted), begin + k, begin + std::ptrdiff_t(c.size), MoreLikely{});
    c.size = c.sorted = size_t(k);
}

void keep_top_p(Candidates& c, float p) {
    if (!(p < 1.0f) || c.size == 0) return;
    const auto begin = c.items.begin();
    double mass = 0.0;  // of the candidates still in the running
    if (c.size == c.items.size())
        mass = 1.0;
    else
        for (size_t i = 0; i < c.size; ++i) mass += c.items[i].p;
    const double target = double(p) * mass - detail::kMassTolerance * mass;
    double cum = 0.0;
    size_t i = 0;
    for (;;) {
        if (i == c.sorted) {
            if (c.sorted == c.size) break;  // everything kept
            // Sort the next chunk of the rest: 64, then 4x as needed.
            const size_t m = std::min(c.size, c.sorted == 0 ? size_t(64) : c.sorted * 4);
            std::partial_sort(begin + std::ptrdiff_t(c.sorted), begin + std::ptrdiff_t(m),
                              begin + std::ptrdiff_t(c.size), MoreLikely{});
            c.sorted = m;
        }
        cum += c.items[i++].p;
        if (cum >= target) {  // at least one stays, even for p <= 0
            c.size = c.sorted = i;
            break;
        }
    }
}

void keep_min_p(Candidates& c, float min_p) {
    if (!(min_p > 0.0f) || c.size == 0) return;
    const auto begin = c.items.begin();
    const MoreLikely more;
    const float p_max = c.sorted > 0 ? c.items[0].p
                                     : std::max_element(begin, begin + std::ptrdiff_t(c.size),
                                                        [&](const Candidate& a, const Candidate& b) {
                                                            return more(b, a);
                                                        })->p;
    const float threshold = min_p * p_max;
    size_t keep = 0;
    while (keep < c.sorted && c.items[keep].p >= threshold) ++keep;
    if (keep == c.sorted && c.sorted < c.size) {
        // The threshold reaches past the sorted prefix: take the rest that passes.
        const auto mid = std::partition(begin + std::ptrdiff_t(c.sorted), begin + std::ptrdiff_t(c.size),
                                        [&](const Candidate& x) { return x.p >= threshold; });
        std::sort(begin + std::ptrdiff_t(c.sorted), mid, more);
        keep = size_t(mid - begin);
    }
    c.size = c.sorted = std::max<size_t>(keep, 1);  // the most likely always stays
}

Candidate draw(const Candidates& c, double u) {
    if (c.size == 0) return {-1, 0.0f};
    double mass = 0.0;
    for (size_t i = 0; i < c.size; ++i) mass += c.items[i].p;
    const double r = u * mass;
    size_t pick = 0;
    double cum = 0.0;
    for (size_t i = 0; i < c.size; ++i) {
        cum += c.items[i].p;
        if (r < cum) {
            pick = i;
            break;
        }
        if (c.items[i].p > 0.0f) pick = i;  // rounding at the very end: the last possible one
    }
    return c.items[pick];
}

int argmax(const std::vector<float>& logits) {
    int best = -1;
    for (size_t i = 0; i < logits.size(); ++i) {
        const float l = logits[i];
        if (l != l) continue;  // NaN never wins
        if (best < 0 || l > logits[size_t(best)]) best = int(i);
    }
    return best < 0 && !logits.empty() ? 0 : best;  // all NaN: id 0; empty: -1
}

}  // namespace waypoint
