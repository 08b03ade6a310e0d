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

}  // namespace waypoint::detail
