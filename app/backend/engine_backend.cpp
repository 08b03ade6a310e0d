// InferenceBackend over the real engine (waypoint::Model, Session, generate).
#include "inference_backend.h"

#include <chrono>
#include <cstdlib>
#include <thread>

#include "waypoint/error.h"
#include "waypoint/generate.h"
#include "waypoint/model.h"
#include "waypoint/session.h"

namespace waypoint::app {
namespace {

// WAYPOINT_TOKEN_DELAY_MS slows each token down (screenshots catch a stream
// mid-way); unset or 0 in normal use.
int tokenDelayMs() {
    const char* v = std::getenv("WAYPOINT_TOKEN_DELAY_MS");
    return v ? std::max(0, std::atoi(v)) : 0;
}

class EngineSession : public BackendSession {
public:
    explicit EngineSession(std::shared_ptr<const Model> model) : session_(std::move(model)) {}

    GenerationSummary generate(const std::string& prompt, const SamplingValues& s,
                               const std::atomic<bool>& stop,
                               const std::function<void(const std::string&)>& onDelta) override {
        GenerateOptions options;
        options.sampling.temperature = s.temperature;
        options.sampling.top_k = s.topK;
        options.sampling.top_p = s.topP;
        options.sampling.min_p = s.minP;
        options.sampling.repeat_penalty = s.repeatPenalty;
        options.sampling.seed = s.seed;
        options.max_new_tokens = s.maxNewTokens;
        options.stop_at_eos = s.stopAtEos;
        options.stop_flag = &stop;
        const int delay = tokenDelayMs();
        const GenerationStats st = waypoint::generate(session_, prompt, options, [&](const TokenEvent& e) {
            onDelta(e.delta);
            if (delay > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay));
        });
        GenerationSummary out;
        out.promptTokens = st.prompt_tokens;
        out.newTokens = st.new_tokens;
        out.timeToFirstTokenMs = st.time_to_first_token_ms;
        out.tokensPerSecond = st.decode_tokens_per_s;
        out.totalMs = st.total_ms;
        out.finish = to_string(st.finish);
        return out;
    }

private:
    Session session_;
};

class EngineModel : public LoadedModel {
public:
    explicit EngineModel(std::shared_ptr<const Model> model) : model_(std::move(model)) {}

    CardData card() const override {
        const ModelCard& c = model_->card();
        CardData d;
        d.name = c.name; d.path = c.path; d.architecture = c.architecture; d.format = c.format;
        d.dtype = c.dtype; d.device = c.device; d.tokenizer = c.tokenizer;
        d.parameters = c.parameters; d.layers = c.layers; d.heads = c.heads; d.kvHeads = c.kv_heads;
        d.width = c.width; d.hidden = c.hidden; d.vocabulary = c.vocabulary; d.context = c.context;
        d.tiedEmbeddings = c.tied_embeddings; d.fileBytes = c.file_bytes;
        d.trainingStep = c.training_step; d.validationLoss = c.validation_loss;
        return d;
    }
    std::string generationDefaultsJson() const override { return model_->generation_defaults_json(); }
    std::unique_ptr<BackendSession> newSession() const override {
        return std::make_unique<EngineSession>(model_);
    }

private:
    std::shared_ptr<const Model> model_;
};

class EngineBackend : public InferenceBackend {
public:
    std::shared_ptr<const LoadedModel> load(const std::string& checkpoint,
                                            const std::string& device) override {
        LoadOptions options;
        options.checkpoint = checkpoint;
        options.device = device.empty() ? "auto" : device;
        return std::make_shared<EngineModel>(Model::load(options));
    }
    std::vector<std::string> devices() const override { return available_devices(); }
};

}  // namespace

std::shared_ptr<InferenceBackend> makeEngineBackend() { return std::make_shared<EngineBackend>(); }

}  // namespace waypoint::app
