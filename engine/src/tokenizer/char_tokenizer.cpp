// A character-level vocabulary (nanoGPT's shakespeare_char meta.pkl, or the
// stoi/itos a training script stores in its checkpoint): itos[id] is the text
// of each id. Encoding takes the longest entry that matches at each position,
// which for one-character entries is simply character by character.
#include <algorithm>
#include <unordered_map>

#include "tokenizers.h"
#include "utf8.h"
#include "waypoint/error.h"

namespace waypoint::detail {
namespace {

class CharTokenizer final : public Tokenizer {
public:
    CharTokenizer(std::vector<std::string> itos, std::string description)
        : itos_(std::move(itos)), description_(std::move(description)) {
        for (size_t id = 0; id < itos_.size(); ++id) {
            if (itos_[id].empty()) continue;
            stoi_.emplace(itos_[id], static_cast<int>(id));  // first id wins on duplicates
            max_len_ = std::max(max_len_, itos_[id].size());
        }
    }

    std::vector<int> encode(std::string_view text, bool /*add_bos: none*/) const override {
        std::vector<int> ids;
        ids.reserve(text.size());
        for (size_t i = 0; i < text.size();) {
            size_t n = std::min(max_len_, text.size() - i);
            for (; n > 0; --n)
                if (auto it = stoi_.find(std::string(text.substr(i, n))); it != stoi_.end()) {
                    ids.push_back(it->second);
                    break;
                }
            if (n == 0) {
                const size_t len = std::min(utf8_sequence_length(static_cast<unsigned char>(text[i])),
                                            text.size() - i);
                std::string shown;
                utf8_sanitize(text.substr(i, len), true, shown);
                throw Error(ErrorKind::InvalidArgument,
                            "the character \"" + shown + "\" (byte offset " + std::to_string(i) +
                                ") is not in the vocabulary of " + description_ +
                                "; this model only knows the characters it was trained on");
            }
            i += n;
        }
        return ids;
    }

    std::string piece_bytes(int id, int /*previous*/) const override {
        if (id < 0 || id >= static_cast<int>(itos_.size()))
            throw Error(ErrorKind::InvalidArgument,
                        "token id " + std::to_string(id) + " is outside the vocabulary of " +
                            description_ + " (" + std::to_string(itos_.size()) + " entries)");
        return itos_[static_cast<size_t>(id)];
    }

    int vocab_size() const override { return static_cast<int>(itos_.size()); }
    int bos() const override { return -1; }
    int eos() const override { return -1; }
    std::string description() const override { return description_; }

private:
    std::vector<std::string> itos_;
    std::unordered_map<std::string, int> stoi_;
    size_t max_len_ = 1;
    std::string description_;
};

}  // namespace

std::unique_ptr<Tokenizer> make_char_tokenizer(std::vector<std::string> itos, std::string description) {
    if (itos.empty())
        throw Error(ErrorKind::BadFormat, description + ": the character vocabulary is empty");
    return std::make_unique<CharTokenizer>(std::move(itos), std::move(description));
}

}  // namespace waypoint::detail
