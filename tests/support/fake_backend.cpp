#include "fake_backend.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "backend/backend_registry.h"
#include "backend/conversation_prompt.h"
#include "backend/token_hook_backend.h"

namespace waypoint::app::test {
namespace {

using Clock = std::chrono::steady_clock;

std::mutex lastPromptMutex;
std::string lastPrompt;
double msSince(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

// Token i: "ti ", id 100 + i, probability fakeProbability(i); its top 5 are
// itself and "a1 ".."a4 " sharing the remaining mass 4:3:2:1, best first.
TokenEvent fakeToken(int i) {
    TokenEvent t;
    t.id = 100 + i;
    t.index = i;
    t.delta = t.piece = "t" + std::to_string(i) + " ";
    t.probability = fakeProbability(i);
    const float rest = 1.0f - t.probability;
    std::vector<std::pair<Candidate, std::string>> top{{{t.id, t.probability}, t.piece}};
    for (int k = 1; k <= 4; ++k) top.push_back({{k, rest * float(5 - k) / 10.0f}, "a" + std::to_string(k) + " "});
    std::stable_sort(top.begin(), top.end(), [](const auto& a, const auto& b) { return a.first.p > b.first.p; });
    for (const auto& [c, piece] : top) {
        t.top.push_back(c);
        t.top_pieces.push_back(piece);
    }
    return t;
}

class FakeSession : public BackendSession {
public:
    explicit FakeSession(FakeBackendOptions o) : o_(std::move(o)) {}

    GenerationStats generate(const std::string& prompt, const GenerateOptions& options,
                             const TokenCallback& onToken) override {
        GenerationStats out;
        out.prompt_tokens = int(prompt.size());
        const auto t0 = Clock::now();
        const int n = std::min(o_.tokens, options.max_new_tokens);
        out.finish = FinishReason::Length;
        for (int i = 0; i < n; ++i) {
            if (options.stop_flag && options.stop_flag->load()) {  // checked before every token
                out.finish = FinishReason::Stopped;
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(o_.tokenDelayMs));
            onToken(fakeToken(i));
            ++out.new_tokens;
            if (i == 0) {
                out.time_to_first_token_ms = msSince(t0);
                out.prefill_tokens_per_s = out.prompt_tokens * 1000.0 / std::max(out.time_to_first_token_ms, 1e-3);
            }
        }
        out.total_ms = msSince(t0);
        out.decode_tokens_per_s = out.total_ms > 0 ? out.new_tokens * 1000.0 / out.total_ms : 0;
        return out;
    }

    ConversationReply reply(const ConversationRequest& request, const GenerateOptions& options,
                            const TokenCallback& onToken) override {
        const int reserve = std::min(std::max(options.max_new_tokens, 1), kFakeContext / 2);
        const auto bytes = [](const std::string& text) { return std::vector<int>(text.begin(), text.end()); };
        const FittedPrompt prompt = fitConversation(request, format_, bytes, kFakeContext - reserve);
        {
            std::lock_guard<std::mutex> lock(lastPromptMutex);
            lastPrompt = prompt.text;
        }
        size_t shared = 0;
        while (shared < cached_.size() && shared < prompt.text.size() && cached_[shared] == prompt.text[shared]) ++shared;
        if (!prompt.text.empty()) shared = std::min(shared, prompt.text.size() - 1);
        ConversationReply out;
        std::string answer;
        out.stats = generate(prompt.text, options, [&](const TokenEvent& t) {
            answer += t.delta;
            onToken(t);
        });
        out.stats.reused_tokens = int(shared);
        out.droppedTurns = prompt.droppedTurns;
        cached_ = prompt.text + answer;
        return out;
    }

    ChatFormat format_;

private:
    FakeBackendOptions o_;
    std::string cached_;  // the session's "KV cache": its last prompt and answer
};

class FakeModel : public LoadedModel {
public:
    FakeModel(const std::string& path, const std::string& device, FakeBackendOptions o) : o_(std::move(o)) {
        const auto slash = path.find_last_of('/');
        c_.name = slash == std::string::npos ? path : path.substr(slash + 1);
        c_.path = path;
        c_.architecture = "llama";
        c_.format = "fake";
        c_.dtype = "float32";
        c_.device = device.empty() || device == "auto" ? "cpu" : device;
        c_.tokenizer = "fake (t0 t1 ...)";
        c_.parameters = 260000; c_.layers = 5; c_.heads = 8; c_.kv_heads = 4; c_.width = 64; c_.hidden = 172;
        c_.vocabulary = 512; c_.context = kFakeContext; c_.tied_embeddings = true; c_.file_bytes = 1040000;
        c_.training_step = 4000;
        c_.validation_loss = 1.25;
        if (!o_.chatTemplate.empty()) {
            format_.chat_template = ChatTemplate(o_.chatTemplate, "fake chat_template.jinja");
            format_.origin = "chat_template.jinja";
            format_.bos_token = "<s>";
            format_.eos_token = "</s>";
            format_.stop_strings = {"</s>"};
        }
    }
    const ModelCard& card() const override { return c_; }
    std::string generationDefaultsJson() const override { return ""; }
    std::unique_ptr<BackendSession> newSession() const override {
        auto s = std::make_unique<FakeSession>(o_);
        s->format_ = format_;
        return s;
    }
    const ChatFormat& chatFormat() const override { return format_; }
    int mostPerplexityWindow() const override { return kFakeContext - 1; }
    PerplexityResult perplexity(const std::string& text, int window, const std::function<void(long, long)>& progress,
                                const std::atomic<bool>* stop) const override {
        PerplexityResult r;
        const long total = long(text.size());
        for (long done = 0; done < total;) {
            if (stop && stop->load()) {
                r.cancelled = true;
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(o_.tokenDelayMs));
            done = std::min(total, done + std::max(1, window));
            r.tokens = done;
            if (progress) progress(done, total);
        }
        r.mean_nll = r.tokens > 0 ? fakeMeanNll(c_.path) : 0.0;
        r.perplexity = r.tokens > 0 ? std::exp(r.mean_nll) : 0.0;
        return r;
    }

private:
    ModelCard c_;
    FakeBackendOptions o_;
    ChatFormat format_;
};

class FakeBackend : public InferenceBackend {
public:
    explicit FakeBackend(FakeBackendOptions o) : o_(std::move(o)) {}
    std::shared_ptr<const LoadedModel> load(const std::string& checkpoint, const std::string& device,
                                            const std::string& tokenizer) override {
        std::this_thread::sleep_for(std::chrono::milliseconds(o_.loadDelayMs));
        if (!o_.failMarker.empty() && checkpoint.find(o_.failMarker) != std::string::npos)
            throw std::runtime_error("fake: cannot load " + checkpoint);
        // "notok" in the path: a checkpoint without a tokenizer beside it, as the engine says it.
        if (checkpoint.find("notok") != std::string::npos && tokenizer.empty())
            throw std::runtime_error("no tokenizer found next to " + checkpoint +
                                     " (looked for tokenizer.model, tokenizer.bin); pass --tokenizer PATH");
        return std::make_shared<FakeModel>(checkpoint, device, o_);
    }
    std::vector<std::string> devices() const override { return {"cpu"}; }

private:
    FakeBackendOptions o_;
};

class ScriptedSession : public BackendSession {
public:
    explicit ScriptedSession(std::vector<TokenEvent> events) : events_(std::move(events)) {}
    GenerationStats generate(const std::string&, const GenerateOptions&, const TokenCallback& onToken) override {
        GenerationStats s;
        for (const TokenEvent& e : events_) {
            onToken(e);
            if (e.id >= 0) ++s.new_tokens;
        }
        return s;
    }
    ConversationReply reply(const ConversationRequest&, const GenerateOptions& o, const TokenCallback& onToken) override {
        return {generate({}, o, onToken), 0};
    }

private:
    std::vector<TokenEvent> events_;
};

class ScriptedModel : public LoadedModel {
public:
    explicit ScriptedModel(std::vector<TokenEvent> e) : events_(std::move(e)) { c_.name = "scripted"; }
    const ModelCard& card() const override { return c_; }
    std::string generationDefaultsJson() const override { return ""; }
    std::unique_ptr<BackendSession> newSession() const override { return std::make_unique<ScriptedSession>(events_); }
    const ChatFormat& chatFormat() const override { return format_; }
    int mostPerplexityWindow() const override { return 1; }
    PerplexityResult perplexity(const std::string&, int, const std::function<void(long, long)>&,
                                const std::atomic<bool>*) const override {
        throw std::runtime_error("scripted: no perplexity");
    }

private:
    ModelCard c_;
    std::vector<TokenEvent> events_;
    ChatFormat format_;
};

class ScriptedBackend : public InferenceBackend {
public:
    explicit ScriptedBackend(std::vector<TokenEvent> e) : events_(std::move(e)) {}
    std::shared_ptr<const LoadedModel> load(const std::string&, const std::string&, const std::string&) override {
        return std::make_shared<ScriptedModel>(events_);
    }
    std::vector<std::string> devices() const override { return {"cpu"}; }

private:
    std::vector<TokenEvent> events_;
};

}  // namespace

std::string fakeLastPrompt() {
    std::lock_guard<std::mutex> lock(lastPromptMutex);
    return lastPrompt;
}

float fakeProbability(int i) { return 0.05f + 0.9f * float((i * 37 + 11) % 100) / 99.0f; }

double fakeMeanNll(const std::string& path) {
    unsigned h = 0;
    for (const char c : path) h = h * 31u + static_cast<unsigned char>(c);
    return 1.0 + double(h % 10u) / 10.0;
}

std::shared_ptr<InferenceBackend> makeFakeBackend(const FakeBackendOptions& options) {
    return std::make_shared<FakeBackend>(options);
}

void registerFakeBackend() {
    registerBackend(QStringLiteral("fake"), [] { return makeFakeBackend({40, 30, 300, "broken", {}}); });
}

std::shared_ptr<InferenceBackend> makeScriptedBackend(std::vector<TokenEvent> events) {
    return std::make_shared<ScriptedBackend>(std::move(events));
}

TokenCountingBackend::TokenCountingBackend(std::shared_ptr<InferenceBackend> inner)
    : hooked_(makeTokenHookBackend(std::move(inner), [this](const std::string& checkpoint) {
          std::atomic<int>* count = &produced[checkpoint.back() - '0'];
          TokenHooks hooks;
          hooks.started = [count] { count->store(0); };
          hooks.afterToken = [count](const TokenEvent&) { ++*count; };
          return hooks;
      })) {}

}  // namespace waypoint::app::test
