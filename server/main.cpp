// waypoint-server: an OpenAI-compatible HTTP server over one checkpoint.
// Loads the model, binds, prints "listening on http://HOST:PORT" as its first
// stdout line, and serves until SIGTERM/SIGINT; then it lets the requests in
// flight finish (for up to --drain seconds), and exits 0.
#include <csignal>
#include <cstdio>
#include <cerrno>
#include <unistd.h>
#include <thread>

#include "api_server.h"
#include "arg_parser.h"
#include "error_text.h"
#include "waypoint/error.h"
#include "waypoint/model.h"
#include "waypoint/startup.h"

namespace {

using waypoint::cli::parse_float;
using waypoint::cli::parse_int;
using waypoint::cli::UsageError;

const std::vector<waypoint::cli::OptionSpec>& specs() {
    static const std::vector<waypoint::cli::OptionSpec> table{
        {"--checkpoint", "PATH", "the checkpoint to serve (file or folder; format detected from content)"},
        {"--tokenizer", "PATH", "a tokenizer for a checkpoint without one beside it"},
        {"--host", "HOST", "address to listen on (default 127.0.0.1: this machine only)"},
        {"--port", "N", "port (default 8080; 0: any free port)"},
        {"--parallel", "N", "generation slots: requests answered at once (default 1); the rest queue"},
        {"--api-key", "KEY", "require \"Authorization: Bearer KEY\" (default: $WAYPOINT_API_KEY, else none)"},
        {"--model-id", "NAME", "the model name clients use (default: the checkpoint's name)"},
        {"--ctx", "N", "tokens a prompt and its answer may take (default: the model's context)"},
        {"--device", "D", "cpu | cuda | cuda:N | mps | auto (default auto)"},
        {"--dtype", "T", "auto | fp32 | bf16 | fp16 (default auto: fp32 on CPU, bf16 on CUDA)"},
        {"--threads", "N", "CPU threads (default 0: all cores)"},
        {"--rate-limit", "R", "requests per second per client (API key, else address); 0: off (default)"},
        {"--rate-burst", "B", "requests a client may make at once (default 2 x rate)"},
        {"--max-body", "BYTES", "largest request body (default 1048576); larger ones get 413"},
        {"--timeout", "S", "seconds one request may take, queueing included (default 300)"},
        {"--drain", "S", "on SIGTERM/SIGINT, seconds to let running requests finish (default 10)"},
        {"--help", "", "this text"},
    };
    return table;
}

// SIGTERM/SIGINT write their number to a pipe that a thread of ours reads:
// a handler (not a blocked mask with sigwait), because libraries start
// threads before main() whose masks we do not control.
int stop_pipe[2] = {-1, -1};

extern "C" void on_stop_signal(int sig) {
    const unsigned char b = static_cast<unsigned char>(sig);
    [[maybe_unused]] ssize_t n = write(stop_pipe[1], &b, 1);
}

void install_stop_signals() {
    if (pipe(stop_pipe) != 0) throw std::runtime_error("cannot create a pipe for signal handling");
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    std::signal(SIGPIPE, SIG_IGN);  // a client that went away is a failed write, not the end of the server
}

int wait_stop_signal() {
    unsigned char b = 0;
    while (read(stop_pipe[0], &b, 1) < 0 && errno == EINTR) {
    }
    return b;
}

int run(const std::vector<std::string>& argv) {
    const auto args = waypoint::cli::parse_args(argv, specs());
    if (args.has("--help")) {
        std::printf("usage: waypoint-server --checkpoint PATH [options]\n\n%s",
                    waypoint::cli::describe_options(specs()).c_str());
        return 0;
    }
    if (!args.has("--checkpoint")) throw UsageError("--checkpoint PATH is required (see --help)");

    waypoint::LoadOptions load;
    load.checkpoint = args.value("--checkpoint");
    load.tokenizer = args.value("--tokenizer");
    load.device = args.value("--device", "auto");
    load.dtype = args.value("--dtype", "auto");
    load.threads = static_cast<int>(parse_int("--threads", args.value("--threads", "0"), 0, 4096));

    waypoint::server::ServerOptions o;
    o.host = args.value("--host", "127.0.0.1");
    o.port = static_cast<int>(parse_int("--port", args.value("--port", "8080"), 0, 65535));
    o.parallel = static_cast<int>(parse_int("--parallel", args.value("--parallel", "1"), 1, 256));
    const char* env_key = std::getenv("WAYPOINT_API_KEY");
    o.api_key = args.value("--api-key", env_key ? env_key : "");
    o.model_id = args.value("--model-id");
    o.context = static_cast<int>(parse_int("--ctx", args.value("--ctx", "0"), 0, 1 << 24));
    o.rate_limit = parse_float("--rate-limit", args.value("--rate-limit", "0"), 0, 1e6);
    o.rate_burst = parse_float("--rate-burst", args.value("--rate-burst", "0"), 0, 1e6);
    o.max_body_bytes = static_cast<size_t>(parse_int("--max-body", args.value("--max-body", "1048576"), 64, 1L << 30));
    o.request_timeout_s = static_cast<int>(parse_int("--timeout", args.value("--timeout", "300"), 1, 86400));
    const int drain_s = static_cast<int>(parse_int("--drain", args.value("--drain", "10"), 0, 3600));

    install_stop_signals();
    waypoint::set_cpu_threads(load.threads);
    std::fprintf(stderr, "waypoint-server: loading %s\n", load.checkpoint.c_str());
    auto model = waypoint::Model::load(load);

    waypoint::server::ApiServer server(model, o);
    server.bind();
    std::printf("listening on %s\n", server.url().c_str());
    std::fflush(stdout);
    std::fprintf(stderr, "waypoint-server: serving '%s' (%d slot%s); Ctrl-C stops\n", server.model_id().c_str(),
                 o.parallel, o.parallel == 1 ? "" : "s");

    std::thread waiter([&server, drain_s] {
        const int sig = wait_stop_signal();
        std::fprintf(stderr, "waypoint-server: %s: finishing %d request%s in flight (at most %d s)\n",
                     sig == SIGINT ? "SIGINT" : "SIGTERM", server.requests_in_flight(),
                     server.requests_in_flight() == 1 ? "" : "s", drain_s);
        server.stop(std::chrono::seconds(drain_s));
    });
    server.serve();  // returns once stop() closed the listener and every answer is out
    waiter.join();
    std::fprintf(stderr, "waypoint-server: stopped after %llu requests\n",
                 static_cast<unsigned long long>(server.requests_answered()));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    waypoint::prefer_fast_blas(argc, argv);
    try {
        return run(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const UsageError& e) {
        std::fprintf(stderr, "waypoint-server: error: %s\n", waypoint::cli::printable(e.what()).c_str());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "waypoint-server: error: %s\n", waypoint::cli::printable(e.what()).c_str());
        return 1;
    }
}
