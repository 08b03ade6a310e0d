// Wiring: cpp-httplib's server, its limits (body size, timeouts, threads),
// the checks every request passes first (draining, API key, rate limit), the
// small GET routes, OpenAI-shaped errors for what httplib answers itself
// (404, 413), and the metrics of every answer.
#include "api_server.h"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <ctime>
#include <thread>

#include "endpoints.h"
#include "metrics.h"
#include "rate_limiter.h"
#include "waypoint/error.h"

namespace waypoint::server {
namespace {

const char* const kRoutes[] = {"/health", "/metrics", "/v1/models", "/v1/completions", "/v1/chat/completions",
                               "/generate"};

std::string route_label(const std::string& path) {
    for (const char* r : kRoutes)
        if (path == r) return r;
    if (path.rfind("/v1/models/", 0) == 0) return "/v1/models/{id}";
    return "other";
}

bool constant_time_equal(const std::string& a, const std::string& b) {
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i % (b.empty() ? 1 : b.size())]);
    return diff == 0 && !b.empty();
}

nlohmann::ordered_json model_object(const std::string& id, const waypoint::Model& model) {
    return {{"id", id},
            {"object", "model"},
            {"created", static_cast<long long>(std::time(nullptr))},
            {"owned_by", "waypoint"},
            {"context_length", model.context_length()}};
}

}  // namespace

ApiServer::ApiServer(std::shared_ptr<const waypoint::Model> model, ServerOptions options,
                     std::unique_ptr<GenerationScheduler> scheduler)
    : model_(std::move(model)), options_(std::move(options)), scheduler_(std::move(scheduler)) {
    model_id_ = options_.model_id.empty() ? model_->card().name : options_.model_id;
    if (model_id_.empty()) model_id_ = "waypoint";
    if (!scheduler_) scheduler_ = make_generation_scheduler(model_, options_.parallel);
    metrics_ = std::make_unique<Metrics>();
    const double burst = options_.rate_burst > 0 ? options_.rate_burst : std::max(1.0, 2 * options_.rate_limit);
    limiter_ = std::make_unique<RateLimiter>(options_.rate_limit, burst);
    http_ = std::make_unique<httplib::Server>();
    install_routes();
}

ApiServer::~ApiServer() { stop(std::chrono::milliseconds(0)); }

