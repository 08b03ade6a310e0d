#include "kernels/decode_ops.h"

#include <cmath>

#include "kernels/thread_pool.h"

namespace waypoint::kernels {

void rmsnorm(const float* x, const float* w, float* out, int n, float eps) {
    float ss = 0.0f;
    for (int i = 0; i < n; ++i) ss += x[i] * x[i];
    const float scale = 1.0f / std::sqrt(ss / float(n) + eps);
    for (int i = 0; i < n; ++i) out[i] = w[i] * (scale * x[i]);
}

void rope(float* v, int heads, int hd, const float* cos, const float* sin, bool interleaved) {
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

void attend_head(const float* q, const float* k, const float* v, int hd, int n, float* s,
                 float* out) {
    const float scale = 1.0f / std::sqrt(float(hd));
    float mx = -INFINITY;
    for (int t = 0; t < n; ++t) {
        const float* kt = k + int64_t(t) * hd;
        float d = 0.0f;
        for (int i = 0; i < hd; ++i) d += q[i] * kt[i];
        d *= scale;
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

void silu_mul(float* a, const float* b, int n) {
    for (int i = 0; i < n; ++i) {
        const float x = a[i];
        a[i] = x / (1.0f + std::exp(-x)) * b[i];
    }
}

}  // namespace waypoint::kernels
