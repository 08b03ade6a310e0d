// The per-format readers behind read_checkpoint(). Each format has a detect
// function (content only: the first bytes and the size) and a read function;
// checkpoint.cpp tries them in order. A new format adds one entry there.
#pragma once

#include <cstdint>
#include <string>

#include "formats/checkpoint.h"

namespace waypoint::detail {

// What detection sees of a file: its first bytes (up to 64) and its size.
struct FileProbe {
    std::string path;
    int64_t size = 0;
    std::string head;
};

// llama2.c export: version 0 (7 x int32 header, fp32) and versions 1/2
// ("ak42" magic, fp32 / Q8_0).
bool is_llama2c_bin(const FileProbe& probe);
CheckpointData read_llama2c_bin(const FileProbe& probe, const ReadOptions& options);

// A .safetensors file (its folder holds config.json and the tokenizer).
bool is_safetensors(const FileProbe& probe);
CheckpointData read_safetensors_file(const FileProbe& probe, const ReadOptions& options);

// A Hugging Face folder: config.json + model.safetensors (or a sharded index).
bool is_hf_folder(const std::string& dir);
CheckpointData read_hf_folder(const std::string& dir, const ReadOptions& options);

// GGUF (llama.cpp) v2/v3, llama architecture, with its embedded vocabulary.
bool is_gguf(const FileProbe& probe);
CheckpointData read_gguf(const FileProbe& probe, const ReadOptions& options);

}  // namespace waypoint::detail
