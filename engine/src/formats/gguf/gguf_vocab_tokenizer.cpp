#include "formats/gguf/gguf_vocab_tokenizer.h"

#include <algorithm>
#include <unordered_map>

#include "formats/gguf/gguf_file.h"
#include "tokenizer/bpe_merge.h"
#include "tokenizer/piece_text.h"
#include "tokenizer/tokenizers.h"
#include "waypoint/error.h"

namespace waypoint::detail {
namespace {

constexpr const char* kSpace = "\xE2\x96\x81";  // U+2581, sentencepiece's visible space

// Bytes of the UTF-8 character starting with `c` (1 for invalid lead bytes,
// as llama.cpp's utf8_len).
size_t utf8_len(unsigned char c) {
    if (c < 0x80) return 1;
    if ((c & 0xE0) == 0xC0) return 2;
    if ((c & 0xF0) == 0xE0) return 3;
    if ((c & 0xF8) == 0xF0) return 4;
    return 1;
}

class GgufVocabTokenizer final : public Tokenizer {
public:
    explicit GgufVocabTokenizer(GgufVocab v) : v_(std::move(v)) {
        const size_t n = v_.tokens.size();
        bytes_.resize(n);
        strip_after_bos_.assign(n, false);
        byte_token_.assign(256, -1);
        for (size_t id = 0; id < n; ++id) {
            const std::string& p = v_.tokens[id];
            const GgufTokenType t = v_.types[id];
            if (t == GgufTokenType::Byte) {
                if (const int b = parse_byte_piece(p); b >= 0) {
                    bytes_[id] = std::string(1, static_cast<char>(b));
                    if (byte_token_[b] < 0) byte_token_[b] = static_cast<int>(id);
                }
                continue;
            }
            if (t == GgufTokenType::Control || t == GgufTokenType::Unknown || t == GgufTokenType::Unused) continue;
            bytes_[id] = spm_piece_to_text(p);
            strip_after_bos_[id] = true;
            // Merge targets: normal and user-defined pieces (sentencepiece
            // never produces control, unknown or byte pieces by merging).
            lookup_.emplace(p, static_cast<int>(id));  // first id wins on duplicates
            if (t == GgufTokenType::UserDefined && !p.empty()) user_defined_.push_back(static_cast<int>(id));
        }
        // Longest first, so "<|im_start|>" wins over "<|".
        std::sort(user_defined_.begin(), user_defined_.end(), [this](int a, int b) {
            return v_.tokens[a].size() > v_.tokens[b].size();
        });
    }

    std::vector<int> encode(std::string_view text, bool add_bos) const override {
        std::vector<int> ids;
        if (add_bos && v_.bos >= 0) ids.push_back(v_.bos);
        // User-defined pieces are matched whole in the raw text (llama.cpp's
        // special-token partition); the text between them is BPE-encoded,
        // each run with its dummy prefix when the previous fragment was one.
        bool after_special = true;
        size_t start = 0, i = 0;
        while (i < text.size()) {
            const int u = match_user_defined(text, i);
            if (u < 0) {
                ++i;
                continue;
            }
            encode_run(text.substr(start, i - start), after_special, ids);
            ids.push_back(u);
            after_special = true;
            i += v_.tokens[u].size();
            start = i;
        }
        encode_run(text.substr(start), after_special, ids);
        return ids;
    }

    std::string piece_bytes(int id, int previous) const override {
        if (id < 0 || id >= static_cast<int>(bytes_.size()))
            throw Error(ErrorKind::InvalidArgument, "token id " + std::to_string(id) + " is outside the " +
                                                        v_.description);
        const std::string& p = bytes_[static_cast<size_t>(id)];
        // sentencepiece drops the dummy-prefix space of the first piece after BOS.
        if (previous == v_.bos && v_.bos >= 0 && v_.add_space_prefix && strip_after_bos_[id] && !p.empty() &&
            p[0] == ' ')
            return p.substr(1);
        return p;
    }

    int vocab_size() const override { return static_cast<int>(v_.tokens.size()); }
    int bos() const override { return v_.bos; }
    int eos() const override { return v_.eos; }
    std::string description() const override { return v_.description; }

private:
    int match_user_defined(std::string_view text, size_t at) const {
        for (int id : user_defined_) {
            const std::string& p = v_.tokens[id];
            if (text.compare(at, p.size(), p) == 0) return id;
        }
        return -1;
    }

