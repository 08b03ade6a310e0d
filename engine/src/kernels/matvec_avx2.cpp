// AVX2 + FMA row kernels: 4 rows at a time, 8 floats per vector, scalar
// tails. 16-bit weights are widened in registers (bf16 by a shift, fp16 by
// F16C's vcvtph2ps); x stays fp32.
#include <immintrin.h>

#include "kernels/half.h"
#include "kernels/matvec_impl.h"

#define WP_AVX2 __attribute__((target("avx2,fma,f16c")))

namespace waypoint::kernels::impl {

namespace {

struct LoadF32 {
    WP_AVX2 static __m256 load(const float* p) { return _mm256_loadu_ps(p); }
    static float one(float v) { return v; }
};
struct LoadBF16 {
    WP_AVX2 static __m256 load(const uint16_t* p) {
        const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
    }
    static float one(uint16_t v) { return bf16_to_float(v); }
};
struct LoadF16 {
    WP_AVX2 static __m256 load(const uint16_t* p) {
        return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    }
    static float one(uint16_t v) { return fp16_to_float(v); }
};

WP_AVX2 inline float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

template <class T, class L>
WP_AVX2 void rows(const MatVec& p, int r0, int r1) {
    const T* w = static_cast<const T*>(p.w);
    const int n = p.cols;
    const int n8 = n & ~7;
    const float* x = p.x;
    int r = r0;
    for (; r + 4 <= r1; r += 4) {
        const T* wr[4] = {w + int64_t(r) * n, w + int64_t(r + 1) * n, w + int64_t(r + 2) * n,
                          w + int64_t(r + 3) * n};
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
        __m256 a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
        for (int c = 0; c < n8; c += 8) {
            const __m256 xv = _mm256_loadu_ps(x + c);
            a0 = _mm256_fmadd_ps(L::load(wr[0] + c), xv, a0);
            a1 = _mm256_fmadd_ps(L::load(wr[1] + c), xv, a1);
            a2 = _mm256_fmadd_ps(L::load(wr[2] + c), xv, a2);
            a3 = _mm256_fmadd_ps(L::load(wr[3] + c), xv, a3);
        }
        float s[4] = {hsum(a0), hsum(a1), hsum(a2), hsum(a3)};
        for (int j = 0; j < 4; ++j) {
            for (int c = n8; c < n; ++c) s[j] += L::one(wr[j][c]) * x[c];
            p.y[r + j] = p.accumulate ? p.y[r + j] + s[j] : s[j];
        }
    }
    for (; r < r1; ++r) {
        const T* w0 = w + int64_t(r) * n;
        __m256 a0 = _mm256_setzero_ps();
        for (int c = 0; c < n8; c += 8) a0 = _mm256_fmadd_ps(L::load(w0 + c), _mm256_loadu_ps(x + c), a0);
        float s = hsum(a0);
        for (int c = n8; c < n; ++c) s += L::one(w0[c]) * x[c];
        p.y[r] = p.accumulate ? p.y[r] + s : s;
    }
}

}  // namespace

void rows_avx2(const MatVec& p, int r0, int r1) {
    switch (p.type) {
    case WeightType::F32: rows<float, LoadF32>(p, r0, r1); break;
    case WeightType::BF16: rows<uint16_t, LoadBF16>(p, r0, r1); break;
    case WeightType::F16: rows<uint16_t, LoadF16>(p, r0, r1); break;
    }
}

}  // namespace waypoint::kernels::impl
