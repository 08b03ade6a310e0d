// One conversation over a Model: a KV cache allocated once for the whole
// context, the token history, batched prefill and one-token decode steps.
// A Session is used by one thread at a time; several Sessions may share one
// Model concurrently.
#pragma once

#include <memory>
#include <vector>

#include "waypoint/model.h"
#include "waypoint/sampler.h"

namespace waypoint {

namespace detail {
struct SessionImpl;
struct SessionAccess;  // the engine's way in (engine/src/model/session_impl.h)
}  // namespace detail

class Session {
public:
    explicit Session(std::shared_ptr<const Model> model);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    const Model& model() const { return *model_; }

    // Appends `ids` to the history in one batched forward and returns the
    // logits [vocab] at the last new position. The ids must fit: position() +
    // ids.size() <= context_length() (generate() makes room first; see
    // make_room). Throws Error(InvalidArgument) otherwise, or on empty ids.
    const std::vector<float>& prefill(const std::vector<int>& ids);

    // One token: the logits [vocab] after it. Same capacity rule.
    const std::vector<float>& step(int id);

    // step(id), and the next token chosen where the logits were computed when
    // the model's decode step can (the CUDA graph: only the pick crosses to
    // the host, not the logits). Runs the chain of `params` (sampler.h) on the
    // logits after `id`, penalising by history() (which then ends with `id`),
    // drawing with `u` (Sampler::peek_uniform) and reporting `top_n`
    // alternatives. Returns true with `pick` filled; false where it cannot
    // (another device, settings the device sampler lacks: see
    // kernels/cuda/decode_graph.h), and then logits() holds the logits for
    // Sampler::sample. Same capacity rule as step().
    bool step_sampled(int id, const SamplingParams& params, double u, int top_n, Pick& pick);
    // Whether step_sampled can pick on the device at all (else it is step()).
    bool samples_on_device() const;
    // The logits [vocab] after the last prefill/step/step_sampled (a
    // step_sampled that picked leaves them on the device: they are fetched).
    const std::vector<float>& logits();

    // Logits [n, vocab] (row-major) for every position of a batched forward of
    // `ids`, appended to the history like prefill(). For perplexity.
    std::vector<float> forward_all(const std::vector<int>& ids);

    // Keeps the first n tokens of the history (the cache rows past n are
    // simply overwritten later). For regenerate/edit without recomputing.
    void truncate(int n);
    void reset() { truncate(0); }

    // Context management when the cache is full: drops the oldest tokens
    // (keeping the first `keep` ones, e.g. BOS) so that `needed` more fit, and
    // re-prefills what remains. Returns how many tokens were dropped.
    int make_room(int needed, int keep = 1);

    int position() const;               // tokens in the cache
    int context_length() const;
    const std::vector<int>& history() const;

private:
    friend struct detail::SessionAccess;
    std::shared_ptr<const Model> model_;
    std::unique_ptr<detail::SessionImpl> impl_;
};

}  // namespace waypoint
