// Hugging Face Llama-family folders: config.json + model.safetensors (or a
// sharded model.safetensors.index.json) + tokenizer.model, and
// generation_config.json when present. q/k rows stay in HF's rotate-half
// layout (config.rope = RotateHalf); the forward implements both styles.
#include <filesystem>
#include <memory>
#include <set>
#include <nlohmann/json.hpp>

#include "formats/checkpoint_common.h"
#include "json_nesting.h"
#include "formats/readers.h"
#include "formats/safetensors/safetensors.h"
#include "formats/tokenizer_finder.h"
#include "waypoint/error.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace waypoint::detail {
namespace {

// HF name -> canonical name ("" for tensors we do not use, e.g. rotary
// inv_freq buffers).
std::string canonical_name(const std::string& hf) {
    if (hf == "model.embed_tokens.weight") return "tok_embeddings.weight";
    if (hf == "model.norm.weight") return "norm.weight";
    if (hf == "lm_head.weight") return "output.weight";
    const std::string prefix = "model.layers.";
    if (hf.compare(0, prefix.size(), prefix) != 0) return "";
    const size_t dot = hf.find('.', prefix.size());
    if (dot == std::string::npos) return "";
    const std::string index = hf.substr(prefix.size(), dot - prefix.size());
    if (index.empty() || index.find_first_not_of("0123456789") != std::string::npos) return "";
    static const std::pair<const char*, const char*> kMap[] = {
        {"input_layernorm.weight", "attention_norm.weight"},
        {"post_attention_layernorm.weight", "ffn_norm.weight"},
        {"self_attn.q_proj.weight", "attention.wq.weight"},
        {"self_attn.k_proj.weight", "attention.wk.weight"},
        {"self_attn.v_proj.weight", "attention.wv.weight"},
        {"self_attn.o_proj.weight", "attention.wo.weight"},
        {"mlp.gate_proj.weight", "feed_forward.w1.weight"},
        {"mlp.up_proj.weight", "feed_forward.w3.weight"},
        {"mlp.down_proj.weight", "feed_forward.w2.weight"},
    };
    const std::string rest = hf.substr(dot + 1);
    for (const auto& [from, to] : kMap)
        if (rest == from) return "layers." + index + "." + to;
    return "";
}

// canonical -> HF, for error messages.
std::string hf_name(const std::string& canonical) {
    if (canonical == "tok_embeddings.weight") return "model.embed_tokens.weight";
    if (canonical == "norm.weight") return "model.norm.weight";
    if (canonical == "output.weight") return "lm_head.weight";
    static const std::pair<const char*, const char*> kMap[] = {
        {"attention_norm.weight", "input_layernorm.weight"},
        {"ffn_norm.weight", "post_attention_layernorm.weight"},
        {"attention.wq.weight", "self_attn.q_proj.weight"},
        {"attention.wk.weight", "self_attn.k_proj.weight"},
        {"attention.wv.weight", "self_attn.v_proj.weight"},
        {"attention.wo.weight", "self_attn.o_proj.weight"},
        {"feed_forward.w1.weight", "mlp.gate_proj.weight"},
        {"feed_forward.w3.weight", "mlp.up_proj.weight"},
        {"feed_forward.w2.weight", "mlp.down_proj.weight"},
    };
    const size_t dot = canonical.find('.', 7);  // after "layers."
    if (canonical.compare(0, 7, "layers.") != 0 || dot == std::string::npos) return canonical;
    const std::string rest = canonical.substr(dot + 1);
    for (const auto& [from, to] : kMap)
        if (rest == from) return "model." + canonical.substr(0, dot + 1) + to;
    return canonical;
}

json read_json(const std::string& path) {
    const std::string text = read_text_file(path);
    check_json_nesting(text, path);
    try {
        return json::parse(text);
    } catch (const json::exception& e) {
        throw Error(ErrorKind::BadFormat, path + " is not valid JSON (" + e.what() + ")");
    }
}

int int_key(const json& j, const std::string& key, const std::string& file, int fallback = -1) {
    if (!j.contains(key) || j[key].is_null()) {
        if (fallback >= 0) return fallback;
        throw Error(ErrorKind::BadFormat, file + " has no \"" + key + "\"; it is needed to build the model");
    }
    const json& v = j[key];
    if (!v.is_number_integer() || v.get<int64_t>() <= 0 || v.get<int64_t>() > (int64_t(1) << 30))
        throw Error(ErrorKind::BadFormat, file + ": \"" + key + "\" is " + v.dump() + ", expected a positive integer");
    return v.get<int>();
}

double number_key(const json& j, const std::string& key, double fallback) {
    if (!j.contains(key) || !j[key].is_number()) return fallback;
    return j[key].get<double>();
}

ModelConfig parse_config(const json& j, const std::string& file) {
    if (!j.is_object()) throw Error(ErrorKind::BadFormat, file + " is not a JSON object");
    // Keys of the wrong JSON type read as absent (j.value would throw a type_error).
    std::string arch, type = j.contains("model_type") && j["model_type"].is_string() ? j["model_type"].get<std::string>() : "";
    if (j.contains("architectures") && j["architectures"].is_array() && !j["architectures"].empty() &&
        j["architectures"][0].is_string())
        arch = j["architectures"][0].get<std::string>();
    const bool llama = arch == "LlamaForCausalLM" || arch == "MistralForCausalLM" ||
                       (arch.empty() && (type == "llama" || type == "mistral"));
    if (!llama)
        throw Error(ErrorKind::Unsupported,
                    file + " describes a " + (arch.empty() ? "\"" + type + "\"" : arch) +
                        " model; Waypoint reads Llama-family folders (LlamaForCausalLM, MistralForCausalLM)");
    auto flag = [&](const char* key) { return j.contains(key) && j[key].is_boolean() && j[key].get<bool>(); };
    if (flag("attention_bias") || flag("mlp_bias"))
        throw Error(ErrorKind::Unsupported, file + ": attention or MLP biases are not supported");
    if (j.contains("rope_scaling") && !j["rope_scaling"].is_null())
        throw Error(ErrorKind::Unsupported,
                    file + ": rope_scaling " + j["rope_scaling"].dump() + " is not supported (plain RoPE only)");
    if (j.contains("hidden_act") && j["hidden_act"] != "silu")
        throw Error(ErrorKind::Unsupported, file + ": hidden_act " + j["hidden_act"].dump() + " is not supported (silu only)");

    ModelConfig c;
    c.architecture = Architecture::Llama;
    c.dim = int_key(j, "hidden_size", file);
    c.hidden_dim = int_key(j, "intermediate_size", file);
    c.n_layers = int_key(j, "num_hidden_layers", file);
    c.n_heads = int_key(j, "num_attention_heads", file);
    c.n_kv_heads = int_key(j, "num_key_value_heads", file, c.n_heads);
    c.vocab_size = int_key(j, "vocab_size", file);
    c.max_seq_len = int_key(j, "max_position_embeddings", file, 2048);
    c.norm_eps = static_cast<float>(number_key(j, "rms_norm_eps", 1e-6));
    c.rope_theta = static_cast<float>(number_key(j, "rope_theta", 10000.0));
    c.rope = RopeStyle::RotateHalf;
    if (c.dim % c.n_heads != 0 || c.n_heads % c.n_kv_heads != 0 || c.head_dim() % 2 != 0)
        throw Error(ErrorKind::BadFormat, file + ": hidden_size " + std::to_string(c.dim) + ", " +
                                              std::to_string(c.n_heads) + " heads and " +
                                              std::to_string(c.n_kv_heads) + " KV heads do not fit together");
    if (j.contains("head_dim") && j["head_dim"].is_number_integer() && j["head_dim"].get<int>() != c.head_dim())
        throw Error(ErrorKind::Unsupported, file + ": head_dim " + j["head_dim"].dump() +
                                                " differs from hidden_size / num_attention_heads");
    return c;
}

// The weight files of a folder: the shards an index names, model.safetensors,
// or the folder's only .safetensors file.
std::vector<std::string> weight_files(const std::string& dir) {
    std::error_code ec;
    const fs::path index = fs::path(dir) / "model.safetensors.index.json";
    if (fs::is_regular_file(index, ec)) {
        json j = read_json(index.string());
        if (!j.contains("weight_map") || !j["weight_map"].is_object())
            throw Error(ErrorKind::BadFormat, index.string() + " has no \"weight_map\" object");
        std::set<std::string> names;
        for (auto it = j["weight_map"].begin(); it != j["weight_map"].end(); ++it) {
            if (!it.value().is_string())
                throw Error(ErrorKind::BadFormat, index.string() + ": weight_map[\"" + it.key() + "\"] is not a file name");
            names.insert(it.value().get<std::string>());
        }
        std::vector<std::string> files;
        for (const auto& n : names) {
            const fs::path p = fs::path(dir) / n;
            if (!fs::is_regular_file(p, ec))
                throw Error(ErrorKind::FileNotFound, index.string() + " names shard " + n + ", which is not in " + dir);
            files.push_back(p.string());
        }
        return files;
    }
    const fs::path single = fs::path(dir) / "model.safetensors";
    if (fs::is_regular_file(single, ec)) return {single.string()};
    std::vector<std::string> found;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.is_regular_file() && e.path().extension() == ".safetensors") found.push_back(e.path().string());
    if (found.size() == 1) return found;
    throw Error(ErrorKind::FileNotFound,
                found.empty() ? "no checkpoint found in " + dir + ": config.json but no model.safetensors"
                              : dir + " holds several .safetensors files but no model.safetensors.index.json; "
                                      "pass the one to load");
}

