// Helpers every checkpoint reader shares: the canonical tensor check, the
// card fields that follow from the config, small path helpers.
#pragma once

#include <functional>
#include <string>

#include "formats/checkpoint.h"
#include "tokenizer/piece_text.h"

namespace waypoint::detail {

// Checks that every canonical Llama tensor exists with the shape `config`
// implies (output.weight only when not tied) and is a float dtype. Throws
// Error(BadFormat) naming `file`, the tensor (as `source_name` spells it in
// the file, when given), the expected and the found shape.
void check_llama_tensors(const CheckpointData& data, const std::string& file,
                         const std::function<std::string(const std::string&)>& source_name = {});

// The same for the GPT-2 family (canonical names in checkpoint.h): wte,
// wpe, ln_f, lm_head (when not tied) and per layer ln_1, c_attn, c_proj,
// ln_2, c_fc, mlp.c_proj, with biases when config.bias.
void check_gpt2_canonical_tensors(const CheckpointData& data, const std::string& file,
                                  const std::function<std::string(const std::string&)>& source_name = {});

// architecture, layers, heads, kv_heads, width, hidden, vocabulary, context,
// tied_embeddings from the config.
void fill_card_from_config(ModelCard& card, const ModelConfig& config);

// Throws when the tokenizer has more ids than the model has embedding rows
// (an id past the table would index out of bounds).
void check_tokenizer_fits(const Tokenizer& tokenizer, int vocab_size, const std::string& file);

// file_name_of("a/b/c.bin") -> "c.bin" comes from tokenizer/piece_text.h
// (one definition for the engine). folder_name_of("a/b/", ".") -> the real
// folder name; stem_of -> "c"; parent_of -> "a/b" ("." when none).
std::string folder_name_of(const std::string& dir);
std::string stem_of(const std::string& path);
std::string parent_of(const std::string& path);

// "3f 2a 00 ..." for error messages about unknown content.
std::string hex_head(const std::string& bytes, size_t n = 16);

// The whole file as a string (small text files: config.json, ...). Throws
// Error(FileNotFound).
std::string read_text_file(const std::string& path);

}  // namespace waypoint::detail
