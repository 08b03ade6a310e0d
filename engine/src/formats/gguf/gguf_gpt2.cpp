// GGUF checkpoints of the gpt2 architecture (llama.cpp's LLM_ARCH_GPT2).
// llama.cpp's converter transposes HF's Conv1D weights, so every matrix is
// already in Linear layout [out, in], as the canonical GPT-2 names want.
// GELU is ggml's tanh approximation. Names:
//   token_embd -> wte, position_embd -> wpe, output_norm -> ln_f,
//   output -> lm_head (absent: tied), blk.N.attn_norm -> h.N.ln_1,
//   attn_qkv -> attn.c_attn, attn_output -> attn.c_proj, ffn_norm -> ln_2,
//   ffn_up -> mlp.c_fc, ffn_down -> mlp.c_proj (each .weight and .bias).
#include "formats/checkpoint_common.h"
#include "formats/gguf/gguf_arch.h"
#include "waypoint/error.h"

namespace waypoint::detail {
namespace {

std::string canonical_name(const std::string& g) {
    static const std::pair<const char*, const char*> kGlobal[] = {
        {"token_embd.weight", "wte.weight"},    {"position_embd.weight", "wpe.weight"},
        {"output_norm.weight", "ln_f.weight"},  {"output_norm.bias", "ln_f.bias"},
        {"output.weight", "lm_head.weight"},
    };
    for (const auto& [from, to] : kGlobal)
        if (g == from) return to;
    if (g.compare(0, 4, "blk.") != 0) return "";
    const size_t dot = g.find('.', 4);
    if (dot == std::string::npos) return "";
    const std::string index = g.substr(4, dot - 4);
    if (index.empty() || index.find_first_not_of("0123456789") != std::string::npos) return "";
    static const std::pair<const char*, const char*> kLayer[] = {
        {"attn_norm", "ln_1"}, {"attn_qkv", "attn.c_attn"}, {"attn_output", "attn.c_proj"},
        {"ffn_norm", "ln_2"},  {"ffn_up", "mlp.c_fc"},      {"ffn_down", "mlp.c_proj"},
    };
    const std::string rest = g.substr(dot + 1);
    for (const auto& [from, to] : kLayer)
        for (const char* kind : {".weight", ".bias"})
            if (rest == std::string(from) + kind) return "h." + index + "." + to + kind;
    return "";
}

// canonical -> GGUF, for messages about tensors that are missing.
std::string gguf_name(const std::string& canon) {
    static const std::pair<const char*, const char*> kGlobal[] = {
        {"wte.weight", "token_embd.weight"},    {"wpe.weight", "position_embd.weight"},
        {"ln_f.weight", "output_norm.weight"},  {"ln_f.bias", "output_norm.bias"},
        {"lm_head.weight", "output.weight"},
    };
    for (const auto& [from, to] : kGlobal)
        if (canon == from) return to;
    static const std::pair<const char*, const char*> kLayer[] = {
        {"ln_1", "attn_norm"}, {"attn.c_attn", "attn_qkv"}, {"attn.c_proj", "attn_output"},
        {"ln_2", "ffn_norm"},  {"mlp.c_fc", "ffn_up"},      {"mlp.c_proj", "ffn_down"},
    };
    const size_t dot = canon.find('.', 2);  // after "h.N"
    if (canon.compare(0, 2, "h.") != 0 || dot == std::string::npos) return canon;
    const std::string rest = canon.substr(dot + 1);
    for (const auto& [from, to] : kLayer)
        for (const char* kind : {".weight", ".bias"})
            if (rest == std::string(from) + kind) return "blk." + canon.substr(2, dot - 2) + "." + to + kind;
    return canon;
}

}  // namespace

std::map<std::string, std::string> read_gguf_gpt2(const GgufFile& g, CheckpointData& d) {
    const std::string& path = g.path();
    const std::string p = "gpt2.";
    ModelConfig& c = d.config;
    c.architecture = Architecture::Gpt2;
    c.dim = gguf_required_int(g, p + "embedding_length");
    c.hidden_dim = gguf_required_int(g, p + "feed_forward_length");
    c.n_layers = gguf_required_int(g, p + "block_count");
    c.n_heads = gguf_required_int(g, p + "attention.head_count");
    c.n_kv_heads = c.n_heads;
    c.max_seq_len = gguf_required_int(g, p + "context_length");
    c.norm_eps = static_cast<float>(g.get_number(p + "attention.layer_norm_epsilon").value_or(1e-5));
    c.activation = Activation::GeluTanh;
    c.bias = true;
    c.learned_positions = true;
    if (c.dim % c.n_heads != 0)
        throw Error(ErrorKind::BadFormat, path + ": embedding_length " + std::to_string(c.dim) +
                                              " is not a multiple of " + std::to_string(c.n_heads) + " heads");

    auto source = take_gguf_tensors(g, d, canonical_name);
    const auto emb = d.tensors.find("wte.weight");
    if (emb == d.tensors.end() || emb->second.dim() != 2)
        throw Error(ErrorKind::BadFormat, path + ": tensor 'token_embd.weight' is missing or not a matrix");
    c.vocab_size = static_cast<int>(emb->second.size(0));
    c.tied_embeddings = d.tensors.count("lm_head.weight") == 0;
    check_canonical_tensors(d.tensors, d.config, path, [&](const std::string& canon) {
        auto it = source.find(canon);
        return it != source.end() ? it->second : gguf_name(canon);
    });
    return source;
}

}  // namespace waypoint::detail
