// Batched decoding (continuous batching): many generations over one Model at
// once, each in its own slot (a Session: its own KV cache of the model's
// whole context), whose decode steps run as ONE batched forward. Decode is
// bound by reading the weights, so a step for N slots costs little more than
// a step for one: the aggregate tokens/s grows with N (bench/batch.cpp).
//
//   auto model = Model::load(...);
//   BatchDecoder decoder(model, {/*slots=*/8});
//   decoder.submit({ids, options, on_token, on_done});   // any thread
//   decoder.start();                                      // or call step() yourself
//
// Scheduling. A submitted request waits in a FIFO queue until a slot is
// free. Each step(): (1) finished and cancelled requests have already left
// their slots; (2) queued requests take free slots and their prompts are
// prefilled (one libtorch forward each, as Session::prefill), and their first
// token is sampled; (3) every slot with a token to feed runs in one batched
// decode step (token ids [n] -> logits [n, vocab]); (4) each slot samples its
// next token, sends its TokenEvent, and a slot whose generation ended
// (EOS, budget, stop string, stop flag, cancel, context full) is freed at once
// and its on_done called. So a new request joins at the next step after its
// prefill, and a finished one leaves without waiting for the others.
//
// Prefix reuse. A slot keeps its tokens after its request ends. A new request
// takes the free slot whose cached tokens share the longest prefix with its
// prompt, and only the rest is prefilled (the same longest-common-prefix
// rule as generate_ids() / Conversation): a request that extends an earlier
// conversation re-reads nothing of it.
//
// Exactness. On the CPU (fp32 KV cache) every slot's logits are bit-identical
// to a lone Session's, so greedy answers are the same whatever runs beside
// them. Sampled answers with a fixed seed are the same too (each request has
// its own Sampler). On other devices the slots are decoded one after the
// other (no batching yet), with the same results as generate_ids().
//
// Threads. submit(), cancel() and the counters may be called from any
// thread. step() runs on one thread at a time: the caller's, or the decoder's
// own after start(). Callbacks run on that thread, one at a time; they may
// call submit() and cancel() but not step(), and should return quickly (they
// hold up every slot).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "waypoint/generate.h"
#include "waypoint/model.h"

namespace waypoint {

struct BatchOptions {
    int slots = 4;  // concurrent generations (each a KV cache of the model's context)
};

// What a request ends with.
struct BatchResult {
    GenerationStats stats;           // stats.finish says why it ended (Stopped when cancelled)
    std::vector<int> generated_ids;  // the answer's ids (EOS not included)
    std::string error;               // empty, or a message for people when the request failed
                                     // (bad ids or options, a failed forward): stats are then partial
};

struct BatchRequest {
    // The prompt as generate_ids() takes it (BOS included where wanted;
    // encode_prompt() makes it from text). Cut to the context the same way.
    std::vector<int> prompt_ids;
    GenerateOptions options;  // options.stop_flag is honoured too (checked before every token)
    TokenCallback on_token;   // may be empty; on the stepping thread
    std::function<void(const BatchResult&)> on_done;  // may be empty; called exactly once
};

class BatchDecoder {
public:
    using RequestId = uint64_t;

    // Allocates the slots' KV caches (slots x 2 x layers x kv_heads x context x
    // head_dim floats on the CPU). Error(InvalidArgument) for slots < 1.
    BatchDecoder(std::shared_ptr<const Model> model, const BatchOptions& options = {});
    // Stops the own thread if started; requests still queued or running end
    // with FinishReason::Stopped (on_done is called for each).
    ~BatchDecoder();
    BatchDecoder(const BatchDecoder&) = delete;
    BatchDecoder& operator=(const BatchDecoder&) = delete;

    const Model& model() const;
    int slots() const;

    // Queues a request; returns its id (> 0). Never blocks on the running step.
    RequestId submit(BatchRequest request);
    // Ends a queued or running request: a queued one at once (on_done is
    // called on the calling thread), a running one before its next token
    // (its slot is free for the next step). false when the id is unknown or
    // already finished.
    bool cancel(RequestId id);

    // One scheduling round on the calling thread (see above). Returns true
    // while requests are queued or running. Not while start()ed.
    bool step();
    // step() until nothing is queued or running.
    void run_until_idle();

    // Runs step() on a thread of the decoder's own, sleeping while idle,
    // until stop() or the destructor.
    void start();
    // Ends the own thread after its current step; queued and running requests
    // stay (step() or start() again to go on).
    void stop();

    int queued() const;   // waiting for a slot
    int active() const;   // in a slot
    // Tokens produced by batched decode steps so far, and those steps: the
    // mean batch size is their ratio.
    int64_t batched_tokens() const;
    int64_t batched_steps() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Generates an answer for every prompt (token ids as generate_ids() takes
// them) with `slots` slots, on the calling thread; results in prompt order.
std::vector<BatchResult> generate_batch(std::shared_ptr<const Model> model,
                                        const std::vector<std::vector<int>>& prompts,
                                        const GenerateOptions& options, int slots);

}  // namespace waypoint