// A Hugging Face Trainer checkpoint folder (checkpoint-N/) keeps its step
// (global_step) and its evaluations so far (log_history[].eval_loss, the
// last one counts) in trainer_state.json. Optional card fields: a file that
// is missing, too large or unreadable adds nothing.
void take_trainer_state(const std::string& dir, ModelCard& card) {
    constexpr uintmax_t kMaxBytes = 16u << 20;
    std::error_code ec;
    const fs::path p = fs::path(dir) / "trainer_state.json";
    if (!fs::is_regular_file(p, ec) || fs::file_size(p, ec) > kMaxBytes) return;
    try {
        const json j = json::parse(read_text_file(p.string()));
        if (!card.training_step && j.contains("global_step") && j["global_step"].is_number_integer())
            card.training_step = j["global_step"].get<int64_t>();
        if (card.validation_loss || !j.contains("log_history") || !j["log_history"].is_array()) return;
        const json& log = j["log_history"];
        for (auto it = log.rbegin(); it != log.rend(); ++it) {
            if (it->is_object() && it->contains("eval_loss") && (*it)["eval_loss"].is_number()) {
                card.validation_loss = (*it)["eval_loss"].get<double>();
                return;
            }
        }
    } catch (const std::exception&) {
        // not JSON, or not the Trainer's: nothing to add
    }
}

