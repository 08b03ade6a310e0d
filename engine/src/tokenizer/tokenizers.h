// Factories for the tokenizer implementations (engine-internal).
#pragma once

#include <memory>
#include <string>

#include "waypoint/tokenizer.h"

namespace waypoint::detail {

// A sentencepiece .model, through the dlopen'ed bridge (docs/ARCHITECTURE.md trap 2).
std::unique_ptr<Tokenizer> load_sentencepiece(const std::string& model_path);

// llama2.c's tokenizer.bin (max_token_length, then per token: float score,
// int32 length, bytes). vocab_size from the checkpoint header. BOS 1, EOS 2.
std::unique_ptr<Tokenizer> load_llama2c_tokenizer(const std::string& bin_path, int vocab_size);

}  // namespace waypoint::detail

namespace waypoint::detail {

// GPT-2 byte-level BPE from vocab.json ({"token": id}) + merges.txt ("left
// right" per line, in merge order; a leading "#version" line is optional).
// bos() is -1 (GPT-2 prepends nothing); eos() is <|endoftext|> when present.
// Pre-tokenization uses GPT-2's pattern through RE2 (see gpt2_pretokenizer.h).
std::unique_ptr<Tokenizer> load_gpt2_bpe(const std::string& vocab_json_path,
                                         const std::string& merges_path);

// The same from a Hugging Face tokenizer.json whose model is byte-level BPE
// (merges as "a b" strings or ["a", "b"] pairs; added special tokens decode
// to ""). Anything else: Error(Unsupported).
std::unique_ptr<Tokenizer> load_gpt2_bpe_tokenizer_json(const std::string& path);

// The same from tables already in memory (GGUF's tokenizer.ggml.tokens and
// tokenizer.ggml.merges): tokens[id] in byte-level spelling ("Ġthe"),
// merges as "left right", special[id] true for control tokens (may be
// shorter than tokens or empty). description e.g. "GPT-2 BPE (model.gguf)".
std::unique_ptr<Tokenizer> make_gpt2_bpe(std::vector<std::string> tokens,
                                         const std::vector<std::string>& merges,
                                         const std::vector<bool>& special,
                                         std::string description);

// A character-level vocabulary: itos[id] is the text of id (stoi is its
// inverse). No BOS/EOS. Encoding a character that is not in the vocabulary
// throws Error(InvalidArgument) naming it. description e.g.
// "characters (65, from ckpt.pt)".
std::unique_ptr<Tokenizer> make_char_tokenizer(std::vector<std::string> itos,
                                               std::string description);

}  // namespace waypoint::detail
