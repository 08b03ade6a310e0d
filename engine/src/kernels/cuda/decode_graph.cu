// CUDA kernels and graph of the one-token Llama decode step (decode_graph.h).
//
// Activations stay fp32 (x [D], qkv, att [H*hd], h [2F], logits [V]); weights
// are fp32, bf16 or fp16 and widened in registers; the KV cache is in the
// model's activation dtype, as the batched libtorch forward writes it.
// Every kernel runs 256 threads a block.
//
// Programmatic dependent launch (Hopper): each kernel may start while the
// previous one finishes. Before `griddepcontrol.wait` a kernel only prefetches
// its own weights (which nothing writes); it reads activations and writes
// anything only after the wait, which returns once the previous kernel has
// completed and its writes are visible. Without PDL the wait is a no-op.
#include "kernels/cuda/decode_graph.h"
#include "kernels/cuda/sample_device.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

namespace waypoint::kernels::cuda {

bool compiled() { return true; }

namespace {

constexpr int kThreads = 256;
constexpr int kWarps = kThreads / 32;

void check(cudaError_t e, const char* what) {
    if (e != cudaSuccess)
        throw std::runtime_error(std::string("CUDA decode: ") + what + " failed: " + cudaGetErrorString(e));
}

bool env_flag(const char* name, bool fallback) {
    const char* v = std::getenv(name);
    if (!v || !*v) return fallback;
    return std::strcmp(v, "0") != 0;
}

// ---------------------------------------------------------------- device helpers

__device__ __forceinline__ void pdl_wait() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
    asm volatile("griddepcontrol.wait;" ::: "memory");
#endif
}

__device__ __forceinline__ void pdl_launch_dependents() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
    asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
#endif
}

template <class T> __device__ __forceinline__ float to_f(T v);
template <> __device__ __forceinline__ float to_f<float>(float v) { return v; }
template <> __device__ __forceinline__ float to_f<__nv_bfloat16>(__nv_bfloat16 v) { return __bfloat162float(v); }
template <> __device__ __forceinline__ float to_f<__half>(__half v) { return __half2float(v); }

template <class T> __device__ __forceinline__ T from_f(float v);
template <> __device__ __forceinline__ float from_f<float>(float v) { return v; }
template <> __device__ __forceinline__ __nv_bfloat16 from_f<__nv_bfloat16>(float v) { return __float2bfloat16(v); }
template <> __device__ __forceinline__ __half from_f<__half>(float v) { return __float2half(v); }

// The value as stored in T and read back.
template <class T> __device__ __forceinline__ float round_to(float v) { return to_f<T>(from_f<T>(v)); }

// 16 bytes of T widened to E floats.
template <class T> struct Pack;
template <> struct Pack<float> {
    static constexpr int E = 4;
    __device__ __forceinline__ static void unpack(const uint4& u, float* f) {
        f[0] = __uint_as_float(u.x); f[1] = __uint_as_float(u.y);
        f[2] = __uint_as_float(u.z); f[3] = __uint_as_float(u.w);
    }
};
template <> struct Pack<__nv_bfloat16> {
    static constexpr int E = 8;
    __device__ __forceinline__ static void two(unsigned w, float* f) {
        f[0] = __uint_as_float(w << 16);
        f[1] = __uint_as_float(w & 0xffff0000u);
    }
    __device__ __forceinline__ static void unpack(const uint4& u, float* f) {
        two(u.x, f); two(u.y, f + 2); two(u.z, f + 4); two(u.w, f + 6);
    }
};
template <> struct Pack<__half> {
    static constexpr int E = 8;
    __device__ __forceinline__ static void two(unsigned w, float* f) {
        f[0] = __half2float(__ushort_as_half(static_cast<unsigned short>(w & 0xffffu)));
        f[1] = __half2float(__ushort_as_half(static_cast<unsigned short>(w >> 16)));
    }
    __device__ __forceinline__ static void unpack(const uint4& u, float* f) {
        two(u.x, f); two(u.y, f + 2); two(u.z, f + 4); two(u.w, f + 6);
    }
};

// w (16 bytes of T) . x[0 .. E) with x 16-byte aligned in shared memory.
template <class T>
__device__ __forceinline__ float dot16(const uint4& w, const float* x) {
    constexpr int E = Pack<T>::E;
    float f[E];
    Pack<T>::unpack(w, f);
    float s = 0.0f;
#pragma unroll
    for (int j = 0; j < E / 4; ++j) {
        const float4 v = reinterpret_cast<const float4*>(x)[j];
        s = fmaf(f[4 * j], v.x, s);
        s = fmaf(f[4 * j + 1], v.y, s);
        s = fmaf(f[4 * j + 2], v.z, s);
        s = fmaf(f[4 * j + 3], v.w, s);
    }
    return s;
}

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

// Every thread of the block gets the result; red: shared [kWarps].
__device__ __forceinline__ float block_sum(float v, float* red) {
    v = warp_sum(v);
    if ((threadIdx.x & 31) == 0) red[threadIdx.x >> 5] = v;
    __syncthreads();
    float s = 0.0f;
#pragma unroll
    for (int i = 0; i < kWarps; ++i) s += red[i];
    __syncthreads();
    return s;
}

