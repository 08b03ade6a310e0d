// The sampler chain on the GPU (decode_graph.h Decoder::sample): one block of
// 1024 threads on the logits [V] the decode graph left on the device, so that
// only the chosen id, its probability and the alternatives asked for cross to
// the host per token instead of V fp32 logits.
//
// The same steps in the same order as sampling/steps.cpp (the reference):
//   repetition penalty -> softmax(temperature) -> top-k -> top-p -> min-p -> draw
// - the penalty and the softmax use the host's arithmetic: the same
//   exp polynomial (sampling/fast_exp.h), and this file is compiled with
//   -fmad=false (no FMA contraction, as the host build), so every e = exp((l -
//   max) / T) equals the host's bit for bit; the normaliser 1 / sum is summed
//   in double in another order (it rounds to the same float except within an
//   ulp of a rounding boundary);
// - greedy: the argmax of the penalised logits, the lowest id among equals;
// - the filters and the draw run on the M most likely candidates, found
//   exactly (a radix select on the probabilities' bits, ties taken by the
//   lower id, a bitonic sort) and handed to finish_sorted (sample_finish.h),
//   shared with the host-side reference in the tests;
// - the draw's uniform number comes from the host Sampler's stream, so the
//   same seed gives the same sequence of draws on either side;
// - where the filters need more than the M sorted candidates (a wide
//   nucleus), all V are sorted (CUB's stable radix sort of the probabilities'
//   bits, descending: equal ones keep the lower id first) and finish_sorted
//   runs again on all of them;
// - only non-finite logits are handed back (status kFallback): the host
//   sampler then runs on the logits.
#include <cuda_runtime.h>

#include <cub/cub.cuh>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "kernels/cuda/sample_device.h"
#include "kernels/cuda/sample_finish.h"

namespace waypoint::kernels::cuda {

struct SampleOut {
    int status;
    int id;
    float p;
    int n_top;
    int top_id[kMaxTop];
    float top_p[kMaxTop];
};

namespace {

constexpr int kT = 1024;
constexpr int kW = kT / 32;

void check(cudaError_t e, const char* what) {
    if (e != cudaSuccess)
        throw std::runtime_error(std::string("CUDA sampler: ") + what + " failed: " + cudaGetErrorString(e));
}

struct SampleArgs {
    float* logits;  // [V], penalised in place and restored
    int V;
    float* p;       // [V] probabilities after temperature
    const int* pen_ids;
    int n_pen;
    float* pen_orig;
    float penalty;
    int greedy;
    float inv_t;
    int top_k;
    float top_p;
    float min_p;
    double u;
    int top_n;
    int m;  // candidates to select and sort (<= min(V, kMaxSorted))
    SampleOut* out;
};

// sampling/fast_exp.h's exp_nonpositive, operation for operation.
__device__ __forceinline__ float exp_nonpositive(float x) {
    const float xc = x > -87.3f ? x : -87.3f;
    const float fn = float(int(xc * 1.44269504088896341f - 0.5f));
    const float r = (xc - fn * 0.693359375f) - fn * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    const float y = p * (r * r) + r + 1.0f;
    const float e = y * __int_as_float((int(fn) + 127) << 23);
    return x >= -87.3f ? e : 0.0f;
}

// sampling/order.h MoreLikely
__device__ __forceinline__ bool more_likely(float pa, int ia, float pb, int ib) {
    return pa > pb || (pa == pb && ia < ib);
}

__device__ __forceinline__ unsigned bits(float p) { return __float_as_uint(p); }  // p >= 0: monotone

// Exclusive prefix sum of v over the block in thread order; *total gets the sum.
__device__ int block_excl_scan(int v, int* s_w, int* total) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    int x = v;
#pragma unroll
    for (int o = 1; o < 32; o <<= 1) {
        const int y = __shfl_up_sync(0xffffffffu, x, o);
        if (lane >= o) x += y;
    }
    if (lane == 31) s_w[warp] = x;
    __syncthreads();
    if (warp == 0) {
        int w = lane < kW ? s_w[lane] : 0;
#pragma unroll
        for (int o = 1; o < 32; o <<= 1) {
            const int y = __shfl_up_sync(0xffffffffu, w, o);
            if (lane >= o) w += y;
        }
        __syncwarp();
        if (lane < kW) s_w[lane] = w;
    }
    __syncthreads();
    const int before = warp > 0 ? s_w[warp - 1] : 0;
    *total = s_w[kW - 1];
    __syncthreads();
    return before + x - v;
}

__device__ double block_sum_d(double v, double* s_d) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    if (lane == 0) s_d[warp] = v;
    __syncthreads();
    double s = 0.0;
    for (int i = 0; i < kW; ++i) s += s_d[i];
    __syncthreads();
    return s;
}

