// GPT-2's byte-level BPE: pre-tokenize (gpt2_pretokenizer.h), map each byte
// of a word to a printable stand-in character (bytes_to_unicode: "Ġ" is the
// space), merge adjacent pairs by rank (merges.txt order), look the results
// up in the vocabulary. Decoding maps the stand-ins back to bytes.
#include <sys/stat.h>

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "bpe_merge.h"
#include "gpt2_pretokenizer.h"
#include "piece_text.h"
#include "tokenizers.h"
#include "utf8.h"
#include "json_nesting.h"
#include "waypoint/error.h"

namespace waypoint::detail {
namespace {

// GPT-2's bytes_to_unicode(): printable Latin-1 bytes stand for themselves,
// the other 68 bytes map to U+0100.. in byte order.
struct ByteMap {
    std::string to_char[256];                        // byte -> UTF-8 of its stand-in
    std::unordered_map<std::string, unsigned char> to_byte;
    ByteMap() {
        int extra = 0;
        for (int b = 0; b < 256; ++b) {
            const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
            const char32_t cp = printable ? static_cast<char32_t>(b) : 256 + extra++;
            utf8_append(to_char[b], cp);
            to_byte.emplace(to_char[b], static_cast<unsigned char>(b));
        }
    }
};

const ByteMap& byte_map() {
    static const ByteMap map;
    return map;
}

class Gpt2BpeTokenizer final : public Tokenizer {
public:
    Gpt2BpeTokenizer(std::vector<std::string> tokens, const std::vector<std::string>& merges,
                     const std::vector<bool>& special, std::string description)
        : tokens_(std::move(tokens)), description_(std::move(description)) {
        const ByteMap& bm = byte_map();
        bytes_.resize(tokens_.size());
        for (size_t id = 0; id < tokens_.size(); ++id) {
            const std::string& t = tokens_[id];
            if (id < special.size() && special[id]) {
                if (t == "<|endoftext|>") eos_ = static_cast<int>(id);
                continue;  // control: decodes to ""
            }
            if (t.empty()) continue;  // a hole in the id space
            vocab_.emplace(t, static_cast<int>(id));
            // Stand-in characters back to bytes; a character outside the map
            // (a hand-added token) keeps its own UTF-8.
            for (size_t i = 0; i < t.size();) {
                const size_t n = std::min(utf8_sequence_length(static_cast<unsigned char>(t[i])), t.size() - i);
                auto it = bm.to_byte.find(t.substr(i, n));
                if (it != bm.to_byte.end()) bytes_[id].push_back(static_cast<char>(it->second));
                else bytes_[id].append(t, i, n);
                i += n;
            }
        }
        if (eos_ < 0)
            if (auto it = vocab_.find("<|endoftext|>"); it != vocab_.end()) {
                eos_ = it->second;
                bytes_[static_cast<size_t>(eos_)].clear();
            }
        for (int b = 0; b < 256; ++b) {
            auto it = vocab_.find(bm.to_char[b]);
            byte_token_[b] = it == vocab_.end() ? -1 : it->second;
        }
        for (size_t rank = 0; rank < merges.size(); ++rank)
            ranks_.emplace(merges[rank], static_cast<int>(rank));  // key "left right"; first wins
    }

    std::vector<int> encode(std::string_view text, bool add_bos) const override {
        // GPT-2 has no BOS (<|endoftext|> only separates documents), so
        // add_bos adds nothing; bos() is -1.
        std::vector<int> ids;
        const ByteMap& bm = byte_map();
        for (std::string_view word : pre_.split(text)) {
            std::vector<MergeSymbol> symbols;
            symbols.reserve(word.size());
            for (unsigned char c : word) symbols.push_back({bm.to_char[c], -1, true});
            auto best = [this](const MergeSymbol& l, const MergeSymbol& r) -> std::optional<MergeCandidate> {
                auto it = ranks_.find(l.text + " " + r.text);
                if (it == ranks_.end()) return std::nullopt;
                return MergeCandidate{-static_cast<double>(it->second), -1};
            };
            for (const auto& s : bpe_merge(std::move(symbols), best)) {
                if (auto it = vocab_.find(s.text); it != vocab_.end()) {
                    ids.push_back(it->second);
                    continue;
                }
                // A merge whose result is not in the vocabulary (inconsistent
                // files): fall back to the single bytes.
                for (size_t i = 0; i < s.text.size();) {
                    const size_t n = utf8_sequence_length(static_cast<unsigned char>(s.text[i]));
                    auto b = bm.to_byte.find(s.text.substr(i, n));
                    const int id = b == bm.to_byte.end() ? -1 : byte_token_[b->second];
                    if (id < 0)
                        throw Error(ErrorKind::BadFormat, description_ + " cannot encode \"" +
                                                              std::string(word) +
                                                              "\": a byte is missing from its vocabulary");
                    ids.push_back(id);
                    i += n;
                }
            }
        }
        return ids;
    }

