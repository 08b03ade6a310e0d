// Tokenizer::decode and TextStream: token ids to whole-UTF-8 text. Both go
// through utf8_sanitize, which is what makes the pushed deltas plus flush()
// equal decode(ids) byte for byte.
#include "utf8.h"
#include "waypoint/tokenizer.h"

namespace waypoint {

std::string Tokenizer::decode(const std::vector<int>& ids) const {
    std::string bytes;
    int previous = -1;
    for (int id : ids) {  // a leading BOS yields "" and makes the next piece drop its space
        bytes += piece_bytes(id, previous);
        previous = id;
    }
    std::string text;
    text.reserve(bytes.size());
    detail::utf8_sanitize(bytes, /*final=*/true, text);
    return text;
}

TextStream::TextStream(const Tokenizer& tokenizer, int previous)
    : tokenizer_(tokenizer), previous_(previous) {}

std::string TextStream::push(int id) {
    pending_ += tokenizer_.piece_bytes(id, previous_);
    previous_ = id;
    std::string out;
    // pending_ keeps at most the 1-3 bytes of a character still being built.
    pending_.erase(0, detail::utf8_sanitize(pending_, /*final=*/false, out));
    return out;
}

std::string TextStream::flush() {
    std::string out;
    detail::utf8_sanitize(pending_, /*final=*/true, out);
    pending_.clear();
    return out;
}

}  // namespace waypoint