__device__ int block_max_i(int v, int* s_i) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = max(v, __shfl_xor_sync(0xffffffffu, v, o));
    if (lane == 0) s_i[warp] = v;
    __syncthreads();
    int s = INT_MIN;
    for (int i = 0; i < kW; ++i) s = max(s, s_i[i]);
    __syncthreads();
    return s;
}

__global__ void __launch_bounds__(kT) sample_kernel(SampleArgs a) {
    __shared__ float s_f[kW];
    __shared__ int s_i[kW];
    __shared__ double s_d[kW];
    __shared__ unsigned s_hist[256];
    __shared__ float s_cp[kMaxSorted];
    __shared__ int s_cid[kMaxSorted];
    __shared__ double s_pref[kT];
    __shared__ int s_sel, s_want, s_count, s_status, s_index;
    __shared__ float s_mx;
    const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
    const int V = a.V;
    float* logits = a.logits;
    SampleOut* out = a.out;

    // repetition penalty (apply_repetition_penalty: each distinct id once)
    for (int j = tid; j < a.n_pen; j += kT) {
        const int id = a.pen_ids[j];
        const float l = logits[id];
        a.pen_orig[j] = l;
        logits[id] = l > 0.0f ? l / a.penalty : l * a.penalty;
    }
    __syncthreads();

    // The largest logit, NaN never winning, the lowest id among equals: the
    // argmax (greedy) and the softmax's max.
    float bv = 0.0f;
    int bid = -1;
    for (int i = tid; i < V; i += kT) {
        const float l = logits[i];
        if (l == l && (bid < 0 || l > bv)) {
            bv = l;
            bid = i;
        }
    }
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) {
        const float ov = __shfl_xor_sync(0xffffffffu, bv, o);
        const int oid = __shfl_xor_sync(0xffffffffu, bid, o);
        if (oid >= 0 && (bid < 0 || ov > bv || (ov == bv && oid < bid))) {
            bv = ov;
            bid = oid;
        }
    }
    if (lane == 0) {
        s_f[warp] = bv;
        s_i[warp] = bid;
    }
    __syncthreads();
    if (tid == 0) {
        float v = 0.0f;
        int id = -1;
        for (int w = 0; w < kW; ++w)
            if (s_i[w] >= 0 && (id < 0 || s_f[w] > v || (s_f[w] == v && s_i[w] < id))) {
                v = s_f[w];
                id = s_i[w];
            }
        s_mx = v;
        s_sel = id;
        s_status = kPicked;
        s_index = -1;
    }
    __syncthreads();
    const float mx = s_mx;
    const int arg = s_sel;
    __syncthreads();

    if (arg < 0 || !isfinite(mx)) {
        // steps.cpp's softmax spreads over the +inf (or all) ids: the host's job.
        if (tid == 0) out->status = kFallback;
    } else {
        // softmax: e = exp((l - max) / T), summed in double
        const bool keep_p = !a.greedy || a.top_n > 0;
        double acc = 0.0;
        for (int i = tid; i < V; i += kT) {
            const float e = exp_nonpositive((logits[i] - mx) * a.inv_t);
            if (keep_p) a.p[i] = e;
            acc += e;
        }
        const double total = block_sum_d(acc, s_d);
        const float inv = float(1.0 / total);
        if (!keep_p) {
            if (tid == 0) {
                out->status = kPicked;
                out->id = arg;
                out->p = exp_nonpositive((logits[arg] - mx) * a.inv_t) * inv;
                out->n_top = 0;
            }
        } else {
            for (int i = tid; i < V; i += kT) a.p[i] *= inv;
            __syncthreads();
            const int m = a.m;
            if (m > 0) {
                // Radix select (8 bits a pass, high to low) of the m-th
                // largest probability: thr; `want` of those equal to it
                // belong to the m most likely (the lowest ids first).
                unsigned prefix = 0, mask = 0;
                int want = m;
                for (int shift = 24; shift >= 0; shift -= 8) {
                    if (tid < 256) s_hist[tid] = 0;
                    __syncthreads();
                    for (int i = tid; i < V; i += kT) {
                        const unsigned b = bits(a.p[i]);
                        if ((b & mask) == prefix) atomicAdd(&s_hist[(b >> shift) & 255u], 1u);
                    }
                    __syncthreads();
                    if (warp == 0) {
                        // lane l: bins 255 - 8l .. 248 - 8l, the higher first
                        int cnt[8], s = 0;
#pragma unroll
                        for (int k = 0; k < 8; ++k) {
                            cnt[k] = int(s_hist[255 - 8 * lane - k]);
                            s += cnt[k];
                        }
                        int incl = s;
#pragma unroll
                        for (int o = 1; o < 32; o <<= 1) {
                            const int y = __shfl_up_sync(0xffffffffu, incl, o);
                            if (lane >= o) incl += y;
                        }
                        const int excl = incl - s;
                        if (excl < want && want <= incl) {
                            int c = excl;
                            for (int k = 0; k < 8; ++k) {
                                if (c + cnt[k] >= want) {
                                    s_sel = 255 - 8 * lane - k;
                                    s_want = want - c;
                                    break;
                                }
                                c += cnt[k];
                            }
                        }
                    }
                    __syncthreads();
                    prefix |= unsigned(s_sel) << shift;
                    mask |= 255u << shift;
                    want = s_want;
                }
                const unsigned thr = prefix;
                const int above = m - want;  // candidates strictly more likely than thr
                if (tid == 0) s_count = 0;
                __syncthreads();
                for (int i = tid; i < V; i += kT) {
                    const float p = a.p[i];
                    if (bits(p) > thr) {
                        const int slot = atomicAdd(&s_count, 1);
                        s_cp[slot] = p;
                        s_cid[slot] = i;
                    }
                }
                // The first `want` ids equal to thr, in id order: each thread
                // a contiguous chunk, placed by a prefix sum of the counts.
                const int chunk = (V + kT - 1) / kT;
                const int lo = min(V, tid * chunk), hi = min(V, lo + chunk);
                int ties = 0;
                for (int i = lo; i < hi; ++i) ties += bits(a.p[i]) == thr;
                int all_ties = 0;
                const int off = block_excl_scan(ties, s_i, &all_ties);
                for (int i = lo, r = off; i < hi && r < want; ++i)
                    if (bits(a.p[i]) == thr) {
                        s_cp[above + r] = a.p[i];
                        s_cid[above + r] = i;
                        ++r;
                    }
                // Bitonic sort of the m, most likely first (padding last).
                int L = 1;
                while (L < m) L <<= 1;
                for (int i = m + tid; i < L; i += kT) {
                    s_cp[i] = -1.0f;
                    s_cid[i] = INT_MAX;
                }
                __syncthreads();
                for (int k = 2; k <= L; k <<= 1)
                    for (int j = k >> 1; j > 0; j >>= 1) {
                        if (tid < L) {
                            const int x = tid ^ j;
                            if (x > tid) {
                                const bool first = (tid & k) == 0;
                                const bool x_before = more_likely(s_cp[x], s_cid[x], s_cp[tid], s_cid[tid]);
                                if (x_before == first) {
                                    const float tp = s_cp[tid];
                                    const int ti = s_cid[tid];
                                    s_cp[tid] = s_cp[x];
                                    s_cid[tid] = s_cid[x];
                                    s_cp[x] = tp;
                                    s_cid[x] = ti;
                                }
                            }
                        }
                        __syncthreads();
                    }
            }
            if (tid == 0) {
                if (a.greedy) {
                    s_status = kPicked;
                    s_index = -1;
                } else if (m == 0) {
                    s_status = kIdOrder;
                } else {
                    const FinishResult f = finish_sorted(s_cp, m, V, a.top_k, a.top_p, a.min_p, a.u);
                    s_status = f.status == kFallback ? kWider : f.status;
                    s_index = f.index;
                }
                const int n = min(a.top_n, m);
                out->n_top = n;
                for (int j = 0; j < n; ++j) {
                    out->top_id[j] = s_cid[j];
                    out->top_p[j] = s_cp[j];
                }
            }
            __syncthreads();
            if (s_status == kIdOrder) {
                // No filter ran: the draw walks all V in id order (steps.cpp
                // draw), chunk by chunk; the chunk sums make the prefix.
                const int chunk = (V + kT - 1) / kT;
                const int lo = min(V, tid * chunk), hi = min(V, lo + chunk);
                double cs = 0.0;
                for (int i = lo; i < hi; ++i) cs += a.p[i];
                s_pref[tid] = cs;
                __syncthreads();
                if (tid == 0) {
                    double c = 0.0;
                    for (int t = 0; t < kT; ++t) {
                        c += s_pref[t];
                        s_pref[t] = c;
                    }
                    s_index = -1;
                }
                __syncthreads();
                const double x = a.u * s_pref[kT - 1];
                const double before = tid > 0 ? s_pref[tid - 1] : 0.0;
                if (lo < hi && x < s_pref[tid] && !(x < before)) {
                    double cum = before;
                    int pick = -1;
                    for (int i = lo; i < hi; ++i) {
                        cum += a.p[i];
                        if (x < cum) {
                            pick = i;
                            break;
                        }
                        if (a.p[i] > 0.0f) pick = i;
                    }
                    s_index = pick;
                }
                __syncthreads();
                if (s_index < 0) {
                    // rounding at the very end: the last id that could be drawn
                    int last = -1;
                    for (int i = tid; i < V; i += kT)
                        if (a.p[i] > 0.0f) last = i;
                    last = block_max_i(last, s_i);
                    if (tid == 0) s_index = last < 0 ? 0 : last;
                }
                __syncthreads();
                if (tid == 0) {
                    out->status = kPicked;
                    out->id = s_index;
                    out->p = a.p[s_index];
                }
            } else if (tid == 0) {
                out->status = s_status;
                if (s_status == kPicked) {
                    out->id = a.greedy ? arg : s_cid[s_index];
                    out->p = a.greedy ? a.p[arg] : s_cp[s_index];
                }
            }
        }
    }
    __syncthreads();
    // The logits as the step left them (fetch_logits, the host fallback).
    for (int j = tid; j < a.n_pen; j += kT) logits[a.pen_ids[j]] = a.pen_orig[j];
}