    std::string piece_bytes(int id, int /*previous*/) const override {
        if (id < 0 || id >= static_cast<int>(bytes_.size()))
            throw Error(ErrorKind::InvalidArgument,
                        "token id " + std::to_string(id) + " is outside the vocabulary of " +
                            description_ + " (" + std::to_string(bytes_.size()) + " tokens)");
        return bytes_[static_cast<size_t>(id)];
    }

    int vocab_size() const override { return static_cast<int>(tokens_.size()); }
    int bos() const override { return -1; }
    int eos() const override { return eos_; }
    std::string description() const override { return description_; }

private:
    std::vector<std::string> tokens_;               // as spelled in the vocabulary
    std::vector<std::string> bytes_;                // what each id decodes to
    std::unordered_map<std::string, int> vocab_;    // spelling -> id (non-special)
    std::unordered_map<std::string, int> ranks_;    // "left right" -> merge rank
    int byte_token_[256];
    int eos_ = -1;
    std::string description_;
    Gpt2PreTokenizer pre_;
};

std::string read_text(const std::string& path, const char* what) {
    struct stat st {};
    std::ifstream in(path, std::ios::binary);
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || !in)
        throw Error(ErrorKind::FileNotFound, std::string(what) + " " + path + " not found");
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// vocab.json's {"token": id} into a dense id -> token table.
std::vector<std::string> dense_vocab(const nlohmann::json& vocab, const std::string& path) {
    if (!vocab.is_object() || vocab.empty())
        throw Error(ErrorKind::BadFormat, path + " has no {\"token\": id} vocabulary object");
    if (vocab.size() > (1u << 24)) throw Error(ErrorKind::BadFormat, path + " has an absurd vocabulary size");
    // Ids are dense in every real vocabulary (0..N-1, a few holes at most):
    // one entry with id 16777215 must not make us allocate 16M strings.
    const size_t max_id = 2 * vocab.size() + 1024;
    std::vector<std::string> tokens;
    for (const auto& [token, id] : vocab.items()) {
        if (!id.is_number_integer() || id.get<long long>() < 0 || id.get<long long>() >= (1 << 24))
            throw Error(ErrorKind::BadFormat, path + ": token \"" + token + "\" has no valid id");
        const auto i = static_cast<size_t>(id.get<long long>());
        if (i >= max_id)
            throw Error(ErrorKind::BadFormat, path + ": token \"" + token + "\" has id " + std::to_string(i) +
                                                  ", far beyond the " + std::to_string(vocab.size()) +
                                                  " tokens of the vocabulary");
        if (i >= tokens.size()) tokens.resize(i + 1);
        tokens[i] = token;
    }
    return tokens;
}

}  // namespace

std::unique_ptr<Tokenizer> make_gpt2_bpe(std::vector<std::string> tokens,
                                         const std::vector<std::string>& merges,
                                         const std::vector<bool>& special, std::string description) {
    if (tokens.empty()) throw Error(ErrorKind::BadFormat, description + ": the vocabulary is empty");
    return std::make_unique<Gpt2BpeTokenizer>(std::move(tokens), merges, special, std::move(description));
}

std::unique_ptr<Tokenizer> load_gpt2_bpe(const std::string& vocab_json_path,
                                         const std::string& merges_path) try {
    const std::string vocab_text = read_text(vocab_json_path, "GPT-2 vocabulary");
    const std::string merges_text = read_text(merges_path, "GPT-2 merges file");
    check_json_nesting(vocab_text, vocab_json_path);
    const auto vocab = nlohmann::json::parse(vocab_text, nullptr, /*allow_exceptions=*/false);
    if (vocab.is_discarded())
        throw Error(ErrorKind::BadFormat, vocab_json_path + " is not valid JSON");
    std::vector<std::string> merges;
    size_t pos = 0;
    for (int line_no = 1; pos < merges_text.size(); ++line_no) {
        size_t end = merges_text.find('\n', pos);
        if (end == std::string::npos) end = merges_text.size();
        std::string line = merges_text.substr(pos, end - pos);
        pos = end + 1;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty() || (line_no == 1 && line.rfind("#version", 0) == 0)) continue;
        const auto space = line.find(' ');
        if (space == std::string::npos || space == 0 || space + 1 == line.size() ||
            line.find(' ', space + 1) != std::string::npos)
            throw Error(ErrorKind::BadFormat, merges_path + " line " + std::to_string(line_no) +
                                                  " is not \"left right\"");
        merges.push_back(std::move(line));
    }
    return make_gpt2_bpe(dense_vocab(vocab, vocab_json_path), merges, {},
                         "GPT-2 BPE (" + file_name_of(vocab_json_path) + ")");
} catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::BadFormat, vocab_json_path + " is not a GPT-2 vocab.json: " + e.what());
}

