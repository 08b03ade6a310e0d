// Factories for the tokenizer implementations (engine-internal).
#pragma once

#include <memory>
#include <string>

#include "waypoint/tokenizer.h"

namespace waypoint::detail {

// A sentencepiece .model, through the dlopen'ed bridge (DESIGN.md trap 2).
std::unique_ptr<Tokenizer> load_sentencepiece(const std::string& model_path);

// llama2.c's tokenizer.bin (max_token_length, then per token: float score,
// int32 length, bytes). vocab_size from the checkpoint header. BOS 1, EOS 2.
std::unique_ptr<Tokenizer> load_llama2c_tokenizer(const std::string& bin_path, int vocab_size);

}  // namespace waypoint::detail
