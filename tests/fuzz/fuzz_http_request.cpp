// waypoint-server's request bodies: the same bytes go through the parsers of
// /v1/completions, /v1/chat/completions and /generate (request_validation.h),
// as a client may send any body to any of them. Each parser must return
// either a request whose fields hold the documented ranges or a 400 error
// whose JSON answer (error_json, what the client reads) is itself valid.
#include <cmath>

#include <nlohmann/json.hpp>

#include "harness.h"
#include "request_validation.h"

// A named namespace: the harnesses are built as one translation unit.
namespace waypoint::fuzz::http_checks {

using namespace waypoint::server;

void check(bool ok, const char* what) {
    if (!ok) finding("http_request", std::string("accepted a request breaking: ") + what);
}

bool in(double x, double lo, double hi) { return std::isfinite(x) && x >= lo && x <= hi; }

void check_sampling(const SamplingRequest& s) {
    check(!s.max_tokens || (*s.max_tokens >= 1 && *s.max_tokens <= kMaxTokensLimit), "1 <= max_tokens <= limit");
    check(in(s.temperature, 0, 2), "0 <= temperature <= 2");
    check(in(s.top_p, 0, 1), "0 <= top_p <= 1");
    check(s.top_k >= 0 && s.top_k <= (1 << 20), "0 <= top_k <= 2^20");
    check(in(s.min_p, 0, 1), "0 <= min_p <= 1");
    check(in(s.repeat_penalty, 0.01 * 0.999, 10), "0.01 <= repeat_penalty <= 10");
    check(s.stop.size() <= size_t(kMaxStopStrings), "at most 4 stop strings");
    for (const auto& stop : s.stop) check(!stop.empty(), "stop strings not empty");
    check(s.n >= 1 && s.n <= kMaxChoices, "1 <= n <= 16");
    check(s.stream || !s.include_usage, "include_usage only with stream");
}

// The error answer the HTTP layer sends must be JSON naming the problem.
void check_error(const ApiError& e) {
    check(e.status == 400, "a refused body is a 400");
    check(!e.message.empty(), "an error message");
    const std::string body = error_json(e);
    const auto j = nlohmann::json::parse(body, nullptr, false);
    check(!j.is_discarded() && j.contains("error") && j["error"].contains("message") &&
              j["error"]["message"].is_string(),
          "error_json() gives {\"error\": {\"message\": ...}}");
}

template <class T, class Check>
void run(const Parsed<T>& parsed, Check&& check_request) {
    if (const auto* e = std::get_if<ApiError>(&parsed)) check_error(*e);
    else check_request(std::get<T>(parsed));
}

}  // namespace waypoint::fuzz::http_checks

namespace waypoint::fuzz {

void http_request(const uint8_t* data, size_t size) {
    using namespace http_checks;
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    expect_clean("http_request", [&] {
        run(parse_completion_request(body), [](const CompletionRequest& r) {
            check_sampling(r.sampling);
            check(!r.prompts.empty() && r.prompts.size() * size_t(r.sampling.n) <= size_t(kMaxChoices),
                  "1..16 prompts, prompts x n <= 16");
            check(!r.logprobs || (*r.logprobs >= 0 && *r.logprobs <= 5), "0 <= logprobs <= 5");
        });
        run(parse_chat_request(body), [](const ChatRequest& r) {
            check_sampling(r.sampling);
            check(!r.messages.empty(), "at least one message");
            for (const auto& m : r.messages)
                check(m.role == "system" || m.role == "user" || m.role == "assistant" || m.role == "tool",
                      "a known role");
            check(r.top_logprobs >= 0 && r.top_logprobs <= 20 && (r.logprobs || r.top_logprobs == 0),
                  "0 <= top_logprobs <= 20, only with logprobs");
        });
        run(parse_generate_request(body), [](const GenerateRequest& r) {
            check(r.max_new_tokens >= 1 && r.max_new_tokens <= kMaxTokensLimit, "1 <= max_new_tokens <= limit");
            check(in(r.temperature, 0, 100), "0 <= temperature <= 100");
            check(r.top_k >= 0 && r.top_k <= (1 << 20), "0 <= top_k <= 2^20");
            check(in(r.top_p, 0, 1), "0 <= top_p <= 1");
        });
    });
}

}  // namespace waypoint::fuzz