std::unique_ptr<Tokenizer> load_gpt2_bpe_tokenizer_json(const std::string& path) try {
    const std::string text = read_text(path, "tokenizer");
    check_json_nesting(text, path);
    const auto doc = nlohmann::json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        throw Error(ErrorKind::BadFormat, path + " is not valid JSON");
    const auto model = doc.value("model", nlohmann::json::object());
    if (model.value("type", std::string("BPE")) != "BPE" || !model.contains("vocab") ||
        !model.contains("merges"))
        throw Error(ErrorKind::Unsupported,
                    path + " is not a BPE tokenizer.json (only byte-level BPE models are read)");
    const auto pre = doc.value("pre_tokenizer", nlohmann::json()).dump() +
                     doc.value("decoder", nlohmann::json()).dump();
    if (pre.find("\"ByteLevel\"") == std::string::npos)
        throw Error(ErrorKind::Unsupported,
                    path + " is BPE but not byte-level (no ByteLevel pre-tokenizer or decoder); "
                           "pass the model's tokenizer.model instead");
    auto tokens = dense_vocab(model["vocab"], path);
    std::vector<std::string> merges;
    for (const auto& m : model["merges"]) {
        if (m.is_string()) {
            merges.push_back(m.get<std::string>());
        } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
            merges.push_back(m[0].get<std::string>() + " " + m[1].get<std::string>());
        } else {
            throw Error(ErrorKind::BadFormat, path + ": a merge is neither \"a b\" nor [\"a\", \"b\"]");
        }
    }
    std::vector<bool> special(tokens.size(), false);
    const auto added = doc.value("added_tokens", nlohmann::json::array());
    // Added tokens follow the vocabulary: an id far past it is a lie that
    // would make us allocate millions of empty tokens.
    const size_t max_id = tokens.size() + 2 * added.size() + 1024;
    for (const auto& t : added) {
        if (!t.is_object() || !t.contains("id") || !t["id"].is_number_integer() || !t.contains("content"))
            continue;
        const auto id = t["id"].get<long long>();
        if (id < 0 || id >= (1 << 24)) continue;
        if (static_cast<size_t>(id) >= max_id)
            throw Error(ErrorKind::BadFormat, path + ": added token id " + std::to_string(id) + " lies far beyond the " +
                                                  std::to_string(tokens.size()) + " tokens of the vocabulary");
        if (static_cast<size_t>(id) >= tokens.size()) {
            tokens.resize(static_cast<size_t>(id) + 1);
            special.resize(tokens.size(), false);
        }
        tokens[static_cast<size_t>(id)] = t["content"].get<std::string>();
        special[static_cast<size_t>(id)] = t.value("special", false);
    }
    return make_gpt2_bpe(std::move(tokens), merges, special,
                         "GPT-2 BPE (" + file_name_of(path) + ")");
} catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::BadFormat, path + " is not a tokenizer.json as expected: " + e.what());
}

}  // namespace waypoint::detail
