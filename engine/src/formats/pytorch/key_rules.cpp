#include "formats/pytorch/key_rules.h"

#include <regex>

#include "waypoint/error.h"

namespace waypoint::detail::pt {
namespace {

enum class Family { Llama, LlamaHF, Gpt2, Head, Ignore };

struct Rule {
    Family family;
    std::regex pattern;  // whole-name match
    std::string canonical;  // std::regex format string ($1 ...)
};

// Optional outer prefixes and the names of the list of blocks, in one place.
#define GPT_PREFIX "(?:transformer\\.|model\\.|gpt\\.)?"
#define GPT_BLOCK GPT_PREFIX "(?:h|blocks|layers|layer)\\.(\\d+)\\."
#define HF_LAYER "(?:model\\.)?layers\\.(\\d+)\\."

const std::vector<Rule>& rules() {
    static const std::vector<Rule> r = [] {
        std::vector<std::pair<Family, std::pair<const char*, const char*>>> t = {
            // llama2.c / Meta names: already canonical.
            {Family::Llama, {"tok_embeddings\\.weight", "tok_embeddings.weight"}},
            {Family::Llama, {"norm\\.weight", "norm.weight"}},
            {Family::Llama, {"layers\\.(\\d+)\\.attention\\.(wq|wk|wv|wo)\\.weight", "layers.$1.attention.$2.weight"}},
            {Family::Llama, {"layers\\.(\\d+)\\.feed_forward\\.(w1|w2|w3)\\.weight", "layers.$1.feed_forward.$2.weight"}},
            {Family::Llama, {"layers\\.(\\d+)\\.(attention_norm|ffn_norm)\\.weight", "layers.$1.$2.weight"}},
            // Hugging Face Llama names (rotate-half RoPE).
            {Family::LlamaHF, {"(?:model\\.)?embed_tokens\\.weight", "tok_embeddings.weight"}},
            {Family::LlamaHF, {"model\\.norm\\.weight", "norm.weight"}},
            {Family::LlamaHF, {HF_LAYER "self_attn\\.q_proj\\.weight", "layers.$1.attention.wq.weight"}},
            {Family::LlamaHF, {HF_LAYER "self_attn\\.k_proj\\.weight", "layers.$1.attention.wk.weight"}},
            {Family::LlamaHF, {HF_LAYER "self_attn\\.v_proj\\.weight", "layers.$1.attention.wv.weight"}},
            {Family::LlamaHF, {HF_LAYER "self_attn\\.o_proj\\.weight", "layers.$1.attention.wo.weight"}},
            {Family::LlamaHF, {HF_LAYER "mlp\\.gate_proj\\.weight", "layers.$1.feed_forward.w1.weight"}},
            {Family::LlamaHF, {HF_LAYER "mlp\\.down_proj\\.weight", "layers.$1.feed_forward.w2.weight"}},
            {Family::LlamaHF, {HF_LAYER "mlp\\.up_proj\\.weight", "layers.$1.feed_forward.w3.weight"}},
            {Family::LlamaHF, {HF_LAYER "input_layernorm\\.weight", "layers.$1.attention_norm.weight"}},
            {Family::LlamaHF, {HF_LAYER "post_attention_layernorm\\.weight", "layers.$1.ffn_norm.weight"}},
            // GPT-2 family: HF GPT2LMHeadModel, nanoGPT, minGPT-style scripts.
            {Family::Gpt2, {GPT_PREFIX "(?:wte|tok_emb|tok_embedding|token_embedding|token_emb|embed)\\.weight", "wte.weight"}},
            {Family::Gpt2, {GPT_PREFIX "(?:wpe|pos_emb|pos_embedding|position_embedding|position_embeddings)\\.weight", "wpe.weight"}},
            {Family::Gpt2, {GPT_PREFIX "(?:ln_f|ln_final|final_norm|norm_f)\\.(weight|bias)", "ln_f.$1"}},
            {Family::Gpt2, {GPT_BLOCK "(?:ln_1|ln1|norm1)\\.(weight|bias)", "h.$1.ln_1.$2"}},
            {Family::Gpt2, {GPT_BLOCK "(?:ln_2|ln2|norm2)\\.(weight|bias)", "h.$1.ln_2.$2"}},
            {Family::Gpt2, {GPT_BLOCK "(?:attn|attention|sa)\\.c_attn\\.(weight|bias)", "h.$1.attn.c_attn.$2"}},
            {Family::Gpt2, {GPT_BLOCK "(?:attn|attention|sa)\\.(?:c_proj|proj|out_proj)\\.(weight|bias)", "h.$1.attn.c_proj.$2"}},
            {Family::Gpt2, {GPT_BLOCK "(?:mlp|ffwd|ff)\\.(?:c_fc|fc|fc1)\\.(weight|bias)", "h.$1.mlp.c_fc.$2"}},
            {Family::Gpt2, {GPT_BLOCK "(?:mlp|ffwd|ff)\\.(?:c_proj|proj|fc2)\\.(weight|bias)", "h.$1.mlp.c_proj.$2"}},
            // The classifier, whatever the family calls it.
            {Family::Head, {"(?:lm_head|head|output)\\.weight", "@head"}},
            // Buffers that are not weights: causal masks (nanoGPT's attn.bias
            // is a [1,1,T,T] mask; real biases sit under c_attn/c_proj), RoPE tables.
            {Family::Ignore, {GPT_BLOCK "(?:attn|attention|sa)\\.(?:bias|masked_bias|mask|tril)", ""}},
            {Family::Ignore, {".*rotary_emb\\.inv_freq|freqs_cis|freqs_cos|freqs_sin|.*\\.rope\\..*", ""}},
        };
        std::vector<Rule> out;
        for (auto& [family, pc] : t) out.push_back({family, std::regex(pc.first, std::regex::ECMAScript), pc.second});
        return out;
    }();
    return r;
}

bool in_family(Family rule, Architecture arch) {
    if (rule == Family::Head || rule == Family::Ignore) return true;
    return arch == Architecture::Gpt2 ? rule == Family::Gpt2 : rule != Family::Gpt2;
}

}  // namespace

std::string strip_wrapper_prefixes(std::string name) {
    for (bool again = true; again;) {
        again = false;
        for (const char* p : {"_orig_mod.", "module."}) {
            const size_t n = std::char_traits<char>::length(p);
            if (name.compare(0, n, p) == 0) {
                name.erase(0, n);
                again = true;
            }
        }
    }
    return name;
}

MappedTensors map_tensor_names(const std::vector<std::pair<std::string, at::Tensor>>& state_dict,
                               const std::string& label) {
    MappedTensors out;
    // The family: any fused c_attn means GPT-2; any Llama projection means Llama.
    bool gpt2 = false, llama = false, hf_llama = false;
    for (const auto& [raw, t] : state_dict) {
        const std::string name = strip_wrapper_prefixes(raw);
        for (const Rule& r : rules()) {
            if (r.family == Family::Head || r.family == Family::Ignore) continue;
            if (!std::regex_match(name, r.pattern)) continue;
            if (r.family == Family::Gpt2 && name.find("c_attn") != std::string::npos) gpt2 = true;
            if (r.family == Family::Llama && name.find("attention.w") != std::string::npos) llama = true;
            if (r.family == Family::LlamaHF && name.find("self_attn.") != std::string::npos) hf_llama = true;
        }
    }
    for (const auto& [raw, t] : state_dict) {
        if (raw.find("attn.c_q.") != std::string::npos)  // a hint, not a reader: nanochat's GPT
            throw Error(ErrorKind::Unsupported,
                        label + " looks like nanochat's own GPT (separate c_q/c_k/c_v projections, QK-norm, "
                                "relu-squared MLP, logit soft-capping), which Waypoint does not run yet; Llama- and "
                                "GPT-2-style models in nanochat step folders do load");
    }
    if (gpt2 == (llama || hf_llama)) {
        std::string sample;
        for (size_t i = 0; i < state_dict.size() && i < 4; ++i) sample += (i ? ", " : "") + state_dict[i].first;
        throw Error(ErrorKind::Unsupported,
                    label + (gpt2 ? " mixes GPT-2 and Llama tensor names" : " holds no attention weights Waypoint recognizes") +
                        " (first tensors: " + (sample.empty() ? "none" : sample) +
                        "); known layouts: llama2.c (layers.N.attention.wq), Hugging Face Llama "
                        "(model.layers.N.self_attn.q_proj), GPT-2/nanoGPT (transformer.h.N.attn.c_attn)");
    }
    out.architecture = gpt2 ? Architecture::Gpt2 : Architecture::Llama;
    out.rope = hf_llama ? RopeStyle::RotateHalf : RopeStyle::Interleaved;
    const std::string head = gpt2 ? "lm_head.weight" : "output.weight";

    std::vector<std::string> unknown;
    for (const auto& [raw, t] : state_dict) {
        const std::string name = strip_wrapper_prefixes(raw);
        const Rule* hit = nullptr;
        for (const Rule& r : rules()) {
            if (in_family(r.family, out.architecture) && std::regex_match(name, r.pattern)) {
                hit = &r;
                break;
            }
        }
        if (!hit) {
            unknown.push_back(raw);
            continue;
        }
        if (hit->family == Family::Ignore) continue;
        std::string canonical =
            hit->canonical == "@head" ? head : std::regex_replace(name, hit->pattern, hit->canonical);
        if (out.tensors.count(canonical))
            throw Error(ErrorKind::BadFormat, label + ": tensors '" + out.source[canonical] + "' and '" + raw +
                                                  "' both look like " + canonical + "; rename one of them");
        out.tensors.emplace(canonical, t);
        out.source.emplace(canonical, raw);
    }
    if (!unknown.empty()) {
        std::string list;
        for (size_t i = 0; i < unknown.size() && i < 5; ++i) list += (i ? ", " : "") + unknown[i];
        if (unknown.size() > 5) list += " and " + std::to_string(unknown.size() - 5) + " more";
        throw Error(ErrorKind::Unsupported,
                    label + " holds tensors Waypoint cannot place in a " +
                        (gpt2 ? "GPT-2" : "Llama") + " model: " + list +
                        " (the architecture may have parts Waypoint does not run)");
    }
    return out;
}

}  // namespace waypoint::detail::pt
