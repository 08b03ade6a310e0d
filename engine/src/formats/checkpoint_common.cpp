#include "formats/checkpoint_common.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "waypoint/error.h"

namespace fs = std::filesystem;

namespace waypoint::detail {
namespace {

std::string shape_text(at::IntArrayRef shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

using ShapeList = std::vector<std::pair<std::string, std::vector<int64_t>>>;

void check_shapes(const CheckpointData& data, const ShapeList& want, const std::string& file,
                  const std::function<std::string(const std::string&)>& source_name) {
    for (const auto& [name, shape] : want) {
        const std::string shown = source_name ? source_name(name) : name;
        auto it = data.tensors.find(name);
        if (it == data.tensors.end())
            throw Error(ErrorKind::BadFormat, file + ": tensor '" + shown + "' is missing (expected shape " +
                                                  shape_text(shape) + ")");
        const at::Tensor& t = it->second;
        if (t.sizes() != at::IntArrayRef(shape))
            throw Error(ErrorKind::BadFormat, file + ": tensor '" + shown + "' has shape " +
                                                  shape_text(t.sizes()) + ", expected " + shape_text(shape));
        if (!at::isFloatingType(t.scalar_type()))
            throw Error(ErrorKind::BadFormat, file + ": tensor '" + shown + "' is not a float tensor");
    }
}

}  // namespace

void check_gpt2_canonical_tensors(const CheckpointData& data, const std::string& file,
                                  const std::function<std::string(const std::string&)>& source_name) {
    const ModelConfig& c = data.config;
    const int64_t D = c.dim, F = c.hidden_dim, V = c.vocab_size, T = c.max_seq_len;
    ShapeList want = {{"wte.weight", {V, D}}, {"ln_f.weight", {D}}};
    if (c.learned_positions) want.push_back({"wpe.weight", {T, D}});
    if (c.bias) want.push_back({"ln_f.bias", {D}});
    if (!c.tied_embeddings) want.push_back({"lm_head.weight", {V, D}});
    for (int i = 0; i < c.n_layers; ++i) {
        const std::string p = "h." + std::to_string(i) + ".";
        want.push_back({p + "ln_1.weight", {D}});
        want.push_back({p + "attn.c_attn.weight", {3 * D, D}});
        want.push_back({p + "attn.c_proj.weight", {D, D}});
        want.push_back({p + "ln_2.weight", {D}});
        want.push_back({p + "mlp.c_fc.weight", {F, D}});
        want.push_back({p + "mlp.c_proj.weight", {D, F}});
        if (c.bias) {
            want.push_back({p + "ln_1.bias", {D}});
            want.push_back({p + "attn.c_attn.bias", {3 * D}});
            want.push_back({p + "attn.c_proj.bias", {D}});
            want.push_back({p + "ln_2.bias", {D}});
            want.push_back({p + "mlp.c_fc.bias", {F}});
            want.push_back({p + "mlp.c_proj.bias", {D}});
        }
    }
    check_shapes(data, want, file, source_name);
}

void check_llama_tensors(const CheckpointData& data, const std::string& file,
                         const std::function<std::string(const std::string&)>& source_name) {
    const ModelConfig& c = data.config;
    const int64_t D = c.dim, F = c.hidden_dim, V = c.vocab_size;
    const int64_t hd = c.head_dim(), H = c.n_heads, KV = c.n_kv_heads;
    std::vector<std::pair<std::string, std::vector<int64_t>>> want = {
        {"tok_embeddings.weight", {V, D}}, {"norm.weight", {D}}};
    if (!c.tied_embeddings) want.push_back({"output.weight", {V, D}});
    for (int i = 0; i < c.n_layers; ++i) {
        const std::string p = "layers." + std::to_string(i) + ".";
        want.push_back({p + "attention_norm.weight", {D}});
        want.push_back({p + "attention.wq.weight", {H * hd, D}});
        want.push_back({p + "attention.wk.weight", {KV * hd, D}});
        want.push_back({p + "attention.wv.weight", {KV * hd, D}});
        want.push_back({p + "attention.wo.weight", {D, H * hd}});
        want.push_back({p + "ffn_norm.weight", {D}});
        want.push_back({p + "feed_forward.w1.weight", {F, D}});
        want.push_back({p + "feed_forward.w2.weight", {D, F}});
        want.push_back({p + "feed_forward.w3.weight", {F, D}});
    }
    check_shapes(data, want, file, source_name);
}

void fill_card_from_config(ModelCard& card, const ModelConfig& c) {
    card.architecture = c.architecture == Architecture::Llama ? "llama" : "gpt2";
    card.layers = c.n_layers;
    card.heads = c.n_heads;
    card.kv_heads = c.n_kv_heads;
    card.width = c.dim;
    card.hidden = c.hidden_dim;
    card.vocabulary = c.vocab_size;
    card.context = c.max_seq_len;
    card.tied_embeddings = c.tied_embeddings;
}

void check_tokenizer_fits(const Tokenizer& tokenizer, int vocab_size, const std::string& file) {
    if (tokenizer.vocab_size() > vocab_size)
        throw Error(ErrorKind::BadFormat,
                    "the tokenizer " + tokenizer.description() + " has " +
                        std::to_string(tokenizer.vocab_size()) + " tokens but " + file + " has only " +
                        std::to_string(vocab_size) +
                        " embedding rows: it belongs to another model; pass the right one with --tokenizer PATH");
}

std::string folder_name_of(const std::string& path) {
    std::error_code ec;
    fs::path p = fs::weakly_canonical(fs::path(path), ec);  // "dir/", "." -> a real name
    if (ec || p.empty()) p = fs::path(path);
    if (!p.has_filename()) p = p.parent_path();
    return p.filename().string();
}

std::string stem_of(const std::string& path) {
    fs::path p(path);
    if (!p.has_filename()) p = p.parent_path();
    return p.stem().string();
}

std::string parent_of(const std::string& path) {
    fs::path p = fs::path(path).parent_path();
    return p.empty() ? std::string(".") : p.string();
}

std::string hex_head(const std::string& bytes, size_t n) {
    std::string s;
    char buf[4];
    for (size_t i = 0; i < bytes.size() && i < n; ++i) {
        std::snprintf(buf, sizeof buf, "%02x", static_cast<unsigned char>(bytes[i]));
        s += (i ? " " : "") + std::string(buf);
    }
    return s;
}

std::string read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorKind::FileNotFound, "cannot open " + path);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace waypoint::detail
