// The app's view of an inference engine: load a checkpoint, open sessions on
// it, generate with a stop flag. The real implementation (engine_backend.cpp)
// wraps waypoint::*; the fake one (fake_backend.cpp) has controllable timing
// for tests and UI work. No Qt, no torch: called on worker threads only.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace waypoint::app {

// Everything the model-card dialog shows (mirrors waypoint::ModelCard).
struct CardData {
    std::string name, path, architecture, format, dtype, device, tokenizer;
    int64_t parameters = 0;
    int layers = 0, heads = 0, kvHeads = 0, width = 0, hidden = 0, vocabulary = 0, context = 0;
    bool tiedEmbeddings = false;
    int64_t fileBytes = 0;
    std::optional<int64_t> trainingStep;
    std::optional<double> validationLoss;
};

struct SamplingValues {
    float temperature = 0.8f;  // <= 0: greedy
    int topK = 40;             // <= 0: off
    float topP = 0.95f;        // >= 1: off
    float minP = 0.0f;
    float repeatPenalty = 1.0f;
    int maxNewTokens = 256;
    uint64_t seed = 0;
    bool stopAtEos = true;     // false: go on past end-of-text (benchmarks, long samples)
};

struct GenerationSummary {
    int promptTokens = 0;
    int newTokens = 0;
    double timeToFirstTokenMs = 0;
    double tokensPerSecond = 0;
    double totalMs = 0;
    std::string finish;  // "length", "eos", "stopped", ...
};

// One of the most likely tokens at a step, as the sampler saw it.
struct TokenAlternative {
    int id = 0;
    std::string text;         // the token's piece, readable ("<0xE2>" for a lone byte)
    float probability = 0.0f; // after temperature (and the filters, renormalised)
};

// One generated token (waypoint::TokenEvent in app terms).
struct TokenInfo {
    int id = -1;              // -1: not a token, only text the engine held back until the end
    std::string delta;        // whole UTF-8 text this event adds to the answer; may be ""
    std::string piece;        // the token's own piece, readable (may differ from delta)
    float probability = 0.0f; // of the chosen token, after temperature (0 for id -1)
    std::vector<TokenAlternative> top;  // the top 5 of the step's distribution, best first
};

// One conversation on a loaded model; used by one thread at a time.
class BackendSession {
public:
    virtual ~BackendSession() = default;
    // Calls onToken per event (each generated token, then possibly one final
    // id -1 event with held-back text); concatenating every delta gives the
    // whole answer. Checks `stop` before every token. Throws std::exception
    // with a user-facing message.
    virtual GenerationSummary generate(const std::string& prompt, const SamplingValues& sampling,
                                       const std::atomic<bool>& stop,
                                       const std::function<void(const TokenInfo&)>& onToken) = 0;
};

// A loaded checkpoint; immutable, shared by any number of sessions/threads.
class LoadedModel {
public:
    virtual ~LoadedModel() = default;
    virtual CardData card() const = 0;
    virtual std::string generationDefaultsJson() const = 0;  // "" when none
    virtual std::unique_ptr<BackendSession> newSession() const = 0;
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

// The real engine (waypoint::Model/Session/generate).
std::shared_ptr<InferenceBackend> makeEngineBackend();

// Fake: each generation emits `tokens` deltas "t0 ", "t1 ", ... `tokenDelayMs`
// apart (token i: id 100 + i, a made-up probability fakeProbability(i), top 5
// = itself then "a1 ".."a4 " sharing the rest); load() sleeps `loadDelayMs` and fails for paths containing
// `failMarker` with the message "fake: cannot load <path>", and for paths
// containing "notok" loaded without a tokenizer with the engine's "no
// tokenizer found next to <path> ...; pass --tokenizer PATH".
struct FakeBackendOptions {
    int tokens = 20;
    int tokenDelayMs = 5;
    int loadDelayMs = 10;
    std::string failMarker = "broken";
};
std::shared_ptr<InferenceBackend> makeFakeBackend(const FakeBackendOptions& options = {});
// The fake's probability of its token i: deterministic, between 0.05 and 0.95.
float fakeProbability(int i);

}  // namespace waypoint::app

namespace waypoint::app {
// One LoadedModel per (checkpoint, device) while it is in use (compare view).
std::shared_ptr<InferenceBackend> makeSharingBackend(std::shared_ptr<InferenceBackend> inner);
}  // namespace waypoint::app
