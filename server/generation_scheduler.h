// The one place where requests meet the model: the HTTP endpoints hand
// prepared token ids to a GenerationScheduler and get tokens back through
// callbacks. Everything the server knows about how generation runs (slots,
// sessions, batching) is behind this interface, so an implementation that
// decodes all active slots in one batched forward replaces the serial one by
// changing make_generation_scheduler() alone.
//
// Contract for implementations:
//   - submit() never blocks on generation: it queues the job and returns its
//     id. Jobs start in submission order as slots free up (`slots` run at
//     once; the rest wait in the queue).
//   - on_token is called for each TokenEvent of the job, in order, on a
//     thread of the scheduler, exactly as waypoint::generate_ids would call it
//     (including the final id -1 event with held-back text). It must return
//     quickly (the HTTP side only queues the event).
//   - on_done is called exactly once per submitted job, after its last
//     on_token: finished, cancelled (outcome.cancelled) or failed
//     (outcome.error, the engine's message). Also for a job cancelled while
//     still queued (then with no on_token before it).
//   - cancel(id) may be called from any thread, any number of times, also
//     after the job ended (then it does nothing). A running job stops before
//     its next token and frees its slot; a queued one is dropped.
//   - Greedy output must equal waypoint-cli's for the same prompt ids and
//     options (fp32 CPU), whatever else runs beside it.
//   - drain(limit): stop starting new jobs (later submits end at once with
//     outcome.error), wait up to `limit` for the running and queued ones,
//     then cancel what is left and wait for its on_done. After drain() the
//     scheduler is idle; the destructor drains with a zero limit.
//   - Thread-safe: every method may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "waypoint/generate.h"
#include "waypoint/model.h"

namespace waypoint::server {

struct GenerationOutcome {
    waypoint::GenerationStats stats;  // finish: why it ended (Stopped when cancelled)
    std::vector<int> generated_ids;
    bool cancelled = false;
    std::string error;  // non-empty: the job failed or was refused (draining)
};

struct GenerationJob {
    // The whole prompt, BOS included where wanted. The endpoint has checked
    // that it leaves room in the context (prompt_ids.size() < context).
    std::vector<int> prompt_ids;
    // Sampling, max_new_tokens, stop strings, top_alternatives. stop_flag is
    // the scheduler's business (cancel()); overflow is ContextPolicy::Stop.
    waypoint::GenerateOptions options;
    std::function<void(const waypoint::TokenEvent&)> on_token;
    std::function<void(const GenerationOutcome&)> on_done;
};

using JobId = uint64_t;

// How a job submitted after drain() began ends, at once (every scheduler).
inline GenerationOutcome refused_while_draining() {
    GenerationOutcome refused;
    refused.error = "The server is shutting down.";
    refused.stats.finish = waypoint::FinishReason::Stopped;
    return refused;
}

struct SchedulerLoad {
    int slots = 0;   // jobs that may run at once
    int active = 0;  // running now
    int queued = 0;  // waiting for a slot
};

class GenerationScheduler {
public:
    virtual ~GenerationScheduler() = default;
    virtual JobId submit(GenerationJob job) = 0;
    virtual void cancel(JobId id) = 0;
    virtual SchedulerLoad load() const = 0;
    virtual void drain(std::chrono::milliseconds limit) = 0;
};

// The scheduler waypoint-server and the app use: `slots` generation slots
// over `model` (each with its own Session and KV cache).
std::unique_ptr<GenerationScheduler> make_generation_scheduler(std::shared_ptr<const waypoint::Model> model,
                                                               int slots);

}  // namespace waypoint::server
