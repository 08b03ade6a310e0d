#include "formats/pytorch/settings.h"

#include "formats/canonical_tensors.h"

#include <nlohmann/json.hpp>

#include <climits>
#include <cmath>
#include <regex>
#include <set>

#include "json_nesting.h"
#include "waypoint/error.h"

namespace waypoint::detail::pt {
namespace {

using Kind = Value::Kind;

ValuePtr from_json(const nlohmann::json& j, int depth) {
    if (depth > 64) throw std::runtime_error("nested too deeply");
    ValuePtr v;
    if (j.is_object()) {
        v = make_value(Kind::Dict);
        for (auto it = j.begin(); it != j.end(); ++it) {
            auto k = make_value(Kind::String);
            k->s = it.key();
            v->dict.emplace_back(k, from_json(it.value(), depth + 1));
        }
    } else if (j.is_array()) {
        v = make_value(Kind::List);
        for (const auto& e : j) v->items.push_back(from_json(e, depth + 1));
    } else if (j.is_string()) {
        v = make_value(Kind::String);
        v->s = j.get<std::string>();
    } else if (j.is_boolean()) {
        v = make_value(Kind::Bool);
        v->b = j.get<bool>();
    } else if (j.is_number_integer()) {
        v = make_value(Kind::Int);
        v->i = j.get<int64_t>();
    } else if (j.is_number()) {
        v = make_value(Kind::Float);
        v->f = j.get<double>();
    } else {
        v = make_value(Kind::None);
    }
    return v;
}

// Aliases of each setting across training scripts and Hugging Face configs.
const std::vector<std::string> kHeads = {"n_heads", "n_head", "num_attention_heads", "num_heads"};
const std::vector<std::string> kKvHeads = {"n_kv_heads", "n_kv_head", "num_key_value_heads"};
const std::vector<std::string> kContext = {"max_seq_len", "block_size", "n_positions", "max_position_embeddings",
                                           "n_ctx", "context_length", "sequence_len", "seq_len", "ctx_len"};
const std::vector<std::string> kEps = {"norm_eps", "rms_norm_eps", "layer_norm_epsilon", "layer_norm_eps", "ln_eps"};
const std::vector<std::string> kDim = {"dim", "n_embd", "hidden_size", "d_model", "n_embed", "embed_dim"};
const std::vector<std::string> kLayers = {"n_layers", "n_layer", "num_hidden_layers", "num_layers"};

int max_layer_index(const MappedTensors& m, const std::string& prefix) {
    int n = 0;
    std::regex re(prefix + "(\\d+)\\..*");
    std::smatch sm;
    for (const auto& kv : m.tensors)
        if (std::regex_match(kv.first, sm, re)) n = std::max(n, std::stoi(sm[1].str()) + 1);
    return n;
}

const at::Tensor* find(const MappedTensors& m, const std::string& name) {
    auto it = m.tensors.find(name);
    return it == m.tensors.end() ? nullptr : &it->second;
}

[[noreturn]] void missing_tensor(const std::string& label, const std::string& name) {
    throw Error(ErrorKind::BadFormat, label + " has no " + name + " tensor (or one of its usual spellings); "
                                              "the checkpoint is incomplete");
}

}  // namespace

void Settings::add(const Value& dict) {
    if (dict.kind != Kind::Dict) return;
    for (const auto& [k, v] : dict.dict) {
        if (k->kind != Kind::String) continue;
        if (v->kind == Kind::Int || v->kind == Kind::Float || v->kind == Kind::Bool || v->kind == Kind::String)
            values_[k->s] = v;
    }
}

std::optional<double> Settings::number(const std::vector<std::string>& aliases) const {
    for (const auto& a : aliases) {
        auto it = values_.find(a);
        if (it != values_.end() && it->second->is_number()) return it->second->number();
    }
    return std::nullopt;
}

std::optional<std::string> Settings::text(const std::vector<std::string>& aliases) const {
    for (const auto& a : aliases) {
        auto it = values_.find(a);
        if (it != values_.end() && it->second->kind == Kind::String) return it->second->s;
    }
    return std::nullopt;
}

ValuePtr parse_json_value(const std::string& text, const std::string& label) {
    check_json_nesting(text, label);
    try {
        return from_json(nlohmann::json::parse(text), 0);
    } catch (const std::exception& e) {
        throw Error(ErrorKind::BadFormat, label + " is not valid JSON: " + e.what());
    }
}

// A config number where an int is meant: 1e300 or NaN (JSON and pickles
// allow both) is refused instead of converted (undefined behaviour).
static int config_int(double v, const std::string& label, const char* what) {
    if (!std::isfinite(v) || v < double(INT_MIN) || v > double(INT_MAX))
        throw Error(ErrorKind::BadFormat, label + ": the config's " + what + " (" + std::to_string(v) +
                                              ") is not a usable integer");
    return int(v);
}

ModelConfig infer_config(const MappedTensors& m, const Settings& s, const std::string& label) {
    ModelConfig c;
    c.architecture = m.architecture;
    const bool gpt2 = m.architecture == Architecture::Gpt2;
    std::vector<std::string> missing;  // "n_heads (the number of attention heads)"

    const std::string emb = gpt2 ? "wte.weight" : "tok_embeddings.weight";
    const at::Tensor* e = find(m, emb);
    if (!e) missing_tensor(label, emb);
    if (e->dim() != 2) throw Error(ErrorKind::BadFormat, label + ": the embedding " + m.source.at(emb) + " has shape " +
                                                             shape_text(e->sizes()) + ", expected [vocab, width]");
    c.vocab_size = int(e->size(0));
    c.dim = int(e->size(1));
    c.n_layers = max_layer_index(m, gpt2 ? "h\\." : "layers\\.");
    if (c.n_layers == 0) missing_tensor(label, "layer");
    if (auto d = s.number(kDim); d && config_int(*d, label, "width") != c.dim)
        throw Error(ErrorKind::BadFormat, label + ": the config says width " + std::to_string(config_int(*d, label, "width")) + " but " +
                                              m.source.at(emb) + " has shape " + shape_text(e->sizes()));
    if (auto l = s.number(kLayers); l && config_int(*l, label, "layer count") != c.n_layers)
        throw Error(ErrorKind::BadFormat, label + ": the config says " + std::to_string(config_int(*l, label, "layer count")) + " layers but the file holds " +
                                              std::to_string(c.n_layers));

    const std::string ffn = gpt2 ? "h.0.mlp.c_fc.weight" : "layers.0.feed_forward.w1.weight";
    const at::Tensor* f = find(m, ffn);
    if (!f) missing_tensor(label, ffn);
    c.hidden_dim = int(f->size(0));

    if (auto h = s.number(kHeads)) c.n_heads = config_int(*h, label, "head count");
    else missing.push_back("\"n_heads\" (the number of attention heads)");

    if (gpt2) {
        const at::Tensor* p = find(m, "wpe.weight");
        if (!p) missing_tensor(label, "wpe.weight (learned positions)");
        if (p->dim() != 2) throw Error(ErrorKind::BadFormat, label + ": " + m.source.at("wpe.weight") + " is not [context, width]");
        c.max_seq_len = int(p->size(0));
        c.n_kv_heads = c.n_heads;
        c.learned_positions = true;
        c.bias = find(m, "h.0.attn.c_attn.bias") != nullptr;
        c.norm_eps = float(s.number(kEps).value_or(1e-5));
        // HF GPT-2 uses the tanh GELU ("gelu_new"), nanoGPT-style scripts nn.GELU() (erf).
        c.activation = m.hf_gpt2 ? Activation::GeluTanh : Activation::GeluExact;
        if (auto a = s.text({"activation_function", "hidden_act", "activation"})) {
            if (*a == "gelu_new" || *a == "gelu_pytorch_tanh" || *a == "gelu_fast" || *a == "tanh")
                c.activation = Activation::GeluTanh;
            else if (*a == "gelu") c.activation = Activation::GeluExact;
            else throw Error(ErrorKind::Unsupported, label + ": activation '" + *a + "' is not one Waypoint runs (gelu, gelu_new)");
        }
        c.rope = RopeStyle::Interleaved;  // unused
    } else {
        if (auto kv = s.number(kKvHeads); kv && *kv > 0) c.n_kv_heads = config_int(*kv, label, "KV head count");
        else if (c.n_heads > 0) {
            const at::Tensor* wq = find(m, "layers.0.attention.wq.weight");
            const at::Tensor* wk = find(m, "layers.0.attention.wk.weight");
            if (wq && wk && wq->dim() == 2 && wk->dim() == 2 && wq->size(0) > 0)
                c.n_kv_heads = int(int64_t(c.n_heads) * wk->size(0) / wq->size(0));
        }
        if (auto ctx = s.number(kContext)) c.max_seq_len = config_int(*ctx, label, "context length");
        else missing.push_back("\"max_seq_len\" (the context length it was trained with)");
        c.norm_eps = float(s.number(kEps).value_or(1e-5));
        c.rope_theta = float(s.number({"rope_theta"}).value_or(10000.0));
        c.rope = m.rope;
        c.activation = Activation::SiLU;
    }

    if (!missing.empty()) {
        std::string list, example;
        for (size_t i = 0; i < missing.size(); ++i) {
            list += (i ? " and " : "") + missing[i];
            example += std::string(i ? ", " : "") + missing[i].substr(0, missing[i].find(' ')) + ": N";
        }
        throw Error(ErrorKind::BadFormat, label + " does not say " + list +
                                              ", which the tensor shapes cannot tell; put a config.json beside it with {" +
                                              example + "}");
    }
    if (c.n_heads <= 0 || c.dim % c.n_heads != 0 || c.n_kv_heads <= 0 || c.n_heads % c.n_kv_heads != 0 ||
        c.max_seq_len <= 0 || c.max_seq_len > (1 << 24))
        throw Error(ErrorKind::BadFormat, label + ": the config's heads (" + std::to_string(c.n_heads) + ", kv " +
                                              std::to_string(c.n_kv_heads) + ") or context (" + std::to_string(c.max_seq_len) +
                                              ") do not fit width " + std::to_string(c.dim) + "; fix them in a config.json beside it");

    // Tied: no head, or a head that views the embedding's memory.
    const std::string head = gpt2 ? "lm_head.weight" : "output.weight";
    const at::Tensor* h = find(m, head);
    c.tied_embeddings = !h || (h->data_ptr() == e->data_ptr() && h->sizes() == e->sizes() && h->strides() == e->strides());
    return c;
}

}  // namespace waypoint::detail::pt
