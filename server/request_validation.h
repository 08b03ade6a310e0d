// Request bodies in, validated values or an error naming the field out.
// Pure functions of the bytes (no model, no I/O, no exceptions escape): the
// HTTP layer calls them, and so can a fuzz target. Checks that need the model
// (its name, its context length) come later, in the endpoints.
#pragma once

#include <string_view>
#include <variant>

#include "api_error.h"
#include "requests.h"

namespace waypoint::server {

template <class T>
using Parsed = std::variant<T, ApiError>;

Parsed<CompletionRequest> parse_completion_request(std::string_view body);
Parsed<ChatRequest> parse_chat_request(std::string_view body);
Parsed<GenerateRequest> parse_generate_request(std::string_view body);

}  // namespace waypoint::server
