// A backend decorator that hands out one LoadedModel per (checkpoint, device, tokenizer)
// while anyone still holds it: the chat, the compare view's panes and the
// evaluation each have their own worker and session but share the weights
// when they use the same checkpoint.
#include "inference_backend.h"

#include <map>
#include <mutex>

namespace waypoint::app {
namespace {

class SharingBackend : public InferenceBackend {
public:
    explicit SharingBackend(std::shared_ptr<InferenceBackend> inner) : inner_(std::move(inner)) {}

    std::shared_ptr<const LoadedModel> load(const std::string& checkpoint, const std::string& device,
                                            const std::string& tokenizer) override {
        const std::string key = device + '\n' + checkpoint + '\n' + tokenizer;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (auto model = cache_[key].lock()) return model;
        }
        // Load outside the lock: two panes loading different checkpoints run in
        // parallel; two loading the same one may both load, the first one wins.
        auto model = inner_->load(checkpoint, device, tokenizer);
        std::lock_guard<std::mutex> lock(mutex_);
        if (auto existing = cache_[key].lock()) return existing;
        cache_[key] = model;
        return model;
    }
    std::vector<std::string> devices() const override { return inner_->devices(); }

private:
    std::shared_ptr<InferenceBackend> inner_;
    std::mutex mutex_;
    std::map<std::string, std::weak_ptr<const LoadedModel>> cache_;
};

}  // namespace

std::shared_ptr<InferenceBackend> makeSharingBackend(std::shared_ptr<InferenceBackend> inner) {
    return std::make_shared<SharingBackend>(std::move(inner));
}

}  // namespace waypoint::app
