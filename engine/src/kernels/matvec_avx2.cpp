// AVX2 + FMA row kernels: one row at a time, 8 floats per vector, scalar
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

// One row at a time as one sequential stream (see matvec_avx512.cpp for
// why), 4 accumulators of 8.
template <class T, class L>
WP_AVX2 void rows(const MatVec& p, int r0, int r1) {
    const T* w = static_cast<const T*>(p.w);
    const int n = p.cols;
    const int n32 = n & ~31, n8 = n & ~7;
    const float* x = p.x;
    for (int r = r0; r < r1; ++r) {
        const T* row = w + int64_t(r) * n;
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
        __m256 a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
        int c = 0;
        for (; c < n32; c += 32) {
            a0 = _mm256_fmadd_ps(L::load(row + c), _mm256_loadu_ps(x + c), a0);
            a1 = _mm256_fmadd_ps(L::load(row + c + 8), _mm256_loadu_ps(x + c + 8), a1);
            a2 = _mm256_fmadd_ps(L::load(row + c + 16), _mm256_loadu_ps(x + c + 16), a2);
            a3 = _mm256_fmadd_ps(L::load(row + c + 24), _mm256_loadu_ps(x + c + 24), a3);
        }
        for (; c < n8; c += 8) a0 = _mm256_fmadd_ps(L::load(row + c), _mm256_loadu_ps(x + c), a0);
        float s = hsum(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
        for (; c < n; ++c) s += L::one(row[c]) * x[c];
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
