// The small operations of a prompt's forward (prefill) on the CPU, in the
// token-column layout that gemm.h reads and writes: a block of T tokens'
// vectors of n features is [n][ld], column t holding token t (ld a multiple
// of 16 >= T). Every loop then runs over 16 tokens per AVX-512 vector: norms,
// RoPE and SwiGLU need no horizontal sums, and attention holds 16 queries'
// scores in one register. The padding columns are computed like the others
// and ignored. AVX-512 only (gemm_available()).
#pragma once

#include <cstdint>

namespace waypoint::kernels {

// out[d][t] = x[d][t] / sqrt(mean_d(x[d][t]^2) + eps) * w[d] for t < tokens
// (and the padding up to the next 16); out may alias x.
void rmsnorm_cols(const float* x, const float* w, float* out, int n, int64_t ld, int tokens, float eps);

// Rotates `heads` heads of head_dim hd (rows h*hd .. h*hd+hd-1) in place;
// cos, sin: [hd/2][ld], column t for token t's position. interleaved: pairs
// of rows (2i, 2i+1), else (i, i + hd/2), as decode_ops.h's rope().
void rope_cols(float* x, int heads, int hd, int64_t ld, int tokens, const float* cos, const float* sin,
               bool interleaved);

// a[i] = silu(a[i]) * b[i] for i < n (a vectorised exp), on the global pool.
void silu_mul_cols(float* a, const float* b, int64_t n);

// Causal attention of T prompt tokens at positions p0 .. p0+T-1, whose K/V
// rows are already in the cache, on the global thread pool: one task per
// (head, 16 queries); a task holds its 16 queries' scores against the keys
// they see ([keys][16] floats, thread-local), never a [T, T] matrix.
//   q: [H*hd][ld]; k_cache, v_cache: [KV, ctx, hd] (one layer); out: [H*hd][ld].
//   Head h reads KV head h / (H / KV).
void attention_cols(const float* q, int64_t ld, int tokens, int p0, const float* k_cache,
                    const float* v_cache, int heads, int kv_heads, int hd, int ctx, float* out);

}  // namespace waypoint::kernels
