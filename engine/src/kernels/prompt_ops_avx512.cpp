// AVX-512 bodies of prompt_ops.h. Called only where gemm_available().
#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/avx512_loads.h"
#include "kernels/prompt_ops.h"
#include "kernels/thread_pool.h"

namespace waypoint::kernels {

namespace {

// exp(x) for 16 lanes (Cephes' expf polynomial, ~2 ulp, as
// sampling/fast_exp.h); below -87.3 it is 0 (so for -inf), above 88.3 it is
// clamped (finite).
WP_AVX512 inline __m512 exp16(__m512 x) {
    const __m512 xc = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-87.3f)), _mm512_set1_ps(88.3f));
    const __m512 fn = _mm512_roundscale_ps(_mm512_mul_ps(xc, _mm512_set1_ps(1.44269504088896341f)),
                                           _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(fn, _mm512_set1_ps(0.693359375f), xc);
    r = _mm512_fnmadd_ps(fn, _mm512_set1_ps(-2.12194440e-4f), r);
    __m512 p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
    const __m512 y = _mm512_add_ps(_mm512_fmadd_ps(p, _mm512_mul_ps(r, r), r), _mm512_set1_ps(1.0f));
    const __m512 e = _mm512_scalef_ps(y, fn);
    return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(x, _mm512_set1_ps(-87.3f), _CMP_GE_OQ), e);
}

inline int64_t padded(int tokens) { return (int64_t(tokens) + 15) / 16 * 16; }

}  // namespace

namespace {

WP_AVX512 void rmsnorm_avx512(const float* x, const float* w, float* out, int n, int64_t ld, int tokens,
                               float eps) {
    const int64_t end = padded(tokens);
    const __m512 inv_n = _mm512_set1_ps(1.0f / float(n));
    for (int64_t t = 0; t < end; t += 16) {
        __m512 ss = _mm512_setzero_ps();
        for (int d = 0; d < n; ++d) {
            const __m512 v = _mm512_loadu_ps(x + d * ld + t);
            ss = _mm512_fmadd_ps(v, v, ss);
        }
        const __m512 scale = _mm512_div_ps(
            _mm512_set1_ps(1.0f), _mm512_sqrt_ps(_mm512_fmadd_ps(ss, inv_n, _mm512_set1_ps(eps))));
        for (int d = 0; d < n; ++d) {
            const __m512 v = _mm512_mul_ps(scale, _mm512_loadu_ps(x + d * ld + t));
            _mm512_storeu_ps(out + d * ld + t, _mm512_mul_ps(_mm512_set1_ps(w[d]), v));
        }
    }
}

WP_AVX512 void rope_avx512(float* x, int heads, int hd, int64_t ld, int tokens, const float* cos,
                           const float* sin, bool interleaved) {
    const int64_t end = padded(tokens);
    const int half = hd / 2;
    for (int h = 0; h < heads; ++h) {
        for (int i = 0; i < half; ++i) {
            float* a = x + (int64_t(h) * hd + (interleaved ? 2 * i : i)) * ld;
            float* b = x + (int64_t(h) * hd + (interleaved ? 2 * i + 1 : i + half)) * ld;
            const float* c = cos + int64_t(i) * ld;
            const float* s = sin + int64_t(i) * ld;
            for (int64_t t = 0; t < end; t += 16) {
                const __m512 av = _mm512_loadu_ps(a + t), bv = _mm512_loadu_ps(b + t);
                const __m512 cv = _mm512_loadu_ps(c + t), sv = _mm512_loadu_ps(s + t);
                _mm512_storeu_ps(a + t, _mm512_fmsub_ps(av, cv, _mm512_mul_ps(bv, sv)));
                _mm512_storeu_ps(b + t, _mm512_fmadd_ps(av, sv, _mm512_mul_ps(bv, cv)));
            }
        }
    }
}

WP_AVX512 void silu_mul_range(float* a, const float* b, int64_t i0, int64_t i1) {
    int64_t i = i0;
    for (; i + 16 <= i1; i += 16) {
        const __m512 x = _mm512_loadu_ps(a + i);
        const __m512 e = exp16(_mm512_sub_ps(_mm512_setzero_ps(), x));
        const __m512 s = _mm512_div_ps(x, _mm512_add_ps(_mm512_set1_ps(1.0f), e));
        _mm512_storeu_ps(a + i, _mm512_mul_ps(s, _mm512_loadu_ps(b + i)));
    }
    for (; i < i1; ++i) a[i] = a[i] / (1.0f + std::exp(-a[i])) * b[i];
}

}  // namespace

void rmsnorm_cols(const float* x, const float* w, float* out, int n, int64_t ld, int tokens, float eps) {
    rmsnorm_avx512(x, w, out, n, ld, tokens, eps);
}

void rope_cols(float* x, int heads, int hd, int64_t ld, int tokens, const float* cos, const float* sin,
               bool interleaved) {
    rope_avx512(x, heads, hd, ld, tokens, cos, sin, interleaved);
}

void silu_mul_cols(float* a, const float* b, int64_t n) {
    constexpr int64_t kChunk = 16 * 1024;
    const int64_t chunks = (n + kChunk - 1) / kChunk;
    auto body = [&](int64_t c0, int64_t c1) { silu_mul_range(a, b, c0 * kChunk, std::min(n, c1 * kChunk)); };
    if (chunks < 2) body(0, chunks);
    else ThreadPool::global().parallel_for(chunks, 1, body);
}

