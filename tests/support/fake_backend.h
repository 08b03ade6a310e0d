// Backends for tests, written once: a fake with controllable timing, one that
// plays back given events, and counting decorators. The product never
// constructs any of them (it knows only the engine, backend_registry.h);
// test programs and the QML test runner register the fake under "fake".
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "backend/inference_backend.h"

namespace waypoint::app::test {

// Each generation emits `tokens` deltas "t0 ", "t1 ", ... `tokenDelayMs`
// apart (token i: id 100 + i, probability fakeProbability(i), top 5 = itself
// then "a1 ".."a4 " sharing the rest); load() sleeps `loadDelayMs` and fails
// for paths containing `failMarker` with the message "fake: cannot load <path>",
// and for paths containing "notok" loaded without a tokenizer with the
// engine's "no tokenizer found next to <path> ...; pass --tokenizer PATH".
// Conversations (reply): the prompt is rendered as the engine backend does
// (conversation_prompt.h), one "id" per byte, with `chatTemplate` (Jinja
// source; "" = a base model without one) as the checkpoint's template; the
// session keeps the bytes of its last prompt and answer, and reused_tokens
// counts the prefix the next prompt shares with them.
// Perplexity: one "id" per byte of the text, windows of `window` bytes, each
// taking `tokenDelayMs`, mean NLL fakeMeanNll(path).
struct FakeBackendOptions {
    int tokens = 20;
    int tokenDelayMs = 5;
    int loadDelayMs = 10;
    std::string failMarker = "broken";
    std::string chatTemplate;
};
std::shared_ptr<InferenceBackend> makeFakeBackend(const FakeBackendOptions& options = {});
// The prompt text of the last reply() any fake session rendered (tests).
std::string fakeLastPrompt();
// The fake's probability of its token i: deterministic, between 0.05 and 0.95.
float fakeProbability(int i);
// The fake's mean NLL for a checkpoint path: deterministic, 1.0 .. 1.9.
double fakeMeanNll(const std::string& path);
// What the fake's card says: context 512, so at most 511 ids per window.
constexpr int kFakeContext = 512;

// Registers makeFakeBackend({40, 30, 300, "broken"}) as "fake" in
// backend_registry.h (what the QML tests ask for with backend: "fake").
void registerFakeBackend();

// A backend whose sessions play back `events` (the engine's shape: tokens,
// some with no text, then maybe one id -1 event with held-back text).
std::shared_ptr<InferenceBackend> makeScriptedBackend(std::vector<waypoint::TokenEvent> events);

// Counts the loads that reach `inner` (put it below a sharing decorator to
// count real loads): `loads` when one starts, `loadsDone` when it returned.
class CountingBackend : public InferenceBackend {
public:
    explicit CountingBackend(std::shared_ptr<InferenceBackend> inner) : inner_(std::move(inner)) {}
    std::shared_ptr<const LoadedModel> load(const std::string& c, const std::string& d, const std::string& t) override {
        ++loads;
        auto model = inner_->load(c, d, t);
        ++loadsDone;
        return model;
    }
    std::vector<std::string> devices() const override { return inner_->devices(); }
    std::atomic<int> loads{0};
    std::atomic<int> loadsDone{0};

private:
    std::shared_ptr<InferenceBackend> inner_;
};

// Counts, on the worker threads, the tokens each model's sessions produced
// (what Stop is measured against: the GUI sees tokens a frame late). Paths
// end in a digit: "/m/0", "/m/1", ...; model i counts into produced[i].
class TokenCountingBackend : public InferenceBackend {
public:
    explicit TokenCountingBackend(std::shared_ptr<InferenceBackend> inner);
    std::shared_ptr<const LoadedModel> load(const std::string& c, const std::string& d, const std::string& t) override {
        return hooked_->load(c, d, t);
    }
    std::vector<std::string> devices() const override { return hooked_->devices(); }
    std::atomic<int> produced[4] = {};

private:
    std::shared_ptr<InferenceBackend> hooked_;  // inner, counting each model's tokens into produced[]
};

}  // namespace waypoint::app::test
