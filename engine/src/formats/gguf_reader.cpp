// GGUF checkpoints of the llama architecture (llama.cpp's LLM_ARCH_LLAMA,
// which also covers Mistral and TinyLlama). llama.cpp's converters store q/k
// rows in Meta's interleaved-pair layout (convert_hf_to_gguf.py permutes HF's
// rotate-half rows back; llama.cpp then applies its "normal" RoPE to pairs),
// so config.rope = Interleaved. Names:
//   token_embd -> tok_embeddings, output_norm -> norm, output -> output,
//   blk.N.attn_norm / attn_q / attn_k / attn_v / attn_output / ffn_norm /
//   ffn_gate (w1) / ffn_down (w2) / ffn_up (w3).
#include <map>

#include "formats/checkpoint_common.h"
#include "formats/gguf_file.h"
#include "formats/readers.h"
#include "formats/gguf_vocab_tokenizer.h"
#include "formats/tokenizer_finder.h"
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

int required_int(const GgufFile& g, const std::string& key) {
    const nlohmann::json* v = g.find(key);
    if (!v) throw Error(ErrorKind::BadFormat, g.path() + " has no " + key + "; it is needed to build the model");
    if (v->is_array())
        throw Error(ErrorKind::Unsupported, g.path() + ": " + key + " varies per layer, which Waypoint does not support");
    auto x = g.get_int(key);
    if (!x || *x <= 0 || *x > (int64_t(1) << 30))
        throw Error(ErrorKind::BadFormat, g.path() + ": " + key + " is " + v->dump() + ", expected a positive integer");
    return static_cast<int>(*x);
}

}  // namespace

bool is_gguf(const FileProbe& probe) { return probe.head.size() >= 4 && probe.head.compare(0, 4, "GGUF") == 0; }

CheckpointData read_gguf(const FileProbe& probe, const std::string& tokenizer_path) {
    GgufFile g(probe.path);
    const std::string& path = g.path();
    const std::string arch = g.get_string("general.architecture").value_or("");
    if (arch != "llama")
        throw Error(ErrorKind::Unsupported,
                    path + " holds a GGUF model of architecture \"" + arch +
                        "\"; Waypoint reads the llama architecture (Llama, Mistral, TinyLlama) from GGUF so far");
    if (g.tensors().empty())
        throw Error(ErrorKind::BadFormat, path + " holds no tensors (a vocabulary-only GGUF?); it can serve "
                                                 "as --tokenizer, not as a checkpoint");
    const std::string p = arch + ".";
    if (auto s = g.get_string(p + "rope.scaling.type"); s && *s != "none")
        throw Error(ErrorKind::Unsupported, path + ": RoPE scaling \"" + *s + "\" is not supported (plain RoPE only)");

    CheckpointData d;
    ModelConfig& c = d.config;
    c.architecture = Architecture::Llama;
    c.dim = required_int(g, p + "embedding_length");
    c.hidden_dim = required_int(g, p + "feed_forward_length");
    c.n_layers = required_int(g, p + "block_count");
    c.n_heads = required_int(g, p + "attention.head_count");
    c.n_kv_heads = g.find(p + "attention.head_count_kv") ? required_int(g, p + "attention.head_count_kv") : c.n_heads;
    c.max_seq_len = required_int(g, p + "context_length");
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

    std::map<std::string, std::string> source;  // canonical -> GGUF name, for messages
    std::map<std::string, int> type_count;
    for (const auto& t : g.tensors()) {
        const std::string canon = canonical_name(t.name);
        if (canon.empty()) continue;
        d.tensors[canon] = g.tensor(t);
        source[canon] = t.name;
        ++type_count[ggml_type_name(t.type)];
    }
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
    check_llama_tensors(d, path, [&](const std::string& canon) {
        if (auto it = source.find(canon); it != source.end()) return it->second;
        if (auto it = kToGguf.find(canon); it != kToGguf.end()) return it->second;
        return canon;  // a missing layer tensor: the canonical name says which
    });

    if (!tokenizer_path.empty()) {
        d.tokenizer = load_tokenizer_file(tokenizer_path, c.vocab_size);
    } else {
        d.tokenizer = make_gguf_vocab_tokenizer(read_gguf_vocab(g));
    }
    check_tokenizer_fits(*d.tokenizer, c.vocab_size, path);

    std::string types;
    for (const auto& [name, n] : type_count) types += (types.empty() ? "" : "/") + name;
    d.card.name = stem_of(path);
    d.card.path = path;
    d.card.format = "GGUF v" + std::to_string(g.version()) + " (" + types + ")";
    d.card.file_bytes = g.size();
    d.card.tokenizer = d.tokenizer->description();
    fill_card_from_config(d.card, c);
    return d;
}

}  // namespace waypoint::detail
