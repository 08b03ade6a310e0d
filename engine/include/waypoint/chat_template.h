// Chat templates: the Jinja text an instruction-tuned checkpoint ships to turn
// a conversation into the prompt it was trained on. Rendered byte for byte as
// Hugging Face transformers renders them with Python's jinja2
// (apply_chat_template: trim_blocks, lstrip_blocks, raise_exception, tojson,
// strftime_now, the `generation` tag), by a renderer in the engine: plain C++,
// usable from the app, the CLI and a server alike. engine/src/chat/README.md
// says why it is written here and how it was measured.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "waypoint/error.h"

namespace waypoint {

struct ChatMessage {
    std::string role;     // "system" | "user" | "assistant" | "tool" | ...
    std::string content;
};

// What one render may use. A template is code from a downloaded checkpoint:
// one that loops without end, recurses, or builds text without bound stops
// with a ChatTemplateError (InvalidArgument) that names the limit, instead of
// hanging the program or exhausting its memory. The defaults are far above
// what real templates need (tst_chat_template measures the steps a
// 1000-message conversation takes with each of ../shared/chat-templates).
struct ChatTemplateLimits {
    int64_t max_steps = 20'000'000;           // statements run + expressions evaluated + items copied
    int64_t max_text_bytes = int64_t(64) << 20;  // the prompt, and any one string or list the template builds
    int64_t max_built_bytes = int64_t(1) << 30;  // all strings and lists built in one render together
    int max_depth = 400;                      // nesting at run time: blocks, expressions, macro recursion
};

struct ChatTemplateOptions {
    std::string bos_token;              // bound to `bos_token` in the template
    std::string eos_token;              // bound to `eos_token`
    bool add_generation_prompt = true;  // end with the header of the assistant's turn
    std::string tools_json;             // a JSON list of tool schemas; "" = no tools (None)
    // What strftime_now() formats: seconds since 1970 read as UTC. Unset: the
    // local time now, as transformers' datetime.now().
    std::optional<int64_t> now;
    ChatTemplateLimits limits;
};

// A template failed: a syntax error when parsed, or an error while rendering.
// what() is "chat template NAME: MESSAGE"; message() is the template's own
// text (for raise_exception, exactly what the template passed).
class ChatTemplateError : public Error {
public:
    ChatTemplateError(ErrorKind kind, const std::string& name, const std::string& message, bool raised)
        : Error(kind, "chat template " + name + ": " + message), message_(message), raised_(raised) {}
    const std::string& message() const noexcept { return message_; }
    bool raised() const noexcept { return raised_; }  // the template called raise_exception

private:
    std::string message_;
    bool raised_;
};

namespace detail {
struct ChatProgram;
std::string render_template_with(const std::string& source, const std::string& variables_json, int64_t now);
}  // namespace detail

// A parsed template; immutable, cheap to copy, usable from any thread.
class ChatTemplate {
public:
    // Parses `source`. `name` names the template in errors (a file name, or
    // "tokenizer_config.json of CHECKPOINT"). Throws ChatTemplateError
    // (BadFormat) with the line of a syntax error.
    ChatTemplate(const std::string& source, std::string name);

    const std::string& name() const { return name_; }
    const std::string& source() const { return source_; }

    // Throws ChatTemplateError (InvalidArgument) when the template raises or
    // fails on these messages.
    std::string render(const std::vector<ChatMessage>& messages, const ChatTemplateOptions& options) const;
    // The same from an OpenAI-style JSON list of message objects; every field
    // reaches the template (tool_calls, reasoning_content, ...), keys in the
    // order written. Throws ChatTemplateError (InvalidArgument) on bad JSON.
    std::string render_json(const std::string& messages_json, const ChatTemplateOptions& options) const;

private:
    friend std::string detail::render_template_with(const std::string&, const std::string&, int64_t);
    std::string name_;
    std::string source_;
    std::shared_ptr<const detail::ChatProgram> program_;
};

// One-shot convenience: parse and render.
std::string render_chat_template(const std::string& source, const std::string& name,
                                 const std::vector<ChatMessage>& messages, const std::string& bos_token,
                                 const std::string& eos_token, bool add_generation_prompt);

}  // namespace waypoint
