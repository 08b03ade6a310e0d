#include "gpt2_pretokenizer.h"

#include "utf8.h"
#include "waypoint/error.h"

#ifdef WAYPOINT_NO_RE2
namespace re2 {
class RE2 {};
}
namespace waypoint::detail {
Gpt2PreTokenizer::Gpt2PreTokenizer() {
    throw Error(ErrorKind::Unsupported,
                "this build has no GPT-2 BPE tokenizer: RE2 (libre2-dev) was not found when it "
                "was configured; install it and rebuild");
}
Gpt2PreTokenizer::~Gpt2PreTokenizer() = default;
std::vector<std::string_view> Gpt2PreTokenizer::split(std::string_view) const { return {}; }
}  // namespace waypoint::detail
#else
#include <re2/re2.h>

namespace waypoint::detail {
namespace {

// Unicode White_Space (what \s means to Python's regex and to Hugging Face's
// Oniguruma), for use inside a character class.
#define WP_WS "\\t\\n\\x{0B}\\f\\r \\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}"

// GPT-2's pattern with `\s+(?!\S)|\s+` folded into a final `\s+` (see the header).
constexpr const char* kPattern =
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\pL+| ?\\pN+| ?[^" WP_WS "\\pL\\pN]+|[" WP_WS "]+";

bool is_white_space(char32_t c) {
    return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
           c == 0x205F || c == 0x3000;
}

// Decodes the (valid) UTF-8 character at s[i]; sets len.
char32_t decode_at(std::string_view s, size_t i, size_t& len) {
    const auto b = static_cast<unsigned char>(s[i]);
    len = utf8_sequence_length(b);
    if (i + len > s.size()) len = 1;
    if (len == 1) return b;
    char32_t cp = b & (0xFF >> (len + 1));
    for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    return cp;
}

}  // namespace

Gpt2PreTokenizer::Gpt2PreTokenizer() {
    RE2::Options options;
    options.set_encoding(RE2::Options::EncodingUTF8);
    options.set_log_errors(false);
    re_ = std::make_unique<RE2>(kPattern, options);
    if (!re_->ok())
        throw Error(ErrorKind::Internal, "the GPT-2 pre-tokenizer pattern does not compile: " +
                                             re_->error());
}

Gpt2PreTokenizer::~Gpt2PreTokenizer() = default;

std::vector<std::string_view> Gpt2PreTokenizer::split(std::string_view text) const {
    std::vector<std::string_view> words;
    const re2::StringPiece all(text.data(), text.size());
    size_t pos = 0;
    while (pos < text.size()) {
        re2::StringPiece m;
        if (!re_->Match(all, pos, text.size(), RE2::ANCHOR_START, &m, 1) || m.empty()) {
            // Only a byte that is not UTF-8 gets here: it is a word of its own.
            words.push_back(text.substr(pos, 1));
            ++pos;
            continue;
        }
        size_t len = m.size();
        // The hand-made `\s+(?!\S)`: a whitespace run (the only match that
        // starts with a whitespace character and is not " word") that a
        // non-space follows gives its last character to the next word.
        size_t first_len = 0;
        if (is_white_space(decode_at(text, pos, first_len)) && pos + len < text.size()) {
            bool all_space = true;
            size_t last_start = pos, i = pos;
            for (size_t n = 0; i < pos + len; i += n) {
                last_start = i;
                if (!is_white_space(decode_at(text, i, n))) {
                    all_space = false;
                    break;
                }
            }
            if (all_space && last_start > pos) len = last_start - pos;
        }
        words.push_back(text.substr(pos, len));
        pos += len;
    }
    return words;
}

}  // namespace waypoint::detail
#endif  // WAYPOINT_NO_RE2
