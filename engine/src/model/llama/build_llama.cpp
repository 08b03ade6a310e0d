// The Llama family's weights from canonical tensors (llama_model.h).
#include <cmath>
#include <string>

#include "model/llama/llama_model.h"
#include "model/model_impl.h"
#include "model/weight_taker.h"
#include "waypoint/error.h"

namespace waypoint::detail {

std::unique_ptr<const ModelFamily> build_llama(ModelImpl& m, WeightTaker& b) {
    const ModelConfig& c = m.config;
    if (c.dim <= 0 || c.n_layers <= 0 || c.n_heads <= 0 || c.n_kv_heads <= 0 ||
        c.hidden_dim <= 0 || c.vocab_size <= 0 || c.max_seq_len <= 0 || c.dim % c.n_heads != 0 ||
        c.n_heads % c.n_kv_heads != 0 || c.head_dim() % 2 != 0) {
        throw Error(ErrorKind::BadFormat,
                    m.card.path + ": inconsistent model config (dim " + std::to_string(c.dim) +
                        ", heads " + std::to_string(c.n_heads) + ", kv heads " +
                        std::to_string(c.n_kv_heads) + ", layers " + std::to_string(c.n_layers) +
                        "); the file is damaged or not a Llama checkpoint");
    }

    const int64_t hd = c.head_dim();
    auto w = std::make_unique<LlamaModel>();

    m.tok_embeddings = b.take("tok_embeddings.weight");
    const bool tied = c.tied_embeddings || !b.has("output.weight");
    m.output = tied ? m.tok_embeddings : b.take("output.weight");
    w->norm = b.take("norm.weight");
    w->layers.resize(size_t(c.n_layers));
    for (int i = 0; i < c.n_layers; ++i) {
        const std::string p = "layers." + std::to_string(i) + ".";
        LayerWeights& l = w->layers[size_t(i)];
        l.attn_norm = b.take(p + "attention_norm.weight");
        l.wq = b.take(p + "attention.wq.weight");
        l.wk = b.take(p + "attention.wk.weight");
        l.wv = b.take(p + "attention.wv.weight");
        l.wo = b.take(p + "attention.wo.weight");
        l.ffn_norm = b.take(p + "ffn_norm.weight");
        l.w1 = b.take(p + "feed_forward.w1.weight");
        l.w2 = b.take(p + "feed_forward.w2.weight");
        l.w3 = b.take(p + "feed_forward.w3.weight");
    }
    m.config.tied_embeddings = tied;

    // RoPE: angle(pos, i) = pos * theta^(-2i/hd), computed in double.
    const int64_t half = hd / 2;
    at::Tensor cos = at::empty({c.max_seq_len, half}, at::kFloat);
    at::Tensor sin = at::empty({c.max_seq_len, half}, at::kFloat);
    float* pc = cos.data_ptr<float>();
    float* ps = sin.data_ptr<float>();
    for (int64_t pos = 0; pos < c.max_seq_len; ++pos) {
        for (int64_t i = 0; i < half; ++i) {
            const double freq = std::pow(double(c.rope_theta), -2.0 * double(i) / double(hd));
            const double angle = double(pos) * freq;
            pc[pos * half + i] = float(std::cos(angle));
            ps[pos * half + i] = float(std::sin(angle));
        }
    }
    w->rope_cos_cpu = cos;
    w->rope_sin_cpu = sin;
    w->rope_cos = cos.to(m.device);
    w->rope_sin = sin.to(m.device);
    return w;
}

}  // namespace waypoint::detail
