// .safetensors: the 8-byte length, the JSON header, the tensor table (dtype,
// shape, data_offsets) and every tensor view; then the whole Hugging Face
// read with a fixed config.json beside it (tensor names and shapes checked
// against the config). The input is the whole .safetensors file.
#include "formats/checkpoint.h"
#include "formats/safetensors.h"
#include "harness.h"

namespace waypoint::fuzz {

// A small Llama (the shape of ../shared's stories260K), so that a seed made
// from that model gets through the tensor checks.
constexpr const char* kConfig = R"({"architectures": ["LlamaForCausalLM"], "model_type": "llama",
 "hidden_size": 64, "intermediate_size": 172, "num_hidden_layers": 5, "num_attention_heads": 8,
 "num_key_value_heads": 4, "vocab_size": 512, "max_position_embeddings": 512})";

void safetensors(const uint8_t* data, size_t size) {
    const std::string dir = scratch_dir("safetensors");
    static const bool config_written = (write_file(dir + "/config.json", std::string(kConfig)), true);
    (void)config_written;
    const std::string path = write_file(dir + "/model.safetensors", data, size);
    expect_clean("safetensors", [&] {
        waypoint::detail::SafetensorsFile file(path);
        for (const auto& [name, entry] : file.entries()) {
            try {
                (void)file.tensor(name);
            } catch (const waypoint::Error& e) {
                if (e.kind() == waypoint::ErrorKind::Internal) throw;
            }
        }
    });
    expect_clean("safetensors (HF read)", [&] { (void)waypoint::detail::read_checkpoint(path, ""); });
}

}  // namespace waypoint::fuzz