__device__ __forceinline__ float block_max(float v, float* red) {
    v = warp_max(v);
    if ((threadIdx.x & 31) == 0) red[threadIdx.x >> 5] = v;
    __syncthreads();
    float s = -INFINITY;
#pragma unroll
    for (int i = 0; i < kWarps; ++i) s = fmaxf(s, red[i]);
    __syncthreads();
    return s;
}

// ---------------------------------------------------------------- kernels

// x[D] = embedding row params[0].
template <class T>
__global__ void __launch_bounds__(kThreads) embed_kernel(const T* emb, const int* params, float* x, int D) {
    pdl_wait();
    const size_t id = static_cast<size_t>(params[0]);
    for (int i = threadIdx.x; i < D; i += kThreads) x[i] = to_f<T>(emb[id * D + i]);
    pdl_launch_dependents();
}

enum InputOp { kPlain = 0, kRmsNorm = 1 };

// Up to three matrices that read the same input, as one row space: rows of
// seg[0], then seg[1], then seg[2] (unused segments have rows = INT_MAX). In
// pair mode seg[0] and seg[1] are gate and up [F, K]: row r of both is
// computed by one warp, which writes silu(gate) * up to seg[0].y[r].
struct Seg {
    const void* w;  // [rows, K]
    float* y;       // [rows]
    int rows;
};

struct GemvArgs {
    Seg seg[3];
    int total_rows;   // rows of the output (F in pair mode)
    int K;
    const float* x;   // [K]
    const float* nw;  // kRmsNorm: the norm's gain [K]
    float eps;
    int accumulate;   // y += W x instead of y = W x
    int vec;          // every row starts 16-byte aligned (K * sizeof(T) % 16 == 0)
    int in_vec;       // x (and nw) 16-byte aligned, K % 4 == 0, K <= (nw ? kInNorm : kIn) * 4 * kThreads
    int prefetch;     // load each warp's first weights before the PDL wait and the prologue
};

// Loads of one batch: chunk c = lane + 32 * (j0 + u) of a row of n 16-byte
// chunks, u < kBatch (zeros past the row's end).
constexpr int kBatch = 8;
// float4 of the input a thread loads at once (the norm's gain as many again)
constexpr int kIn = 8, kInNorm = 4;

__device__ __forceinline__ void load_batch(const uint4* rv, int n, int j0, uint4 (&w)[kBatch]) {
    const int lane = threadIdx.x & 31;
#pragma unroll
    for (int u = 0; u < kBatch; ++u) {
        const int c = lane + 32 * (j0 + u);
        w[u] = c < n ? __ldg(rv + c) : make_uint4(0u, 0u, 0u, 0u);
    }
}

template <class T>
__device__ __forceinline__ float use_batch(const uint4 (&w)[kBatch], int n, int j0, const float* xs) {
    constexpr int E = Pack<T>::E;
    const int lane = threadIdx.x & 31;
    float acc = 0.0f;
#pragma unroll
    for (int u = 0; u < kBatch; ++u) {
        const int c = lane + 32 * (j0 + u);
        if (c < n) acc += dot16<T>(w[u], xs + c * E);
    }
    return acc;
}

// The block's input in fp32 shared memory, the RMS norm applied on the way.
// All of a thread's loads are issued before any is used: a strided loop would
// wait for each one in turn (an L2 round trip each).
template <int OP>
__device__ __forceinline__ void load_input(const GemvArgs& a, float* xs, float* red) {
    const int K = a.K;
    if (a.in_vec) {
        const int K4 = K / 4;
        const float4* x4 = reinterpret_cast<const float4*>(a.x);
        const float4* n4 = reinterpret_cast<const float4*>(a.nw);
        float4* xs4 = reinterpret_cast<float4*>(xs);
        constexpr int NI = OP == kRmsNorm ? kInNorm : kIn;
        float4 v[NI], g[NI];
#pragma unroll
        for (int u = 0; u < NI; ++u) {
            const int i = u * kThreads + threadIdx.x;
            v[u] = i < K4 ? x4[i] : make_float4(0.f, 0.f, 0.f, 0.f);
            if (OP == kRmsNorm) g[u] = i < K4 ? n4[i] : make_float4(0.f, 0.f, 0.f, 0.f);
        }
        float scale = 1.0f;
        if (OP == kRmsNorm) {
            float ss = 0.0f;
#pragma unroll
            for (int u = 0; u < NI; ++u) ss += v[u].x * v[u].x + v[u].y * v[u].y + v[u].z * v[u].z + v[u].w * v[u].w;
            ss = block_sum(ss, red);
            scale = rsqrtf(ss / float(K) + a.eps);
        }
#pragma unroll
        for (int u = 0; u < NI; ++u) {
            const int i = u * kThreads + threadIdx.x;
            if (i < K4) {
                float4 o = v[u];
                if (OP == kRmsNorm) {
                    o.x = o.x * scale * g[u].x; o.y = o.y * scale * g[u].y;
                    o.z = o.z * scale * g[u].z; o.w = o.w * scale * g[u].w;
                }
                xs4[i] = o;
            }
        }
        return;
    }
    if (OP == kRmsNorm) {
        float ss = 0.0f;
        for (int i = threadIdx.x; i < K; i += kThreads) ss = fmaf(a.x[i], a.x[i], ss);
        ss = block_sum(ss, red);
        const float scale = rsqrtf(ss / float(K) + a.eps);
        for (int i = threadIdx.x; i < K; i += kThreads) xs[i] = a.x[i] * scale * a.nw[i];
    } else {
        for (int i = threadIdx.x; i < K; i += kThreads) xs[i] = a.x[i];
    }
}

