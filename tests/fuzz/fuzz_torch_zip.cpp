// torch.save zip archives: the zip directory (zip64 too), data.pkl through
// the restricted unpickler, storages as views of their records, then the
// checkpoint rules (nanoGPT / llama2.c / bare state dict / nanochat).
#include "formats/checkpoint.h"
#include "harness.h"

namespace waypoint::fuzz {

void torch_zip(const uint8_t* data, size_t size) {
    const std::string path = write_file(scratch_dir("torch_zip") + "/ckpt.pt", data, size);
    expect_clean("torch_zip", [&] {
        const auto checkpoint = waypoint::detail::read_checkpoint(path, "");
        if (checkpoint.tokenizer) exercise_tokenizer(*checkpoint.tokenizer);
    });
}

}  // namespace waypoint::fuzz
