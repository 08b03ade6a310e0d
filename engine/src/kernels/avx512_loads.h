// AVX-512 loads of 16 weights as fp32, shared by the matrix-vector
// (matvec_avx512.cpp) and batched (matmat_avx512.cpp) kernels so that both
// widen weights the same way: bf16 by a 16-bit shift, fp16 by vcvtph2ps.
// Include only from files compiled for any CPU whose AVX-512 functions carry
// WP_AVX512 (runtime dispatch in cpu_isa.cpp).
#pragma once

#include <immintrin.h>

#include <cstdint>

#define WP_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,fma,f16c")))

namespace waypoint::kernels::impl {
namespace {

struct LoadF32 {
    WP_AVX512 static __m512 load(const float* p) { return _mm512_loadu_ps(p); }
    WP_AVX512 static __m512 load_tail(const float* p, __mmask16 m) { return _mm512_maskz_loadu_ps(m, p); }
};
struct LoadBF16 {
    WP_AVX512 static __m512 widen(__m256i h) {
        return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
    }
    WP_AVX512 static __m512 load(const uint16_t* p) {
        return widen(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
    }
    WP_AVX512 static __m512 load_tail(const uint16_t* p, __mmask16 m) {
        return widen(_mm256_maskz_loadu_epi16(m, p));
    }
};
struct LoadF16 {
    WP_AVX512 static __m512 load(const uint16_t* p) {
        return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
    }
    WP_AVX512 static __m512 load_tail(const uint16_t* p, __mmask16 m) {
        return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, p));
    }
};

}  // namespace
}  // namespace waypoint::kernels::impl
