#include "token_delay_backend.h"

#include <QtGlobal>
#include <chrono>
#include <thread>

#include "backend/backend_registry.h"

namespace waypoint::app {
namespace {

class DelaySession : public BackendSession {
public:
    DelaySession(std::unique_ptr<BackendSession> inner, std::function<int()> ms) : inner_(std::move(inner)), ms_(ms) {}
    GenerationStats generate(const std::string& p, const GenerateOptions& o, const TokenCallback& onToken) override {
        return inner_->generate(p, o, [&](const TokenEvent& t) {
            onToken(t);
            if (const int ms = ms_(); ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
        });
    }
    ConversationReply reply(const ConversationRequest& r, const GenerateOptions& o, const TokenCallback& onToken) override {
        return inner_->reply(r, o, [&](const TokenEvent& t) {
            onToken(t);
            if (const int ms = ms_(); ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
        });
    }

private:
    std::unique_ptr<BackendSession> inner_;
    std::function<int()> ms_;
};

class DelayModel : public LoadedModel {
public:
    DelayModel(std::shared_ptr<const LoadedModel> inner, std::function<int()> ms) : inner_(std::move(inner)), ms_(ms) {}
    const ModelCard& card() const override { return inner_->card(); }
    std::string generationDefaultsJson() const override { return inner_->generationDefaultsJson(); }
    std::unique_ptr<BackendSession> newSession() const override {
        return std::make_unique<DelaySession>(inner_->newSession(), ms_);
    }
    const ChatFormat& chatFormat() const override { return inner_->chatFormat(); }
    std::shared_ptr<const Model> engineModel() const override { return inner_->engineModel(); }
    int mostPerplexityWindow() const override { return inner_->mostPerplexityWindow(); }
    PerplexityResult perplexity(const std::string& text, int window, const std::function<void(long, long)>& progress,
                                const std::atomic<bool>* stop) const override {
        return inner_->perplexity(text, window, progress, stop);
    }

private:
    std::shared_ptr<const LoadedModel> inner_;
    std::function<int()> ms_;
};

class DelayBackend : public InferenceBackend {
public:
    DelayBackend(std::shared_ptr<InferenceBackend> inner, std::function<int()> ms) : inner_(std::move(inner)), ms_(ms) {}
    std::shared_ptr<const LoadedModel> load(const std::string& c, const std::string& d, const std::string& t) override {
        return std::make_shared<DelayModel>(inner_->load(c, d, t), ms_);
    }
    std::vector<std::string> devices() const override { return inner_->devices(); }

private:
    std::shared_ptr<InferenceBackend> inner_;
    std::function<int()> ms_;
};

}  // namespace

std::shared_ptr<InferenceBackend> makeTokenDelayBackend(std::shared_ptr<InferenceBackend> inner,
                                                        std::function<int()> delayMs) {
    return std::make_shared<DelayBackend>(std::move(inner), delayMs);
}

void installScreenshotHooks() {
    const int ms = qEnvironmentVariableIntValue("WAYPOINT_TOKEN_DELAY_MS");
    if (ms > 0)
        registerBackend(QStringLiteral("engine"), [ms] { return makeTokenDelayBackend(makeEngineBackend(), [ms] { return ms; }); });
}

}  // namespace waypoint::app
