// The Llama decode step for several sessions at once on the CPU (batched
// decoding): the same operations as decode_cpu.cpp for each session, with
// every matrix product done for all of them in one pass over the weights
// (kernels/matmat.h) and attention over each session's own cache length
// (kernels::attention_batch). Each session's logits are bit-identical to
// decode_cpu's.
#include <algorithm>
#include <vector>

#include "kernels/decode_ops.h"
#include "kernels/matmat.h"
#include "model/llama/decode_cpu.h"

namespace waypoint::detail {

namespace kn = waypoint::kernels;

namespace {

// Y[b] (+)= W X[b], X and Y rows `stride` floats apart.
kn::MatMat mm(const at::Tensor& w, const float* x, int64_t x_stride, float* y, int64_t y_stride,
              bool accumulate = false) {
    kn::MatMat p;
    p.w = w.data_ptr();
    p.type = weight_type(w);
    p.rows = static_cast<int>(w.size(0));
    p.cols = static_cast<int>(w.size(1));
    p.x = x;
    p.x_stride = x_stride;
    p.y = y;
    p.y_stride = y_stride;
    p.accumulate = accumulate;
    return p;
}

// Scratch for up to B sessions, sized once: every buffer is [B, ...] of
// decode_cpu.h's DecodeScratch.
struct BatchScratch {
    int B;
    std::vector<float> x, xb;    // [B, D]
    std::vector<float> q, k, v;  // [B, H*hd], [B, KV*hd], [B, KV*hd]
    std::vector<float> att;      // [B, H*hd]
    std::vector<float> h1, h3;   // [B, F]
    std::vector<float> scores;   // [B, H, ctx]
    std::vector<float> logits;   // [B, V]
    std::vector<const float*> keys, values;  // [B] one layer's cache rows
    std::vector<int> n;                      // [B] cached positions after this step

    BatchScratch(const ModelConfig& c, int b)
        : B(b), x(size_t(b) * c.dim), xb(size_t(b) * c.dim), q(size_t(b) * c.n_heads * c.head_dim()),
          k(size_t(b) * c.n_kv_heads * c.head_dim()), v(size_t(b) * c.n_kv_heads * c.head_dim()),
          att(size_t(b) * c.n_heads * c.head_dim()), h1(size_t(b) * c.hidden_dim), h3(size_t(b) * c.hidden_dim),
          scores(size_t(b) * c.n_heads * c.max_seq_len), logits(size_t(b) * c.vocab_size), keys(size_t(b)),
          values(size_t(b)), n(size_t(b)) {}
};

class LlamaCpuBatchStep final : public BatchDecodeStep {
public:
    LlamaCpuBatchStep(const ModelImpl& m, const LlamaModel& lm, int max_batch)
        : m_(m), lm_(lm), s_(m.config, max_batch) {}

    int max_batch() const override { return s_.B; }

    void run(KvCache* const* caches, const int* ids, const int* pos, int n, float* const* logits) override {
        const ModelConfig& c = m_.config;
        const int D = c.dim, F = c.hidden_dim, H = c.n_heads, KV = c.n_kv_heads, hd = c.head_dim();
        const int ctx = c.max_seq_len, half = hd / 2, V = c.vocab_size;
        const int QD = H * hd, KD = KV * hd;
        const bool interleaved = c.rope == RopeStyle::Interleaved;
        const float* cos = lm_.rope_cos_cpu.data_ptr<float>();
        const float* sin = lm_.rope_sin_cpu.data_ptr<float>();
        BatchScratch& s = s_;

        for (int b = 0; b < n; ++b) {
            embedding_row(m_.tok_embeddings, ids[b], s.x.data() + int64_t(b) * D);
            s.n[size_t(b)] = pos[b] + 1;
        }
        for (int l = 0; l < c.n_layers; ++l) {
            const LayerWeights& w = lm_.layers[size_t(l)];
            for (int b = 0; b < n; ++b)
                kn::rmsnorm(s.x.data() + int64_t(b) * D, w.attn_norm.data_ptr<float>(),
                            s.xb.data() + int64_t(b) * D, D, c.norm_eps);
            const kn::MatMat qkv[3] = {mm(w.wq, s.xb.data(), D, s.q.data(), QD),
                                       mm(w.wk, s.xb.data(), D, s.k.data(), KD),
                                       mm(w.wv, s.xb.data(), D, s.v.data(), KD)};
            kn::matmat(qkv, 3, n);
            for (int b = 0; b < n; ++b) {
                const float* cb = cos + int64_t(pos[b]) * half;
                const float* sb = sin + int64_t(pos[b]) * half;
                float* qb = s.q.data() + int64_t(b) * QD;
                float* kb = s.k.data() + int64_t(b) * KD;
                kn::rope(qb, H, hd, cb, sb, interleaved);
                kn::rope(kb, KV, hd, cb, sb, interleaved);
                caches[b]->append(l, pos[b], kb, s.v.data() + int64_t(b) * KD);
                s.keys[size_t(b)] = caches[b]->keys(l);  // [KV, ctx, hd]
                s.values[size_t(b)] = caches[b]->values(l);
            }
            kn::attention_batch(s.q.data(), s.keys.data(), s.values.data(), s.n.data(), n, H, KV, hd, ctx,
                                s.scores.data(), s.att.data());
            kn::matmat(mm(w.wo, s.att.data(), QD, s.x.data(), D, /*accumulate=*/true), n);  // x += Wo att
            for (int b = 0; b < n; ++b)
                kn::rmsnorm(s.x.data() + int64_t(b) * D, w.ffn_norm.data_ptr<float>(),
                            s.xb.data() + int64_t(b) * D, D, c.norm_eps);
            const kn::MatMat gate_up[2] = {mm(w.w1, s.xb.data(), D, s.h1.data(), F),
                                           mm(w.w3, s.xb.data(), D, s.h3.data(), F)};
            kn::matmat(gate_up, 2, n);
            for (int b = 0; b < n; ++b)
                kn::silu_mul(s.h1.data() + int64_t(b) * F, s.h3.data() + int64_t(b) * F, F);
            kn::matmat(mm(w.w2, s.h1.data(), F, s.x.data(), D, /*accumulate=*/true), n);  // x += W2 h
        }
        for (int b = 0; b < n; ++b)
            kn::rmsnorm(s.x.data() + int64_t(b) * D, lm_.norm.data_ptr<float>(), s.xb.data() + int64_t(b) * D, D,
                        c.norm_eps);
        kn::matmat(mm(m_.output, s.xb.data(), D, s.logits.data(), V), n);
        for (int b = 0; b < n; ++b)
            std::copy(s.logits.begin() + int64_t(b) * V, s.logits.begin() + int64_t(b + 1) * V, logits[b]);
    }

private:
    const ModelImpl& m_;
    const LlamaModel& lm_;
    BatchScratch s_;
};

}  // namespace

std::unique_ptr<BatchDecodeStep> LlamaModel::make_batch_decode_step(const ModelImpl& m, int max_batch) const {
    // fp32 CPU caches only (the kernels read the cache rows directly); the
    // GPU path decodes its sessions one after the other.
    if (!m.on_cpu() || m.act_dtype != at::kFloat || max_batch < 1) return nullptr;
    return std::make_unique<LlamaCpuBatchStep>(m, *this, max_batch);
}

}  // namespace waypoint::detail
