// The fields of the values the report writes as JSON, each named once:
// `visit(key, member)` for every field, in the order the JSON has them. The
// writer and the reader both walk these lists, so a field that is written is
// also read back (an exported comparison reopens as it was).
#pragma once

#include "waypoint/compare.h"
#include "waypoint/generate.h"
#include "waypoint/sampler.h"

namespace waypoint::report {

// `S` is SamplingParams or const SamplingParams.
template <typename S, typename Visit>
void sampling_fields(S& s, Visit&& visit) {
    visit("temperature", s.temperature);
    visit("top_k", s.top_k);
    visit("top_p", s.top_p);
    visit("min_p", s.min_p);
    visit("repeat_penalty", s.repeat_penalty);
    visit("repeat_window", s.repeat_window);
    visit("seed", s.seed);
}

// finish_reason (an enum, written by name) is handled by the callers;
// "reused_tokens" may be absent when read (0: nothing reused).
template <typename S, typename Visit>
void stats_fields(S& s, Visit&& visit) {
    visit("prompt_tokens", s.prompt_tokens);
    visit("reused_tokens", s.reused_tokens);
    visit("new_tokens", s.new_tokens);
    visit("time_to_first_token_ms", s.time_to_first_token_ms);
    visit("prefill_tokens_per_s", s.prefill_tokens_per_s);
    visit("decode_tokens_per_s", s.decode_tokens_per_s);
    visit("total_ms", s.total_ms);
}

// Optional members (std::optional) are written only when set, the flag
// `cancelled` only when true; "model" may be absent when read.
template <typename E, typename Visit>
void evaluation_fields(E& e, Visit&& visit) {
    visit("checkpoint", e.checkpoint);
    visit("model", e.model);
    visit("window", e.window);
    visit("tokens", e.result.tokens);
    visit("mean_nll", e.result.mean_nll);
    visit("perplexity", e.result.perplexity);
    visit("cancelled", e.result.cancelled);
    visit("step", e.training_step);
    visit("validation_loss", e.validation_loss);
}

}  // namespace waypoint::report
