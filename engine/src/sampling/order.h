// The one order every sampling step uses: descending probability, and the
// lower id first among equal probabilities. A total order, so that sorting,
// partial sorting and selection all give the same sequence on every machine.
#pragma once

#include "waypoint/sampler.h"

namespace waypoint::detail {

struct MoreLikely {
    bool operator()(const Candidate& a, const Candidate& b) const {
        return a.p > b.p || (a.p == b.p && a.id < b.id);
    }
};

// Tolerance for "cumulative mass >= p": float probabilities summed in a
// different order must not flip which token completes the nucleus.
constexpr double kMassTolerance = 1e-6;

// logits [V] / temperature -> probabilities [V] in id order (out[i].id == i),
// computed against the max for stability; NaN logits count as -inf.
void softmax_in_id_order(const std::vector<float>& logits, float temperature,
                         std::vector<Candidate>& out);

}  // namespace waypoint::detail
