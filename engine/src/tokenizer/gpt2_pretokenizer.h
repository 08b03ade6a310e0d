// GPT-2's pre-tokenization: splits text into the words that byte-level BPE
// then works on, with the pattern
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// RE2 (Debian's libre2) has no lookahead, so `\s+(?!\S)` is done by hand:
// RE2 matches a whole whitespace run with `\s+`, and when a non-space
// character follows the run and the run is longer than one character, the
// last whitespace character is given back (it becomes the prefix of the next
// word, " world"): exactly what the backtracking lookahead does. RE2's `\s` is
// ASCII-only, so the pattern spells out Unicode White_Space instead.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace waypoint::detail {

class Gpt2PreTokenizer {
public:
    Gpt2PreTokenizer();
    ~Gpt2PreTokenizer();
    Gpt2PreTokenizer(const Gpt2PreTokenizer&) = delete;
    Gpt2PreTokenizer& operator=(const Gpt2PreTokenizer&) = delete;

    // The words of `text`, as views into it; they tile the text exactly.
    // Bytes that are not valid UTF-8 become words of their own.
    std::vector<std::string_view> split(std::string_view text) const;

private:
    std::unique_ptr<re2::RE2> re_;
};

}  // namespace waypoint::detail
