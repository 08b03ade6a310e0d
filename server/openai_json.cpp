#include "openai_json.h"

#include <cmath>
#include <ctime>
#include <random>

namespace waypoint::server {

const char* finish_reason(waypoint::FinishReason reason) {
    switch (reason) {
    case waypoint::FinishReason::Length:
    case waypoint::FinishReason::ContextFull: return "length";
    default: return "stop";
    }
}

std::string response_id(const char* prefix) {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    static const char* hex = "0123456789abcdef";
    std::string id = prefix;
    uint64_t a = rng(), b = rng();
    for (int i = 0; i < 16; ++i) id += hex[(a >> (4 * i)) & 15];
    for (int i = 0; i < 8; ++i) id += hex[(b >> (4 * i)) & 15];
    return id;
}

long long unix_now() { return static_cast<long long>(std::time(nullptr)); }

ojson usage_json(int prompt_tokens, int completion_tokens) {
    return {{"prompt_tokens", prompt_tokens},
            {"completion_tokens", completion_tokens},
            {"total_tokens", prompt_tokens + completion_tokens}};
}

namespace {

double logprob(float p) { return p > 0 ? std::log(static_cast<double>(p)) : -9999.0; }

ojson bytes_of(const std::string& s) {
    ojson b = ojson::array();
    for (unsigned char c : s) b.push_back(static_cast<int>(c));
    return b;
}

}  // namespace

ojson completion_logprobs(const std::vector<waypoint::TokenEvent>& events, int top, size_t offset) {
    ojson tokens = ojson::array(), lps = ojson::array(), tops = ojson::array(), offsets = ojson::array();
    for (const waypoint::TokenEvent& e : events) {
        if (e.id < 0) continue;  // held-back text at the end: not a token
        tokens.push_back(e.piece);
        lps.push_back(logprob(e.probability));
        ojson alt = ojson::object();
        for (size_t i = 0; i < e.top.size() && static_cast<int>(i) < top; ++i)
            alt[i < e.top_pieces.size() ? e.top_pieces[i] : std::to_string(e.top[i].id)] = logprob(e.top[i].p);
        tops.push_back(top > 0 ? alt : ojson());
        offsets.push_back(offset);
        offset += e.delta.size();
    }
    return {{"tokens", tokens}, {"token_logprobs", lps}, {"top_logprobs", tops}, {"text_offset", offsets}};
}

ojson chat_logprobs(const std::vector<waypoint::TokenEvent>& events, int top) {
    ojson content = ojson::array();
    for (const waypoint::TokenEvent& e : events) {
        if (e.id < 0) continue;
        ojson alts = ojson::array();
        for (size_t i = 0; i < e.top.size() && static_cast<int>(i) < top; ++i) {
            const std::string piece = i < e.top_pieces.size() ? e.top_pieces[i] : std::to_string(e.top[i].id);
            alts.push_back({{"token", piece}, {"logprob", logprob(e.top[i].p)}, {"bytes", bytes_of(piece)}});
        }
        content.push_back({{"token", e.piece}, {"logprob", logprob(e.probability)}, {"bytes", bytes_of(e.piece)},
                           {"top_logprobs", alts}});
    }
    return {{"content", content}};
}

std::string dump(const ojson& j) { return j.dump(-1, ' ', false, ojson::error_handler_t::replace); }

std::string sse_event(const ojson& j) { return "data: " + dump(j) + "\n\n"; }

}  // namespace waypoint::server