// Row r of the row space: its weights and output.
template <class T>
__device__ __forceinline__ void locate(const GemvArgs& a, int r, const T*& row, float*& y, int& rr) {
    rr = r;
    const void* wp = a.seg[0].w;
    y = a.seg[0].y;
    if (rr >= a.seg[0].rows) {
        rr -= a.seg[0].rows; wp = a.seg[1].w; y = a.seg[1].y;
        if (rr >= a.seg[1].rows) { rr -= a.seg[1].rows; wp = a.seg[2].w; y = a.seg[2].y; }
    }
    row = static_cast<const T*>(wp) + size_t(rr) * a.K;
}

// y = W op(x). The block turns its input into fp32 in shared memory, then
// each warp computes whole rows: 16-byte weight loads in batches of 8 a lane
// (the next batch in flight while one is summed; in pair mode the gate's and
// the up's batch together), and a shuffle reduction. The first batch of a
// warp's first row is loaded before anything else (before the PDL wait and
// the input), so its latency hides that of the prologue.
template <class T, int OP, bool PAIR>
__global__ void __launch_bounds__(kThreads, 2) gemv_kernel(const GemvArgs a) {
    extern __shared__ float4 smem4[];
    float* xs = reinterpret_cast<float*>(smem4);
    __shared__ float red[kWarps];
    constexpr int E = Pack<T>::E;
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    const int K = a.K;
    const int n = K / E;                 // 16-byte chunks a row (vec)
    const int jmax = (n + 31) / 32;      // batches of one chunk a lane
    const int first = blockIdx.x * kWarps + warp;

    uint4 w[kBatch], w2[kBatch];
    bool loaded = false;
    if (a.vec && a.prefetch && first < a.total_rows) {
        if (PAIR) {
            load_batch(reinterpret_cast<const uint4*>(static_cast<const T*>(a.seg[0].w) + size_t(first) * K), n, 0, w);
            load_batch(reinterpret_cast<const uint4*>(static_cast<const T*>(a.seg[1].w) + size_t(first) * K), n, 0, w2);
        } else {
            const T* row; float* y; int rr;
            locate<T>(a, first, row, y, rr);
            load_batch(reinterpret_cast<const uint4*>(row), n, 0, w);
        }
        loaded = true;
    }
    pdl_wait();
    load_input<OP>(a, xs, red);
    __syncthreads();
    pdl_launch_dependents();

    const int stride = gridDim.x * kWarps;
    for (int r = first; r < a.total_rows; r += stride) {
        if (PAIR) {
            const T* ga = static_cast<const T*>(a.seg[0].w) + size_t(r) * K;
            const T* ua = static_cast<const T*>(a.seg[1].w) + size_t(r) * K;
            float accg = 0.0f, accu = 0.0f;
            if (a.vec) {
                const uint4* gv = reinterpret_cast<const uint4*>(ga);
                const uint4* uv = reinterpret_cast<const uint4*>(ua);
                if (!loaded) {
                    load_batch(gv, n, 0, w);
                    load_batch(uv, n, 0, w2);
                }
                loaded = false;
                for (int j0 = 0;; j0 += kBatch) {
                    accg += use_batch<T>(w, n, j0, xs);
                    accu += use_batch<T>(w2, n, j0, xs);
                    if (j0 + kBatch >= jmax) break;
                    load_batch(gv, n, j0 + kBatch, w);
                    load_batch(uv, n, j0 + kBatch, w2);
                }
            } else {
                for (int k = lane; k < K; k += 32) {
                    accg = fmaf(to_f<T>(ga[k]), xs[k], accg);
                    accu = fmaf(to_f<T>(ua[k]), xs[k], accu);
                }
            }
            accg = warp_sum(accg);
            accu = warp_sum(accu);
            if (lane == 0) a.seg[0].y[r] = accg / (1.0f + expf(-accg)) * accu;
            continue;
        }
        const T* row; float* y; int rr;
        locate<T>(a, r, row, y, rr);
        float acc = 0.0f;
        if (a.vec && jmax <= kBatch) {
            // A row is one batch: the next row's batch is loaded while this
            // one is summed.
            if (!loaded) load_batch(reinterpret_cast<const uint4*>(row), n, 0, w);
            loaded = false;
            if (r + stride < a.total_rows) {
                const T* nrow; float* ny; int nrr;
                locate<T>(a, r + stride, nrow, ny, nrr);
                load_batch(reinterpret_cast<const uint4*>(nrow), n, 0, w2);
                loaded = true;
            }
            acc = use_batch<T>(w, n, 0, xs);
#pragma unroll
            for (int u = 0; u < kBatch; ++u) w[u] = w2[u];
        } else if (a.vec) {
            const uint4* rv = reinterpret_cast<const uint4*>(row);
            if (!loaded) load_batch(rv, n, 0, w);
            loaded = false;
            for (int j0 = 0;; j0 += kBatch) {
                if (j0 + kBatch < jmax) {
                    load_batch(rv, n, j0 + kBatch, w2);
                    acc += use_batch<T>(w, n, j0, xs);
#pragma unroll
                    for (int u = 0; u < kBatch; ++u) w[u] = w2[u];
                } else {
                    acc += use_batch<T>(w, n, j0, xs);
                    break;
                }
            }
        } else {
            for (int k = lane; k < K; k += 32) acc = fmaf(to_f<T>(row[k]), xs[k], acc);
        }
        acc = warp_sum(acc);
        if (lane == 0) y[rr] = a.accumulate ? y[rr] + acc : acc;
    }
}

