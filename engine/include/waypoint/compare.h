// Side-by-side comparison of checkpoints on one prompt, as plain values (no
// torch, no Qt): what one pane produced and where two answers part. Shared by
// `waypoint-cli compare` and the app's compare view.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "waypoint/generate.h"
#include "waypoint/perplexity.h"
#include "waypoint/sampler.h"
#include "waypoint/session.h"

namespace waypoint {

// The index of the first generated token where `a` and `b` differ; -1 when
// they are identical; when one is a prefix of the other, the shorter length.
int first_divergence(const std::vector<int>& a, const std::vector<int>& b);

// What one pane produced for the comparison's prompt.
struct PaneResult {
    std::string checkpoint;           // the file or folder as given
    std::string model;                // ModelCard::name ("" when unknown)
    SamplingParams sampling;          // as used (seed included)
    int max_new_tokens = 0;
    std::vector<int> prompt_ids;      // as fed, BOS included where used
    std::vector<int> generated_ids;   // without generate()'s final id -1 event
    std::string text;                 // the continuation only
    GenerationStats stats;
};

// Runs one pane: encodes `prompt` (encode_prompt), resets the session and
// generates (generate_ids), passing every event on to `on_token` (the final
// id -1 event included) and filling the result: checkpoint and model from the
// session's ModelCard, the options' sampling and max tokens, the ids, the
// text and the stats. Throws what generate_ids throws.
PaneResult generate_pane(Session& session, const std::string& prompt, const GenerateOptions& options,
                         const TokenCallback& on_token = {});

// Whether a divergence index between two panes says something about the
// models: both greedy (same repetition penalty), or both sampled with the same
// parameters and the same seed. Otherwise the answers differ by chance.
bool divergence_meaningful(const PaneResult& a, const PaneResult& b);

// One checkpoint's mean loss on an evaluation text (the --perplexity protocol).
struct EvaluationResult {
    std::string checkpoint;
    std::string model;                       // ModelCard::name ("" when unknown)
    int window = 0;
    PerplexityResult result;
    std::optional<int64_t> training_step;    // from the checkpoint's card, where it says
    std::optional<double> validation_loss;   // the loss recorded in training, where it says
};

struct Comparison {
    std::string prompt;
    std::vector<PaneResult> panes;
    std::string evaluation_text;             // the text file's path ("" when none)
    std::vector<EvaluationResult> evaluations;
};

// One entry per pane: its first divergence from pane 0 (pane 0 itself: -1),
// or nullopt where divergence_meaningful() says no.
std::vector<std::optional<int>> divergences_from_first(const Comparison& comparison);

// Its export as JSON and Markdown, and reading it back: waypoint/report.h
// (library waypoint_report).

}  // namespace waypoint
