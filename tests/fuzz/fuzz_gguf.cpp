// GGUF: header, metadata (typed values, arrays), tensor infos, alignment,
// every tensor (views; Q8_0 dequantized), then the whole read: architecture
// keys, the embedded vocabulary as a tokenizer, which is then used.
#include "formats/checkpoint.h"
#include "formats/gguf/gguf_file.h"
#include "harness.h"

namespace waypoint::fuzz {

void gguf(const uint8_t* data, size_t size) {
    const std::string path = write_file(scratch_dir("gguf") + "/model.gguf", data, size);
    expect_clean("gguf", [&] {
        waypoint::detail::GgufFile file(path);
        for (const auto& info : file.tensors()) {
            try {
                (void)file.tensor(info);
            } catch (const waypoint::Error& e) {
                if (e.kind() == waypoint::ErrorKind::Internal) throw;
            }
        }
    });
    expect_clean("gguf (checkpoint read)", [&] {
        const auto checkpoint = waypoint::detail::read_checkpoint(path, "");
        if (checkpoint.tokenizer) exercise_tokenizer(*checkpoint.tokenizer);
    });
}

}  // namespace waypoint::fuzz