struct AttnArgs {
    const float* qkv;    // [H*hd | KV*hd | KV*hd] this token's projections
    void* kc;            // [KV, ctx, hd] this layer's cache
    void* vc;
    const float* cos;    // [ctx, hd/2]
    const float* sin;
    const int* params;   // [id, pos]
    float* out;          // [H*hd]
    int H, KV, hd, ctx;
    int interleaved;
    int vec;             // 16-byte cache loads: hd * sizeof(C) % 16 == 0 and ch <= 32
    int ch;              // 16-byte chunks a cache row
    int lg;              // lanes a position: the power of two >= ch
    float scale;         // 1 / sqrt(hd)
};

constexpr int kAttnBatch = 8;  // positions whose loads a lane issues before using them
constexpr int kAttnPart = 8 * kThreads;  // floats of partial output sums

// One block per query head: RoPE on its q and on its KV head's k, the first
// head of each group writes k, v at `pos` into the cache, then softmax(q K^T)
// V over positions 0 .. pos. The new position's k, v come from shared memory
// (rounded to the cache type), so no block waits for another's cache write.
// Cache rows are read as 16-byte chunks: `lg` lanes share a position (one
// chunk each), so a warp reads whole rows, and each lane has kAttnBatch
// loads in flight.
// Shared: q, k, v [hd] each, partial sums [kAttnPart], group maxima and
// sums [kThreads] each, and for the fallback path scores [ctx].
template <class C>
__global__ void __launch_bounds__(kThreads) attention_kernel(const AttnArgs a) {
    extern __shared__ float4 smem4[];
    float* qs = reinterpret_cast<float*>(smem4);
    const int hd = a.hd, half = hd / 2;
    float* ks = qs + hd;
    float* vs = ks + hd;
    float* part = vs + hd;
    float* sc = part + kAttnPart + 2 * kThreads;  // scores (fallback path only)
    __shared__ float red[kWarps];
    pdl_wait();

    const int h = blockIdx.x, G = a.H / a.KV, kvh = h / G;
    const int pos = a.params[1];
    const float* q = a.qkv + size_t(h) * hd;
    const float* k = a.qkv + size_t(a.H) * hd + size_t(kvh) * hd;
    const float* v = a.qkv + size_t(a.H + a.KV) * hd + size_t(kvh) * hd;
    const float* cs = a.cos + size_t(pos) * half;
    const float* sn = a.sin + size_t(pos) * half;
    for (int i = threadIdx.x; i < half; i += kThreads) {
        const int i0 = a.interleaved ? 2 * i : i;
        const int i1 = a.interleaved ? 2 * i + 1 : i + half;
        const float c = cs[i], s = sn[i];
        float x0 = q[i0], x1 = q[i1];
        qs[i0] = x0 * c - x1 * s;
        qs[i1] = x0 * s + x1 * c;
        x0 = k[i0];
        x1 = k[i1];
        ks[i0] = round_to<C>(x0 * c - x1 * s);
        ks[i1] = round_to<C>(x0 * s + x1 * c);
    }
    for (int i = threadIdx.x; i < hd; i += kThreads) vs[i] = round_to<C>(v[i]);
    __syncthreads();

    C* kc = static_cast<C*>(a.kc) + size_t(kvh) * a.ctx * hd;
    C* vc = static_cast<C*>(a.vc) + size_t(kvh) * a.ctx * hd;
    if (h % G == 0) {
        for (int i = threadIdx.x; i < hd; i += kThreads) {
            kc[size_t(pos) * hd + i] = from_f<C>(ks[i]);
            vc[size_t(pos) * hd + i] = from_f<C>(vs[i]);
        }
    }
    pdl_launch_dependents();

    const int n = pos + 1;
    if (a.vec) {
        // One pass (online softmax): each lane group keeps a running max m,
        // sum l and output acc over its positions; K and V chunks of
        // kAttnBatch positions are loaded together before any is used.
        constexpr int E = Pack<C>::E;
        const int LG = a.lg, CH = a.ch, P = kThreads / LG;
        const int grp = threadIdx.x / LG, ch = threadIdx.x % LG;
        const uint4* kr = reinterpret_cast<const uint4*>(kc);  // row t: kr + t * CH
        const uint4* vr = reinterpret_cast<const uint4*>(vc);
        float m = -INFINITY, l = 0.0f;
        float acc[E];
#pragma unroll
        for (int j = 0; j < E; ++j) acc[j] = 0.0f;
        // The loop bound is the same for the whole block, so every lane takes
        // part in the shuffles of its group.
        for (int base = 0; base < n; base += kAttnBatch * P) {
            uint4 kv[kAttnBatch], vv[kAttnBatch];
#pragma unroll
            for (int u = 0; u < kAttnBatch; ++u) {
                const int t = base + u * P + grp;
                const bool ld = ch < CH && t < n && t != pos;
                kv[u] = ld ? __ldg(kr + size_t(t) * CH + ch) : make_uint4(0u, 0u, 0u, 0u);
                vv[u] = ld ? __ldg(vr + size_t(t) * CH + ch) : make_uint4(0u, 0u, 0u, 0u);
            }
#pragma unroll
            for (int u = 0; u < kAttnBatch; ++u) {
                const int t = base + u * P + grp;
                float f[E];
                float d = 0.0f;
                if (ch < CH) {
                    if (t == pos) {
#pragma unroll
                        for (int j = 0; j < E; ++j) f[j] = ks[ch * E + j];
                    } else {
                        Pack<C>::unpack(kv[u], f);
                    }
#pragma unroll
                    for (int j = 0; j < E; ++j) d = fmaf(f[j], qs[ch * E + j], d);
                }
                for (int o = LG / 2; o > 0; o >>= 1) d += __shfl_xor_sync(0xffffffffu, d, o);
                if (t < n) {
                    d *= a.scale;
                    const float m_new = fmaxf(m, d);
                    const float corr = expf(m - m_new);  // 0 while m is -inf
                    const float p = expf(d - m_new);
                    l = l * corr + p;
                    m = m_new;
                    if (ch < CH) {
                        if (t == pos) {
#pragma unroll
                            for (int j = 0; j < E; ++j) f[j] = vs[ch * E + j];
                        } else {
                            Pack<C>::unpack(vv[u], f);
                        }
#pragma unroll
                        for (int j = 0; j < E; ++j) acc[j] = fmaf(p, f[j], acc[j] * corr);
                    }
                }
            }
        }
        // Combine the P groups: out = sum_g e^(m_g - M) acc_g / sum_g e^(m_g - M) l_g.
        float* gm = part + kAttnPart;
        float* gl = gm + kThreads;
        if (ch == 0) {
            gm[grp] = m;
            gl[grp] = l;
        }
        if (ch < CH) {
#pragma unroll
            for (int j = 0; j < E; ++j) part[grp * hd + ch * E + j] = acc[j];
        }
        __syncthreads();
        for (int i = threadIdx.x; i < hd; i += kThreads) {
            float M = -INFINITY;
            for (int g = 0; g < P; ++g) M = fmaxf(M, gm[g]);
            float L = 0.0f, o = 0.0f;
            for (int g = 0; g < P; ++g) {
                const float e = gm[g] == -INFINITY ? 0.0f : expf(gm[g] - M);
                L = fmaf(gl[g], e, L);
                o = fmaf(part[g * hd + i], e, o);
            }
            a.out[size_t(h) * hd + i] = o / L;
        }
        return;
    }

    float mx = -INFINITY;
    // Any head size up to kThreads: a thread a position, then (g, d) pairs.
    for (int t = threadIdx.x; t < n; t += kThreads) {
        float d = 0.0f;
        if (t == pos) {
            for (int i = 0; i < hd; ++i) d = fmaf(qs[i], ks[i], d);
        } else {
            const C* kr = kc + size_t(t) * hd;
            for (int i = 0; i < hd; ++i) d = fmaf(to_f<C>(kr[i]), qs[i], d);
        }
        d *= a.scale;
        sc[t] = d;
        mx = fmaxf(mx, d);
    }
    mx = block_max(mx, red);
    float sum = 0.0f;
    for (int t = threadIdx.x; t < n; t += kThreads) {
        const float e = expf(sc[t] - mx);
        sc[t] = e;
        sum += e;
    }
    sum = block_sum(sum, red);
    const int ng = kThreads / hd;
    const int g = threadIdx.x / hd, d = threadIdx.x % hd;
    if (g < ng) {
        float acc = 0.0f;
        for (int t = g; t < n; t += ng) {
            const float vv = t == pos ? vs[d] : to_f<C>(vc[size_t(t) * hd + d]);
            acc = fmaf(sc[t], vv, acc);
        }
        part[g * hd + d] = acc;
    }
    __syncthreads();
    const float inv = 1.0f / sum;
    for (int i = threadIdx.x; i < hd; i += kThreads) {
        float s = 0.0f;
        for (int gg = 0; gg < ng; ++gg) s += part[gg * hd + i];
        a.out[size_t(h) * hd + i] = s * inv;
    }
}

