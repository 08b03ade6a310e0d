// Matrix products for a prompt (prefill): Y (+)= W X for a block of tokens,
// in the token-column layout of prompt_ops.h: X [cols][ld] and Y [rows][ld]
// fp32, column t holding token t's vector (ld a multiple of 16 >= tokens;
// the padding columns are computed too and mean nothing). W [rows, cols] is
// row-major fp32, bf16 or fp16 as loaded, read in order and never copied.
//
// Why this layout: a register tile is 6 weight rows x 64 tokens (24 zmm
// accumulators); each step over k loads 4 vectors of X (64 tokens' k-th
// element, contiguous in this layout) and broadcasts one weight per row, so
// every weight read from memory feeds 64 tokens, no horizontal sums are
// needed, and Y is stored as whole vectors. With bf16 weights on a CPU with
// AVX-512 BF16 the tokens' values are rounded to bf16 once per product
// input (as libtorch's bf16 GEMM does) and multiplied two k at a time
// (vdpbf16ps), at twice the fp32 rate.
//
// AVX-512 only (gemm_available()); elsewhere the prefill stays on libtorch.
#pragma once

#include <cstdint>

#include "kernels/matvec.h"

namespace waypoint::kernels {

// X of one product input; `pairs`, when set, is the same X rounded to bf16 in
// k-pairs: [cols/2][ld][2] (to_bf16_pairs), used for bf16 weights where
// bf16_dot_available().
struct GemmInput {
    const float* x = nullptr;         // [cols][ld]
    const uint16_t* pairs = nullptr;  // [cols/2][ld][2] or nullptr
    int64_t ld = 0;
    int tokens = 0;
};

struct Gemm {
    const void* w = nullptr;  // [rows, cols], row-major, contiguous
    WeightType type = WeightType::F32;
    int rows = 0;
    int cols = 0;
    float* y = nullptr;       // [rows][ld]
    bool accumulate = false;  // Y += W X instead of Y = W X
};

// Whether the CPU runs these kernels (AVX-512 F+BW+VL, and not capped by
// WAYPOINT_ISA).
bool gemm_available();
// Whether bf16 weights use the bf16 dot products (AVX-512 BF16).
bool bf16_dot_available();
// Whether `g` would read in.pairs (bf16 weights, even cols, bf16_dot_available()).
bool gemm_uses_pairs(const Gemm& g);

// X [cols][ld] fp32 -> [cols/2][ld][2] bf16 (round to nearest even); cols even.
void to_bf16_pairs(const float* x, int cols, int64_t ld, int tokens, uint16_t* pairs);

// All products of one input on the global thread pool, output rows split
// over the threads (each takes tiles of 6 rows x 64 tokens in turn).
void gemm(const GemmInput& in, const Gemm* products, int count);
inline void gemm(const GemmInput& in, const Gemm& product) { gemm(in, &product, 1); }

}  // namespace waypoint::kernels
