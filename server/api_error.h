// An error answer in OpenAI's shape: HTTP status plus
// {"error": {"message", "type", "param", "code"}}. `param` names the request
// field at fault ("" when none applies: written as null).
#pragma once

#include <string>

namespace waypoint::server {

struct ApiError {
    int status = 400;
    std::string message;
    std::string type = "invalid_request_error";  // "authentication_error", "rate_limit_error", "server_error", ...
    std::string param;                           // "" -> null
    std::string code;                            // "" -> null; e.g. "model_not_found", "context_length_exceeded"
};

ApiError bad_request(std::string message, std::string param, std::string code = {});

// The JSON body of an error answer.
std::string error_json(const ApiError& error);

}  // namespace waypoint::server
