// Chat templates (engine/src/chat/jinja): parsing and rendering a template
// from a checkpoint, over a conversation with every message kind templates
// look at (system, user, assistant with tool calls, tool). The input is the
// template, optionally followed by kSeparator and the messages as JSON.
// Rendering runs under small limits (ChatTemplateLimits) so that each
// execution stays short; a template that reaches one must stop with a
// ChatTemplateError naming it, never hang, crash or exhaust memory.
#include "harness.h"
#include "waypoint/chat_template.h"

namespace waypoint::fuzz {
namespace {

constexpr const char* kSeparator = "\n#----#\n";

constexpr const char* kMessages = R"([
 {"role": "system", "content": "You are terse."},
 {"role": "user", "content": "What is 123+456? Grüße 🌍"},
 {"role": "assistant", "content": "", "tool_calls": [{"type": "function", "id": "call_1",
   "function": {"name": "add", "arguments": {"a": 123, "b": 456}}}]},
 {"role": "tool", "tool_call_id": "call_1", "name": "add", "content": "579"},
 {"role": "assistant", "content": "<think>easy</think>579", "reasoning_content": "easy"},
 {"role": "user", "content": ["a", {"type": "text", "text": "list content"}]}
])";

constexpr const char* kTools = R"([{"type": "function", "function": {"name": "add", "description": "Adds.",
 "parameters": {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
 "required": ["a", "b"]}}}])";

}  // namespace

void chat_template(const uint8_t* data, size_t size) {
    const auto parts = split(data, size, kSeparator, 2);
    expect_clean("chat_template", [&] {
        const waypoint::ChatTemplate tpl(parts[0], "fuzz.jinja");
        waypoint::ChatTemplateOptions options;
        options.bos_token = "<s>";
        options.eos_token = "</s>";
        options.now = 1772874302;
        options.tools_json = kTools;
        // A few hundred milliseconds at most under ASan, a few MB at most.
        options.limits.max_steps = 200000;
        options.limits.max_text_bytes = 1 << 20;
        options.limits.max_built_bytes = 16 << 20;
        (void)tpl.render_json(parts.size() > 1 ? parts[1] : kMessages, options);
    });
}

}  // namespace waypoint::fuzz
