// Finding and opening the tokenizer of a checkpoint. The kind of a tokenizer
// file is decided by its content, never by its name.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "waypoint/tokenizer.h"

namespace waypoint::detail {

// Opens a tokenizer file of any kind Waypoint reads: a sentencepiece model
// (protobuf), a llama2.c tokenizer.bin, a GGUF file's embedded vocabulary, a
// Hugging Face tokenizer.json of a byte-level BPE (GPT-2, SmolLM).
// `vocab_size` is the model's (llama2.c's tokenizer.bin does not store it).
// Throws Error naming the file.
std::unique_ptr<Tokenizer> load_tokenizer_file(const std::string& path, int vocab_size);

// The first of `candidates` (file names) that exists in `folder`, loaded by
// content; or, when `explicit_path` is not empty, that file (or, for a
// folder, the first candidate in it). Throws Error(FileNotFound) "no
// tokenizer found next to CHECKPOINT (looked for ...); pass --tokenizer PATH".
std::unique_ptr<Tokenizer> find_tokenizer(const std::string& checkpoint, const std::string& folder,
                                          const std::vector<std::string>& candidates,
                                          int vocab_size, const std::string& explicit_path);

// The names llama2.c users keep beside a .bin: tokenizer.model, tok<V>.model,
// tokenizer.bin, tok<V>.bin (sentencepiece preferred).
std::vector<std::string> llama2c_tokenizer_names(int vocab_size);

}  // namespace waypoint::detail
