#include "utf8.h"

namespace waypoint::detail {

namespace {
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
}

size_t utf8_sanitize(std::string_view s, bool final, std::string& out) {
    size_t i = 0;
    while (i < s.size()) {
        const auto b = static_cast<unsigned char>(s[i]);
        if (b < 0x80) {
            out.push_back(static_cast<char>(b));
            ++i;
            continue;
        }
        // Continuation count and the allowed range of the second byte
        // (Unicode Table 3-7: no overlongs, no surrogates, nothing > U+10FFFF).
        size_t n = 0;
        unsigned char lo = 0x80, hi = 0xBF;
        if (b >= 0xC2 && b <= 0xDF) {
            n = 1;
        } else if (b >= 0xE0 && b <= 0xEF) {
            n = 2;
            if (b == 0xE0) lo = 0xA0;
            if (b == 0xED) hi = 0x9F;
        } else if (b >= 0xF0 && b <= 0xF4) {
            n = 3;
            if (b == 0xF0) lo = 0x90;
            if (b == 0xF4) hi = 0x8F;
        } else {  // 80..C1, F5..FF never start a character
            out += kReplacement;
            ++i;
            continue;
        }
        size_t j = 1;
        for (; j <= n; ++j) {
            if (i + j >= s.size()) break;  // ran out of bytes
            const auto c = static_cast<unsigned char>(s[i + j]);
            const unsigned char l = j == 1 ? lo : 0x80, h = j == 1 ? hi : 0xBF;
            if (c < l || c > h) break;
        }
        if (j > n) {  // complete
            out.append(s.substr(i, n + 1));
            i += n + 1;
        } else if (i + j >= s.size() && !final) {
            return i;  // incomplete so far: wait for more bytes
        } else {
            out += kReplacement;  // the maximal subpart s[i, i+j)
            i += j;
        }
    }
    return i;
}

void utf8_append(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

}  // namespace waypoint::detail
