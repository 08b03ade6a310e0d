#include "conversation_prompt.h"

namespace waypoint::app {

namespace {
bool hasSystem(const std::vector<ChatMessage>& m) { return !m.empty() && m.front().role == "system"; }
size_t firstTurn(const std::vector<ChatMessage>& m) { return hasSystem(m) ? 1 : 0; }
}  // namespace

PromptMode effectiveMode(PromptMode wanted, const ChatFormat& format) {
    if (wanted == PromptMode::Template && !format.chat_template) return PromptMode::Completion;
    return wanted;
}

std::string renderConversation(const ConversationRequest& request, const ChatFormat& format, size_t firstKept) {
    const auto& all = request.messages;
    std::vector<ChatMessage> kept;
    if (hasSystem(all)) kept.push_back(all.front());
    for (size_t i = std::max(firstKept, firstTurn(all)); i < all.size(); ++i) kept.push_back(all[i]);
    // A last assistant message is an answer to continue: render the rest with
    // the assistant's turn opened, then its text (as transformers'
    // continue_final_message does, without the end-of-turn the template
    // would write after a whole message).
    std::string continued;
    const bool continuing = !kept.empty() && kept.back().role == "assistant";
    if (continuing) {
        continued = kept.back().content;
        kept.pop_back();
    }
    std::string text;
    switch (effectiveMode(request.mode, format)) {
    case PromptMode::Template:
        text = format.chat_template->render(kept, format.options(true));
        break;
    case PromptMode::Completion:
        for (const auto& m : kept) text += m.content;
        break;
    case PromptMode::Transcript:
        for (const auto& m : kept) {
            if (m.role == "system") text += m.content + "\n\n";
            else if (m.role == "user") text += request.userLabel + ": " + m.content + "\n";
            else text += request.assistantLabel + ":" + m.content + "\n";
        }
        // The answer's text starts with the space the model writes after the
        // label (sentencepiece words begin with one): what it generated is
        // exactly what the next turn's prompt holds, so the cache matches.
        text += request.assistantLabel + ":";
        break;
    }
    return text + continued;
}

std::vector<std::string> conversationStopStrings(const ConversationRequest& request, const ChatFormat& format) {
    switch (effectiveMode(request.mode, format)) {
    case PromptMode::Template: return format.stop_strings;
    case PromptMode::Completion: return {};
    case PromptMode::Transcript: return {"\n" + request.userLabel + ":"};
    }
    return {};
}

FittedPrompt fitConversation(const ConversationRequest& request, const ChatFormat& format,
                             const std::function<std::vector<int>(const std::string&)>& encode, int budget) {
    const auto& all = request.messages;
    FittedPrompt out;
    size_t first = firstTurn(all);
    for (;;) {
        out.text = renderConversation(request, format, first);
        out.ids = encode(out.text);
        if (int(out.ids.size()) <= budget) return out;
        size_t next = first + 1;
        while (next < all.size() && all[next].role != "user") ++next;
        if (next >= all.size()) return out;  // only the latest turn is left
        first = next;
        ++out.droppedTurns;
    }
}

}  // namespace waypoint::app
