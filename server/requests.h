// The requests the server accepts, after validation: plain values with every
// field checked for type and range (request_validation.h makes them). Field
// names follow OpenAI's API reference; defaults are OpenAI's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace waypoint::server {

// What every generation request shares.
struct SamplingRequest {
    std::string model;              // "" = not given (the served model)
    std::optional<int> max_tokens;  // absent: the endpoint's default
    float temperature = 1.0f;       // 0..2; 0 = greedy
    float top_p = 1.0f;             // (0, 1]
    int top_k = 0;                  // extension (llama.cpp's server has it too); 0 = off
    float min_p = 0.0f;             // extension; 0 = off
    float repeat_penalty = 1.0f;    // extension; 1 = off
    std::vector<std::string> stop;  // up to 4, none empty
    std::optional<uint64_t> seed;   // absent: a random seed per request
    int n = 1;                      // choices per prompt, 1..kMaxChoices
    bool stream = false;
    bool include_usage = false;     // stream_options.include_usage
    std::string user;               // OpenAI's end-user id; informational
};

struct CompletionRequest {
    SamplingRequest sampling;
    std::vector<std::string> prompts;  // "prompt": a string or a list of strings (one choice set each)
    std::optional<int> logprobs;       // 0..5 alternatives per token; absent = none
    bool echo = false;                 // put the prompt before the answer
};

struct ChatMessageIn {
    std::string role;  // system | developer | user | assistant | tool
    std::string content;
};

struct ChatRequest {
    SamplingRequest sampling;
    std::vector<ChatMessageIn> messages;
    bool logprobs = false;
    int top_logprobs = 0;  // 0..20, only with logprobs
};

// The seed's own endpoint: POST /generate.
struct GenerateRequest {
    std::string prompt;
    int max_new_tokens = 64;
    float temperature = 1.0f;
    int top_k = 0;
    float top_p = 1.0f;
    bool do_sample = false;  // false: greedy whatever the temperature (as transformers)
    std::optional<uint64_t> seed;
};

constexpr int kMaxChoices = 16;
constexpr int kMaxStopStrings = 4;
constexpr int kMaxTokensLimit = 1 << 20;

}  // namespace waypoint::server
