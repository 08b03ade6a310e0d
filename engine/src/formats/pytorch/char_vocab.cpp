#include "formats/pytorch/char_vocab.h"

#include <algorithm>
#include <unordered_map>

namespace waypoint::detail::pt {
namespace {

constexpr int64_t kMaxVocab = 1 << 22;

class CharTokenizer final : public Tokenizer {
public:
    CharTokenizer(std::vector<std::string> pieces, std::string description)
        : pieces_(std::move(pieces)), description_(std::move(description)) {
        for (size_t id = 0; id < pieces_.size(); ++id) {
            if (pieces_[id].empty()) continue;
            lookup_.emplace(pieces_[id], int(id));  // first id wins on duplicates
            longest_ = std::max(longest_, pieces_[id].size());
        }
    }

    std::vector<int> encode(std::string_view text, bool /*add_bos: none*/) const override {
        std::vector<int> ids;
        size_t i = 0;
        while (i < text.size()) {
            size_t n = std::min(longest_, text.size() - i);
            for (; n > 0; --n) {
                auto it = lookup_.find(std::string(text.substr(i, n)));
                if (it != lookup_.end()) {
                    ids.push_back(it->second);
                    break;
                }
            }
            if (n > 0) {
                i += n;
            } else {  // not in the vocabulary: skip one UTF-8 character
                ++i;
                while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) ++i;
            }
        }
        return ids;
    }

    std::string piece_bytes(int id, int /*previous*/) const override {
        if (id < 0 || size_t(id) >= pieces_.size()) return "";
        return pieces_[size_t(id)];
    }

    int vocab_size() const override { return int(pieces_.size()); }
    int bos() const override { return -1; }
    int eos() const override { return -1; }
    std::string description() const override { return description_; }

private:
    std::vector<std::string> pieces_;
    std::string description_;
    std::unordered_map<std::string, int> lookup_;
    size_t longest_ = 1;
};

// An id key: an int, or a string of digits (JSON round trips turn keys into strings).
bool id_of(const Value& k, int64_t* id) {
    if (k.kind == Value::Kind::Int) {
        *id = k.i;
    } else if (k.kind == Value::Kind::String && !k.s.empty() && k.s.size() < 10 &&
               std::all_of(k.s.begin(), k.s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        *id = std::stoll(k.s);
    } else {
        return false;
    }
    return *id >= 0 && *id < kMaxVocab;
}

}  // namespace

std::unique_ptr<Tokenizer> make_char_tokenizer(std::vector<std::string> pieces, std::string description) {
    return std::make_unique<CharTokenizer>(std::move(pieces), std::move(description));
}

std::vector<std::string> pieces_from_vocab(const Value* itos, const Value* stoi) {
    std::vector<std::string> pieces;
    auto put = [&](int64_t id, const std::string& s) {
        if (size_t(id) >= pieces.size()) pieces.resize(size_t(id) + 1);
        pieces[size_t(id)] = s;
    };
    if (itos && (itos->kind == Value::Kind::List || itos->kind == Value::Kind::Tuple)) {
        if (int64_t(itos->items.size()) > kMaxVocab) return {};
        for (size_t i = 0; i < itos->items.size(); ++i) {
            if (itos->items[i]->kind != Value::Kind::String) return {};
            put(int64_t(i), itos->items[i]->s);
        }
        return pieces;
    }
    if (itos && itos->kind == Value::Kind::Dict) {
        for (const auto& [k, v] : itos->dict) {
            int64_t id;
            if (!id_of(*k, &id) || v->kind != Value::Kind::String) return {};
            put(id, v->s);
        }
        return pieces;
    }
    if (stoi && stoi->kind == Value::Kind::Dict) {
        for (const auto& [k, v] : stoi->dict) {
            int64_t id;
            if (k->kind != Value::Kind::String || !id_of(*v, &id)) return {};
            put(id, k->s);
        }
        return pieces;
    }
    return {};
}

}  // namespace waypoint::detail::pt
