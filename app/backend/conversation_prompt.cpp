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
    // Where each turn starts (a user message after the system prompt); the
    // prompt may begin at any of them, the latest always stays.
    std::vector<size_t> starts{firstTurn(all)};
    for (size_t i = firstTurn(all) + 1; i < all.size(); ++i)
        if (all[i].role == "user") starts.push_back(i);
    const auto at = [&](size_t k) {
        FittedPrompt p;
        p.text = renderConversation(request, format, starts[k]);
        p.ids = encode(p.text);
        p.droppedTurns = int(k);
        return p;
    };
    FittedPrompt best = at(0);
    if (int(best.ids.size()) <= budget || starts.size() == 1) return best;
    // Fewer turns never make a longer prompt: the first start that fits is
    // found by bisection (a 200-message chat: ~8 renders, not 100).
    size_t lo = 1, hi = starts.size() - 1;
    FittedPrompt last = at(hi);
    if (int(last.ids.size()) > budget) return last;  // only the latest turn: generate() keeps its end
    best = last;
    while (lo < hi) {
        const size_t mid = (lo + hi) / 2;
        FittedPrompt p = at(mid);
        if (int(p.ids.size()) <= budget) {
            best = std::move(p);
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return best;
}

}  // namespace waypoint::app
