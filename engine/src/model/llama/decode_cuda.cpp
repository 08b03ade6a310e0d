#include "model/llama/decode_cuda.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "kernels/cuda/decode_graph.h"
#include "model/kv_cache.h"

namespace waypoint::detail {

namespace kc = waypoint::kernels::cuda;

namespace {

kc::DType dtype_of(at::ScalarType t) {
    switch (t) {
    case at::kBFloat16: return kc::DType::BF16;
    case at::kHalf: return kc::DType::F16;
    default: return kc::DType::F32;
    }
}

bool supported_dtype(at::ScalarType t) { return t == at::kFloat || t == at::kBFloat16 || t == at::kHalf; }

// "0": libtorch ops; "1": the graph, errors thrown; unset: the graph, falling back.
const char* mode() {
    const char* v = std::getenv("WAYPOINT_CUDA_DECODE");
    return v ? v : "";
}

class LlamaCudaStep final : public DecodeStep {
public:
    LlamaCudaStep(const ModelImpl& m, const LlamaModel& lm) : m_(m), lm_(lm) {}

    void run(KvCache& cache, int id, int pos, float* logits) override {
        if (&cache != cache_) build(cache);
        if (decoder_) {
            decoder_->step(id, pos, logits);
            return;
        }
        // The libtorch forward on one token, as the Session does without a step.
        at::Tensor ids = at::full({1}, int64_t(id), at::kLong).to(m_.device);
        at::Tensor out = lm_.forward(m_, &cache, ids, pos, /*all_logits=*/false).to(at::kCPU).contiguous();
        if (!logits) {
            host_.resize(size_t(m_.config.vocab_size));
            logits = host_.data();
        }
        std::memcpy(logits, out.data_ptr<float>(), sizeof(float) * size_t(m_.config.vocab_size));
    }

    bool samples() const override { return sample_on_device_; }

    bool sample(const SamplingParams& params, const std::vector<int>& penalized, double u, int top_n,
                Pick& pick) override {
        if (!decoder_) return false;  // the libtorch path left the logits on the host
        kc::SampleRequest q;
        q.greedy = params.greedy();
        const float t = params.temperature > 0.0f ? params.temperature : 1.0f;
        q.inv_temperature = std::min(1.0f / t, 1e30f);  // as steps.cpp's softmax
        q.top_k = params.top_k;
        q.top_p = params.top_p;
        q.min_p = params.min_p;
        q.penalty = params.repeat_penalty;
        q.penalty_ids = penalized.data();
        q.n_penalty = int(penalized.size());
        q.u = u;
        q.top_n = std::max(0, top_n);
        kc::SampleResult r;
        decoder_->sample(q, r);
        if (!r.picked) return false;
        pick.id = r.id;
        pick.probability = r.p;
        pick.top.resize(size_t(r.n_top));
        for (int j = 0; j < r.n_top; ++j) pick.top[size_t(j)] = Candidate{r.top_id[j], r.top_p[j]};
        return true;
    }

    void fetch_logits(float* logits) override {
        if (decoder_)
            decoder_->fetch_logits(logits);
        else
            std::memcpy(logits, host_.data(), sizeof(float) * host_.size());
    }

private:
    const float* f32(const at::Tensor& t) {
        at::Tensor f = t.to(at::kFloat).contiguous();
        keep_.push_back(f);
        return f.data_ptr<float>();
    }

    // Matrices as the kernels read them: row-major [out, in] in the weight dtype.
    const void* ptr(const at::Tensor& t) const {
        if (!t.is_contiguous() || t.scalar_type() != m_.weight_dtype) return nullptr;
        return t.data_ptr();
    }

    void build(KvCache& cache) {
        cache_ = &cache;
        decoder_.reset();
        keep_.clear();
        const ModelConfig& c = m_.config;
        kc::DecodeDesc d;
        d.device = m_.device.has_index() ? m_.device.index() : 0;
        d.dim = c.dim;
        d.hidden = c.hidden_dim;
        d.heads = c.n_heads;
        d.kv_heads = c.n_kv_heads;
        d.head_dim = c.head_dim();
        d.vocab = c.vocab_size;
        d.ctx = c.max_seq_len;
        d.norm_eps = c.norm_eps;
        d.rope_interleaved = c.rope == RopeStyle::Interleaved;
        d.weight_type = dtype_of(m_.weight_dtype);
        d.cache_type = dtype_of(cache.dtype());
        d.tok_embeddings = ptr(m_.tok_embeddings);
        d.output = ptr(m_.output);
        d.norm = f32(lm_.norm);
        d.rope_cos = lm_.rope_cos.data_ptr<float>();
        d.rope_sin = lm_.rope_sin.data_ptr<float>();
        bool ok = d.tok_embeddings && d.output && supported_dtype(cache.dtype());
        for (int l = 0; l < c.n_layers && ok; ++l) {
            const LayerWeights& w = lm_.layers[size_t(l)];
            kc::LayerPtrs p;
            p.wq = ptr(w.wq);
            p.wk = ptr(w.wk);
            p.wv = ptr(w.wv);
            p.wo = ptr(w.wo);
            p.w1 = ptr(w.w1);
            p.w2 = ptr(w.w2);
            p.w3 = ptr(w.w3);
            p.attn_norm = f32(w.attn_norm);
            p.ffn_norm = f32(w.ffn_norm);
            p.k_cache = cache.device_keys(l);
            p.v_cache = cache.device_values(l);
            for (const void* q : {p.wq, p.wk, p.wv, p.wo, p.w1, p.w2, p.w3}) ok = ok && q;
            d.layers.push_back(p);
        }
        if (!ok || *kc::unsupported(d)) return;  // libtorch forward
        try {
            decoder_ = std::make_unique<kc::Decoder>(d);
        } catch (const std::runtime_error&) {
            if (std::strcmp(mode(), "1") == 0) throw;
        }
    }

    const ModelImpl& m_;
    const LlamaModel& lm_;
    const KvCache* cache_ = nullptr;
    std::vector<at::Tensor> keep_;  // fp32 copies of the norm gains the kernels read
    std::unique_ptr<kc::Decoder> decoder_;
    std::vector<float> host_;  // [V] the libtorch path's logits when run() was given none
    // WAYPOINT_CUDA_SAMPLE=0: the host samples (measurements, comparisons).
    const bool sample_on_device_ = [] {
        const char* v = std::getenv("WAYPOINT_CUDA_SAMPLE");
        return !(v && std::strcmp(v, "0") == 0);
    }();
};

}  // namespace

std::unique_ptr<DecodeStep> make_cuda_decode_step(const ModelImpl& m, const LlamaModel& lm) {
    if (!kc::compiled() || !m.device.is_cuda() || std::strcmp(mode(), "0") == 0) return nullptr;
    if (!supported_dtype(m.weight_dtype)) return nullptr;
    return std::make_unique<LlamaCudaStep>(m, lm);
}

}  // namespace waypoint::detail