CheckpointData read_hf(const std::string& dir, std::vector<std::string> files, const std::string& shown_path,
                       const ReadOptions& options) {
    std::error_code ec;
    const std::string config_path = (fs::path(dir) / "config.json").string();
    if (!fs::is_regular_file(config_path, ec))
        throw Error(ErrorKind::FileNotFound, "no config.json beside " + shown_path +
                                                 ": a safetensors checkpoint needs the config.json of its model");
    CheckpointData d;
    d.config = parse_config(read_json(config_path), config_path);
    if (files.empty()) files = weight_files(dir);

    int64_t bytes = 0;
    std::string tensor_file;  // for messages: the weights file (or the folder when sharded)
    for (const auto& f : files) {
        SafetensorsFile st(f);
        bytes += st.size();
        for (const auto& [name, entry] : st.entries()) {
            const std::string canon = canonical_name(name);
            if (!canon.empty()) d.tensors[canon] = st.tensor(name);
        }
        const auto& meta = st.metadata();
        try {
            if (auto it = meta.find("step"); it != meta.end()) d.card.training_step = std::stoll(it->second);
            if (auto it = meta.find("val_loss"); it != meta.end()) d.card.validation_loss = std::stod(it->second);
        } catch (const std::exception&) {
            // Optional card fields: a value we cannot parse is left out.
        }
    }
    tensor_file = files.size() == 1 ? files[0] : dir;
    d.config.tied_embeddings = d.tensors.count("output.weight") == 0;
    check_canonical_tensors(d.tensors, d.config, tensor_file, hf_name);

    // A sentencepiece tokenizer.model first; else a byte-level BPE
    // tokenizer.json (SmolLM-style); other tokenizer.json kinds get the BPE
    // loader's Error(Unsupported) naming the file.
    attach_tokenizer(d, options, tensor_file, [&] {
        return find_tokenizer(shown_path, dir, {"tokenizer.model", "tokenizer.json"}, d.config.vocab_size,
                              options.tokenizer_path);
    });

    const fs::path gen = fs::path(dir) / "generation_config.json";
    if (fs::is_regular_file(gen, ec)) d.generation_defaults_json = read_text_file(gen.string());

    take_trainer_state(dir, d.card);
    d.card.name = folder_name_of(dir);
    d.card.path = shown_path;
    d.card.format = "Hugging Face safetensors";
    d.card.file_bytes = bytes;
    fill_card_from_config(d.card, d.config);
    return d;
}

}  // namespace

bool is_safetensors(const FileProbe& probe) { return looks_like_safetensors(probe.head, probe.size); }

CheckpointData read_safetensors_file(const FileProbe& probe, const ReadOptions& options) {
    const std::string dir = parent_of(probe.path);
    return read_hf(dir, {probe.path}, probe.path, options);
}

bool is_hf_folder(const std::string& dir) {
    std::error_code ec;
    return fs::is_regular_file(fs::path(dir) / "config.json", ec);
}

CheckpointData read_hf_folder(const std::string& dir, const ReadOptions& options) {
    return read_hf(dir, {}, dir, options);
}

}  // namespace waypoint::detail