void ApiServer::install_routes() {
    httplib::Server& s = *http_;
    const int threads = options_.http_threads > 0 ? options_.http_threads : std::max(64, 4 * options_.parallel + 32);
    s.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
    s.set_payload_max_length(options_.max_body_bytes);
    s.set_read_timeout(options_.io_timeout_s, 0);
    s.set_write_timeout(options_.io_timeout_s, 0);
    // Idle keep-alive connections are closed after 15 s (a client that sends
    // just as the server closes sees "other side closed": with 5 s, the default,
    // OpenAI's Node client under load hit that race), and after 100 requests.
    s.set_keep_alive_timeout(15);
    s.set_keep_alive_max_count(100);
    // SO_REUSEADDR only: httplib's default adds SO_REUSEPORT, with which a
    // second server (or another program) binds the same port without an
    // error and silently takes half the connections.
    s.set_socket_options([](socket_t sock) {
        int yes = 1;
        setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<const void*>(&yes), sizeof(yes));
    });
    s.set_tcp_nodelay(true);  // a streamed token should leave at once, not wait for Nagle

    s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
        if (draining_.load() && req.path != "/health") {
            ApiError e{503, "The server is shutting down; no new requests are taken.", "server_error", "", "shutting_down"};
            send_error(res, e);
            return httplib::Server::HandlerResponse::Handled;
        }
        if (!options_.api_key.empty() && req.path != "/health") {
            const std::string auth = req.get_header_value("Authorization");
            const std::string prefix = "Bearer ";
            if (auth.rfind(prefix, 0) != 0 || !constant_time_equal(auth.substr(prefix.size()), options_.api_key)) {
                ApiError e{401,
                           auth.empty() ? "No API key given: send the header \"Authorization: Bearer KEY\" with the key "
                                          "this server was started with (--api-key)."
                                        : "The API key is not the one this server was started with (--api-key).",
                           "authentication_error", "", "invalid_api_key"};
                send_error(res, e);
                return httplib::Server::HandlerResponse::Handled;
            }
        }
        if (req.path != "/health" && req.path != "/metrics") {
            std::string client = req.get_header_value("Authorization");
            if (client.empty()) client = req.remote_addr;
            const RateLimiter::Verdict v = limiter_->take(client);
            if (!v.allowed) {
                ApiError e{429,
                           "Too many requests from this client: at most " + nlohmann::json(options_.rate_limit).dump() +
                               " a second. Retry after " + std::to_string(v.retry_after_s) + " s.",
                           "rate_limit_error", "", "rate_limit_exceeded"};
                send_error(res, e);
                res.set_header("Retry-After", std::to_string(v.retry_after_s));
                return httplib::Server::HandlerResponse::Handled;
            }
        }
        return httplib::Server::HandlerResponse::Unhandled;
    });

    // What httplib answers by itself (no route, body too large, bad request
    // line) gets an OpenAI-shaped body too.
    s.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        ApiError e;
        e.status = res.status;
        switch (res.status) {
        case 404: e.message = "No such endpoint: " + req.method + " " + req.path + "."; e.code = "unknown_url"; break;
        case 405: e.message = "Method " + req.method + " is not allowed on " + req.path + "."; break;
        case 413: e.message = "The request body is too large."; e.code = "request_too_large"; break;
        case 408: e.message = "The request was not received in time."; break;
        default: e.message = "The request could not be read (HTTP " + std::to_string(res.status) + ")."; break;
        }
        if (res.status >= 500) e.type = "server_error";
        send_error(res, e);
        return httplib::Server::HandlerResponse::Handled;
    }));
    s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        ApiError e{500, "Internal error.", "server_error", "", ""};
        try {
            if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& ex) {
            e.message = std::string("Internal error: ") + ex.what();
        } catch (...) {
        }
        send_error(res, e);
    });
    s.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
        metrics_->request(route_label(req.path), res.status);
        answered_.fetch_add(1);
    });

    s.Get("/health", [this](const httplib::Request&, httplib::Response& res) {
        const SchedulerLoad load = scheduler_->load();
        nlohmann::ordered_json j{{"status", draining_.load() ? "shutting_down" : "ok"},
                                 {"model", model_id_},
                                 {"slots", load.slots},
                                 {"active", load.active},
                                 {"queued", load.queued}};
        res.status = draining_.load() ? 503 : 200;
        res.set_content(j.dump(), "application/json");
    });
    s.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
        res.set_content(metrics_->render(scheduler_->load()), "text/plain; version=0.0.4; charset=utf-8");
    });
    s.Get("/v1/models", [this](const httplib::Request&, httplib::Response& res) {
        nlohmann::ordered_json j{{"object", "list"}, {"data", nlohmann::ordered_json::array({model_object(model_id_, *model_)})}};
        res.set_content(j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace), "application/json");
    });
    s.Get(R"(/v1/models/(.+))", [this](const httplib::Request& req, httplib::Response& res) {
        const std::string id = req.matches[1];
        if (id != model_id_) {
            ApiError e{404, "The model '" + id + "' does not exist; this server serves '" + model_id_ + "'.",
                       "invalid_request_error", "model", "model_not_found"};
            send_error(res, e);
            return;
        }
        res.set_content(model_object(model_id_, *model_).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace),
                        "application/json");
    });

    auto context = [this] {
        return EndpointContext{*model_, model_, model_id_, context_tokens(), *scheduler_, *metrics_, options_, in_flight_};
    };
    s.Post("/v1/completions", [this, context](const httplib::Request& req, httplib::Response& res) {
        handle_completions(context(), req, res);
    });
    s.Post("/v1/chat/completions", [this, context](const httplib::Request& req, httplib::Response& res) {
        handle_chat_completions(context(), req, res);
    });
    s.Post("/generate", [this, context](const httplib::Request& req, httplib::Response& res) {
        handle_generate(context(), req, res);
    });
}

int ApiServer::context_tokens() const {
    const int model = model_->context_length();
    return options_.context > 0 && options_.context < model ? options_.context : model;
}

int ApiServer::bind() {
    if (options_.port == 0) {
        port_ = http_->bind_to_any_port(options_.host);
    } else {
        port_ = http_->bind_to_port(options_.host, options_.port) ? options_.port : -1;
    }
    if (port_ < 0)
        throw waypoint::Error(waypoint::ErrorKind::InvalidArgument,
                              "cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                                  ": the port is taken or the host is not an address of this machine; pick another "
                                  "--port (0 = any free one) or --host");
    return port_;
}

void ApiServer::serve() { http_->listen_after_bind(); }

int ApiServer::start() {
    const int port = bind();
    thread_ = std::thread([this] {
        serve();
        serve_ended_.store(true);
    });
    // httplib's stop() does nothing until the accept loop has begun
    // (is_running()), so a stop() right after start() would leave the loop
    // running and its join waiting forever: return once the loop runs (or
    // has already ended). The socket listens since bind(); nothing is lost.
    while (!http_->is_running() && !serve_ended_.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return port;
}

void ApiServer::stop(std::chrono::milliseconds drain) {
    if (stopped_.exchange(true)) {
        if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
        return;
    }
    draining_.store(true);
    scheduler_->drain(drain);  // every generation has ended: the handlers write their last bytes and return
    http_->stop();             // closes the listener; joins the HTTP threads once their answers are out
    if (thread_.joinable()) thread_.join();
}

std::string ApiServer::url() const {
    std::string host = options_.host;
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    return "http://" + host + ":" + std::to_string(port_);
}

}  // namespace waypoint::server
