// The sequential end of the device sampler (sample.cu): the filters and the
// draw of the sampler chain (waypoint/sampler.h, sampling/steps.cpp) over the
// M most likely candidates, already sorted most likely first (equal
// probabilities: the lower id first). One GPU thread runs it; the host-side
// reference of the device algorithm in tests/engine/tst_device_sampler.cpp
// runs the very same function, so that the CPU tests check its decisions
// against Sampler::sample.
//
// It takes the same steps in the same order as steps.cpp: top-k, top-p,
// min-p, then a draw walking the kept candidates. Where a step would need to
// look past the M sorted ones (a nucleus wider than M, a min-p threshold that
// the M-th still passes, a top-k over M) it answers kFallback, and the caller
// sorts all V candidates and runs it again with M = V (where it never falls
// back). Where no filter ran, the draw walks all V
// probabilities in id order (as steps.cpp does): kIdOrder, done by the caller.
#pragma once

#include "kernels/cuda/decode_graph.h"

#if defined(__CUDACC__)
#define WP_HD __host__ __device__
#else
#define WP_HD
#endif

namespace waypoint::kernels::cuda {

// kWider: (sample.cu only) the M sorted were too few: sort all V and finish again.
enum SampleStatus { kPicked = 0, kFallback = 1, kIdOrder = 2, kWider = 3 };

// Tolerance for "cumulative mass >= p" (sampling/order.h kMassTolerance).
constexpr double kSampleMassTolerance = 1e-6;

struct FinishResult {
    int status = kFallback;
    int index = 0;  // kPicked: the pick is sorted[index]
};

// How many of the most likely candidates the device selects and sorts first
// for these settings (at most vocab). Where the filters need more (finish_sorted
// answers kFallback), the device sorts all V and runs finish_sorted again.
WP_HD inline int sorted_needed(bool greedy, int top_k, float top_p, float min_p, int top_n, int vocab) {
    int need = 0;
    if (!greedy) {
        if (top_k > 0 && top_k < vocab) {
            need = top_k < kMaxSorted ? top_k : kMaxSorted;
        } else if (top_p < 1.0f || min_p > 0.0f) {
            need = kMaxSorted;
        }
    }
    need = need > top_n ? need : top_n;
    return need < vocab ? need : vocab;
}

// p: [m] probabilities after temperature, the m most likely of all v, sorted
// (m >= 1). u in [0, 1). top_k <= 0, top_p >= 1 (or NaN), min_p <= 0: off.
WP_HD inline FinishResult finish_sorted(const float* p, int m, int v, int top_k, float top_p, float min_p,
                                        double u) {
    FinishResult r;
    int size = v, sorted = m;
    bool filtered = false;  // the kept candidates are in sorted order
    // top-k (keep_top_k)
    if (top_k > 0 && top_k < size) {
        if (top_k > sorted) return r;
        size = sorted = top_k;
        filtered = true;
    }
    // top-p (keep_top_p): the mass of an unfiltered list is taken as 1
    if (top_p < 1.0f) {
        filtered = true;
        double mass = 0.0;
        if (size == v)
            mass = 1.0;
        else
            for (int i = 0; i < size; ++i) mass += p[i];
        const double target = double(top_p) * mass - kSampleMassTolerance * mass;
        double cum = 0.0;
        int i = 0;
        for (;;) {
            if (i == sorted) {
                if (sorted == size) break;  // everything kept
                return r;                   // the nucleus reaches past the sorted ones
            }
            cum += p[i++];
            if (cum >= target) {
                size = sorted = i;
                break;
            }
        }
    }
    // min-p (keep_min_p): the most likely is p[0]
    if (min_p > 0.0f) {
        filtered = true;
        const float threshold = min_p * p[0];
        int keep = 0;
        while (keep < sorted && p[keep] >= threshold) ++keep;
        if (keep == sorted && sorted < size) return r;  // more past the sorted ones may pass
        size = sorted = keep > 1 ? keep : 1;
    }
    if (!filtered) {
        r.status = kIdOrder;
        return r;
    }
    // draw: walk the kept ones, most likely first
    double mass = 0.0;
    for (int i = 0; i < size; ++i) mass += p[i];
    const double x = u * mass;
    double cum = 0.0;
    int pick = 0;
    for (int i = 0; i < size; ++i) {
        cum += p[i];
        if (x < cum) {
            pick = i;
            break;
        }
        if (p[i] > 0.0f) pick = i;  // rounding at the very end: the last possible one
    }
    r.status = kPicked;
    r.index = pick;
    return r;
}

}  // namespace waypoint::kernels::cuda
