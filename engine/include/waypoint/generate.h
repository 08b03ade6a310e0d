// The generation loop: prompt in, one callback per token, stats out.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "waypoint/sampler.h"
#include "waypoint/session.h"

namespace waypoint {

enum class FinishReason { Length, Eos, StopString, Stopped, ContextFull };
const char* to_string(FinishReason reason);  // "length", "eos", "stop_string", "stopped", "context_full"

enum class ContextPolicy {
    Slide,  // drop the oldest half of the answer's context (keeping BOS), re-prefill once, go on
    Stop,   // finish with ContextFull
};

struct GenerateOptions {
    SamplingParams sampling;
    int max_new_tokens = 256;
    std::vector<std::string> stop_strings;      // the text stops before a match
    const std::atomic<bool>* stop_flag = nullptr;  // checked before every token
    bool add_bos = true;          // where the tokenizer has a BOS
    bool stop_at_eos = true;      // EOS (and a BOS inside the answer, as llama2.c does)
    ContextPolicy overflow = ContextPolicy::Slide;
    int top_alternatives = 0;     // fill TokenEvent::top with this many
};

// One per generated token. When the generation ends with text still held
// back (the start of a stop string that never completed, or the bytes of an
// unfinished UTF-8 character), one last event with id -1 carries it in
// `delta` (probability 0, no alternatives): concatenating every delta always
// gives the whole answer.
struct TokenEvent {
    int id = 0;
    int index = 0;                // 0 for the first generated token
    std::string delta;            // whole UTF-8; may be "" while a character is incomplete
    float probability = 0.0f;     // of the chosen token, after temperature
    std::vector<Candidate> top;   // the most likely alternatives (top_alternatives)
    // Only when top_alternatives > 0, for display: the token's own piece and
    // top[i]'s piece, readable ("<0xE2>" per byte of a byte-fallback token
    // that is only part of a character). The piece may differ from `delta`
    // (held-back bytes, stop strings).
    std::string piece;
    std::vector<std::string> top_pieces;
};

struct GenerationStats {
    int prompt_tokens = 0;
    int reused_tokens = 0;              // prompt ids the session already held (generate_ids): not prefilled again
    int new_tokens = 0;
    double time_to_first_token_ms = 0;  // prompt in -> first token out (prefill + sample)
    double prefill_tokens_per_s = 0;
    double decode_tokens_per_s = 0;     // tokens after the first / their time
    double total_ms = 0;
    FinishReason finish = FinishReason::Length;
};

using TokenCallback = std::function<void(const TokenEvent&)>;

// Tokenizes `prompt` (BOS per options), resets the session, prefills and
// decodes. An empty prompt is allowed where the tokenizer has a BOS (the model
// then starts from BOS alone); otherwise Error(InvalidArgument). A prompt
// longer than the context keeps its last tokens (and BOS) so that at least
// one new token fits.
GenerationStats generate(Session& session, const std::string& prompt,
                         const GenerateOptions& options, const TokenCallback& on_token);

// The ids generate() feeds for `prompt`: tokenized with BOS per options,
// checked (an empty prompt without a BOS throws Error(InvalidArgument)), and
// cut to the context as described above. For callers that report the ids.
std::vector<int> encode_prompt(const Session& session, const std::string& prompt,
                               const GenerateOptions& options);

// The same from token ids the caller prepared (BOS included if wanted),
// continuing the session's history where it shares a prefix with `prompt_ids`.
GenerationStats generate_ids(Session& session, const std::vector<int>& prompt_ids,
                             const GenerateOptions& options, const TokenCallback& on_token,
                             std::vector<int>* generated_ids = nullptr);

// As JSON: stats_to_json in waypoint/report.h.

}  // namespace waypoint
