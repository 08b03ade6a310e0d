// GGUF checkpoints of the llama architecture (llama.cpp's LLM_ARCH_LLAMA,
// which also covers Mistral and TinyLlama). llama.cpp's converters store q/k
// rows in Meta's interleaved-pair layout (convert_hf_to_gguf.py permutes HF's
// rotate-half rows back; llama.cpp then applies its "normal" RoPE to pairs),
// so config.rope = Interleaved. Names:
//   token_embd -> tok_embeddings, output_norm -> norm, output -> output,
//   blk.N.attn_norm / attn_q / attn_k / attn_v / attn_output / ffn_norm /
//   ffn_gate (w1) / ffn_down (w2) / ffn_up (w3).
#include "formats/checkpoint_common.h"
#include "formats/gguf/gguf_arch.h"
#include "waypoint/error.h"

namespace waypoint::detail {
namespace {

// GGUF name -> canonical name ("" for tensors we do not use, e.g.
// rope_freqs).
std::string canonical_name(const std::string& g) {
    if (g == "token_embd.weight") return "tok_embeddings.weight";
    if (g == "output_norm.weight") return "norm.weight";
    if (g == "output.weight") return "output.weight";
    if (g.compare(0, 4, "blk.") != 0) return "";
    const size_t dot = g.find('.', 4);
    if (dot == std::string::npos) return "";
    const std::string index = g.substr(4, dot - 4);
    if (index.empty() || index.find_first_not_of("0123456789") != std::string::npos) return "";
    static const std::pair<const char*, const char*> kMap[] = {
        {"attn_norm.weight", "attention_norm.weight"},  {"attn_q.weight", "attention.wq.weight"},
        {"attn_k.weight", "attention.wk.weight"},       {"attn_v.weight", "attention.wv.weight"},
        {"attn_output.weight", "attention.wo.weight"},  {"ffn_norm.weight", "ffn_norm.weight"},
        {"ffn_gate.weight", "feed_forward.w1.weight"},  {"ffn_down.weight", "feed_forward.w2.weight"},
        {"ffn_up.weight", "feed_forward.w3.weight"},
    };
    const std::string rest = g.substr(dot + 1);
    for (const auto& [from, to] : kMap)
        if (rest == from) return "layers." + index + "." + to;
    return "";
}

}  // namespace

std::map<std::string, std::string> read_gguf_llama(const GgufFile& g, CheckpointData& d) {
    const std::string& path = g.path();
    const std::string p = "llama.";
    if (auto s = g.get_string(p + "rope.scaling.type"); s && *s != "none")
        throw Error(ErrorKind::Unsupported, path + ": RoPE scaling \"" + *s + "\" is not supported (plain RoPE only)");
    ModelConfig& c = d.config;
    c.architecture = Architecture::Llama;
    c.dim = gguf_required_int(g, p + "embedding_length");
    c.hidden_dim = gguf_required_int(g, p + "feed_forward_length");
    c.n_layers = gguf_required_int(g, p + "block_count");
    c.n_heads = gguf_required_int(g, p + "attention.head_count");
    c.n_kv_heads = g.find(p + "attention.head_count_kv") ? gguf_required_int(g, p + "attention.head_count_kv") : c.n_heads;
    c.max_seq_len = gguf_required_int(g, p + "context_length");
    c.norm_eps = static_cast<float>(g.get_number(p + "attention.layer_norm_rms_epsilon").value_or(1e-5));
    c.rope_theta = static_cast<float>(g.get_number(p + "rope.freq_base").value_or(10000.0));
    c.rope = RopeStyle::Interleaved;
    if (c.dim % c.n_heads != 0 || c.n_heads % c.n_kv_heads != 0 || c.head_dim() % 2 != 0)
        throw Error(ErrorKind::BadFormat, path + ": embedding_length " + std::to_string(c.dim) + ", " +
                                              std::to_string(c.n_heads) + " heads and " +
                                              std::to_string(c.n_kv_heads) + " KV heads do not fit together");
    if (auto rd = g.get_int(p + "rope.dimension_count"); rd && *rd != c.head_dim())
        throw Error(ErrorKind::Unsupported, path + ": RoPE over " + std::to_string(*rd) + " of " +
                                                std::to_string(c.head_dim()) +
                                                " head dimensions (partial rotary) is not supported");

    auto source = take_gguf_tensors(g, d, canonical_name);
    const auto emb = d.tensors.find("tok_embeddings.weight");
    if (emb == d.tensors.end() || emb->second.dim() != 2)
        throw Error(ErrorKind::BadFormat, path + ": tensor 'token_embd.weight' is missing or not a matrix");
    c.vocab_size = static_cast<int>(emb->second.size(0));
    if (auto v = g.get_int(p + "vocab_size"); v && *v != c.vocab_size)
        throw Error(ErrorKind::BadFormat, path + ": " + p + "vocab_size is " + std::to_string(*v) +
                                              " but token_embd.weight has " + std::to_string(c.vocab_size) + " rows");
    c.tied_embeddings = d.tensors.count("output.weight") == 0;
    static const std::map<std::string, std::string> kToGguf = {
        {"tok_embeddings.weight", "token_embd.weight"}, {"norm.weight", "output_norm.weight"},
        {"output.weight", "output.weight"}};
    check_canonical_tensors(d.tensors, d.config, path, [&](const std::string& canon) {
        if (auto it = source.find(canon); it != source.end()) return it->second;
        if (auto it = kToGguf.find(canon); it != kToGguf.end()) return it->second;
        return canon;  // a missing layer tensor: the canonical name says which
    });
    return source;
}

}  // namespace waypoint::detail
