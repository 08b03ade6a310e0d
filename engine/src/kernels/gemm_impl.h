// The AVX-512 parts behind gemm(): one register tile and the bf16 rounding.
#pragma once

#include "kernels/gemm.h"

namespace waypoint::kernels::impl {

// The register tile: 6 weight rows x up to 4 vectors of 16 tokens (24 zmm
// accumulators; per k 4 loads of X, 6 broadcasts, 24 FMAs). Measured on
// Zen 5 against 3 x 8 and 4 x 6: 6 x 4 is the fastest (3 x 8 half as fast).
constexpr int kTileRows = 6;
constexpr int kTileVecs = 4;

// Rows [r, r + kTileRows) of `g` (fewer at its end) for tokens
// [t0, t0 + 16 nv), nv in 1..kTileVecs; with use_pairs from in.pairs by vdpbf16ps.
void gemm_tile_avx512(const GemmInput& in, const Gemm& g, bool use_pairs, int r, int t0, int nv);
void to_bf16_pairs_avx512(const float* x, int cols, int64_t ld, int tokens, uint16_t* pairs);

}  // namespace waypoint::kernels::impl
