// Turning a conversation into the text (and ids) a model continues, for every
// PromptMode, and making it fit the context by leaving out the oldest turns
// after the system prompt. Shared by the engine backend and the test fakes:
// plain C++, no Qt, no torch.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "inference_backend.h"

namespace waypoint::app {

// The mode actually used: Template falls back to Completion without a template.
PromptMode effectiveMode(PromptMode wanted, const waypoint::ChatFormat& format);

// The prompt text of the system message (if first) and messages[firstKept..].
// A last assistant message is continued: the text ends with its content,
// right after where the assistant's turn starts. Throws ChatTemplateError
// when the template raises.
std::string renderConversation(const ConversationRequest& request, const waypoint::ChatFormat& format,
                               size_t firstKept);

// Where the answer ends besides EOS: the template's end-of-turn strings, or
// the transcript's next "\nUser:".
std::vector<std::string> conversationStopStrings(const ConversationRequest& request,
                                                 const waypoint::ChatFormat& format);

struct FittedPrompt {
    std::string text;
    std::vector<int> ids;
    int droppedTurns = 0;
};

// Renders and encodes the conversation; while the ids exceed `budget`, leaves
// out the oldest turn after the system prompt (a user message and what follows
// it up to the next user message). The latest turn always stays (the engine
// then keeps the prompt's last tokens).
FittedPrompt fitConversation(const ConversationRequest& request, const waypoint::ChatFormat& format,
                             const std::function<std::vector<int>(const std::string&)>& encode, int budget);

}  // namespace waypoint::app
