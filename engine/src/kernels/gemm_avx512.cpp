// AVX-512 register tiles of gemm.h: kTileRows weight rows x NV vectors of 16
// tokens (NV <= kTileVecs). Rows past the product's end repeat its last row
// (computed, not stored), so one tile shape serves every row count.
#include <cstring>

#include "kernels/avx512_loads.h"
#include "kernels/gemm_impl.h"

#define WP_AVX512_BF16 __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16,fma,f16c")))

namespace waypoint::kernels::impl {

namespace {

constexpr int kRows = kTileRows;

// One weight as 16 equal fp32 lanes.
struct BcastF32 {
    using T = float;
    WP_AVX512 static __m512 at(const float* p) { return _mm512_set1_ps(*p); }
};
struct BcastBF16 {
    using T = uint16_t;
    WP_AVX512 static __m512 at(const uint16_t* p) {
        return _mm512_castsi512_ps(_mm512_set1_epi32(int(uint32_t(*p) << 16)));
    }
};
struct BcastF16 {
    using T = uint16_t;
    WP_AVX512 static __m512 at(const uint16_t* p) {
        return _mm512_cvtph_ps(_mm256_set1_epi16(static_cast<short>(*p)));
    }
};

// Stores rows [0, valid) of the tile: y row i at y + i * ld, NV vectors.
template <int NV>
WP_AVX512 inline void store(__m512 (&c)[kRows][NV], float* y, int64_t ld, int valid, bool accumulate) {
#pragma GCC unroll 6
    for (int i = 0; i < kRows; ++i) {
        if (i >= valid) break;
        float* yi = y + int64_t(i) * ld;
#pragma GCC unroll 8
        for (int v = 0; v < NV; ++v) {
            __m512 r = c[i][v];
            if (accumulate) r = _mm512_add_ps(r, _mm512_loadu_ps(yi + 16 * v));
            _mm512_storeu_ps(yi + 16 * v, r);
        }
    }
}

// fp32 products: Y[i][t] = sum_k W[i][k] X[k][t], weights widened one at a time.
template <class B, int NV>
WP_AVX512 void tile_f32(const typename B::T* const (&w)[kRows], int K, const float* x, int64_t ld, float* y,
                        int valid, bool accumulate) {
    __m512 c[kRows][NV];
#pragma GCC unroll 6
    for (int i = 0; i < kRows; ++i)
#pragma GCC unroll 8
        for (int v = 0; v < NV; ++v) c[i][v] = _mm512_setzero_ps();
    for (int k = 0; k < K; ++k) {
        const float* xk = x + int64_t(k) * ld;
        __m512 xv[NV];
#pragma GCC unroll 8
        for (int v = 0; v < NV; ++v) xv[v] = _mm512_loadu_ps(xk + 16 * v);
#pragma GCC unroll 6
        for (int i = 0; i < kRows; ++i) {
            const __m512 wb = B::at(w[i] + k);
#pragma GCC unroll 8
            for (int v = 0; v < NV; ++v) c[i][v] = _mm512_fmadd_ps(wb, xv[v], c[i][v]);
        }
    }
    store<NV>(c, y, ld, valid, accumulate);
}

// bf16 weights against bf16 k-pairs of X: each vdpbf16ps adds
// W[i][2p] X[2p][t] + W[i][2p+1] X[2p+1][t] for 16 tokens.
template <int NV>
WP_AVX512_BF16 void tile_bf16(const uint16_t* const (&w)[kRows], int K, const uint16_t* pairs, int64_t ld,
                              float* y, int valid, bool accumulate) {
    __m512 c[kRows][NV];
#pragma GCC unroll 6
    for (int i = 0; i < kRows; ++i)
#pragma GCC unroll 8
        for (int v = 0; v < NV; ++v) c[i][v] = _mm512_setzero_ps();
    const int P = K / 2;
    for (int p = 0; p < P; ++p) {
        const uint16_t* xp = pairs + int64_t(p) * ld * 2;
        __m512i xv[NV];
#pragma GCC unroll 8
        for (int v = 0; v < NV; ++v) xv[v] = _mm512_loadu_si512(xp + 32 * v);
#pragma GCC unroll 6
        for (int i = 0; i < kRows; ++i) {
            int32_t two;
            std::memcpy(&two, w[i] + 2 * p, sizeof two);
            const __m512i wb = _mm512_set1_epi32(two);
#pragma GCC unroll 8
            for (int v = 0; v < NV; ++v) c[i][v] = _mm512_dpbf16_ps(c[i][v], (__m512bh)xv[v], (__m512bh)wb);
        }
    }
    store<NV>(c, y, ld, valid, accumulate);
}

template <class B>
void tile_widen(const GemmInput& in, const Gemm& g, int r, int t0, int nv) {
    using T = typename B::T;
    const int valid = g.rows - r < kRows ? g.rows - r : kRows;
    const T* w[kRows];
    for (int i = 0; i < kRows; ++i)
        w[i] = static_cast<const T*>(g.w) + int64_t(r + (i < valid ? i : valid - 1)) * g.cols;
    const float* x = in.x + t0;
    float* y = g.y + int64_t(r) * in.ld + t0;
    switch (nv) {
    case 1: tile_f32<B, 1>(w, g.cols, x, in.ld, y, valid, g.accumulate); break;
    case 2: tile_f32<B, 2>(w, g.cols, x, in.ld, y, valid, g.accumulate); break;
    case 3: tile_f32<B, 3>(w, g.cols, x, in.ld, y, valid, g.accumulate); break;
    case 4: tile_f32<B, 4>(w, g.cols, x, in.ld, y, valid, g.accumulate); break;
    case 5: tile_f32<B, 5>(w, g.cols, x, in.ld, y, valid, g.accumulate); break;
    case 6: tile_f32<B, 6>(w, g.cols, x, in.ld, y, valid, g.accumulate); break;
    case 7: tile_f32<B, 7>(w, g.cols, x, in.ld, y, valid, g.accumulate); break;
    default: tile_f32<B, 8>(w, g.cols, x, in.ld, y, valid, g.accumulate); break;
    }
}

void tile_pairs(const GemmInput& in, const Gemm& g, int r, int t0, int nv) {
    const int valid = g.rows - r < kRows ? g.rows - r : kRows;
    const uint16_t* w[kRows];
    for (int i = 0; i < kRows; ++i)
        w[i] = static_cast<const uint16_t*>(g.w) + int64_t(r + (i < valid ? i : valid - 1)) * g.cols;
    const uint16_t* x = in.pairs + int64_t(t0) * 2;
    float* y = g.y + int64_t(r) * in.ld + t0;
    switch (nv) {
    case 1: tile_bf16<1>(w, g.cols, x, in.ld, y, valid, g.accumulate); break;
    case 2: tile_bf16<2>(w, g.cols, x, in.ld, y, valid, g.accumulate); break;
    case 3: tile_bf16<3>(w, g.cols, x, in.ld, y, valid, g.accumulate); break;
    case 4: tile_bf16<4>(w, g.cols, x, in.ld, y, valid, g.accumulate); break;
    case 5: tile_bf16<5>(w, g.cols, x, in.ld, y, valid, g.accumulate); break;
    case 6: tile_bf16<6>(w, g.cols, x, in.ld, y, valid, g.accumulate); break;
    case 7: tile_bf16<7>(w, g.cols, x, in.ld, y, valid, g.accumulate); break;
    default: tile_bf16<8>(w, g.cols, x, in.ld, y, valid, g.accumulate); break;
    }
}

}  // namespace

void gemm_tile_avx512(const GemmInput& in, const Gemm& g, bool use_pairs, int r, int t0, int nv) {
    if (use_pairs) {
        tile_pairs(in, g, r, t0, nv);
        return;
    }
    switch (g.type) {
    case WeightType::F32: tile_widen<BcastF32>(in, g, r, t0, nv); break;
    case WeightType::BF16: tile_widen<BcastBF16>(in, g, r, t0, nv); break;
    case WeightType::F16: tile_widen<BcastF16>(in, g, r, t0, nv); break;
    }
}

// Round to nearest even on the bit pattern (finite values; activations are).
WP_AVX512 static __m256i round_bf16(__m512 v) {
    const __m512i b = _mm512_castps_si512(v);
    const __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(b, 16), _mm512_set1_epi32(1));
    const __m512i r = _mm512_add_epi32(b, _mm512_add_epi32(lsb, _mm512_set1_epi32(0x7fff)));
    return _mm512_cvtepi32_epi16(_mm512_srli_epi32(r, 16));
}

WP_AVX512 static void pairs_avx512(const float* x, int cols, int64_t ld, int tokens, uint16_t* pairs) {
    const int64_t n = (int64_t(tokens) + 15) / 16 * 16;
    for (int p = 0; p < cols / 2; ++p) {
        const float* a = x + int64_t(2 * p) * ld;
        const float* b = a + ld;
        uint16_t* out = pairs + int64_t(p) * ld * 2;
        for (int64_t t = 0; t < n; t += 16) {
            const __m512i lo = _mm512_cvtepu16_epi32(round_bf16(_mm512_loadu_ps(a + t)));
            const __m512i hi = _mm512_cvtepu16_epi32(round_bf16(_mm512_loadu_ps(b + t)));
            // token t: (a, b) as one 32-bit pair, a in the low half
            _mm512_storeu_si512(out + 2 * t, _mm512_or_si512(lo, _mm512_slli_epi32(hi, 16)));
        }
    }
}

void to_bf16_pairs_avx512(const float* x, int cols, int64_t ld, int tokens, uint16_t* pairs) {
    pairs_avx512(x, cols, ld, tokens, pairs);
}

}  // namespace waypoint::kernels::impl
