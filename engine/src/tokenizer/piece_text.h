// Piece spellings shared by the sentencepiece-family tokenizers.
#pragma once

#include <string>
#include <string_view>

namespace waypoint::detail {

// "<0xAB>" (exactly that form, hex digits either case) -> 0xAB; else -1.
inline int parse_byte_piece(std::string_view p) {
    if (p.size() != 6 || p.substr(0, 3) != "<0x" || p[5] != '>') return -1;
    auto hex = [](char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    const int hi = hex(p[3]), lo = hex(p[4]);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

// sentencepiece writes a space as U+2581 ("\xE2\x96\x81"); undo that.
inline std::string spm_piece_to_text(std::string_view p) {
    static constexpr std::string_view kSpace = "\xE2\x96\x81";
    std::string out;
    out.reserve(p.size());
    for (size_t i = 0; i < p.size();) {
        if (p.compare(i, kSpace.size(), kSpace) == 0) {
            out.push_back(' ');
            i += kSpace.size();
        } else {
            out.push_back(p[i++]);
        }
    }
    return out;
}

// The file name of a path, for descriptions ("tok512.model").
inline std::string file_name_of(const std::string& path) {
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace waypoint::detail
