// llama2.c's tokenizer.bin: int32 max_token_length, then per token a float
// score, an int32 byte length and the bytes (sentencepiece's pieces with
// U+2581 already turned into ' '; BOS/EOS spelled "\n<s>\n" / "\n</s>\n").
// encode() follows run.c's encode(); decode follows run.c's decode().
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <unordered_map>

#include "bpe_merge.h"
#include "piece_text.h"
#include "tokenizers.h"
#include "utf8.h"
#include "waypoint/error.h"

namespace waypoint::detail {
namespace {

// llama2.c hard-codes sentencepiece's Llama ids: <unk> 0, <s> 1, </s> 2.
constexpr int kUnk = 0, kBos = 1, kEos = 2;
constexpr int32_t kMaxTokenLength = 1 << 16;  // no real piece is longer
constexpr int kMaxVocab = 1 << 24;

class Llama2cTokenizer final : public Tokenizer {
public:
    Llama2cTokenizer(std::string path, std::vector<std::string> vocab, std::vector<float> scores)
        : path_(std::move(path)), vocab_(std::move(vocab)), scores_(std::move(scores)) {
        bytes_.resize(vocab_.size());
        byte_token_.assign(256, -1);
        for (size_t id = 0; id < vocab_.size(); ++id) {
            const std::string& p = vocab_[id];
            if (id == kUnk || id == kBos || id == kEos) continue;  // control: ""
            if (const int b = parse_byte_piece(p); b >= 0) {
                bytes_[id] = std::string(1, static_cast<char>(b));
                if (byte_token_[b] < 0) byte_token_[b] = static_cast<int>(id);
                continue;
            }
            bytes_[id] = p;
            // Only text pieces are merge targets. (run.c's lookup would also
            // match the literal text "<0x41>" or "<unk>" to those special
            // tokens; sentencepiece never does, and neither do we.)
            lookup_.emplace(p, static_cast<int>(id));  // first id wins on duplicates
        }
    }

    std::vector<int> encode(std::string_view text, bool add_bos) const override {
        std::vector<int> ids;
        if (add_bos) ids.push_back(kBos);
        if (text.empty()) return ids;
        // The dummy prefix: run.c pushes the " " token before the text.
        std::string s = " ";
        s.append(text);
        // Split into code points the way run.c does: a lead byte plus at most
        // three continuation bytes; unknown chunks fall back to byte tokens.
        std::vector<MergeSymbol> symbols;
        symbols.reserve(s.size());
        size_t i = 0;
        while (i < s.size()) {
            size_t len = 1;
            while (i + len < s.size() && len < 4 &&
                   (static_cast<unsigned char>(s[i + len]) & 0xC0) == 0x80)
                ++len;
            const std::string chunk = s.substr(i, len);
            if (auto it = lookup_.find(chunk); it != lookup_.end()) {
                symbols.push_back({chunk, it->second, true});
            } else {
                for (unsigned char c : chunk) symbols.push_back({std::string(), byte_id(c), false});
            }
            i += len;
        }
        auto best = [this](const MergeSymbol& l, const MergeSymbol& r) -> std::optional<MergeCandidate> {
            auto it = lookup_.find(l.text + r.text);
            if (it == lookup_.end()) return std::nullopt;
            return MergeCandidate{scores_[static_cast<size_t>(it->second)], it->second};
        };
        for (const auto& sym : bpe_merge(std::move(symbols), best)) ids.push_back(sym.id);
        return ids;
    }

    std::string piece_bytes(int id, int previous) const override {
        if (id < 0 || id >= static_cast<int>(bytes_.size()))
            throw Error(ErrorKind::InvalidArgument,
                        "token id " + std::to_string(id) + " is outside the vocabulary of " +
                            path_ + " (" + std::to_string(bytes_.size()) + " tokens)");
        const std::string& p = bytes_[static_cast<size_t>(id)];
        // run.c: "following BOS token, sentencepiece decoder strips any leading whitespace".
        // Byte tokens (<0x20>) are not text pieces and keep their byte.
        if (previous == kBos && !p.empty() && p[0] == ' ' && parse_byte_piece(vocab_[id]) < 0)
            return p.substr(1);
        return p;
    }