int g_graphs = 0;
double g_last_capture_ms = 0;
bool g_pdl = false;
std::atomic<long long> g_device_picks{0};     // sessions may run on several threads
std::atomic<long long> g_sample_fallbacks{0};

size_t type_size(DType t) { return t == DType::F32 ? 4 : 2; }

}  // namespace

// ---------------------------------------------------------------- host side

struct DecoderState {
    DecodeDesc d;
    cudaStream_t stream = nullptr;
    cudaGraph_t graph = nullptr;
    cudaGraphExec_t exec = nullptr;
    int* d_params = nullptr;  // [id, pos]
    int* h_params = nullptr;  // pinned
    float* x = nullptr;       // [D]
    float* qkv = nullptr;     // [(H + 2 KV) hd]
    float* att = nullptr;     // [H hd]
    float* h = nullptr;       // [F] silu(gate) * up
    float* logits = nullptr;  // [V]
    float* h_logits = nullptr;  // pinned [V]
    std::unique_ptr<DeviceSampler> sampler;  // made on the first sample()
    int sms = 1;
    int blocks_per_sm = 0;  // 0: from the kernel's occupancy
    bool use_graph = true;
    bool pdl = false;
    bool prefetch = true;
    int steps = 0;
    double capture_ms = 0;
    size_t attn_smem = 0;
    bool attn_vec = true;

