// Helpers every checkpoint reader shares: the canonical tensor check, the
// card fields that follow from the config, small path helpers.
#pragma once

#include <functional>
#include <string>

#include "formats/canonical_tensors.h"
#include "formats/checkpoint.h"
#include "tokenizer/piece_text.h"

namespace waypoint::detail {

// The canonical tensor check: check_canonical_tensors() in canonical_tensors.h.

// architecture, layers, heads, kv_heads, width, hidden, vocabulary, context,
// tied_embeddings from the config.
void fill_card_from_config(ModelCard& card, const ModelConfig& config);

// The checkpoint's tokenizer: `find` (the format's lookup) and the fit check
// below; sets d.tokenizer and d.card.tokenizer. When probing, a tokenizer
// that cannot be found, opened or fitted leaves both empty and
// d.tokenizer_problem saying why, instead of throwing.
void attach_tokenizer(CheckpointData& d, const ReadOptions& options, const std::string& file,
                      const std::function<std::unique_ptr<Tokenizer>()>& find);

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
