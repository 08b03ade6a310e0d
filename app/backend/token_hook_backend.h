// A backend decorator that runs hooks on the worker thread around each
// session's generation: when it starts and after every token went on to the
// caller. One decorator for every "do something per token" need (a slowed
// engine for screenshots, tests that count what the worker produced).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "backend/inference_backend.h"

namespace waypoint::app {

struct TokenHooks {
    std::function<void()> started;                             // a generate() begins; may be empty
    std::function<void(const waypoint::TokenEvent&)> afterToken;  // may be empty
};

// `hooksFor(checkpoint)` is asked once per load; every session of that
// model runs the hooks it returned. Loads, cards and perplexity pass through.
std::shared_ptr<InferenceBackend> makeTokenHookBackend(std::shared_ptr<InferenceBackend> inner,
                                                       std::function<TokenHooks(const std::string& checkpoint)> hooksFor);

}  // namespace waypoint::app