// finish_sorted on all V candidates, sorted (p: their probabilities' bits
// as floats, ids beside them). One thread: the walks are sequential sums.
__global__ void finish_all_kernel(const float* p, const int* ids, int V, int top_k, float top_p, float min_p,
                                  double u, SampleOut* out) {
    if (threadIdx.x != 0) return;
    const FinishResult f = finish_sorted(p, V, V, top_k, top_p, min_p, u);
    out->status = f.status == kPicked ? kPicked : kFallback;
    if (f.status == kPicked) {
        out->id = ids[f.index];
        out->p = p[f.index];
    }
}

__global__ void iota_kernel(int* ids, int V) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < V; i += gridDim.x * blockDim.x) ids[i] = i;
}

}  // namespace

DeviceSampler::DeviceSampler(int vocab, int max_penalty) : vocab_(vocab), max_penalty_(std::max(1, max_penalty)) {
    try {
        check(cudaMalloc(&p_, size_t(vocab_) * sizeof(float)), "cudaMalloc");
        check(cudaMalloc(&pen_ids_, size_t(max_penalty_) * sizeof(int)), "cudaMalloc");
        check(cudaMalloc(&pen_orig_, size_t(max_penalty_) * sizeof(float)), "cudaMalloc");
        check(cudaMalloc(&out_, sizeof(SampleOut)), "cudaMalloc");
        check(cudaMallocHost(&h_pen_ids_, size_t(max_penalty_) * sizeof(int)), "cudaMallocHost");
        check(cudaMallocHost(&h_out_, sizeof(SampleOut)), "cudaMallocHost");
        // All V sorted, for a nucleus wider than kMaxSorted.
        check(cudaMalloc(&sorted_p_, size_t(vocab_) * sizeof(unsigned)), "cudaMalloc");
        check(cudaMalloc(&ids_, size_t(vocab_) * sizeof(int)), "cudaMalloc");
        check(cudaMalloc(&sorted_ids_, size_t(vocab_) * sizeof(int)), "cudaMalloc");
        check(cub::DeviceRadixSort::SortPairsDescending(nullptr, sort_bytes_, sorted_p_, sorted_p_, ids_, sorted_ids_,
                                                        vocab_),
              "sizing the sort");
        check(cudaMalloc(&sort_tmp_, std::max<size_t>(sort_bytes_, 1)), "cudaMalloc");
        iota_kernel<<<(vocab_ + 255) / 256, 256>>>(ids_, vocab_);
        check(cudaGetLastError(), "iota");
        check(cudaDeviceSynchronize(), "iota");
    } catch (...) {
        release();
        throw;
    }
}

