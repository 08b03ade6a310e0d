// InferenceBackend over the real engine (waypoint::Model, Session, generate,
// evaluate_perplexity): a thin pass-through, no conversion.
#include "inference_backend.h"

#include "waypoint/model.h"
#include "waypoint/session.h"

namespace waypoint::app {
namespace {

class EngineSession : public BackendSession {
public:
    explicit EngineSession(std::shared_ptr<const Model> model) : session_(std::move(model)) {}

    GenerationStats generate(const std::string& prompt, const GenerateOptions& options,
                             const TokenCallback& onToken) override {
        return waypoint::generate(session_, prompt, options, onToken);
    }

private:
    Session session_;
};

class EngineModel : public LoadedModel {
public:
    explicit EngineModel(std::shared_ptr<const Model> model) : model_(std::move(model)) {}

    const ModelCard& card() const override { return model_->card(); }
    std::string generationDefaultsJson() const override { return model_->generation_defaults_json(); }
    std::unique_ptr<BackendSession> newSession() const override {
        return std::make_unique<EngineSession>(model_);
    }
    // [BOS] + window must fit the context (as waypoint-cli --perplexity).
    int mostPerplexityWindow() const override {
        return model_->tokenizer().bos() >= 0 ? model_->context_length() - 1 : model_->context_length();
    }
    PerplexityResult perplexity(const std::string& text, int window, const std::function<void(long, long)>& progress,
                                const std::atomic<bool>* stop) const override {
        return evaluate_perplexity(model_, text, window, progress, stop);
    }

private:
    std::shared_ptr<const Model> model_;
};

class EngineBackend : public InferenceBackend {
public:
    std::shared_ptr<const LoadedModel> load(const std::string& checkpoint, const std::string& device,
                                            const std::string& tokenizer) override {
        LoadOptions options;
        options.checkpoint = checkpoint;
        options.tokenizer = tokenizer;
        options.device = device.empty() ? "auto" : device;
        return std::make_shared<EngineModel>(Model::load(options));
    }
    std::vector<std::string> devices() const override { return available_devices(); }
};

}  // namespace

std::shared_ptr<InferenceBackend> makeEngineBackend() { return std::make_shared<EngineBackend>(); }

}  // namespace waypoint::app