    // One run of plain text: spaces -> U+2581 (plus the dummy prefix), split
    // into UTF-8 characters, merge by score, then unknown symbols as bytes.
    void encode_run(std::string_view raw, bool prefix, std::vector<int>& ids) const {
        if (raw.empty()) return;
        std::string s;
        s.reserve(raw.size() + 3);
        if (prefix && v_.add_space_prefix) s += kSpace;
        for (char ch : raw) {
            if (ch == ' ') s += kSpace;
            else s += ch;
        }
        std::vector<MergeSymbol> symbols;
        symbols.reserve(s.size());
        for (size_t i = 0; i < s.size();) {
            const size_t len = std::min(utf8_len(static_cast<unsigned char>(s[i])), s.size() - i);
            std::string ch = s.substr(i, len);
            auto it = lookup_.find(ch);
            symbols.push_back({std::move(ch), it == lookup_.end() ? -1 : it->second, true});
            i += len;
        }
        auto best = [this](const MergeSymbol& l, const MergeSymbol& r) -> std::optional<MergeCandidate> {
            auto it = lookup_.find(l.text + r.text);
            if (it == lookup_.end()) return std::nullopt;
            return MergeCandidate{v_.scores[static_cast<size_t>(it->second)], it->second};
        };
        for (const auto& sym : bpe_merge(std::move(symbols), best)) {
            if (sym.id >= 0) {
                ids.push_back(sym.id);
                continue;
            }
            // Byte fallback: each byte as its <0xXX> token, or <unk>.
            for (unsigned char b : sym.text) {
                const int bt = byte_token_[b];
                if (bt >= 0) ids.push_back(bt);
                else if (v_.unk >= 0) ids.push_back(v_.unk);
            }
        }
    }

