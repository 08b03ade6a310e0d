// How to chat with a checkpoint: its chat template, the text of its special
// tokens, and where a turn ends. Read from the checkpoint's own files, the way
// Hugging Face transformers and llama.cpp find them:
//   - chat_template.jinja beside the weights (transformers >= 4.43 writes it),
//   - tokenizer_config.json "chat_template": a string, or a list of
//     {"name", "template"} (the one named "default", else the first),
//     and its "bos_token" / "eos_token" (a string or {"content": ...}),
//   - chat_template.json {"chat_template": ...} (processor checkpoints),
//   - GGUF metadata tokenizer.chat_template, with BOS/EOS from
//     tokenizer.ggml.tokens at tokenizer.ggml.bos/eos_token_id.
// A checkpoint without any (a base model) has no template.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "waypoint/chat_template.h"
#include "waypoint/tokenizer.h"

namespace waypoint {

struct ChatFormat {
    std::optional<ChatTemplate> chat_template;  // absent: a base model without a template
    std::string origin;       // the file (and key) it came from, e.g. "tokenizer_config.json"; "" when none
    std::string bos_token;    // the text of the BOS token ("<s>"), "" when unknown
    std::string eos_token;    // the text of the EOS token ("</s>"), "" when unknown
    // What ends an assistant's turn in this template ("<|im_end|>",
    // "<|eot_id|>", ...), then eos_token: stop strings for generation.
    std::vector<std::string> stop_strings;
    // A template that is there but cannot be used (a syntax error): the
    // message, naming the file; chat_template is then absent.
    std::string problem;

    ChatTemplateOptions options(bool add_generation_prompt = true) const;
};

class Model;
// The chat format found beside the checkpoint when `model` was loaded (a
// tokenizer_config.json that is not JSON is reported in `problem` there).
const ChatFormat& chat_format(const Model& model);

// Looks beside `checkpoint` (a file or a folder). Never throws for a
// template that fails to parse: that is reported in `problem`. Throws
// Error(BadFormat) for a tokenizer_config.json that is not JSON.
ChatFormat find_chat_format(const std::string& checkpoint);

// The end-of-turn text a template writes after an assistant's message (the
// first whitespace-delimited piece after it, e.g. "<|im_end|>"), found by
// rendering a probe conversation; "" when it writes nothing there or raises.
std::string end_of_turn_marker(const ChatTemplate& tpl, const std::string& bos_token, const std::string& eos_token);

// Encodes a rendered prompt: the BOS and EOS token texts inside it become
// those token ids (a template writes them as text), the rest is encoded as
// plain text without an added BOS.
std::vector<int> encode_rendered(const Tokenizer& tokenizer, const std::string& text, const ChatFormat& format);

}  // namespace waypoint
