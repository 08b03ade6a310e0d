// The sampler chain's pure steps (see waypoint/sampler.h). These operate on
// the whole, sorted candidate list and are the reference the tests check;
// Sampler::sample (sampler.cpp) runs the same steps without sorting the whole
// vocabulary.
#include <algorithm>
#include <cmath>
#include <limits>

#include "sampling/fast_exp.h"
#include "sampling/order.h"
#include "waypoint/sampler.h"

namespace waypoint {

void apply_repetition_penalty(std::vector<float>& logits, const std::vector<int>& history,
                              float penalty, int window) {
    // window 0: off; window < 0: the whole history.
    if (!(penalty > 0.0f) || penalty == 1.0f || window == 0 || history.empty()) return;
    const size_t n = history.size();
    const size_t start = (window < 0 || size_t(window) >= n) ? 0 : n - size_t(window);
    // Each distinct id is penalised once, however often it occurs (llama.cpp).
    std::vector<int> ids(history.begin() + std::ptrdiff_t(start), history.end());
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    for (int id : ids) {
        if (id < 0 || size_t(id) >= logits.size()) continue;
        float& l = logits[size_t(id)];
        // llama.cpp / CTRL convention: shrink positive logits, grow negative ones.
        l = l > 0.0f ? l / penalty : l * penalty;
    }
}

namespace detail {

void softmax_in_id_order(const std::vector<float>& logits, float temperature,
                         std::vector<Candidate>& out) {
    const float t = temperature > 0.0f ? temperature : 1.0f;
    const size_t n = logits.size();
    out.resize(n);
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
    for (size_t i = 0; i < n; ++i) c[i] = {int(i), exp_nonpositive((l[i] - mx) * inv_t)};
    // Four partial sums in a fixed order: fast and the same everywhere.
    double acc[4] = {0, 0, 0, 0};
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        for (size_t k = 0; k < 4; ++k) acc[k] += c[i + k].p;
    for (; i < n; ++i) acc[0] += c[i].p;
    const float inv = float(1.0 / ((acc[0] + acc[1]) + (acc[2] + acc[3])));  // sum >= 1: the max gives 1
    for (size_t j = 0; j < n; ++j) c[j].p *= inv;
}

}  // namespace detail

std::vector<Candidate> softmax_sorted(const std::vector<float>& logits, float temperature) {
    std::vector<Candidate> cands;
    detail::softmax_in_id_order(logits, temperature, cands);
    std::sort(cands.begin(), cands.end(), detail::MoreLikely{});
    return cands;
}

void keep_top_k(std::vector<Candidate>& cands, int k) {
    if (k > 0 && size_t(k) < cands.size()) cands.resize(size_t(k));
}

void keep_top_p(std::vector<Candidate>& cands, float p) {
    if (!(p < 1.0f) || cands.empty()) return;  // >= 1 (or NaN): off
    double total = 0.0;
    for (const auto& c : cands) total += c.p;
    const double target = double(p) * total - detail::kMassTolerance * total;
    double cum = 0.0;
    for (size_t i = 0; i < cands.size(); ++i) {
        cum += cands[i].p;
        if (cum >= target) {
            cands.resize(i + 1);  // at least one token stays, even for p <= 0
            return;
        }
    }
}

void keep_min_p(std::vector<Candidate>& cands, float min_p) {
    if (!(min_p > 0.0f) || cands.empty()) return;
    const float threshold = min_p * cands.front().p;
    size_t keep = 1;  // the most likely token always passes
    while (keep < cands.size() && cands[keep].p >= threshold) ++keep;
    cands.resize(keep);
}

void renormalize(std::vector<Candidate>& cands) {
    if (cands.empty()) return;
    double sum = 0.0;
    for (const auto& c : cands) sum += c.p;
    if (!(sum > 0.0)) {
        for (auto& c : cands) c.p = 1.0f / float(cands.size());
        return;
    }
    for (auto& c : cands) c.p = float(c.p / sum);
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
