// GPT-2 byte-level BPE: vocab.json + merges.txt (the input holds both,
// separated by kBpeSeparator), or, without a separator, a Hugging Face
// tokenizer.json. A vocabulary that loads is then used.
#include "harness.h"
#include "tokenizer/tokenizers.h"

namespace waypoint::fuzz {
namespace {
constexpr const char* kBpeSeparator = "\n#----#\n";
}

void bpe_vocab(const uint8_t* data, size_t size) {
    const std::string dir = scratch_dir("bpe_vocab");
    const auto parts = split(data, size, kBpeSeparator, 2);
    expect_clean("bpe_vocab", [&] {
        std::unique_ptr<waypoint::Tokenizer> tokenizer;
        if (parts.size() == 2) {
            tokenizer = waypoint::detail::load_gpt2_bpe(write_file(dir + "/vocab.json", parts[0]),
                                                        write_file(dir + "/merges.txt", parts[1]));
        } else {
            tokenizer = waypoint::detail::load_gpt2_bpe_tokenizer_json(write_file(dir + "/tokenizer.json", parts[0]));
        }
        exercise_tokenizer(*tokenizer);
    });
}

}  // namespace waypoint::fuzz
