#include "formats/canonical_tensors.h"

#include "waypoint/error.h"

namespace waypoint::detail {
namespace {

std::vector<TensorSpec> llama_tensors(const ModelConfig& c) {
    const int64_t D = c.dim, F = c.hidden_dim, V = c.vocab_size;
    const int64_t hd = c.n_heads > 0 ? c.head_dim() : 0, H = c.n_heads, KV = c.n_kv_heads;
    std::vector<TensorSpec> s = {{"tok_embeddings.weight", {V, D}},
                                 {"norm.weight", {D}, false},
                                 {"output.weight", {V, D}, true, !c.tied_embeddings}};
    for (int i = 0; i < c.n_layers; ++i) {
        const std::string p = "layers." + std::to_string(i) + ".";
        s.push_back({p + "attention_norm.weight", {D}, false});
        s.push_back({p + "attention.wq.weight", {H * hd, D}});
        s.push_back({p + "attention.wk.weight", {KV * hd, D}});
        s.push_back({p + "attention.wv.weight", {KV * hd, D}});
        s.push_back({p + "attention.wo.weight", {D, H * hd}});
        s.push_back({p + "ffn_norm.weight", {D}, false});
        s.push_back({p + "feed_forward.w1.weight", {F, D}});
        s.push_back({p + "feed_forward.w2.weight", {D, F}});
        s.push_back({p + "feed_forward.w3.weight", {F, D}});
    }
    return s;
}

std::vector<TensorSpec> gpt2_tensors(const ModelConfig& c) {
    const int64_t D = c.dim, F = c.hidden_dim, V = c.vocab_size, T = c.max_seq_len;
    const bool b = c.bias;
    std::vector<TensorSpec> s = {{"wte.weight", {V, D}},
                                 {"wpe.weight", {T, D}, false},
                                 {"ln_f.weight", {D}, false},
                                 {"ln_f.bias", {D}, false, false},
                                 {"lm_head.weight", {V, D}, true, !c.tied_embeddings}};
    for (int i = 0; i < c.n_layers; ++i) {
        const std::string p = "h." + std::to_string(i) + ".";
        s.push_back({p + "ln_1.weight", {D}, false});
        s.push_back({p + "ln_1.bias", {D}, false, false});
        s.push_back({p + "attn.c_attn.weight", {3 * D, D}});
        s.push_back({p + "attn.c_attn.bias", {3 * D}, false, b});
        s.push_back({p + "attn.c_proj.weight", {D, D}});
        s.push_back({p + "attn.c_proj.bias", {D}, false, b});
        s.push_back({p + "ln_2.weight", {D}, false});
        s.push_back({p + "ln_2.bias", {D}, false, false});
        s.push_back({p + "mlp.c_fc.weight", {F, D}});
        s.push_back({p + "mlp.c_fc.bias", {F}, false, b});
        s.push_back({p + "mlp.c_proj.weight", {D, F}});
        s.push_back({p + "mlp.c_proj.bias", {D}, false, b});
    }
    return s;
}

}  // namespace

std::string shape_text(at::IntArrayRef shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

std::vector<TensorSpec> canonical_tensors(const ModelConfig& config) {
    return config.architecture == Architecture::Gpt2 ? gpt2_tensors(config) : llama_tensors(config);
}

void check_canonical_tensors(const std::unordered_map<std::string, at::Tensor>& tensors, const ModelConfig& config,
                             const std::string& file,
                             const std::function<std::string(const std::string&)>& source_name) {
    // A config that claims 2^30 layers must not make us list 2^30 layers'
    // tensor names first: every layer has required tensors of its own.
    if (config.n_layers < 0 || size_t(config.n_layers) > tensors.size())
        throw Error(ErrorKind::BadFormat, file + ": the config says " + std::to_string(config.n_layers) +
                                              " layers but the file holds only " + std::to_string(tensors.size()) +
                                              " tensors");
    for (const TensorSpec& spec : canonical_tensors(config)) {
        const std::string shown = source_name ? source_name(spec.name) : spec.name;
        auto it = tensors.find(spec.name);
        if (it == tensors.end()) {
            if (!spec.required) continue;
            throw Error(ErrorKind::BadFormat, file + ": tensor '" + shown + "' is missing (expected shape " +
                                                  shape_text(spec.shape) + ")");
        }
        const at::Tensor& t = it->second;
        if (t.sizes() != at::IntArrayRef(spec.shape))
            throw Error(ErrorKind::BadFormat, file + ": tensor '" + shown + "' has shape " + shape_text(t.sizes()) +
                                                  ", expected " + shape_text(spec.shape));
        if (!at::isFloatingType(t.scalar_type()))
            throw Error(ErrorKind::BadFormat, file + ": tensor '" + shown + "' is not a float tensor");
    }
}

}  // namespace waypoint::detail
