// The per-token logic of a generation (waypoint/generate.h), as a loop the
// caller drives: generate_ids() feeds each returned id to its Session one at
// a time; the batched decoder (waypoint/batch.h) feeds the ids of many loops
// in one batched step. Both get the same sampling, text, stop strings, events
// and stats, from this one place.
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "waypoint/generate.h"

namespace waypoint::detail {

class StopStrings;

// A prompt longer than the context keeps its BOS (when it starts with `bos`)
// and its last tokens, so that the first new token can still be fed back (at
// most context - 1 ids).
std::vector<int> fit_to_context(const std::vector<int>& ids, int context, int bos);

// How many leading ids `history` (a session's) shares with `ids`, at most
// ids.size() - 1: the last prompt id is always fed again, its logits are what
// the first token is sampled from.
size_t reusable_prefix(const std::vector<int>& history, const std::vector<int>& ids);

class TokenLoop {
public:
    // Validates the options and ids (Error(InvalidArgument)), cuts the ids to
    // the context, and truncates `session` to the prefix it shares with them.
    // `session`, `on_token` and `generated_ids` must outlive the loop.
    TokenLoop(Session& session, const std::vector<int>& prompt_ids, const GenerateOptions& options,
              TokenCallback on_token, std::vector<int>* generated_ids);
    ~TokenLoop();
    TokenLoop(const TokenLoop&) = delete;
    TokenLoop& operator=(const TokenLoop&) = delete;

    // The ids still to prefill after the reused prefix (at least one).
    std::vector<int> to_prefill() const;
    // Call once after prefilling them (for the prefill figures).
    void prefilled();

    // `logits` [V] are the last fed position's (the sampler modifies them).
    // Checks the stop flag and the token budget, samples, ends on EOS, sends
    // the token's event, ends on a stop string or the budget, and makes room
    // in the session when its context is full. Returns the id to feed to the
    // session next, or -1 when the generation is over (stats().finish says why).
    int next(std::vector<float>& logits);

    // Feeds `id` (what next() or feed() returned) to the session and returns
    // the next id like next(). Where the session samples on its device
    // (Session::step_sampled: the CUDA decode step), the token is picked
    // there with this loop's settings and the same random stream, and only
    // the pick crosses to the host; otherwise step() and next().
    int feed(int id);

    // Ends the generation early with `reason` (e.g. Stopped) where next() has
    // not ended it yet.
    void end(FinishReason reason);

    // Sends what is still held back as one last event and returns the stats.
    // Call once, when next() returned -1 or after end().
    GenerationStats finish();

    Session& session() { return session_; }

private:
    using Clock = std::chrono::steady_clock;

    // next() with the token either sampled from `logits` here or `picked` elsewhere.
    int take(std::vector<float>* logits, const Pick* picked);

    Session& session_;
    GenerateOptions options_;
    TokenCallback on_token_;
    std::vector<int>* generated_ids_;
    std::vector<int> ids_;  // the prompt cut to the context
    size_t shared_ = 0;
    std::unique_ptr<Sampler> sampler_;
    std::unique_ptr<StopStrings> stops_;
    std::unique_ptr<TextStream> stream_;
    int keep_on_slide_ = 0;
    bool device_sampling_ = false;  // the session's decode step samples on its device
    std::vector<float> logits_;     // [V] for feed() when the host samples
    bool done_ = false;
    GenerationStats stats_;
    Clock::time_point t0_, t_first_{}, t_last_{};
};

}  // namespace waypoint::detail
