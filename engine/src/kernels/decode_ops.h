// The small fp32 operations of a one-token decode step on the CPU, on raw
// pointers (no per-op dispatch or allocation): norm, RoPE, attention over the
// KV cache, SwiGLU. The matrix-vector products are in matvec.h.
#pragma once

namespace waypoint::kernels {

// out[i] = x[i] / sqrt(mean(x^2) + eps) * w[i]; out may alias x.
void rmsnorm(const float* x, const float* w, float* out, int n, float eps);

// Rotates `heads` heads of head_dim hd in place with this position's tables
// cos/sin [hd/2]. interleaved: pairs (2i, 2i+1) (llama2.c / Meta);
// otherwise pairs (i, i + hd/2) (Hugging Face rotate-half).
void rope(float* v, int heads, int hd, const float* cos, const float* sin, bool interleaved);

// One query position against the first n cached positions, all heads, on the
// global thread pool.
//   q: [H, hd]; k_cache, v_cache: [KV, ctx, hd] (one layer); out: [H, hd];
//   scores: scratch [H, ctx]. Head h reads KV head h / (H / KV).
void attention_one(const float* q, const float* k_cache, const float* v_cache, int heads,
                   int kv_heads, int hd, int ctx, int n, float* scores, float* out);

// attention_one for `batch` sequences at once (batched decoding), every
// (sequence, head) pair on the global thread pool; each pair's result is
// bit-identical to attention_one's for that sequence.
//   q: [B, H, hd]; k_caches[b], v_caches[b]: sequence b's cache rows of one
//   layer [KV, ctx, hd]; n[b]: its cached positions; scores: scratch
//   [B, H, ctx]; out: [B, H, hd].
void attention_batch(const float* q, const float* const* k_caches, const float* const* v_caches,
                     const int* n, int batch, int heads, int kv_heads, int hd, int ctx, float* scores,
                     float* out);

// a[i] = silu(a[i]) * b[i]
void silu_mul(float* a, const float* b, int n);

}  // namespace waypoint::kernels
