// Time to first token of a late turn in a long conversation, beside the
// first turn's and beside the same late turn without the session's cache,
// in the same run. Goes through the app's backend (BackendSession::reply):
// each turn's prompt holds the whole conversation, and only what follows the
// prefix the session's KV cache shares with it is prefilled.
//
//   bench_conversation --checkpoint stories42M.bin --tokenizer tokenizer.model
//                      [--turns 10] [--user-tokens 45] [--answer-tokens 45] [--threads N]
//
// Prints one JSON object (no timed assertions). A stories42M-shape model with
// random weights comes from ../shared/tools/make_random_llama.py.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "backend/inference_backend.h"
#include "waypoint/model.h"

using namespace waypoint;
using namespace waypoint::app;

namespace {

// Plain words, so each user turn is about `tokens` sentencepiece tokens.
std::string userText(int turn, int tokens) {
    static const char* words[] = {"the", "little", "dog", "ran", "to", "a", "big", "tree", "and", "saw",
                                  "bird", "that", "sang", "happy", "song", "in", "sun", "then", "they", "played"};
    std::string s = "Tell me more, part " + std::to_string(turn) + ":";
    for (int i = 0; i < tokens - 8; ++i) s += std::string(" ") + words[(i * 7 + turn) % 20];
    return s;
}

struct Turn {
    int prompt = 0, reused = 0, newTokens = 0, dropped = 0;
    double ttft = 0;
};

Turn run(BackendSession& session, const ConversationRequest& request, int answerTokens, std::string* answer) {
    GenerateOptions o;
    o.sampling.temperature = 0.0f;
    o.sampling.repeat_penalty = 1.0f;
    o.max_new_tokens = answerTokens;
    o.stop_at_eos = false;  // random weights: every answer has its full length
    std::string text;
    const ConversationReply r = session.reply(request, o, [&](const TokenEvent& e) { text += e.delta; });
    if (answer) *answer = text;
    return {r.stats.prompt_tokens, r.stats.reused_tokens, r.stats.new_tokens, r.droppedTurns,
            r.stats.time_to_first_token_ms};
}

std::string json(const Turn& t) {
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "{\"prompt_tokens\": %d, \"reused_tokens\": %d, \"prefilled_tokens\": %d, \"new_tokens\": %d, "
                  "\"dropped_turns\": %d, \"ttft_ms\": %.1f}",
                  t.prompt, t.reused, t.prompt - t.reused, t.newTokens, t.dropped, t.ttft);
    return buf;
}

}  // namespace

int main(int argc, char** argv) {
    std::string checkpoint, tokenizer;
    int turns = 10, userTokens = 45, answerTokens = 45, threads = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i];
        const char* v = argv[i + 1];
        if (k == "--checkpoint") checkpoint = v;
        else if (k == "--tokenizer") tokenizer = v;
        else if (k == "--turns") turns = std::atoi(v);
        else if (k == "--user-tokens") userTokens = std::atoi(v);
        else if (k == "--answer-tokens") answerTokens = std::atoi(v);
        else if (k == "--threads") threads = std::atoi(v);
        else {
            std::fprintf(stderr, "bench_conversation: unknown option %s\n", k.c_str());
            return 2;
        }
    }
    if (checkpoint.empty()) {
        std::fprintf(stderr, "usage: bench_conversation --checkpoint FILE [--tokenizer FILE] [--turns N] "
                             "[--user-tokens N] [--answer-tokens N] [--threads N]\n");
        return 2;
    }
    try {
        set_cpu_threads(threads);
        auto backend = makeEngineBackend();
        auto model = backend->load(checkpoint, "cpu", tokenizer);
        auto session = model->newSession();
        ConversationRequest request;
        request.mode = PromptMode::Transcript;  // a base model: "User: / Assistant:"
        request.messages.push_back({"system", "A friendly chat about stories."});
        std::vector<Turn> measured;
        for (int t = 1; t <= turns; ++t) {
            request.messages.push_back({"user", userText(t, userTokens)});
            std::string answer;
            measured.push_back(run(*session, request, answerTokens, &answer));
            request.messages.push_back({"assistant", answer});
        }
        // The reference: the last turn again in a fresh session (no cache),
        // then the first turn's prompt alone in a fresh session.
        request.messages.pop_back();
        auto fresh = model->newSession();
        const Turn cold = run(*fresh, request, answerTokens, nullptr);
        ConversationRequest first;
        first.mode = PromptMode::Transcript;
        first.messages = {request.messages[0], request.messages[1]};
        auto fresh2 = model->newSession();
        const Turn coldFirst = run(*fresh2, first, answerTokens, nullptr);

        std::printf("{\n  \"checkpoint\": \"%s\",\n  \"context\": %d,\n  \"turns\": [\n", checkpoint.c_str(),
                    model->card().context);
        for (size_t i = 0; i < measured.size(); ++i)
            std::printf("    %s%s\n", json(measured[i]).c_str(), i + 1 < measured.size() ? "," : "");
        std::printf("  ],\n  \"turn_1_ttft_ms\": %.1f,\n  \"turn_%d_ttft_ms\": %.1f,\n", measured.front().ttft, turns,
                    measured.back().ttft);
        std::printf("  \"reference_turn_%d_without_cache\": %s,\n", turns, json(cold).c_str());
        std::printf("  \"reference_turn_1_fresh_session\": %s\n}\n", json(coldFirst).c_str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_conversation: %s\n", e.what());
        return 1;
    }
    return 0;
}
