#include "prompt_builder.h"

#include "waypoint/chat_format.h"
#include "waypoint/chat_template.h"
#include "waypoint/error.h"

namespace waypoint::server {
namespace {

std::variant<BuiltPrompt, ApiError> checked(int context, BuiltPrompt p, const std::string& param) {
    if (p.ids.empty())
        return bad_request("'" + param + "' is empty and this model's tokenizer has no BOS token to start from; give some text.",
                           param);
    if (static_cast<int>(p.ids.size()) >= context)
        return bad_request("This model's maximum context length is " + std::to_string(context) +
                               " tokens; the prompt ('" + param + "') has " + std::to_string(p.ids.size()) +
                               " tokens and leaves no room for an answer. Shorten it.",
                           param, "context_length_exceeded");
    return p;
}

}  // namespace

std::variant<BuiltPrompt, ApiError> build_text_prompt(const waypoint::Model& model, int context, const std::string& text,
                                                      const std::string& param) {
    const waypoint::Tokenizer& tok = model.tokenizer();
    BuiltPrompt p;
    p.ids = tok.encode(text, tok.bos() >= 0);
    return checked(context, std::move(p), param);
}

std::variant<BuiltPrompt, ApiError> build_chat_prompt(const waypoint::Model& model, int context,
                                                      const std::vector<ChatMessageIn>& messages) {
    const waypoint::ChatFormat& format = waypoint::chat_format(model);
    BuiltPrompt p;
    if (!format.chat_template) {
        std::string text;
        for (const ChatMessageIn& m : messages) text += m.content;
        return build_text_prompt(model, context, text, "messages");
    }
    std::vector<waypoint::ChatMessage> chat;
    for (const ChatMessageIn& m : messages) chat.push_back({m.role, m.content});
    try {
        const std::string rendered = format.chat_template->render(chat, format.options(true));
        p.ids = waypoint::encode_rendered(model.tokenizer(), rendered, format);
    } catch (const waypoint::ChatTemplateError& e) {
        return bad_request(std::string("The model's chat template (") + format.origin +
                               ") refused these messages: " + e.what(),
                           "messages");
    }
    p.stop_strings = format.stop_strings;
    return checked(context, std::move(p), "messages");
}

}  // namespace waypoint::server
