// OpenAI's response shapes (API reference: completions, chat completions,
// their stream chunks, usage, logprobs), built from the engine's values.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "waypoint/generate.h"

namespace waypoint::server {

using ojson = nlohmann::ordered_json;

// "stop" (EOS, a stop string, cancelled) or "length" (max_tokens, context full).
const char* finish_reason(waypoint::FinishReason reason);

// A fresh id with OpenAI's prefix ("cmpl-", "chatcmpl-") and 24 hex digits.
std::string response_id(const char* prefix);
long long unix_now();

ojson usage_json(int prompt_tokens, int completion_tokens);

// The legacy completions logprobs object for a run of token events
// ({tokens, token_logprobs, top_logprobs, text_offset}); `offset` is where the
// first token's text starts in the choice's text.
ojson completion_logprobs(const std::vector<waypoint::TokenEvent>& events, int top, size_t offset);
// The chat logprobs object ({content: [{token, logprob, bytes, top_logprobs}]}).
ojson chat_logprobs(const std::vector<waypoint::TokenEvent>& events, int top);

// Serialises with invalid UTF-8 replaced (a model may emit anything).
std::string dump(const ojson& j);
// One server-sent event: "data: <json>\n\n".
std::string sse_event(const ojson& j);
inline const char* sse_done() { return "data: [DONE]\n\n"; }

}  // namespace waypoint::server
