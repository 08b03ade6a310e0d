// Results written for people and files (library waypoint_report, beside the
// engine): the model card, generation stats and a comparison as text, JSON
// and Markdown, and an exported comparison read back. Plain values in, text
// out; no model needed, thread-safe.
#pragma once

#include <string>

#include "waypoint/compare.h"
#include "waypoint/generate.h"
#include "waypoint/model_card.h"
#include "waypoint/sampler.h"

namespace waypoint {

// The model card: one "key: value" line per field, for terminals; and a JSON
// object with the same fields (keys as in the struct).
std::string format_card(const ModelCard& card);
std::string card_to_json(const ModelCard& card);

// {"prompt_tokens", "new_tokens", "time_to_first_token_ms",
// "prefill_tokens_per_s", "decode_tokens_per_s", "total_ms", "finish_reason"}
std::string stats_to_json(const GenerationStats& stats);

// JSON objects (text, compact). A pane: {"checkpoint", "model", "sampling":
// {temperature, top_k, top_p, min_p, repeat_penalty, repeat_window, seed,
// max_tokens}, "prompt_ids", "generated_ids", "text", "stats": stats_to_json's
// keys + "seed"}. The comparison: {"prompt", "panes": [...],
// "first_divergence": [one per pane, null where not meaningful],
// "evaluation": {"text", "results": [{"checkpoint", "model", "window",
// "tokens", "mean_nll", "perplexity"[, "cancelled"][, "step"][,
// "validation_loss"]}]}} ("evaluation" only when there are results; the
// bracketed keys only when true / known).
std::string pane_to_json(const PaneResult& pane);
std::string evaluation_to_json(const EvaluationResult& evaluation);
std::string comparison_to_json(const Comparison& comparison, int indent = -1);

// Reads what comparison_to_json wrote (an exported comparison, reopened).
// Throws Error(InvalidArgument) naming what is missing or of the wrong type.
Comparison comparison_from_json(const std::string& json);

// A Markdown document: the prompt, a table of panes (checkpoint, settings,
// tokens, time to first token, tokens/s, finish, first divergence), each
// answer in a fenced block, and the evaluation table when there is one (with
// step and validation-loss columns when any checkpoint records them).
std::string comparison_to_markdown(const Comparison& comparison);

// "temperature 0.8, top-k 40, top-p 0.95, seed 7" (greedy: "greedy"), for
// tables and the CLI.
std::string describe_sampling(const SamplingParams& sampling);

}  // namespace waypoint
