// The OpenAI-compatible HTTP server over one loaded model: waypoint-server's
// whole job, and what the desktop app runs for "Serve this model". Plain C++
// (cpp-httplib for HTTP, server/README.md says why); no Qt.
//
//   ApiServer server(model, options);
//   int port = server.bind();        // throws waypoint::Error when it cannot
//   server.serve();                  // blocks until stop(), on this thread
//   ... or server.start() / server.stop(drain) from another owner
//
// Endpoints: GET /health, GET /metrics, GET /v1/models, GET /v1/models/{id},
// POST /v1/completions, POST /v1/chat/completions, POST /generate.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "generation_scheduler.h"
#include "waypoint/model.h"

namespace httplib { class Server; }

namespace waypoint::server {

class Metrics;
class RateLimiter;

struct ServerOptions {
    std::string host = "127.0.0.1";
    int port = 8080;                  // 0: any free port (bind() returns it)
    int parallel = 1;                 // generation slots
    int context = 0;                  // tokens a prompt and its answer may take; 0 or more than the model's: the model's
    std::string api_key;              // "": no key; else every route but /health needs "Authorization: Bearer KEY"
    std::string model_id;             // the name clients use; "": the checkpoint's card name
    double rate_limit = 0;            // requests per second per client (key, else address); <= 0: off
    double rate_burst = 0;            // bucket size; <= 0: max(1, 2 * rate_limit)
    size_t max_body_bytes = 1 << 20;  // larger bodies get 413
    int request_timeout_s = 300;      // queueing + generation of one request
    int io_timeout_s = 30;            // reading a request / writing an answer
    int http_threads = 0;             // connections served at once (httplib: a thread each, idle keep-alive ones too); 0: max(64, 4 * parallel + 32)
};

class ApiServer {
public:
    // `scheduler`: where generation runs; null = make_generation_scheduler(model, parallel).
    ApiServer(std::shared_ptr<const waypoint::Model> model, ServerOptions options,
              std::unique_ptr<GenerationScheduler> scheduler = nullptr);
    ~ApiServer();  // stop(0) if still serving
    ApiServer(const ApiServer&) = delete;
    ApiServer& operator=(const ApiServer&) = delete;

    // Binds host:port; returns the port. Throws waypoint::Error naming the
    // address when it is taken or not an address of this machine.
    int bind();
    // Answers requests until stop(); call after bind().
    void serve();
    // bind() and serve() on a thread of the server's own; returns once the
    // server accepts connections.
    int start();
    // Refuses new requests (503), lets the running ones finish for up to
    // `drain`, cancels the rest, closes the listener, and returns once every
    // answer is written. Safe from any thread (not from a request handler), more than once.
    void stop(std::chrono::milliseconds drain);

    std::string url() const;  // "http://HOST:PORT" once bound
    const std::string& model_id() const { return model_id_; }
    int requests_in_flight() const { return in_flight_.load(); }
    uint64_t requests_answered() const { return answered_.load(); }

private:
    void install_routes();
    int context_tokens() const;
    struct Routes;
    friend struct Routes;

    std::shared_ptr<const waypoint::Model> model_;
    ServerOptions options_;
    std::string model_id_;
    std::unique_ptr<GenerationScheduler> scheduler_;
    std::unique_ptr<Metrics> metrics_;
    std::unique_ptr<RateLimiter> limiter_;
    std::unique_ptr<httplib::Server> http_;
    std::thread thread_;
    int port_ = -1;
    std::atomic<bool> draining_{false};
    std::atomic<bool> stopped_{false};
    std::atomic<bool> serve_ended_{false};  // start()'s thread has left serve()
    std::atomic<int> in_flight_{0};
    std::atomic<uint64_t> answered_{0};
};

}  // namespace waypoint::server
