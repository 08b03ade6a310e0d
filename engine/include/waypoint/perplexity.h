// Mean negative log-likelihood of a text under a model, with the protocol of
// ../shared/golden/stories260K_perplexity.json: the whole text is encoded
// without BOS, cut into consecutive non-overlapping windows of `window` ids,
// each window is evaluated as [BOS] + window (no BOS: the window alone, its
// first id not scored), and every scored id's NLL (natural log) is averaged.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "waypoint/model.h"

namespace waypoint {

struct PerplexityResult {
    long tokens = 0;       // ids scored
    double mean_nll = 0;   // nats
    double perplexity = 0; // exp(mean_nll)
    bool cancelled = false;
};

// progress(done_ids, total_ids) after every window. The stop flag cancels
// between windows (the partial result is returned with cancelled = true).
PerplexityResult evaluate_perplexity(std::shared_ptr<const Model> model, const std::string& text,
                                     int window,
                                     const std::function<void(long, long)>& progress = {},
                                     const std::atomic<bool>* stop_flag = nullptr);

}  // namespace waypoint