    template <class... P, class... A>
    void launch(void (*kernel)(P...), int grid, size_t smem, A&&... args) {
        cudaLaunchConfig_t cfg = {};
        cfg.gridDim = dim3(unsigned(std::max(1, grid)));
        cfg.blockDim = dim3(kThreads);
        cfg.dynamicSmemBytes = smem;
        cfg.stream = stream;
        cudaLaunchAttribute attr[1];
        attr[0].id = cudaLaunchAttributeProgrammaticStreamSerialization;
        attr[0].val.programmaticStreamSerializationAllowed = 1;
        cfg.attrs = attr;
        cfg.numAttrs = pdl ? 1 : 0;
        check(cudaLaunchKernelEx(&cfg, kernel, std::forward<A>(args)...), "kernel launch");
    }

    template <class T, int OP, bool PAIR = false>
    void gemv(const GemvArgs& a) {
        // One wave: as many blocks as fit on the GPU at once (their warps
        // stride over the rows), unless WAYPOINT_CUDA_BLOCKS_PER_SM says.
        const size_t smem = size_t(a.K) * sizeof(float);
        int per_sm = blocks_per_sm;
        if (per_sm <= 0) {
            check(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, gemv_kernel<T, OP, PAIR>, kThreads, smem),
                  "cudaOccupancyMaxActiveBlocksPerMultiprocessor");
            per_sm = std::max(1, per_sm);
        }
        const int want = (a.total_rows + kWarps - 1) / kWarps;
        launch(gemv_kernel<T, OP, PAIR>, std::min(want, sms * per_sm), smem, a);
    }

    GemvArgs args(int K, const float* x, const float* nw, bool accumulate,
                  std::initializer_list<Seg> segs) const {
        GemvArgs a{};
        int i = 0;
        a.total_rows = 0;
        bool aligned = (size_t(K) * type_size(d.weight_type)) % 16 == 0;
        for (const Seg& s : segs) {
            a.seg[i++] = s;
            a.total_rows += s.rows;
            aligned = aligned && reinterpret_cast<uintptr_t>(s.w) % 16 == 0;
        }
        for (; i < 3; ++i) a.seg[i] = Seg{nullptr, nullptr, INT_MAX};
        a.K = K;
        a.x = x;
        a.nw = nw;
        a.eps = d.norm_eps;
        a.accumulate = accumulate ? 1 : 0;
        a.vec = aligned ? 1 : 0;
        const auto a16 = [](const void* p) { return reinterpret_cast<uintptr_t>(p) % 16 == 0; };
        a.in_vec = K % 4 == 0 && K <= (nw ? kInNorm : kIn) * 4 * kThreads && a16(x) && (!nw || a16(nw)) ? 1 : 0;
        a.prefetch = prefetch ? 1 : 0;
        return a;
    }

    template <class T, class C>
    void record_typed() {
        const int D = d.dim, F = d.hidden, H = d.heads, KV = d.kv_heads, hd = d.head_dim;
        launch(embed_kernel<T>, 1, 0, static_cast<const T*>(d.tok_embeddings),
               static_cast<const int*>(d_params), x, D);
        for (const LayerPtrs& l : d.layers) {
            gemv<T, kRmsNorm>(args(D, x, l.attn_norm, false,
                                   {Seg{l.wq, qkv, H * hd}, Seg{l.wk, qkv + H * hd, KV * hd},
                                    Seg{l.wv, qkv + (H + KV) * hd, KV * hd}}));
            AttnArgs at{};
            at.qkv = qkv;
            at.kc = l.k_cache;
            at.vc = l.v_cache;
            at.cos = d.rope_cos;
            at.sin = d.rope_sin;
            at.params = d_params;
            at.out = att;
            at.H = H;
            at.KV = KV;
            at.hd = hd;
            at.ctx = d.ctx;
            at.interleaved = d.rope_interleaved ? 1 : 0;
            at.ch = int(size_t(hd) * sizeof(C) / 16);
            at.lg = 1;
            while (at.lg < at.ch) at.lg *= 2;
            at.vec = attn_vec ? 1 : 0;
            at.scale = 1.0f / std::sqrt(float(hd));
            launch(attention_kernel<C>, H, attn_smem, at);
            gemv<T, kPlain>(args(H * hd, att, nullptr, true, {Seg{l.wo, x, D}}));
            GemvArgs gu = args(D, x, l.ffn_norm, false, {Seg{l.w1, h, F}, Seg{l.w3, nullptr, F}});
            gu.total_rows = F;  // pair mode: h = silu(W1 x) * (W3 x)
            gemv<T, kRmsNorm, true>(gu);
            gemv<T, kPlain>(args(F, h, nullptr, true, {Seg{l.w2, x, D}}));
        }
        gemv<T, kRmsNorm>(args(D, x, d.norm, false, {Seg{d.output, logits, d.vocab}}));
    }

    template <class T>
    void record_weights() {
        switch (d.cache_type) {
        case DType::F32: record_typed<T, float>(); break;
        case DType::BF16: record_typed<T, __nv_bfloat16>(); break;
        case DType::F16: record_typed<T, __half>(); break;
        }
    }

    void record() {
        switch (d.weight_type) {
        case DType::F32: record_weights<float>(); break;
        case DType::BF16: record_weights<__nv_bfloat16>(); break;
        case DType::F16: record_weights<__half>(); break;
        }
    }

    // Raises the dynamic shared memory limit of every kernel this shape uses
    // past the default 48 KB where needed.
    template <class T, class C>
    void set_smem_limits_typed(size_t gemv_max) {
        const size_t limit = 48 << 10;
        if (gemv_max > limit) {
            check(cudaFuncSetAttribute(gemv_kernel<T, kPlain, false>, cudaFuncAttributeMaxDynamicSharedMemorySize, int(gemv_max)), "cudaFuncSetAttribute");
            check(cudaFuncSetAttribute(gemv_kernel<T, kRmsNorm, false>, cudaFuncAttributeMaxDynamicSharedMemorySize, int(gemv_max)), "cudaFuncSetAttribute");
            check(cudaFuncSetAttribute(gemv_kernel<T, kRmsNorm, true>, cudaFuncAttributeMaxDynamicSharedMemorySize, int(gemv_max)), "cudaFuncSetAttribute");
        }
        if (attn_smem > limit)
            check(cudaFuncSetAttribute(attention_kernel<C>, cudaFuncAttributeMaxDynamicSharedMemorySize, int(attn_smem)), "cudaFuncSetAttribute");
    }

    template <class T>
    void set_smem_limits_w(size_t gemv_max) {
        switch (d.cache_type) {
        case DType::F32: set_smem_limits_typed<T, float>(gemv_max); break;
        case DType::BF16: set_smem_limits_typed<T, __nv_bfloat16>(gemv_max); break;
        case DType::F16: set_smem_limits_typed<T, __half>(gemv_max); break;
        }
    }

    void set_smem_limits(size_t gemv_max) {
        switch (d.weight_type) {
        case DType::F32: set_smem_limits_w<float>(gemv_max); break;
        case DType::BF16: set_smem_limits_w<__nv_bfloat16>(gemv_max); break;
        case DType::F16: set_smem_limits_w<__half>(gemv_max); break;
        }
    }

    void capture() {
        const auto t0 = std::chrono::steady_clock::now();
        check(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal), "cudaStreamBeginCapture");
        try {
            record();
        } catch (...) {
            cudaGraph_t broken = nullptr;
            cudaStreamEndCapture(stream, &broken);
            if (broken) cudaGraphDestroy(broken);
            throw;
        }
        check(cudaStreamEndCapture(stream, &graph), "cudaStreamEndCapture");
        check(cudaGraphInstantiate(&exec, graph, 0), "cudaGraphInstantiate");
        capture_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        ++g_graphs;
        g_last_capture_ms = capture_ms;
    }

    void release() {
        sampler.reset();
        if (exec) cudaGraphExecDestroy(exec);
        if (graph) cudaGraphDestroy(graph);
        if (stream) cudaStreamDestroy(stream);
        for (void* p : {static_cast<void*>(d_params), static_cast<void*>(x), static_cast<void*>(qkv),
                        static_cast<void*>(att), static_cast<void*>(h), static_cast<void*>(logits)})
            if (p) cudaFree(p);
        if (h_params) cudaFreeHost(h_params);
        if (h_logits) cudaFreeHost(h_logits);
    }
};

