#include "model/llama/decode_cpu.h"

#include <cstring>

#include "kernels/decode_ops.h"
#include "kernels/half.h"
#include "kernels/matvec.h"
#include "model/llama/decode_cuda.h"

namespace waypoint::detail {

namespace kn = waypoint::kernels;

DecodeScratch::DecodeScratch(const ModelConfig& c)
    : x(c.dim), xb(c.dim), q(size_t(c.n_heads) * c.head_dim()),
      k(size_t(c.n_kv_heads) * c.head_dim()), v(size_t(c.n_kv_heads) * c.head_dim()),
      att(size_t(c.n_heads) * c.head_dim()), h1(c.hidden_dim), h3(c.hidden_dim),
      scores(size_t(c.n_heads) * c.max_seq_len) {}

kn::WeightType weight_type(const at::Tensor& w) {
    switch (w.scalar_type()) {
    case at::kBFloat16: return kn::WeightType::BF16;
    case at::kHalf: return kn::WeightType::F16;
    default: return kn::WeightType::F32;
    }
}

void embedding_row(const at::Tensor& emb, int id, float* out) {
    const int64_t D = emb.size(1);
    switch (emb.scalar_type()) {
    case at::kBFloat16: {
        const uint16_t* r = static_cast<const uint16_t*>(emb.data_ptr()) + int64_t(id) * D;
        for (int64_t i = 0; i < D; ++i) out[i] = kn::bf16_to_float(r[i]);
        break;
    }
    case at::kHalf: {
        const uint16_t* r = static_cast<const uint16_t*>(emb.data_ptr()) + int64_t(id) * D;
        for (int64_t i = 0; i < D; ++i) out[i] = kn::fp16_to_float(r[i]);
        break;
    }
    default:
        std::memcpy(out, emb.data_ptr<float>() + int64_t(id) * D, sizeof(float) * D);
    }
}

namespace {

kn::MatVec mv(const at::Tensor& w, const float* x, float* y, bool accumulate = false) {
    kn::MatVec p;
    p.w = w.data_ptr();
    p.type = weight_type(w);
    p.rows = static_cast<int>(w.size(0));
    p.cols = static_cast<int>(w.size(1));
    p.x = x;
    p.y = y;
    p.accumulate = accumulate;
    return p;
}

}  // namespace

void decode_cpu(const ModelImpl& m, const LlamaModel& lm, KvCache& cache, DecodeScratch& s, int id, int pos,
                float* logits) {
    const ModelConfig& c = m.config;
    const int D = c.dim, F = c.hidden_dim, H = c.n_heads, KV = c.n_kv_heads, hd = c.head_dim();
    const int ctx = c.max_seq_len, half = hd / 2;
    const bool interleaved = c.rope == RopeStyle::Interleaved;
    const float* cos = lm.rope_cos_cpu.data_ptr<float>() + int64_t(pos) * half;
    const float* sin = lm.rope_sin_cpu.data_ptr<float>() + int64_t(pos) * half;

    float* x = s.x.data();
    embedding_row(m.tok_embeddings, id, x);
    for (int l = 0; l < c.n_layers; ++l) {
        const LayerWeights& w = lm.layers[l];
        kn::rmsnorm(x, w.attn_norm.data_ptr<float>(), s.xb.data(), D, c.norm_eps);
        // q, k, v share the input: one parallel region.
        const kn::MatVec qkv[3] = {mv(w.wq, s.xb.data(), s.q.data()),
                                   mv(w.wk, s.xb.data(), s.k.data()),
                                   mv(w.wv, s.xb.data(), s.v.data())};
        kn::matvec(qkv, 3);
        kn::rope(s.q.data(), H, hd, cos, sin, interleaved);
        kn::rope(s.k.data(), KV, hd, cos, sin, interleaved);
        cache.append(l, pos, s.k.data(), s.v.data());
        kn::attention_one(s.q.data(), cache.keys(l), cache.values(l), H, KV, hd, ctx, pos + 1,
                          s.scores.data(), s.att.data());  // keys, values: [KV, ctx, hd]
        kn::matvec(mv(w.wo, s.att.data(), x, /*accumulate=*/true));  // x += Wo att
        kn::rmsnorm(x, w.ffn_norm.data_ptr<float>(), s.xb.data(), D, c.norm_eps);
        const kn::MatVec gate_up[2] = {mv(w.w1, s.xb.data(), s.h1.data()),
                                       mv(w.w3, s.xb.data(), s.h3.data())};
        kn::matvec(gate_up, 2);
        kn::silu_mul(s.h1.data(), s.h3.data(), F);
        kn::matvec(mv(w.w2, s.h1.data(), x, /*accumulate=*/true));  // x += W2 h
    }
    kn::rmsnorm(x, lm.norm.data_ptr<float>(), s.xb.data(), D, c.norm_eps);
    kn::matvec(mv(m.output, s.xb.data(), logits));
}

namespace {

class LlamaCpuStep final : public DecodeStep {
public:
    LlamaCpuStep(const ModelImpl& m, const LlamaModel& lm) : m_(m), lm_(lm), scratch_(m.config) {}
    void run(KvCache& cache, int id, int pos, float* logits) override {
        decode_cpu(m_, lm_, cache, scratch_, id, pos, logits);
    }

private:
    const ModelImpl& m_;
    const LlamaModel& lm_;
    DecodeScratch scratch_;
};

}  // namespace

std::unique_ptr<DecodeStep> LlamaModel::make_decode_step(const ModelImpl& m) const {
    if (m.device.is_cuda()) return make_cuda_decode_step(m, *this);
    if (!m.on_cpu()) return nullptr;
    return std::make_unique<LlamaCpuStep>(m, *this);
}

}  // namespace waypoint::detail