DeviceSampler::~DeviceSampler() { release(); }

void DeviceSampler::release() {
    for (void* q : {static_cast<void*>(p_), static_cast<void*>(pen_ids_), static_cast<void*>(pen_orig_),
                    static_cast<void*>(out_), static_cast<void*>(sorted_p_), static_cast<void*>(ids_),
                    static_cast<void*>(sorted_ids_), sort_tmp_})
        if (q) cudaFree(q);
    sorted_p_ = nullptr;
    ids_ = nullptr;
    sorted_ids_ = nullptr;
    sort_tmp_ = nullptr;
    if (h_pen_ids_) cudaFreeHost(h_pen_ids_);
    if (h_out_) cudaFreeHost(h_out_);
    p_ = nullptr;
    pen_ids_ = nullptr;
    pen_orig_ = nullptr;
    out_ = nullptr;
    h_pen_ids_ = nullptr;
    h_out_ = nullptr;
}

void DeviceSampler::run(float* logits, const SampleRequest& q, SampleResult& res, cudaStream_t stream) {
    res = SampleResult{};
    if (q.top_n < 0 || q.top_n > kMaxTop || q.n_penalty < 0 || q.n_penalty > max_penalty_) return;
    const int m = sorted_needed(q.greedy, q.top_k, q.top_p, q.min_p, q.top_n, vocab_);
    const bool penalise = q.n_penalty > 0 && q.penalty != 1.0f;
    if (penalise) {
        std::memcpy(h_pen_ids_, q.penalty_ids, size_t(q.n_penalty) * sizeof(int));
        check(cudaMemcpyAsync(pen_ids_, h_pen_ids_, size_t(q.n_penalty) * sizeof(int), cudaMemcpyHostToDevice,
                              stream),
              "copying the penalised ids");
    }
    SampleArgs a{};
    a.logits = logits;
    a.V = vocab_;
    a.p = p_;
    a.pen_ids = pen_ids_;
    a.n_pen = penalise ? q.n_penalty : 0;
    a.pen_orig = pen_orig_;
    a.penalty = q.penalty;
    a.greedy = q.greedy ? 1 : 0;
    a.inv_t = q.greedy ? 1.0f : q.inv_temperature;
    a.top_k = q.top_k;
    a.top_p = q.top_p;
    a.min_p = q.min_p;
    a.u = q.u;
    a.top_n = q.top_n;
    a.m = m;
    a.out = out_;
    sample_kernel<<<1, kT, 0, stream>>>(a);
    check(cudaGetLastError(), "the sampling kernel's launch");
    check(cudaMemcpyAsync(h_out_, out_, sizeof(SampleOut), cudaMemcpyDeviceToHost, stream), "copying the pick");
    check(cudaStreamSynchronize(stream), "the sampling kernel");
    if (h_out_->status == kWider) {
        // The probabilities [V] (>= 0: their bits sort as unsigned) in the
        // order of sampling/order.h, then the filters and draw on all of them.
        check(cub::DeviceRadixSort::SortPairsDescending(sort_tmp_, sort_bytes_, reinterpret_cast<unsigned*>(p_),
                                                        sorted_p_, ids_, sorted_ids_, vocab_, 0, 32, stream),
              "sorting the candidates");
        finish_all_kernel<<<1, 32, 0, stream>>>(reinterpret_cast<const float*>(sorted_p_), sorted_ids_, vocab_,
                                                q.top_k, q.top_p, q.min_p, q.u, out_);
        check(cudaGetLastError(), "the finishing kernel's launch");
        check(cudaMemcpyAsync(h_out_, out_, sizeof(SampleOut), cudaMemcpyDeviceToHost, stream), "copying the pick");
        check(cudaStreamSynchronize(stream), "the finishing kernel");
    }
    const SampleOut& o = *h_out_;
    if (o.status != kPicked) return;
    res.picked = true;
    res.id = o.id;
    res.p = o.p;
    res.n_top = std::min(o.n_top, q.top_n);
    for (int j = 0; j < res.n_top; ++j) {
        res.top_id[j] = o.top_id[j];
        res.top_p[j] = o.top_p[j];
    }
}

}  // namespace waypoint::kernels::cuda
