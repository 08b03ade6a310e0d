// Hugging Face folders: config.json (Llama and GPT-2 families), the sharded
// index model.safetensors.index.json, generation_config.json and
// tokenizer_config.json, read as a folder beside a fixed, valid weights file.
// The input holds the four files in that order, separated by kHfSeparator
// (fewer parts: the missing files are absent).
#include <cstring>

#include "formats/checkpoint.h"
#include "harness.h"

namespace waypoint::fuzz {
namespace {

constexpr const char* kHfSeparator = "\n#----#\n";
constexpr const char* kFiles[] = {"config.json", "generation_config.json", "tokenizer_config.json",
                                  "model.safetensors.index.json"};

// model.safetensors of the tiny Llama make_seeds.py's configs describe
// (D 8, F 16, 1 layer, 2 heads, 1 KV head, vocabulary 16, tied).
std::string small_llama_safetensors() {
    struct T {
        std::string name;
        std::vector<int64_t> shape;
    };
    std::vector<T> ts = {{"model.embed_tokens.weight", {16, 8}}, {"model.norm.weight", {8}}};
    const std::string p = "model.layers.0.";
    ts.push_back({p + "input_layernorm.weight", {8}});
    ts.push_back({p + "post_attention_layernorm.weight", {8}});
    ts.push_back({p + "self_attn.q_proj.weight", {8, 8}});
    ts.push_back({p + "self_attn.k_proj.weight", {4, 8}});
    ts.push_back({p + "self_attn.v_proj.weight", {4, 8}});
    ts.push_back({p + "self_attn.o_proj.weight", {8, 8}});
    ts.push_back({p + "mlp.gate_proj.weight", {16, 8}});
    ts.push_back({p + "mlp.up_proj.weight", {16, 8}});
    ts.push_back({p + "mlp.down_proj.weight", {8, 16}});
    std::string header = "{";
    int64_t offset = 0;
    for (const auto& t : ts) {
        int64_t n = 4;
        std::string shape;
        for (int64_t d : t.shape) {
            n *= d;
            shape += (shape.empty() ? "" : ",") + std::to_string(d);
        }
        header += (header.size() > 1 ? "," : "") + std::string("\"") + t.name + "\":{\"dtype\":\"F32\",\"shape\":[" +
                  shape + "],\"data_offsets\":[" + std::to_string(offset) + "," + std::to_string(offset + n) + "]}";
        offset += n;
    }
    header += "}";
    while (header.size() % 8 != 0) header += ' ';
    std::string file(8, '\0');
    const uint64_t len = header.size();
    std::memcpy(file.data(), &len, 8);
    file += header;
    file.append(size_t(offset), '\0');
    return file;
}

}  // namespace

void hf_config(const uint8_t* data, size_t size) {
    const std::string dir = scratch_dir("hf_config");
    static const bool weights_written = (write_file(dir + "/model.safetensors", small_llama_safetensors()), true);
    (void)weights_written;
    const auto parts = split(data, size, kHfSeparator, 4);
    for (size_t i = 0; i < 4; ++i) {
        const std::string path = dir + "/" + kFiles[i];
        if (i < parts.size()) write_file(path, parts[i]);
        else remove_file(path);
    }
    expect_clean("hf_config", [&] { (void)waypoint::detail::read_checkpoint(dir, ""); });
}

}  // namespace waypoint::fuzz
