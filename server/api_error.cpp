#include "api_error.h"

#include <nlohmann/json.hpp>

namespace waypoint::server {

ApiError bad_request(std::string message, std::string param, std::string code) {
    ApiError e;
    e.status = 400;
    e.message = std::move(message);
    e.param = std::move(param);
    e.code = std::move(code);
    return e;
}

std::string error_json(const ApiError& error) {
    nlohmann::ordered_json inner;
    inner["message"] = error.message;
    inner["type"] = error.type;
    inner["param"] = error.param.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(error.param);
    inner["code"] = error.code.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(error.code);
    nlohmann::ordered_json j;
    j["error"] = inner;
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace waypoint::server
