// Request text -> the token ids the scheduler gets, with the checks that need
// the model: an empty prompt without BOS, a prompt that leaves no room in the
// context (`context`: the tokens the server allows, at most the model's), a chat template that raises. Errors name the request field.
#pragma once

#include <variant>
#include <vector>

#include "api_error.h"
#include "requests.h"
#include "waypoint/model.h"

namespace waypoint::server {

struct BuiltPrompt {
    std::vector<int> ids;
    std::vector<std::string> stop_strings;  // the template's end of turn (chat only)
};

// A completion prompt: tokenized with BOS where the tokenizer has one (as
// waypoint-cli does). `param` names the field for errors ("prompt").
std::variant<BuiltPrompt, ApiError> build_text_prompt(const waypoint::Model& model, int context, const std::string& text,
                                                      const std::string& param);

// A chat: rendered with the checkpoint's chat template (its BOS/EOS texts
// become their ids); a checkpoint without a template gets the messages'
// texts appended as they are, one running text (as the app's completion mode).
std::variant<BuiltPrompt, ApiError> build_chat_prompt(const waypoint::Model& model, int context,
                                                      const std::vector<ChatMessageIn>& messages);

}  // namespace waypoint::server
