#include "formats/pytorch/char_vocab.h"

#include <algorithm>

namespace waypoint::detail::pt {
namespace {

constexpr int64_t kMaxVocab = 1 << 22;

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
