// Finding and opening the tokenizer of a checkpoint. The kind of a tokenizer
// file is decided by its content, never by its name.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "waypoint/tokenizer.h"

namespace waypoint::detail {

// Every reader finds its tokenizer here (formats/*/ and formats/pytorch/);
// only vocabularies stored inside a checkpoint are read by their format.
//
// Opens a tokenizer file of any kind Waypoint reads: a sentencepiece model
// (protobuf), a llama2.c tokenizer.bin, a GGUF file's embedded vocabulary, a
// Hugging Face tokenizer.json of a byte-level BPE (GPT-2, SmolLM), a GPT-2
// vocab.json with merges.txt beside it, a character vocabulary (stoi/itos in
// a pickle like nanoGPT's meta.pkl, or in JSON). `vocab_size` is the model's
// (llama2.c's tokenizer.bin does not store it). Throws Error naming the file.
std::unique_ptr<Tokenizer> load_tokenizer_file(const std::string& path, int vocab_size);

// The first of `candidates` (file names) that exists in the first of
// `folders` holding any, loaded by content; or, when `explicit_path` is not
// empty, that file (or, for a folder, the first candidate in it). Throws
// Error(FileNotFound) "no tokenizer found next to CHECKPOINT[: NOTE] (looked
// for ...); pass --tokenizer PATH".
std::unique_ptr<Tokenizer> find_tokenizer(const std::string& checkpoint, const std::vector<std::string>& folders,
                                          const std::vector<std::string>& candidates, int vocab_size,
                                          const std::string& explicit_path, const std::string& note = "");
inline std::unique_ptr<Tokenizer> find_tokenizer(const std::string& checkpoint, const std::string& folder,
                                                 const std::vector<std::string>& candidates, int vocab_size,
                                                 const std::string& explicit_path) {
    return find_tokenizer(checkpoint, std::vector<std::string>{folder}, candidates, vocab_size, explicit_path);
}

// The names llama2.c users keep beside a .bin: tokenizer.model, tok<V>.model,
// tokenizer.bin, tok<V>.bin (sentencepiece preferred).
std::vector<std::string> llama2c_tokenizer_names(int vocab_size);

}  // namespace waypoint::detail