namespace {

// out[d][0..15] += sum_j p[j][0..15] * v[j][d0 + d] for d < DB, then scaled.
template <int DB>
WP_AVX512 void weigh_values(const float* S, int n, const float* v, int hd, int d0, __m512 inv, float* out,
                            int64_t ld) {
    __m512 acc[DB];
#pragma GCC unroll 16
    for (int d = 0; d < DB; ++d) acc[d] = _mm512_setzero_ps();
    for (int j = 0; j < n; ++j) {
        const __m512 p = _mm512_loadu_ps(S + int64_t(j) * 16);
        const float* vj = v + int64_t(j) * hd + d0;
#pragma GCC unroll 16
        for (int d = 0; d < DB; ++d) acc[d] = _mm512_fmadd_ps(p, _mm512_set1_ps(vj[d]), acc[d]);
    }
#pragma GCC unroll 16
    for (int d = 0; d < DB; ++d) _mm512_storeu_ps(out + int64_t(d0 + d) * ld, _mm512_mul_ps(acc[d], inv));
}

// Scores of 16 queries (columns t0.. of q's head rows) against keys j0 ..
// j0+G-1, scaled and causally masked, into S[j] ([16] each); returns the
// running max.
template <int G>
WP_AVX512 __m512 score_keys(const float* q, int64_t ld, const float* k, int hd, int j0, int first, __m512 scale,
                            float* S, __m512 mx) {
    __m512 s[G];
#pragma GCC unroll 8
    for (int i = 0; i < G; ++i) s[i] = _mm512_setzero_ps();
    for (int d = 0; d < hd; ++d) {
        const __m512 qv = _mm512_loadu_ps(q + int64_t(d) * ld);
#pragma GCC unroll 8
        for (int i = 0; i < G; ++i) s[i] = _mm512_fmadd_ps(qv, _mm512_set1_ps(k[int64_t(j0 + i) * hd + d]), s[i]);
    }
#pragma GCC unroll 8
    for (int i = 0; i < G; ++i) {
        __m512 v = _mm512_mul_ps(s[i], scale);
        const int j = j0 + i;
        if (j > first) {
            // query lane l (position first + l) sees key j when l >= j - first
            const __mmask16 hidden = static_cast<__mmask16>((1u << std::min(16, j - first)) - 1u);
            v = _mm512_mask_mov_ps(v, hidden, _mm512_set1_ps(-INFINITY));
        }
        _mm512_storeu_ps(S + int64_t(j) * 16, v);
        mx = _mm512_max_ps(mx, v);
    }
    return mx;
}

// One task: head rows q / out (column t0 already applied), keys 0 .. n-1.
WP_AVX512 void attend_block(const float* q, float* out, int64_t ld, int first, int n, const float* k,
                            const float* v, int hd, float* S) {
    const __m512 scale = _mm512_set1_ps(1.0f / std::sqrt(float(hd)));
    __m512 mx = _mm512_set1_ps(-INFINITY);
    int j = 0;
    for (; j + 8 <= n; j += 8) mx = score_keys<8>(q, ld, k, hd, j, first, scale, S, mx);
    for (; j < n; ++j) mx = score_keys<1>(q, ld, k, hd, j, first, scale, S, mx);
    __m512 sum = _mm512_setzero_ps();
    for (j = 0; j < n; ++j) {
        const __m512 p = exp16(_mm512_sub_ps(_mm512_loadu_ps(S + int64_t(j) * 16), mx));
        _mm512_storeu_ps(S + int64_t(j) * 16, p);
        sum = _mm512_add_ps(sum, p);
    }
    const __m512 inv = _mm512_div_ps(_mm512_set1_ps(1.0f), sum);
    int d = 0;
    for (; d + 16 <= hd; d += 16) weigh_values<16>(S, n, v, hd, d, inv, out, ld);
    if (hd - d >= 8) { weigh_values<8>(S, n, v, hd, d, inv, out, ld); d += 8; }
    if (hd - d >= 4) { weigh_values<4>(S, n, v, hd, d, inv, out, ld); d += 4; }
    if (hd - d >= 2) { weigh_values<2>(S, n, v, hd, d, inv, out, ld); d += 2; }
    if (hd - d >= 1) weigh_values<1>(S, n, v, hd, d, inv, out, ld);
}

}  // namespace

void attention_cols(const float* q, int64_t ld, int tokens, int p0, const float* k_cache,
                    const float* v_cache, int heads, int kv_heads, int hd, int ctx, float* out) {
    const int group = heads / kv_heads;
    const int blocks = (tokens + 15) / 16;
    auto body = [&](int64_t i0, int64_t i1) {
        thread_local std::vector<float> scores;
        if (scores.size() < size_t(p0 + tokens) * 16) scores.resize(size_t(p0 + tokens) * 16);
        for (int64_t i = i0; i < i1; ++i) {
            // the longest blocks (the last queries) first, for the balance
            const int b = blocks - 1 - static_cast<int>(i / heads);
            const int h = static_cast<int>(i % heads), kv = h / group;
            const int t0 = b * 16, first = p0 + t0;
            const int n = std::min(first + 16, p0 + tokens);
            const int64_t row = int64_t(h) * hd * ld + t0;
            attend_block(q + row, out + row, ld, first, n, k_cache + int64_t(kv) * ctx * hd,
                         v_cache + int64_t(kv) * ctx * hd, hd, scores.data());
        }
    };
    const int64_t total = int64_t(blocks) * heads;
    if (int64_t(p0 + tokens) * tokens * heads * hd < 16384) body(0, total);
    else ThreadPool::global().parallel_for(total, 1, body);
}

}  // namespace waypoint::kernels
