#include "model/llama/prefill_cpu.h"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <vector>

#include "kernels/decode_ops.h"
#include "kernels/gemm.h"
#include "kernels/matvec.h"
#include "kernels/prompt_ops.h"
#include "model/llama/decode_cpu.h"

namespace waypoint::detail {

namespace kn = waypoint::kernels;

namespace {

// Tokens per chunk (a multiple of 16): two 64-token panels per weight read,
// and a scratch of a few MB (110M shape: ~4.5 MB).
constexpr int kChunk = 128;
// Vocabulary rows per block of the all-positions output product.
constexpr int kVocabBlock = 1024;

// One chunk's activations, [features][ld] each (prompt_ops.h).
struct Scratch {
    int64_t ld;
    std::vector<float> x, xb, q, k, v, att, h1, h3, cos, sin, logits;
    std::vector<uint16_t> pairs;  // the current product input in bf16 k-pairs
    std::vector<float> row;       // [D] or [V]
    Scratch(const ModelConfig& c, int64_t ld_, bool all_logits)
        : ld(ld_), x(size_t(c.dim) * ld), xb(x.size()), q(size_t(c.n_heads) * c.head_dim() * ld),
          k(size_t(c.n_kv_heads) * c.head_dim() * ld), v(k.size()), att(q.size()),
          h1(size_t(c.hidden_dim) * ld), h3(h1.size()), cos(size_t(c.head_dim() / 2) * ld), sin(cos.size()),
          logits(all_logits ? size_t(kVocabBlock) * ld : 0), row(size_t(c.dim)) {}
};

kn::Gemm gm(const at::Tensor& w, float* y, bool accumulate = false) {
    kn::Gemm g;
    g.w = w.data_ptr();
    g.type = weight_type(w);
    g.rows = static_cast<int>(w.size(0));
    g.cols = static_cast<int>(w.size(1));
    g.y = y;
    g.accumulate = accumulate;
    return g;
}

// The products of one input x [cols][ld]: rounds x to bf16 pairs first when
// one of them multiplies that way.
void products(Scratch& s, const float* x, int tokens, const kn::Gemm* g, int count) {
    kn::GemmInput in;
    in.x = x;
    in.ld = s.ld;
    in.tokens = tokens;
    bool pairs = false;
    for (int i = 0; i < count; ++i) pairs = pairs || kn::gemm_uses_pairs(g[i]);
    if (pairs) {
        const size_t need = size_t(g[0].cols / 2) * size_t(s.ld) * 2;
        if (s.pairs.size() < need) s.pairs.resize(need);
        kn::to_bf16_pairs(x, g[0].cols, s.ld, tokens, s.pairs.data());
        in.pairs = s.pairs.data();
    }
    kn::gemm(in, g, count);
}

// Column t of a [n][ld] block <- row[0 .. n-1].
void set_column(float* block, int64_t ld, int n, int t, const float* row) {
    for (int d = 0; d < n; ++d) block[d * ld + t] = row[d];
}

// K or V of the chunk ([KV*hd][ld]) -> the cache rows of positions p0 .. p0+T-1
// ([KV, ctx, hd]), in 16 x 16 blocks so that both sides are read in lines.
void to_cache(const float* src, int64_t ld, int T, int kv_heads, int hd, int ctx, int p0, float* cache) {
    for (int kv = 0; kv < kv_heads; ++kv) {
        for (int t0 = 0; t0 < T; t0 += 16) {
            const int t1 = std::min(T, t0 + 16);
            for (int d0 = 0; d0 < hd; d0 += 16) {
                const int d1 = std::min(hd, d0 + 16);
                for (int t = t0; t < t1; ++t) {
                    float* dst = cache + (int64_t(kv) * ctx + p0 + t) * hd;
                    for (int d = d0; d < d1; ++d) dst[d] = src[(int64_t(kv) * hd + d) * ld + t];
                }
            }
        }
    }
}

// Tokens ids[0 .. T-1] at positions p0 ..: their K/V rows into the cache, x
// left as the last layer's output [D][ld].
void layers(const ModelImpl& m, const LlamaModel& lm, KvCache& cache, Scratch& s, const int64_t* ids, int T,
            int p0) {
    const ModelConfig& c = m.config;
    const int D = c.dim, F = c.hidden_dim, H = c.n_heads, KV = c.n_kv_heads, hd = c.head_dim();
    const int ctx = c.max_seq_len, half = hd / 2;
    const int64_t ld = s.ld;
    const bool interleaved = c.rope == RopeStyle::Interleaved;

    for (int t = 0; t < T; ++t) {
        embedding_row(m.tok_embeddings, static_cast<int>(ids[t]), s.row.data());
        set_column(s.x.data(), ld, D, t, s.row.data());
    }
    const float* cos = lm.rope_cos_cpu.data_ptr<float>();
    const float* sin = lm.rope_sin_cpu.data_ptr<float>();
    for (int i = 0; i < half; ++i) {
        for (int t = 0; t < T; ++t) {
            s.cos[size_t(i * ld + t)] = cos[int64_t(p0 + t) * half + i];
            s.sin[size_t(i * ld + t)] = sin[int64_t(p0 + t) * half + i];
        }
    }

    for (int l = 0; l < c.n_layers; ++l) {
        const LayerWeights& w = lm.layers[size_t(l)];
        kn::rmsnorm_cols(s.x.data(), w.attn_norm.data_ptr<float>(), s.xb.data(), D, ld, T, c.norm_eps);
        const kn::Gemm qkv[3] = {gm(w.wq, s.q.data()), gm(w.wk, s.k.data()), gm(w.wv, s.v.data())};
        products(s, s.xb.data(), T, qkv, 3);
        kn::rope_cols(s.q.data(), H, hd, ld, T, s.cos.data(), s.sin.data(), interleaved);
        kn::rope_cols(s.k.data(), KV, hd, ld, T, s.cos.data(), s.sin.data(), interleaved);
        float* kc = static_cast<float*>(cache.device_keys(l));  // [KV, ctx, hd], fp32 CPU cache
        float* vc = static_cast<float*>(cache.device_values(l));
        to_cache(s.k.data(), ld, T, KV, hd, ctx, p0, kc);
        to_cache(s.v.data(), ld, T, KV, hd, ctx, p0, vc);
        kn::attention_cols(s.q.data(), ld, T, p0, kc, vc, H, KV, hd, ctx, s.att.data());
        const kn::Gemm wo = gm(w.wo, s.x.data(), /*accumulate=*/true);  // x += Wo att
        products(s, s.att.data(), T, &wo, 1);
        kn::rmsnorm_cols(s.x.data(), w.ffn_norm.data_ptr<float>(), s.xb.data(), D, ld, T, c.norm_eps);
        const kn::Gemm gate_up[2] = {gm(w.w1, s.h1.data()), gm(w.w3, s.h3.data())};
        products(s, s.xb.data(), T, gate_up, 2);
        kn::silu_mul_cols(s.h1.data(), s.h3.data(), int64_t(F) * ld);
        const kn::Gemm down = gm(w.w2, s.x.data(), /*accumulate=*/true);  // x += W2 h
        products(s, s.h1.data(), T, &down, 1);
    }
}

}  // namespace

bool prefill_cpu_available(const ModelImpl& m, const KvCache& cache) {
    static const bool torch_wanted = std::getenv("WAYPOINT_TORCH_PREFILL") != nullptr;
    return !torch_wanted && m.on_cpu() && m.act_dtype == at::kFloat && cache.dtype() == at::kFloat &&
           kn::gemm_available();
}

at::Tensor prefill_cpu(const ModelImpl& m, const LlamaModel& lm, KvCache& cache, const at::Tensor& ids, int64_t pos,
                       bool all_logits) {
    const ModelConfig& c = m.config;
    const int T = static_cast<int>(ids.size(0)), D = c.dim, V = c.vocab_size;
    const at::Tensor ids_cpu = ids.to(at::kLong).contiguous();
    const int64_t* id = ids_cpu.data_ptr<int64_t>();
    // Columns are kChunk apart whatever T is (the loops stop at T rounded up
    // to 16), so one scratch serves every prompt of a model: kept per thread
    // between calls (zeroed pages faulted in anew on every prompt cost ~5% of
    // a 256-token prefill), remade when the shape changes.
    const int64_t ld = kChunk;
    thread_local std::unique_ptr<Scratch> kept;
    if (!kept || kept->x.size() != size_t(D) * ld || kept->h1.size() != size_t(c.hidden_dim) * ld ||
        kept->q.size() != size_t(c.n_heads) * c.head_dim() * ld ||
        kept->k.size() != size_t(c.n_kv_heads) * c.head_dim() * ld ||
        kept->cos.size() != size_t(c.head_dim() / 2) * ld || (all_logits && kept->logits.empty()))
        kept = std::make_unique<Scratch>(c, ld, all_logits);
    Scratch& s = *kept;
    at::Tensor out = at::empty({all_logits ? T : 1, V}, at::kFloat);
    float* o = out.data_ptr<float>();

    for (int c0 = 0; c0 < T; c0 += kChunk) {
        const int n = std::min(kChunk, T - c0);
        layers(m, lm, cache, s, id + c0, n, static_cast<int>(pos) + c0);
        if (all_logits) {
            kn::rmsnorm_cols(s.x.data(), lm.norm.data_ptr<float>(), s.xb.data(), D, ld, n, c.norm_eps);
            for (int v0 = 0; v0 < V; v0 += kVocabBlock) {
                const int rows = std::min(kVocabBlock, V - v0);
                kn::Gemm head = gm(m.output, s.logits.data());
                head.w = static_cast<const char*>(head.w) + int64_t(v0) * D * m.output.element_size();
                head.rows = rows;
                products(s, s.xb.data(), n, &head, 1);
                for (int t = 0; t < n; ++t) {
                    float* dst = o + int64_t(c0 + t) * V + v0;
                    for (int r = 0; r < rows; ++r) dst[r] = s.logits[size_t(r * ld + t)];
                }
            }
        } else if (c0 + n == T) {
            // The last position only: one row, decode's matrix-vector kernel.
            for (int d = 0; d < D; ++d) s.row[size_t(d)] = s.x[size_t(d * ld + n - 1)];
            kn::rmsnorm(s.row.data(), lm.norm.data_ptr<float>(), s.row.data(), D, c.norm_eps);
            kn::MatVec head;
            head.w = m.output.data_ptr();
            head.type = weight_type(m.output);
            head.rows = V;
            head.cols = D;
            head.x = s.row.data();
            head.y = o;
            kn::matvec(head);
        }
    }
    return out;
}

}  // namespace waypoint::detail
