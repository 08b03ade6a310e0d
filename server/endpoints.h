// The route handlers behind ApiServer (api_server.cpp wires them to paths
// after authentication and rate limiting). Private to the server library.
#pragma once

#include <atomic>
#include <string>

#include "api_error.h"
#include "api_server.h"
#include "metrics.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace waypoint::server {

struct EndpointContext {
    const waypoint::Model& model;
    std::shared_ptr<const waypoint::Model> model_ptr;
    const std::string& model_id;
    int context;  // tokens a prompt and its answer may take: --ctx, at most the model's
    GenerationScheduler& scheduler;
    Metrics& metrics;
    const ServerOptions& options;
    std::atomic<int>& in_flight;  // generation requests being answered
};

void send_error(httplib::Response& res, const ApiError& error);

void handle_completions(const EndpointContext& ctx, const httplib::Request& req, httplib::Response& res);
void handle_chat_completions(const EndpointContext& ctx, const httplib::Request& req, httplib::Response& res);
void handle_generate(const EndpointContext& ctx, const httplib::Request& req, httplib::Response& res);

}  // namespace waypoint::server
