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

constexpr int kTopAlternatives = 5;

bool validUtf8(const std::string& s) {
    for (size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        const size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        if (n == 0 || i + n > s.size()) return false;
        for (size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
        i += n;
    }
    return true;
}

// A token's piece as people can read it: its text, or "<0xE2>" per byte for a
// byte-fallback token that is only part of a character.
std::string readablePiece(const Tokenizer& tok, int id, int previous) {
    std::string bytes = tok.piece_bytes(id, previous);
    if (validUtf8(bytes)) return bytes;
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (const char ch : bytes) {
        const auto b = static_cast<unsigned char>(ch);
        out += "<0x";
        out += hex[b >> 4];
        out += hex[b & 0xF];
        out += '>';
    }
    return out;
}

class EngineSession : public BackendSession {
public:
    explicit EngineSession(std::shared_ptr<const Model> model) : session_(std::move(model)) {}

    GenerationSummary generate(const std::string& prompt, const SamplingValues& s,
                               const std::atomic<bool>& stop,
                               const std::function<void(const TokenInfo&)>& onToken) override {
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
        options.top_alternatives = kTopAlternatives;
        const int delay = tokenDelayMs();
        const Tokenizer& tok = session_.model().tokenizer();
        const GenerationStats st = waypoint::generate(session_, prompt, options, [&](const TokenEvent& e) {
            TokenInfo t;
            t.id = e.id;
            t.delta = e.delta;
            t.probability = e.probability;
            if (e.id >= 0) {
                // The callback runs before the token is fed: the history ends
                // with the token this step followed (pieces depend on it).
                const auto& history = session_.history();
                const int previous = history.empty() ? -1 : history.back();
                t.piece = readablePiece(tok, e.id, previous);
                t.top.reserve(e.top.size());
                for (const Candidate& c : e.top)
                    t.top.push_back({c.id, readablePiece(tok, c.id, previous), c.p});
            }
            onToken(t);
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