    int vocab_size() const override { return static_cast<int>(vocab_.size()); }
    int bos() const override { return kBos; }
    int eos() const override { return kEos; }
    std::string description() const override {
        return "llama2.c tokenizer (" + file_name_of(path_) + ")";
    }

private:
    int byte_id(unsigned char c) const {
        // run.c assumes byte b is token b + 3; use the table when the vocab
        // says so, and <unk> for a vocabulary without byte fallback.
        if (byte_token_[c] >= 0) return byte_token_[c];
        return kUnk;
    }

    std::string path_;
    std::vector<std::string> vocab_;   // pieces as stored in the file
    std::vector<float> scores_;
    std::vector<std::string> bytes_;   // what each id decodes to
    std::vector<int> byte_token_;      // byte value -> its <0xXX> token
    std::unordered_map<std::string, int> lookup_;
};

[[noreturn]] void bad(const std::string& path, const std::string& what) {
    throw Error(ErrorKind::BadFormat,
                path + " is not a valid llama2.c tokenizer.bin: " + what +
                    " (export it with llama2.c's tokenizer.py, or pass the tokenizer.model)");
}

}  // namespace

std::unique_ptr<Tokenizer> load_llama2c_tokenizer(const std::string& bin_path, int vocab_size) {
    std::ifstream in(bin_path, std::ios::binary);
    if (!in)
        throw Error(ErrorKind::FileNotFound,
                    "tokenizer " + bin_path +
                        " not found; put tokenizer.bin next to the checkpoint or pass --tokenizer");
    const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (vocab_size > kMaxVocab)
        throw Error(ErrorKind::InvalidArgument,
                    "vocabulary size " + std::to_string(vocab_size) + " for " + bin_path +
                        " is absurd (the checkpoint header is probably damaged)");
    size_t pos = 0;
    auto read_i32 = [&](const char* what) {
        if (data.size() - pos < 4) bad(bin_path, std::string("the file ends inside ") + what);
        int32_t v;
        std::memcpy(&v, data.data() + pos, 4);
        pos += 4;
        return v;
    };
    const int32_t max_len = read_i32("the header");
    if (max_len <= 0 || max_len > kMaxTokenLength)
        bad(bin_path, "max_token_length is " + std::to_string(max_len));
    std::vector<std::string> vocab;
    std::vector<float> scores;
    // vocab_size <= 0: as many tokens as the file holds.
    const bool to_end = vocab_size <= 0;
    for (int id = 0; to_end ? pos < data.size() : id < vocab_size; ++id) {
        const std::string which = "token " + std::to_string(id);
        const int32_t bits = read_i32(which.c_str());
        float score;
        std::memcpy(&score, &bits, 4);
        if (std::isnan(score)) bad(bin_path, which + " has a NaN score");
        const int32_t len = read_i32(which.c_str());
        if (len < 0 || len > max_len)
            bad(bin_path, which + " claims " + std::to_string(len) +
                              " bytes (max_token_length is " + std::to_string(max_len) + ")");
        if (data.size() - pos < static_cast<size_t>(len))
            bad(bin_path, "the file ends inside " + which + " (truncated? the checkpoint expects " +
                              std::to_string(vocab_size) + " tokens)");
        vocab.emplace_back(data, pos, static_cast<size_t>(len));
        scores.push_back(score);
        pos += static_cast<size_t>(len);
    }
    if (pos != data.size())
        bad(bin_path, "it holds more than the checkpoint's " + std::to_string(vocab_size) +
                          " tokens (a tokenizer for another model?)");
    if (vocab.size() <= kEos) bad(bin_path, "it has fewer than 3 tokens");
    return std::make_unique<Llama2cTokenizer>(bin_path, std::move(vocab), std::move(scores));
}

}  // namespace waypoint::detail