const char* unsupported(const DecodeDesc& d) {
    if (d.head_dim <= 0 || d.head_dim % 2 != 0 || d.head_dim > kThreads) return "head size over 256 or odd";
    if (d.heads <= 0 || d.kv_heads <= 0 || d.heads % d.kv_heads != 0) return "query heads not a multiple of KV heads";
    if (d.dim <= 0 || d.hidden <= 0 || d.vocab <= 0 || d.ctx <= 0) return "empty shape";
    if (d.layers.empty() || !d.tok_embeddings || !d.output || !d.norm || !d.rope_cos || !d.rope_sin) return "missing weights";
    return "";
}

Stats stats(int device) {
    Stats st;
    st.graphs = g_graphs;
    st.last_capture_ms = g_last_capture_ms;
    st.pdl = g_pdl;
    st.device_picks = g_device_picks.load(std::memory_order_relaxed);
    st.sample_fallbacks = g_sample_fallbacks.load(std::memory_order_relaxed);
    size_t free_b = 0, total_b = 0;
    int old = 0;
    if (cudaGetDevice(&old) == cudaSuccess && cudaSetDevice(device) == cudaSuccess &&
        cudaMemGetInfo(&free_b, &total_b) == cudaSuccess) {
        st.device_used_mb = double(total_b - free_b) / (1024.0 * 1024.0);
        st.device_total_mb = double(total_b) / (1024.0 * 1024.0);
    }
    cudaSetDevice(old);
    return st;
}

