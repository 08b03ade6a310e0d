// The tokenizer a GGUF file embeds (tokenizer.ggml.model "llama"): a
// sentencepiece-style vocabulary of pieces, scores and token types, encoded
// with sentencepiece's BPE semantics (space -> U+2581, a dummy-prefix space,
// merge the best-scoring adjacent pair first, unknown characters as <0xXX>
// byte tokens) as llama.cpp's llm_tokenizer_spm does.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "waypoint/tokenizer.h"

namespace waypoint::detail {

class GgufFile;

// llama.cpp's token types (tokenizer.ggml.token_type).
enum class GgufTokenType { Undefined = 0, Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };

struct GgufVocab {
    std::vector<std::string> tokens;  // pieces, spaces spelled U+2581
    std::vector<float> scores;        // merge priority (higher first)
    std::vector<GgufTokenType> types;
    int bos = -1, eos = -1, unk = -1;
    bool add_space_prefix = true;     // tokenizer.ggml.add_space_prefix
    std::string description;          // "GGUF vocabulary (stories260K-f32.gguf, 512 tokens)"
};

// Reads the tokenizer.ggml.* metadata of `gguf` ("llama" model only; other
// models: Error(Unsupported)). Throws Error(BadFormat) for inconsistent arrays.
GgufVocab read_gguf_vocab(const GgufFile& gguf);

std::unique_ptr<Tokenizer> make_gguf_vocab_tokenizer(GgufVocab vocab);

// The tokenizer `gguf` embeds: tokenizer.ggml.model "llama" (the class
// above) or "gpt2" (GPT-2 byte-level BPE from tokenizer.ggml.tokens and
// tokenizer.ggml.merges). No tokenizer: Error(FileNotFound) saying to pass
// --tokenizer; another model: Error(Unsupported).
std::unique_ptr<Tokenizer> load_gguf_tokenizer(const GgufFile& gguf);

// A GGUF file used only for its vocabulary (e.g. llama.cpp's vocab-only
// files, or --tokenizer model.gguf).
std::unique_ptr<Tokenizer> load_gguf_vocab_tokenizer(const std::string& path);

}  // namespace waypoint::detail
