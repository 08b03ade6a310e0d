// Mean negative log-likelihood of a text under a model, with the protocol of
// ../shared/golden/stories260K_perplexity.json: the whole text is encoded
// without BOS, cut into consecutive non-overlapping windows of `window` ids,
// each window is evaluated as [BOS] + window (no BOS: the window alone, its
// first id not scored), and every scored id's NLL (natural log) is averaged.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "waypoint/model.h"

namespace waypoint {

struct PerplexityResult {
    long tokens = 0;       // ids scored
    double mean_nll = 0;   // nats
    double perplexity = 0; // exp(mean_nll)
    bool cancelled = false;
};

// The window when none is given (the CLI's --window, the app's "auto"):
// kDefaultPerplexityWindow ids, or fewer where a model's context cannot hold
// [BOS] + that many. One window for several models measures them alike.
constexpr int kDefaultPerplexityWindow = 255;
// The largest window `model` allows: its context, less one for BOS when its
// tokenizer has one.
int max_perplexity_window(const Model& model);
// The default window for all of `models` (null entries are skipped; none
// left: kDefaultPerplexityWindow).
int default_perplexity_window(const std::vector<std::shared_ptr<const Model>>& models);

// Throws Error(InvalidArgument) when `window` does not fit the model
// (max_perplexity_window) or the text encodes to too few ids to score.
// progress(done_ids, total_ids) after every window. The stop flag cancels
// between windows (the partial result is returned with cancelled = true).
PerplexityResult evaluate_perplexity(std::shared_ptr<const Model> model, const std::string& text,
                                     int window,
                                     const std::function<void(long, long)>& progress = {},
                                     const std::atomic<bool>* stop_flag = nullptr);

}  // namespace waypoint
