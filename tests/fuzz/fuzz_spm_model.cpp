// A sentencepiece .model through the bridge (sentencepiece parses the
// protobuf in its own link namespace; we check what it hands back: ids in
// range, pieces, byte pieces, decode).
#include "harness.h"
#include "tokenizer/tokenizers.h"

namespace waypoint::fuzz {

void spm_model(const uint8_t* data, size_t size) {
    const std::string path = write_file(scratch_dir("spm_model") + "/tokenizer.model", data, size);
    expect_clean("spm_model", [&] {
        const auto tokenizer = waypoint::detail::load_sentencepiece(path);
        exercise_tokenizer(*tokenizer);
    });
}

}  // namespace waypoint::fuzz