Decoder::Decoder(const DecodeDesc& desc) : s_(std::make_unique<DecoderState>()) {
    const char* why = unsupported(desc);
    if (*why) throw std::runtime_error(std::string("CUDA decode: ") + why);
    DecoderState& s = *s_;
    s.d = desc;
    try {
        check(cudaSetDevice(desc.device), "cudaSetDevice");
        check(cudaDeviceGetAttribute(&s.sms, cudaDevAttrMultiProcessorCount, desc.device), "cudaDeviceGetAttribute");
        int major = 0, smem_optin = 0;
        check(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, desc.device), "cudaDeviceGetAttribute");
        check(cudaDeviceGetAttribute(&smem_optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, desc.device), "cudaDeviceGetAttribute");
        s.use_graph = env_flag("WAYPOINT_CUDA_GRAPH", true);
        s.pdl = major >= 9 && env_flag("WAYPOINT_CUDA_PDL", true);
        g_pdl = s.pdl;
        s.prefetch = env_flag("WAYPOINT_CUDA_PREFETCH", true);
        if (const char* b = std::getenv("WAYPOINT_CUDA_BLOCKS_PER_SM")) s.blocks_per_sm = std::max(1, std::atoi(b));

        const int D = desc.dim, F = desc.hidden, H = desc.heads, KV = desc.kv_heads, hd = desc.head_dim;
        // The vectorised attention needs no scores buffer; the fallback one [ctx].
        const size_t csize = type_size(desc.cache_type);
        // (Cache rows start 16-byte aligned when hd * csize is a multiple of 16.)
        s.attn_vec = (size_t(hd) * csize) % 16 == 0 && size_t(hd) * csize / 16 <= 32 &&
                     env_flag("WAYPOINT_CUDA_ATTN_VEC", true);
        s.attn_smem = (size_t(3 * hd) + kAttnPart + 2 * kThreads + (s.attn_vec ? 0 : size_t(desc.ctx))) * sizeof(float);
        const size_t gemv_max = size_t(std::max({D, F, H * hd})) * sizeof(float);
        if (s.attn_smem > size_t(smem_optin) || gemv_max > size_t(smem_optin))
            throw std::runtime_error("CUDA decode: the context or width needs more shared memory than the GPU has");
        s.set_smem_limits(gemv_max);

        check(cudaStreamCreateWithFlags(&s.stream, cudaStreamNonBlocking), "cudaStreamCreate");
        check(cudaMalloc(&s.d_params, 2 * sizeof(int)), "cudaMalloc");
        check(cudaMalloc(&s.x, size_t(D) * sizeof(float)), "cudaMalloc");
        check(cudaMalloc(&s.qkv, size_t(H + 2 * KV) * hd * sizeof(float)), "cudaMalloc");
        check(cudaMalloc(&s.att, size_t(H) * hd * sizeof(float)), "cudaMalloc");
        check(cudaMalloc(&s.h, size_t(F) * sizeof(float)), "cudaMalloc");
        check(cudaMalloc(&s.logits, size_t(desc.vocab) * sizeof(float)), "cudaMalloc");
        check(cudaMallocHost(&s.h_params, 2 * sizeof(int)), "cudaMallocHost");
        check(cudaMallocHost(&s.h_logits, size_t(desc.vocab) * sizeof(float)), "cudaMallocHost");
    } catch (...) {
        s.release();
        throw;
    }
}

Decoder::~Decoder() {
    if (s_) s_->release();
}

void Decoder::step(int id, int pos, float* host_logits) {
    DecoderState& s = *s_;
    check(cudaSetDevice(s.d.device), "cudaSetDevice");
    // The cache was written by libtorch on its own stream; every libtorch path
    // ends with a copy to the host (synchronous), and the first step waits for
    // the whole device once, so the stream below never overtakes it.
    if (s.steps == 0) check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
    s.h_params[0] = id;
    s.h_params[1] = pos;
    check(cudaMemcpyAsync(s.d_params, s.h_params, 2 * sizeof(int), cudaMemcpyHostToDevice, s.stream),
          "copying the token id and position");
    if (s.use_graph && s.steps >= 1) {
        if (!s.exec) s.capture();
        check(cudaGraphLaunch(s.exec, s.stream), "cudaGraphLaunch");
    } else {
        s.record();  // the first step loads the kernels outside any capture
    }
    ++s.steps;
    if (host_logits) fetch_logits(host_logits);
}

void Decoder::sample(const SampleRequest& request, SampleResult& result) {
    DecoderState& s = *s_;
    check(cudaSetDevice(s.d.device), "cudaSetDevice");
    // The penalty looks at distinct ids of the history, at most the context.
    if (!s.sampler) s.sampler = std::make_unique<DeviceSampler>(s.d.vocab, s.d.ctx);
    s.sampler->run(s.logits, request, result, s.stream);
    (result.picked ? g_device_picks : g_sample_fallbacks).fetch_add(1, std::memory_order_relaxed);
}

void Decoder::fetch_logits(float* host_logits) {
    DecoderState& s = *s_;
    check(cudaSetDevice(s.d.device), "cudaSetDevice");
    check(cudaMemcpyAsync(s.h_logits, s.logits, size_t(s.d.vocab) * sizeof(float), cudaMemcpyDeviceToHost,
                          s.stream),
          "copying the logits");
    check(cudaStreamSynchronize(s.stream), "the decode step");
    std::memcpy(host_logits, s.h_logits, size_t(s.d.vocab) * sizeof(float));
}

double Decoder::capture_ms() const { return s_->capture_ms; }
bool Decoder::uses_graph() const { return s_->use_graph; }
bool Decoder::uses_pdl() const { return s_->pdl; }

}  // namespace waypoint::kernels::cuda
