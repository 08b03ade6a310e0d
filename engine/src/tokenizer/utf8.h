// UTF-8 helpers shared by the tokenizers and TextStream.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace waypoint::detail {

// Appends `bytes` to `out` as well-formed UTF-8: each ill-formed sequence
// becomes U+FFFD, one per maximal subpart (Unicode 3.9, the same as Python's
// errors="replace"). With final == false a trailing sequence that is
// incomplete but may still become valid is left alone. Returns how many bytes
// were consumed. Decisions depend only on bytes already seen, so sanitizing a
// stream in pieces gives the same text as sanitizing it whole.
size_t utf8_sanitize(std::string_view bytes, bool final, std::string& out);

// Length of the UTF-8 sequence that lead byte `c` starts (1 for ASCII and for
// bytes that cannot start a sequence).
inline size_t utf8_sequence_length(unsigned char c) {
    if (c >= 0xF0 && c <= 0xF4) return 4;
    if (c >= 0xE0 && c <= 0xEF) return 3;
    if (c >= 0xC2 && c <= 0xDF) return 2;
    return 1;
}

// Appends the UTF-8 encoding of code point cp (cp < 0x110000) to out.
void utf8_append(std::string& out, char32_t cp);

}  // namespace waypoint::detail
