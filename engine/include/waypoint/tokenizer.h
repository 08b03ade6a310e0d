// The tokenizer interface. Implementations (sentencepiece through the bridge,
// llama2.c tokenizer.bin, and later GPT-2 BPE and character vocabularies)
// live in engine/src/tokenizer/. A Tokenizer is immutable after construction
// and safe to use from several threads at once.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace waypoint {

class Tokenizer {
public:
    virtual ~Tokenizer() = default;

    // Text to ids. add_bos prepends bos() when the tokenizer has one (>= 0).
    virtual std::vector<int> encode(std::string_view text, bool add_bos) const = 0;

    // The raw bytes one token stands for when it follows `previous`
    // (sentencepiece drops the leading space of the first piece after BOS;
    // byte-fallback tokens like <0xE2> yield one byte, which may be half of a
    // UTF-8 character: TextStream holds such bytes back). Control tokens
    // (BOS/EOS/unknown) yield "".
    virtual std::string piece_bytes(int id, int previous) const = 0;

    // The whole text of a sequence of ids (no BOS expected; one is skipped).
    virtual std::string decode(const std::vector<int>& ids) const;

    virtual int vocab_size() const = 0;
    virtual int bos() const = 0;  // -1 when the format has none
    virtual int eos() const = 0;  // -1 when the format has none
    // Human description: "sentencepiece (tok512.model)".
    virtual std::string description() const = 0;
};

// Turns a stream of token ids into text deltas that are always whole UTF-8:
// bytes of a multi-byte character split over byte-fallback tokens are held
// back until the character is complete. Concatenating every push() and the
// final flush() gives exactly tokenizer.decode(ids).
class TextStream {
public:
    explicit TextStream(const Tokenizer& tokenizer, int previous = -1);
    std::string push(int id);  // the new complete text, possibly ""
    std::string flush();       // what is still held back (invalid bytes as U+FFFD)

private:
    const Tokenizer& tokenizer_;
    int previous_;
    std::string pending_;
};

}  // namespace waypoint
