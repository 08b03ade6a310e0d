// llama2.c .bin checkpoints (versions 0, 1, 2): the header, the tensor table
// it implies, Q8_0 dequantization. The input is the whole file.
#include "formats/checkpoint.h"
#include "harness.h"

namespace waypoint::fuzz {

void llama2c_header(const uint8_t* data, size_t size) {
    const std::string path = write_file(scratch_dir("llama2c") + "/model.bin", data, size);
    expect_clean("llama2c_header", [&] { (void)waypoint::detail::read_checkpoint(path, ""); });
}

}  // namespace waypoint::fuzz
