// InferenceBackend over the real engine (waypoint::Model, Session, generate,
// evaluate_perplexity): a thin pass-through, no conversion.
#include "inference_backend.h"

#include <algorithm>

#include "conversation_prompt.h"
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

    ConversationReply reply(const ConversationRequest& request, const GenerateOptions& options,
                            const TokenCallback& onToken) override {
        const Model& model = session_.model();
        const ChatFormat& format = chat_format(model);
        const bool templated = effectiveMode(request.mode, format) == PromptMode::Template;
        const auto encode = [&](const std::string& text) {
            // A template writes BOS/EOS as text: encode_rendered makes them ids.
            return templated ? encode_rendered(model.tokenizer(), text, format) : model.tokenizer().encode(text, true);
        };
        // Room for the answer: max_new_tokens, but never more than half the context.
        const int context = model.context_length();
        const int reserve = std::min(std::max(options.max_new_tokens, 1), context / 2);
        const FittedPrompt prompt = fitConversation(request, format, encode, context - reserve);
        GenerateOptions o = options;
        o.add_bos = false;  // the ids carry BOS where the template or encode() put it
        for (const auto& s : conversationStopStrings(request, format)) o.stop_strings.push_back(s);
        ConversationReply out;
        out.stats = generate_ids(session_, prompt.ids, o, onToken);
        out.droppedTurns = prompt.droppedTurns;
        return out;
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
    const ChatFormat& chatFormat() const override { return chat_format(*model_); }
    std::shared_ptr<const Model> engineModel() const override { return model_; }
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
