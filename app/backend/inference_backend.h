// The one interface between the app and the engine: load a checkpoint, open
// sessions on it, generate with a stop flag, score a text. It speaks the
// engine's own types (waypoint::GenerateOptions in; waypoint::TokenEvent,
// GenerationStats, ModelCard, PerplexityResult out), so nothing is copied
// into app-side look-alikes on the way up. Chat, compare panes and the
// evaluation all go through it (backend_registry.h hands out the process's
// shared instance); the real implementation is engine_backend.cpp, the
// test fakes live in tests/support/. No Qt: called on worker threads only.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "waypoint/chat_format.h"
#include "waypoint/generate.h"
#include "waypoint/model.h"
#include "waypoint/model_card.h"
#include "waypoint/perplexity.h"

namespace waypoint::app {

// How many alternatives the app asks for per token (the probability popup).
constexpr int kTopAlternatives = 5;

// How a conversation becomes the prompt the model continues.
enum class PromptMode {
    Template,    // the checkpoint's chat template (as Completion where it has none)
    Completion,  // one running text: the messages' texts appended as they are
    Transcript,  // "User: ...\nAssistant: ..." with the labels below
};

// A conversation to answer: the system prompt first (if any), then the turns;
// it ends with a user message (answer it) or an assistant message (continue
// that answer where it stopped).
struct ConversationRequest {
    std::vector<waypoint::ChatMessage> messages;
    PromptMode mode = PromptMode::Template;
    std::string userLabel = "User";
    std::string assistantLabel = "Assistant";
};

struct ConversationReply {
    waypoint::GenerationStats stats;  // reused_tokens: prompt ids the session's KV cache already held
    int droppedTurns = 0;             // oldest turns after the system prompt left out: the context is full
};

// One conversation on a loaded model; used by one thread at a time.
class BackendSession {
public:
    virtual ~BackendSession() = default;
    // As waypoint::generate: calls onToken per event (each generated token,
    // then possibly one final id -1 event with held-back text); concatenating
    // every delta gives the whole answer. Reads options.stop_flag before every
    // token. Throws std::exception with a user-facing message.
    virtual waypoint::GenerationStats generate(const std::string& prompt, const waypoint::GenerateOptions& options,
                                               const waypoint::TokenCallback& onToken) = 0;
    // The next assistant text of `request`: renders it (the mode; the
    // template's end-of-turn stop strings are added), drops the oldest turns
    // after the system prompt until the prompt and max_new_tokens fit the
    // context, and generates, prefilling only what follows the longest prefix
    // the session's cache shares with the prompt (a next turn, a regenerated
    // or edited one). Throws as generate(), and for a template that raises.
    virtual ConversationReply reply(const ConversationRequest& request, const waypoint::GenerateOptions& options,
                                    const waypoint::TokenCallback& onToken) = 0;
};

// A loaded checkpoint; immutable, shared by any number of sessions/threads.
class LoadedModel {
public:
    virtual ~LoadedModel() = default;
    virtual const waypoint::ModelCard& card() const = 0;
    virtual std::string generationDefaultsJson() const = 0;  // "" when none
    virtual std::unique_ptr<BackendSession> newSession() const = 0;
    // The chat template and special-token texts found beside the checkpoint
    // (no chat_template: a base model).
    virtual const waypoint::ChatFormat& chatFormat() const = 0;
    // The engine's own model behind this one, for code that runs on the engine
    // directly with the same weights (the local API server, app/serve/);
    // nullptr where the backend is not the engine (the test fakes).
    virtual std::shared_ptr<const waypoint::Model> engineModel() const { return nullptr; }
    // The longest perplexity window that fits the context ([BOS] + window).
    virtual int mostPerplexityWindow() const = 0;
    // As waypoint::evaluate_perplexity: progress(done, total) after every
    // window; the stop flag cancels between windows (partial result, cancelled).
    virtual waypoint::PerplexityResult perplexity(const std::string& text, int window,
                                                  const std::function<void(long, long)>& progress,
                                                  const std::atomic<bool>* stop) const = 0;
};

class InferenceBackend {
public:
    virtual ~InferenceBackend() = default;
    // Throws std::exception whose what() is the engine's message. `tokenizer`:
    // a tokenizer file or folder for the checkpoint; "" = found beside it.
    virtual std::shared_ptr<const LoadedModel> load(const std::string& checkpoint, const std::string& device,
                                                    const std::string& tokenizer) = 0;
    virtual std::vector<std::string> devices() const = 0;
};

// The real engine (waypoint::Model/Session/generate/evaluate_perplexity).
std::shared_ptr<InferenceBackend> makeEngineBackend();

// One LoadedModel per (checkpoint, device, tokenizer) while anyone holds it: chat,
// compare panes and the evaluation share the weights of one checkpoint.
std::shared_ptr<InferenceBackend> makeSharingBackend(std::shared_ptr<InferenceBackend> inner);

}  // namespace waypoint::app
