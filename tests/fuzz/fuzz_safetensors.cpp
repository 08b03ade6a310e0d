// .safetensors: the 8-byte length, the JSON header, the tensor table (dtype,
// shape, data_offsets) and every tensor view; then the whole Hugging Face
// read with a fixed config.json beside it (tensor names and shapes checked
// against the config). The input is the whole .safetensors file.
#include "formats/checkpoint.h"
#include "formats/safetensors/safetensors.h"
#include "harness.h"

namespace waypoint::fuzz {

// The tiny Llama make_seeds.py writes (D 8, F 16, 1 layer, 2 heads, 1 KV
// head, vocabulary 16), so that its seed gets through the tensor checks.
constexpr const char* kConfig = R"({"architectures": ["LlamaForCausalLM"], "model_type": "llama",
 "hidden_size": 8, "intermediate_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2,
 "num_key_value_heads": 1, "vocab_size": 16, "max_position_embeddings": 8})";

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
