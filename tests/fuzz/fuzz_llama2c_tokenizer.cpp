// llama2.c tokenizer.bin (max_token_length, then per token: float score,
// int32 length, bytes). The file does not store its vocabulary size; the
// checkpoint does: 512 for small files (tok512.bin), 32000 above 64 KiB
// (Llama 2's tokenizer.bin), so both kinds of seed load.
#include "harness.h"
#include "tokenizer/tokenizers.h"

namespace waypoint::fuzz {

void llama2c_tokenizer(const uint8_t* data, size_t size) {
    const std::string path = write_file(scratch_dir("llama2c_tokenizer") + "/tokenizer.bin", data, size);
    const int vocab = size > 65536 ? 32000 : 512;
    expect_clean("llama2c_tokenizer", [&] {
        const auto tokenizer = waypoint::detail::load_llama2c_tokenizer(path, vocab);
        exercise_tokenizer(*tokenizer);
    });
}

}  // namespace waypoint::fuzz