    GgufVocab v_;
    std::vector<std::string> bytes_;     // what each id decodes to
    std::vector<bool> strip_after_bos_;  // text pieces (not byte or control pieces)
    std::vector<int> byte_token_;        // byte value -> its <0xXX> token
    std::vector<int> user_defined_;      // matched whole in raw text, longest first
    std::unordered_map<std::string, int> lookup_;
};

int id_key(const GgufFile& g, const std::string& key, size_t n) {
    auto v = g.get_int(key);
    if (!v) return -1;
    if (*v < 0 || *v >= static_cast<int64_t>(n))
        throw Error(ErrorKind::BadFormat, g.path() + ": " + key + " " + std::to_string(*v) +
                                              " is outside the vocabulary of " + std::to_string(n) + " tokens");
    return static_cast<int>(*v);
}

}  // namespace

GgufVocab read_gguf_vocab(const GgufFile& g) {
    const std::string model = g.get_string("tokenizer.ggml.model").value_or("");
    if (model.empty())
        throw Error(ErrorKind::FileNotFound,
                    g.path() + " has no embedded tokenizer (tokenizer.ggml.model); pass --tokenizer PATH");
    if (model != "llama")
        throw Error(ErrorKind::Unsupported,
                    g.path() + " embeds a \"" + model + "\" tokenizer; Waypoint reads GGUF's sentencepiece-style "
                               "(\"llama\") and GPT-2 (\"gpt2\") vocabularies; pass --tokenizer PATH");
    const nlohmann::json* tokens = g.find("tokenizer.ggml.tokens");
    const nlohmann::json* scores = g.find("tokenizer.ggml.scores");
    const nlohmann::json* types = g.find("tokenizer.ggml.token_type");
    if (!tokens || !tokens->is_array() || tokens->empty())
        throw Error(ErrorKind::BadFormat, g.path() + ": tokenizer.ggml.tokens is missing or empty");
    const size_t n = tokens->size();
    if (n > (size_t(1) << 24)) throw Error(ErrorKind::BadFormat, g.path() + ": absurd vocabulary size");
    if (scores && (!scores->is_array() || scores->size() != n))
        throw Error(ErrorKind::BadFormat, g.path() + ": tokenizer.ggml.scores does not have one score per token");
    if (types && (!types->is_array() || types->size() != n))
        throw Error(ErrorKind::BadFormat, g.path() + ": tokenizer.ggml.token_type does not have one type per token");
    GgufVocab v;
    v.tokens.reserve(n);
    for (size_t i = 0; i < n; ++i) {
        const auto& t = (*tokens)[i];
        if (!t.is_string()) throw Error(ErrorKind::BadFormat, g.path() + ": tokenizer.ggml.tokens holds a non-string");
        v.tokens.push_back(t.get<std::string>());
        const auto* s = scores ? &(*scores)[i] : nullptr;
        v.scores.push_back(s && s->is_number() ? s->get<float>() : 0.0f);
        const auto* ty = types ? &(*types)[i] : nullptr;
        const int64_t type = ty && ty->is_number_integer() ? ty->get<int64_t>() : 1;
        v.types.push_back(type >= 0 && type <= 6 ? static_cast<GgufTokenType>(type) : GgufTokenType::Normal);
    }
    v.bos = id_key(g, "tokenizer.ggml.bos_token_id", n);
    v.eos = id_key(g, "tokenizer.ggml.eos_token_id", n);
    v.unk = id_key(g, "tokenizer.ggml.unknown_token_id", n);
    v.add_space_prefix = g.get_bool("tokenizer.ggml.add_space_prefix").value_or(true);
    v.description = "GGUF vocabulary (" + file_name_of(g.path()) + ", " + std::to_string(n) + " tokens)";
    return v;
}

std::unique_ptr<Tokenizer> make_gguf_vocab_tokenizer(GgufVocab vocab) {
    return std::make_unique<GgufVocabTokenizer>(std::move(vocab));
}

namespace {

std::vector<std::string> string_array(const GgufFile& g, const std::string& key) {
    const nlohmann::json* a = g.find(key);
    if (!a || !a->is_array()) throw Error(ErrorKind::BadFormat, g.path() + ": " + key + " is missing");
    std::vector<std::string> out;
    out.reserve(a->size());
    for (const auto& v : *a) {
        if (!v.is_string()) throw Error(ErrorKind::BadFormat, g.path() + ": " + key + " holds a non-string");
        out.push_back(v.get<std::string>());
    }
    return out;
}

// GPT-2 byte-level BPE: tokens in byte-level spelling ("Ġthe"), merges
// "left right" in priority order; control tokens (<|endoftext|>) special.
std::unique_ptr<Tokenizer> gguf_gpt2_tokenizer(const GgufFile& g) {
    std::vector<std::string> tokens = string_array(g, "tokenizer.ggml.tokens");
    if (tokens.empty() || tokens.size() > (size_t(1) << 24))
        throw Error(ErrorKind::BadFormat, g.path() + ": tokenizer.ggml.tokens is empty or absurdly long");
    const std::vector<std::string> merges =
        g.find("tokenizer.ggml.merges") ? string_array(g, "tokenizer.ggml.merges") : std::vector<std::string>();
    std::vector<bool> special(tokens.size(), false);
    if (const nlohmann::json* types = g.find("tokenizer.ggml.token_type"); types && types->is_array()) {
        if (types->size() != tokens.size())
            throw Error(ErrorKind::BadFormat, g.path() + ": tokenizer.ggml.token_type does not have one type per token");
        for (size_t i = 0; i < tokens.size(); ++i) {
            const auto& t = (*types)[i];
            special[i] = t.is_number_integer() && t.get<int64_t>() == static_cast<int64_t>(GgufTokenType::Control);
        }
    }
    return make_gpt2_bpe(std::move(tokens), merges, special, "GPT-2 BPE (" + file_name_of(g.path()) + ")");
}

}  // namespace

std::unique_ptr<Tokenizer> load_gguf_tokenizer(const GgufFile& g) {
    if (g.get_string("tokenizer.ggml.model").value_or("") == "gpt2") return gguf_gpt2_tokenizer(g);
    return make_gguf_vocab_tokenizer(read_gguf_vocab(g));
}

std::unique_ptr<Tokenizer> load_gguf_vocab_tokenizer(const std::string& path) {
    GgufFile g(path);
    return load_gguf_tokenizer(g);
}

}  // namespace waypoint::detail
