// A fake InferenceBackend with controllable timing, for controller tests and
// for working on the UI without a checkpoint.
#include "inference_backend.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <thread>

namespace waypoint::app {
namespace {

class FakeSession : public BackendSession {
public:
    explicit FakeSession(FakeBackendOptions o) : o_(std::move(o)) {}

    GenerationSummary generate(const std::string& prompt, const SamplingValues& s,
                               const std::atomic<bool>& stop,
                               const std::function<void(const TokenInfo&)>& onToken) override {
        GenerationSummary out;
        out.promptTokens = int(prompt.size());
        const auto t0 = std::chrono::steady_clock::now();
        const int n = std::min(o_.tokens, s.maxNewTokens);
        out.finish = "length";
        for (int i = 0; i < n; ++i) {
            if (stop.load()) { out.finish = "stopped"; break; }  // checked before every token
            std::this_thread::sleep_for(std::chrono::milliseconds(o_.tokenDelayMs));
            onToken(fakeToken(i));
            ++out.newTokens;
            if (i == 0)
                out.timeToFirstTokenMs =
                    std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        }
        out.totalMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        out.tokensPerSecond = out.totalMs > 0 ? out.newTokens * 1000.0 / out.totalMs : 0;
        return out;
    }

private:
    // Token i: "ti ", id 100 + i, probability fakeProbability(i); its top 5 are
    // itself and "a1 ".."a4 " sharing the remaining mass 4:3:2:1, best first.
    static TokenInfo fakeToken(int i) {
        TokenInfo t;
        t.id = 100 + i;
        t.delta = t.piece = "t" + std::to_string(i) + " ";
        t.probability = fakeProbability(i);
        const float rest = 1.0f - t.probability;
        t.top.push_back({t.id, t.piece, t.probability});
        for (int k = 1; k <= 4; ++k)
            t.top.push_back({k, "a" + std::to_string(k) + " ", rest * float(5 - k) / 10.0f});
        std::stable_sort(t.top.begin(), t.top.end(),
                         [](const TokenAlternative& a, const TokenAlternative& b) { return a.probability > b.probability; });
        return t;
    }

    FakeBackendOptions o_;
};

class FakeModel : public LoadedModel {
public:
    FakeModel(std::string path, std::string device, FakeBackendOptions o)
        : path_(std::move(path)), device_(std::move(device)), o_(std::move(o)) {}
    CardData card() const override {
        CardData d;
        const auto slash = path_.find_last_of('/');
        d.name = slash == std::string::npos ? path_ : path_.substr(slash + 1);
        d.path = path_; d.architecture = "llama"; d.format = "fake"; d.dtype = "float32";
        d.device = device_.empty() || device_ == "auto" ? "cpu" : device_;
        d.tokenizer = "fake (t0 t1 ...)";
        d.parameters = 260000; d.layers = 5; d.heads = 8; d.kvHeads = 4; d.width = 64; d.hidden = 172;
        d.vocabulary = 512; d.context = 512; d.tiedEmbeddings = true; d.fileBytes = 1040000;
        d.trainingStep = 4000; d.validationLoss = 1.25;
        return d;
    }
    std::string generationDefaultsJson() const override { return ""; }
    std::unique_ptr<BackendSession> newSession() const override { return std::make_unique<FakeSession>(o_); }

private:
    std::string path_, device_;
    FakeBackendOptions o_;
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

}  // namespace

float fakeProbability(int i) { return 0.05f + 0.9f * float((i * 37 + 11) % 100) / 99.0f; }

std::shared_ptr<InferenceBackend> makeFakeBackend(const FakeBackendOptions& options) {
    return std::make_shared<FakeBackend>(options);
}

}  // namespace waypoint::app
