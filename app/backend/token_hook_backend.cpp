#include "token_hook_backend.h"

namespace waypoint::app {
namespace {

class HookedSession : public BackendSession {
public:
    HookedSession(std::unique_ptr<BackendSession> inner, TokenHooks hooks)
        : inner_(std::move(inner)), hooks_(std::move(hooks)) {}
    GenerationStats generate(const std::string& p, const GenerateOptions& o, const TokenCallback& onToken) override {
        if (hooks_.started) hooks_.started();
        if (!hooks_.afterToken) return inner_->generate(p, o, onToken);
        return inner_->generate(p, o, hooked(onToken));
    }
    ConversationReply reply(const ConversationRequest& r, const GenerateOptions& o, const TokenCallback& onToken) override {
        if (hooks_.started) hooks_.started();
        if (!hooks_.afterToken) return inner_->reply(r, o, onToken);
        return inner_->reply(r, o, hooked(onToken));
    }

private:
    TokenCallback hooked(const TokenCallback& onToken) const {
        return [this, &onToken](const TokenEvent& t) {
            onToken(t);
            hooks_.afterToken(t);
        };
    }

    std::unique_ptr<BackendSession> inner_;
    TokenHooks hooks_;
};

class HookedModel : public LoadedModel {
public:
    HookedModel(std::shared_ptr<const LoadedModel> inner, TokenHooks hooks)
        : inner_(std::move(inner)), hooks_(std::move(hooks)) {}
    const ModelCard& card() const override { return inner_->card(); }
    std::string generationDefaultsJson() const override { return inner_->generationDefaultsJson(); }
    std::unique_ptr<BackendSession> newSession() const override {
        return std::make_unique<HookedSession>(inner_->newSession(), hooks_);
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
    TokenHooks hooks_;
};

class HookedBackend : public InferenceBackend {
public:
    HookedBackend(std::shared_ptr<InferenceBackend> inner, std::function<TokenHooks(const std::string&)> hooksFor)
        : inner_(std::move(inner)), hooksFor_(std::move(hooksFor)) {}
    std::shared_ptr<const LoadedModel> load(const std::string& c, const std::string& d, const std::string& t) override {
        return std::make_shared<HookedModel>(inner_->load(c, d, t), hooksFor_(c));
    }
    std::vector<std::string> devices() const override { return inner_->devices(); }

private:
    std::shared_ptr<InferenceBackend> inner_;
    std::function<TokenHooks(const std::string&)> hooksFor_;
};

}  // namespace

std::shared_ptr<InferenceBackend> makeTokenHookBackend(std::shared_ptr<InferenceBackend> inner,
                                                       std::function<TokenHooks(const std::string&)> hooksFor) {
    return std::make_shared<HookedBackend>(std::move(inner), std::move(hooksFor));
}

}  // namespace waypoint::app
