#include "kernels/decode_ops.h"

#include <cmath>

#include "kernels/thread_pool.h"

// Versions of the loops below for AVX-512, AVX2 and any x86-64, picked at
// load time by the dynamic linker (GCC target_clones / ifunc). ifunc is an
// ELF feature: Windows (MinGW) and macOS get the plain loops.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__ELF__)
#define WP_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define WP_CLONES
#endif

namespace waypoint::kernels {

namespace {
float dot(const float* a, const float* b, int n);
}  // namespace

WP_CLONES void rmsnorm(const float* x, const float* w, float* out, int n, float eps) {
    const float ss = dot(x, x, n);
    const float scale = 1.0f / std::sqrt(ss / float(n) + eps);
    for (int i = 0; i < n; ++i) out[i] = w[i] * (scale * x[i]);
}

WP_CLONES void rope(float* v, int heads, int hd, const float* cos, const float* sin, bool interleaved) {
    const int half = hd / 2;
    for (int h = 0; h < heads; ++h) {
        float* x = v + h * hd;
        if (interleaved) {
            for (int i = 0; i < half; ++i) {
                const float a = x[2 * i], b = x[2 * i + 1];
                x[2 * i] = a * cos[i] - b * sin[i];
                x[2 * i + 1] = a * sin[i] + b * cos[i];
            }
        } else {
            for (int i = 0; i < half; ++i) {
                const float a = x[i], b = x[i + half];
                x[i] = a * cos[i] - b * sin[i];
                x[i + half] = a * sin[i] + b * cos[i];
            }
        }
    }
}

namespace {

// Dot product with 16 independent partial sums, so that GCC vectorises it
// (a plain `d += q[i] * k[i]` is one serial dependency chain: float addition
// does not reassociate) for whichever ISA the clone below was built for.
WP_CLONES float dot(const float* a, const float* b, int n) {
    float acc[16] = {};
    int i = 0;
    for (; i + 16 <= n; i += 16)
        for (int j = 0; j < 16; ++j) acc[j] += a[i + j] * b[i + j];
    for (; i < n; ++i) acc[0] += a[i] * b[i];
    float s = 0.0f;
    for (float v : acc) s += v;
    return s;
}

WP_CLONES void attend_head(const float* q, const float* k, const float* v, int hd, int n,
                           float* s, float* out) {
    const float scale = 1.0f / std::sqrt(float(hd));
    float mx = -INFINITY;
    for (int t = 0; t < n; ++t) {
        const float d = dot(q, k + int64_t(t) * hd, hd) * scale;
        s[t] = d;
        mx = d > mx ? d : mx;
    }
    float sum = 0.0f;
    for (int t = 0; t < n; ++t) {
        s[t] = std::exp(s[t] - mx);
        sum += s[t];
    }
    const float inv = 1.0f / sum;
    for (int i = 0; i < hd; ++i) out[i] = 0.0f;
    for (int t = 0; t < n; ++t) {
        const float p = s[t] * inv;
        const float* vt = v + int64_t(t) * hd;
        for (int i = 0; i < hd; ++i) out[i] += p * vt[i];
    }
}

}  // namespace

void attention_one(const float* q, const float* k_cache, const float* v_cache, int heads,
                   int kv_heads, int hd, int ctx, int n, float* scores, float* out) {
    const int group = heads / kv_heads;
    auto body = [&](int64_t h0, int64_t h1) {
        for (int64_t h = h0; h < h1; ++h) {
            const int64_t kv = h / group;
            attend_head(q + h * hd, k_cache + kv * ctx * hd, v_cache + kv * ctx * hd, hd, n,
                        scores + h * ctx, out + h * hd);
        }
    };
    // A short history is not worth a second thread.
    if (int64_t(n) * heads * hd < 16384) body(0, heads);
    else ThreadPool::global().parallel_for(heads, 1, body);
}

void attention_batch(const float* q, const float* const* k_caches, const float* const* v_caches,
                     const int* n, int batch, int heads, int kv_heads, int hd, int ctx, float* scores,
                     float* out) {
    const int group = heads / kv_heads;
    auto body = [&](int64_t i0, int64_t i1) {
        for (int64_t i = i0; i < i1; ++i) {
            const int64_t b = i / heads, h = i % heads, kv = h / group;
            attend_head(q + i * hd, k_caches[b] + kv * ctx * hd, v_caches[b] + kv * ctx * hd, hd, n[b],
                        scores + i * ctx, out + i * hd);
        }
    };
    int64_t work = 0;
    for (int b = 0; b < batch; ++b) work += int64_t(n[b]) * heads * hd;
    if (work < 16384) body(0, int64_t(batch) * heads);
    else ThreadPool::global().parallel_for(int64_t(batch) * heads, 1, body);
}

WP_CLONES void silu_mul(float* a, const float* b, int n) {
    for (int i = 0; i < n; ++i) {
        const float x = a[i];
        a[i] = x / (1.0f + std::exp(-x)) * b[i];
    }
}

}  // namespace waypoint::kernels
