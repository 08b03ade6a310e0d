// The batched Llama forward on libtorch ops, for any device: prefill of a
// whole prompt in one forward (causal mask), the all-position forward of
// perplexity, and the decode step off the CPU.
#include <cmath>
#include <cstdlib>

#include "model/kv_cache.h"
#include "model/llama/llama_model.h"
#include "model/llama/prefill_cpu.h"
#include "model/model_impl.h"

namespace waypoint::detail {

namespace {

// x: [T, D] -> x / rms(x) * w, computed in fp32.
at::Tensor rmsnorm(const at::Tensor& x, const at::Tensor& w, float eps) {
    at::Tensor xf = x.to(at::kFloat);
    at::Tensor r = at::rsqrt(xf.pow(2).mean(-1, /*keepdim=*/true) + eps);
    return (xf * r).to(x.scalar_type()) * w;
}

// x: [T, in] (activation dtype) times W^T, W: [out, in] -> [T, out].
// With bf16 weights on the CPU the product runs in bf16 (oneDNN's GEMM) and
// comes back as fp32 activations; libtorch 1.13 has no fp16 GEMM on the CPU,
// so fp16 weights are widened for the product (a prefill amortises that).
at::Tensor project(const at::Tensor& x, const at::Tensor& w) {
    if (x.scalar_type() == w.scalar_type()) return at::matmul(x, w.t());
    static const bool widen_bf16 = std::getenv("WAYPOINT_WIDEN_BF16") != nullptr;  // diagnostics
    if ((w.scalar_type() == at::kHalf || widen_bf16) && w.is_cpu())
        return at::matmul(x, w.to(x.scalar_type()).t());
    return at::matmul(x.to(w.scalar_type()), w.t()).to(x.scalar_type());
}

// x: [T, n, hd]; cos, sin: [T, hd/2] fp32. Interleaved rotates pairs
// (2i, 2i+1); rotate-half rotates (i, i + hd/2). Computed in fp32.
at::Tensor rope(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin,
                RopeStyle style) {
    const int64_t T = x.size(0), n = x.size(1), hd = x.size(2), half = hd / 2;
    at::Tensor xf = x.to(at::kFloat);
    const at::Tensor c = cos.unsqueeze(1);  // [T, 1, hd/2]
    const at::Tensor s = sin.unsqueeze(1);
    const int64_t pair_dim = style == RopeStyle::Interleaved ? 3 : 2;
    at::Tensor xr = style == RopeStyle::Interleaved ? xf.view({T, n, half, 2})
                                                   : xf.view({T, n, 2, half});
    at::Tensor a = xr.select(pair_dim, 0), b = xr.select(pair_dim, 1);  // [T, n, hd/2]
    at::Tensor out = at::stack({a * c - b * s, a * s + b * c}, pair_dim);
    return out.view({T, n, hd}).to(x.scalar_type());
}

// q: [T, H, hd]; keys, values: [KV, S, hd] (S = history + T); the query at
// row t sits at absolute position q_pos0 + t and sees keys 0 .. q_pos0 + t.
// Returns [T, H*hd]. Heads are grouped by KV head, so GQA needs no copy of K/V.
at::Tensor attention(const at::Tensor& q, const at::Tensor& keys, const at::Tensor& values,
                     int64_t q_pos0) {
    const int64_t T = q.size(0), H = q.size(1), hd = q.size(2);
    const int64_t KV = keys.size(0), S = keys.size(1), G = H / KV;
    // qg: [KV, G*T, hd]
    at::Tensor qg = q.view({T, KV, G, hd}).permute({1, 2, 0, 3}).reshape({KV, G * T, hd});
    at::Tensor scores = at::bmm(qg, keys.transpose(1, 2)).to(at::kFloat);  // [KV, G*T, S]
    scores.mul_(1.0 / std::sqrt(double(hd)));
    if (T > 1 || S != q_pos0 + T) {
        // masked[t, s] = s > q_pos0 + t
        at::Tensor masked = at::ones({T, S}, scores.options().dtype(at::kBool)).triu(q_pos0 + 1);
        scores = scores.view({KV, G, T, S}).masked_fill(masked, -INFINITY).view({KV, G * T, S});
    }
    at::Tensor probs = at::softmax(scores, -1).to(values.scalar_type());
    at::Tensor out = at::bmm(probs, values);  // [KV, G*T, hd]
    return out.view({KV, G, T, hd}).permute({2, 0, 1, 3}).reshape({T, H * hd});
}

}  // namespace

// cache == nullptr means no cache (keys are the T tokens).
at::Tensor LlamaModel::forward(const ModelImpl& m, KvCache* cache, const at::Tensor& ids, int64_t pos,
                               bool all_logits) const {
    if (cache && prefill_cpu_available(m, *cache)) return prefill_cpu(m, *this, *cache, ids, pos, all_logits);
    const ModelConfig& c = m.config;
    const int64_t T = ids.size(0), H = c.n_heads, KV = c.n_kv_heads, hd = c.head_dim();
    const at::Tensor cos = rope_cos.narrow(0, pos, T);  // [T, hd/2]
    const at::Tensor sin = rope_sin.narrow(0, pos, T);

    at::Tensor x = m.tok_embeddings.index_select(0, ids).to(m.act_dtype);  // [T, D]
    for (int64_t l = 0; l < c.n_layers; ++l) {
        const LayerWeights& w = layers[size_t(l)];
        at::Tensor h = rmsnorm(x, w.attn_norm, c.norm_eps);                // [T, D]
        at::Tensor q = rope(project(h, w.wq).view({T, H, hd}), cos, sin, c.rope);   // [T, H, hd]
        at::Tensor k = rope(project(h, w.wk).view({T, KV, hd}), cos, sin, c.rope);  // [T, KV, hd]
        at::Tensor v = project(h, w.wv).view({T, KV, hd});                          // [T, KV, hd]
        at::Tensor keys, values;  // [KV, S, hd]
        if (cache) {
            cache->append(l, pos, k.transpose(0, 1), v.transpose(0, 1));
            const KvView kv = cache->view(l, pos + T);
            keys = kv.k;
            values = kv.v;
        } else {
            keys = k.transpose(0, 1).contiguous();
            values = v.transpose(0, 1).contiguous();
        }
        x = x + project(attention(q, keys, values, cache ? pos : 0), w.wo);  // [T, D]
        h = rmsnorm(x, w.ffn_norm, c.norm_eps);
        at::Tensor g = project(h, w.w1);                                      // [T, F]
        x = x + project(at::silu(g) * project(h, w.w3), w.w2);                 // [T, D]
    }
    if (!all_logits) x = x.narrow(0, T - 1, 1);
    x = rmsnorm(x, norm, c.norm_eps);
    return project(x, m.output).to(at::kFloat);  // [T or 1, V]
}

}  // namespace waypoint::detail
