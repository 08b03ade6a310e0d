// From a reader's CheckpointData to weights on the device (model_impl.h).
#include <cmath>
#include <string>

#include "model/gpt2_model.h"
#include "model/model_impl.h"
#include "model/release_pages.h"
#include "waypoint/error.h"

namespace waypoint::detail {

std::string dtype_name(at::ScalarType t) {
    switch (t) {
    case at::kFloat: return "float32";
    case at::kBFloat16: return "bfloat16";
    case at::kHalf: return "float16";
    default: return c10::toString(t);
    }
}

at::ScalarType parse_dtype(const std::string& name) {
    if (name == "fp32" || name == "float32" || name == "f32") return at::kFloat;
    if (name == "bf16" || name == "bfloat16") return at::kBFloat16;
    if (name == "fp16" || name == "float16" || name == "f16" || name == "half") return at::kHalf;
    throw Error(ErrorKind::InvalidArgument,
                "unknown dtype '" + name + "'; use fp32, bf16, fp16 or auto");
}

namespace {

struct Builder {
    CheckpointData& data;
    at::Device device;
    at::ScalarType dtype;
    int64_t parameters = 0;

    [[noreturn]] void fail(const std::string& what) const {
        throw Error(ErrorKind::BadFormat, data.card.path + ": " + what +
                                              "; the checkpoint is incomplete or not a Llama model");
    }

    at::Tensor take(const std::string& name, std::vector<int64_t> shape, at::ScalarType to) {
        auto it = data.tensors.find(name);
        if (it == data.tensors.end()) fail("tensor '" + name + "' is missing");
        at::Tensor t = it->second;
        if (t.sizes() != at::IntArrayRef(shape)) {
            fail("tensor '" + name + "' has shape " + c10::str(t.sizes()) + ", the config says " +
                 c10::str(at::IntArrayRef(shape)));
        }
        if (!at::isFloatingType(t.scalar_type())) fail("tensor '" + name + "' is not floating point");
        parameters += t.numel();
        // A no-op (same storage, e.g. memory-mapped) when already right.
        at::Tensor out = t.to(device, to).contiguous();
        data.tensors.erase(it);  // drop the reader's reference as soon as possible
        // Converted or copied: the file's pages of the source are not needed
        // any more (for a source whose bytes are exactly its elements).
        if (out.data_ptr() != t.data_ptr() && t.is_contiguous()) release_mapped_pages(t);
        return out;
    }
};

}  // namespace

std::unique_ptr<ModelImpl> build_model(CheckpointData&& data, at::Device device,
                                       at::ScalarType dtype) {
    const ModelConfig& c = data.config;
    if (c.architecture == Architecture::Gpt2) return build_gpt2_model(std::move(data), device, dtype);
    if (c.dim <= 0 || c.n_layers <= 0 || c.n_heads <= 0 || c.n_kv_heads <= 0 ||
        c.hidden_dim <= 0 || c.vocab_size <= 0 || c.max_seq_len <= 0 || c.dim % c.n_heads != 0 ||
        c.n_heads % c.n_kv_heads != 0 || c.head_dim() % 2 != 0) {
        throw Error(ErrorKind::BadFormat,
                    data.card.path + ": inconsistent model config (dim " + std::to_string(c.dim) +
                        ", heads " + std::to_string(c.n_heads) + ", kv heads " +
                        std::to_string(c.n_kv_heads) + ", layers " + std::to_string(c.n_layers) +
                        "); the file is damaged or not a Llama checkpoint");
    }

    auto m = std::make_unique<ModelImpl>();
    m->config = c;
    m->device = device;
    m->weight_dtype = dtype;
    // On the CPU, activations and the KV cache stay fp32 whatever the weights
    // are (the kernels widen 16-bit weights in registers); elsewhere they
    // follow the weights.
    m->act_dtype = device.is_cpu() ? at::kFloat : dtype;

    const int64_t D = c.dim, F = c.hidden_dim, V = c.vocab_size, hd = c.head_dim();
    const int64_t H = c.n_heads, KV = c.n_kv_heads;
    Builder b{data, device, dtype};
    const at::ScalarType act = m->act_dtype;

    m->tok_embeddings = b.take("tok_embeddings.weight", {V, D}, dtype);
    const bool tied = c.tied_embeddings || data.tensors.count("output.weight") == 0;
    m->output = tied ? m->tok_embeddings : b.take("output.weight", {V, D}, dtype);
    m->norm = b.take("norm.weight", {D}, act);
    m->layers.resize(c.n_layers);
    for (int i = 0; i < c.n_layers; ++i) {
        const std::string p = "layers." + std::to_string(i) + ".";
        LayerWeights& l = m->layers[i];
        l.attn_norm = b.take(p + "attention_norm.weight", {D}, act);
        l.wq = b.take(p + "attention.wq.weight", {H * hd, D}, dtype);
        l.wk = b.take(p + "attention.wk.weight", {KV * hd, D}, dtype);
        l.wv = b.take(p + "attention.wv.weight", {KV * hd, D}, dtype);
        l.wo = b.take(p + "attention.wo.weight", {D, H * hd}, dtype);
        l.ffn_norm = b.take(p + "ffn_norm.weight", {D}, act);
        l.w1 = b.take(p + "feed_forward.w1.weight", {F, D}, dtype);
        l.w2 = b.take(p + "feed_forward.w2.weight", {D, F}, dtype);
        l.w3 = b.take(p + "feed_forward.w3.weight", {F, D}, dtype);
    }
    m->config.tied_embeddings = tied;

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
    m->rope_cos_cpu = cos;
    m->rope_sin_cpu = sin;
    m->rope_cos = cos.to(device);
    m->rope_sin = sin.to(device);

    m->card = data.card;
    m->card.architecture = "llama";
    m->card.dtype = dtype_name(dtype);
    m->card.device = device.str();
    m->card.parameters = b.parameters;
    m->card.layers = c.n_layers;
    m->card.heads = c.n_heads;
    m->card.kv_heads = c.n_kv_heads;
    m->card.width = c.dim;
    m->card.hidden = c.hidden_dim;
    m->card.vocabulary = c.vocab_size;
    m->card.context = c.max_seq_len;
    m->card.tied_embeddings = tied;
    m->tokenizer = std::move(data.tokenizer);
    m->generation_defaults_json = data.generation_defaults_json;
    return m;
}

}  // namespace waypoint::detail
