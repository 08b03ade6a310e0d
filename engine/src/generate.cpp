// The generation loop (waypoint/generate.h): prefill the prompt in one
// batched forward, then sample -> stream -> step one token at a time, with the
// stop flag read before every token. Text reaches the caller as whole-UTF-8
// deltas (TextStream) that stop before a stop string (detail::StopStrings).
#include "waypoint/generate.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "sampling/stop_strings.h"
#include "tokenizer/utf8.h"
#include "waypoint/error.h"
#include "waypoint/tokenizer.h"

namespace waypoint {
namespace {

using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

// A prompt longer than the context keeps its BOS and its last tokens, so
// that the first new token can still be fed back (at most context - 1 ids).
std::vector<int> fit_to_context(const std::vector<int>& ids, int context, int bos) {
    const size_t limit = size_t(std::max(context - 1, 1));
    if (ids.size() <= limit) return ids;
    const size_t keep = (bos >= 0 && ids.front() == bos) ? 1 : 0;
    const size_t tail = limit > keep ? limit - keep : 0;
    std::vector<int> out(ids.begin(), ids.begin() + std::ptrdiff_t(std::min(keep, limit)));
    out.insert(out.end(), ids.end() - std::ptrdiff_t(tail), ids.end());
    return out;
}

void check_ids(const std::vector<int>& ids, int vocab) {
    if (ids.empty())
        throw Error(ErrorKind::InvalidArgument,
                    "generate: no prompt ids (give a prompt, or start from BOS)");
    for (int id : ids)
        if (id < 0 || id >= vocab)
            throw Error(ErrorKind::InvalidArgument,
                        "generate: prompt id " + std::to_string(id) + " is outside the vocabulary [0, " +
                            std::to_string(vocab) + ")");
}

// A token's piece as people can read it: its text, or "<0xE2>" per byte for a
// byte-fallback token that is only part of a character.
std::string readable_piece(const Tokenizer& tok, int id, int previous) {
    std::string bytes = tok.piece_bytes(id, previous);
    std::string sanitized;
    detail::utf8_sanitize(bytes, true, sanitized);
    if (sanitized == bytes) return bytes;  // whole characters only
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (const char ch : bytes) {
        const auto b = static_cast<unsigned char>(ch);
        out += "<0x";
        out += hex[b >> 4];
        out += hex[b & 0xF];
        out += '>';
    }
    return out;
}

}  // namespace

const char* to_string(FinishReason reason) {
    switch (reason) {
    case FinishReason::Length: return "length";
    case FinishReason::Eos: return "eos";
    case FinishReason::StopString: return "stop_string";
    case FinishReason::Stopped: return "stopped";
    case FinishReason::ContextFull: return "context_full";
    }
    return "unknown";
}

std::vector<int> encode_prompt(const Session& session, const std::string& prompt,
                               const GenerateOptions& options) {
    const Tokenizer& tok = session.model().tokenizer();
    const bool bos = options.add_bos && tok.bos() >= 0;
    std::vector<int> ids = tok.encode(prompt, bos);
    if (ids.empty()) {
        throw Error(ErrorKind::InvalidArgument,
                    prompt.empty()
                        ? std::string("empty prompt: ") +
                              (tok.bos() < 0 ? "this model's tokenizer has no BOS token to start from"
                                             : "BOS is turned off") +
                              "; give some prompt text"
                        : "the prompt encodes to no tokens; give some other prompt text");
    }
    return fit_to_context(ids, session.context_length(), tok.bos());
}

GenerationStats generate(Session& session, const std::string& prompt,
                         const GenerateOptions& options, const TokenCallback& on_token) {
    const std::vector<int> ids = encode_prompt(session, prompt, options);
    session.reset();
    return generate_ids(session, ids, options, on_token);
}

GenerationStats generate_ids(Session& session, const std::vector<int>& prompt_ids,
                             const GenerateOptions& options, const TokenCallback& on_token,
                             std::vector<int>* generated_ids) {
    const auto t0 = Clock::now();
    const Tokenizer& tok = session.model().tokenizer();
    const int context = session.context_length();
    if (options.max_new_tokens < 0)
        throw Error(ErrorKind::InvalidArgument, "generate: max_new_tokens must be >= 0");
    check_ids(prompt_ids, session.model().vocab_size());
    const std::vector<int> ids = fit_to_context(prompt_ids, context, tok.bos());
    Sampler sampler(options.sampling);  // validates the sampling parameters
    detail::StopStrings stops(options.stop_strings);
    if (generated_ids) generated_ids->clear();

    GenerationStats stats;
    stats.prompt_tokens = int(ids.size());

    // Reuse the cached prefix the session shares with these ids; the last id
    // is always fed again, its logits are what the first token comes from.
    const auto& history = session.history();
    size_t shared = 0;
    while (shared < history.size() && shared < ids.size() && history[shared] == ids[shared]) ++shared;
    shared = std::min(shared, ids.size() - 1);
    session.truncate(int(shared));
    stats.reused_tokens = int(shared);
    std::vector<float> logits =
        session.prefill(std::vector<int>(ids.begin() + std::ptrdiff_t(shared), ids.end()));  // [V]
    const auto t_prefilled = Clock::now();
    const double prefill_ms = ms_between(t0, t_prefilled);
    if (prefill_ms > 0) stats.prefill_tokens_per_s = double(ids.size() - shared) / (prefill_ms / 1000.0);

    TextStream stream(tok, ids.back());
    const int bos = tok.bos(), eos = tok.eos();
    const int keep_on_slide = (bos >= 0 && ids.front() == bos) ? 1 : 0;
    Clock::time_point t_first{}, t_last{};
    stats.finish = FinishReason::Length;

    for (;;) {
        if (options.stop_flag && options.stop_flag->load(std::memory_order_acquire)) {
            stats.finish = FinishReason::Stopped;
            break;
        }
        if (stats.new_tokens >= options.max_new_tokens) {
            stats.finish = FinishReason::Length;
            break;
        }
        const int id = sampler.sample(logits, session.history());
        t_last = Clock::now();
        if (stats.new_tokens == 0) {
            t_first = t_last;
            stats.time_to_first_token_ms = ms_between(t0, t_first);
        }
        if (options.stop_at_eos && ((eos >= 0 && id == eos) || (bos >= 0 && id == bos))) {
            stats.finish = FinishReason::Eos;  // llama2.c also ends on BOS
            break;
        }
        ++stats.new_tokens;
        if (generated_ids) generated_ids->push_back(id);

        TokenEvent event;
        event.id = id;
        event.index = stats.new_tokens - 1;
        event.delta = stops.push(stream.push(id));
        event.probability = sampler.last_probability();
        if (options.top_alternatives > 0) {
            event.top = sampler.last_top(options.top_alternatives);
            // Pieces depend on the token they follow: the history still ends
            // with it (this token is fed after the callback).
            const int previous = session.history().empty() ? -1 : session.history().back();
            event.piece = readable_piece(tok, id, previous);
            event.top_pieces.reserve(event.top.size());
            for (const Candidate& c : event.top) event.top_pieces.push_back(readable_piece(tok, c.id, previous));
        }
        if (on_token) on_token(event);

        if (stops.matched()) {
            stats.finish = FinishReason::StopString;
            break;
        }
        if (stats.new_tokens >= options.max_new_tokens) {
            stats.finish = FinishReason::Length;  // no forward for a token nobody reads
            break;
        }
        if (session.position() >= context) {
            if (options.overflow == ContextPolicy::Stop) {
                stats.finish = FinishReason::ContextFull;
                break;
            }
            // Drop half of what may slide at once (llama.cpp's context shift):
            // the kept tokens' positions change, so the cache is recomputed in
            // one prefill; sliding by one token would redo it every token.
            session.make_room(std::max(1, (context - keep_on_slide) / 2), keep_on_slide);
        }
        logits = session.step(id);
    }

    if (stats.finish != FinishReason::StopString) {
        // What is still held back: an unfinished character, a stop-string start.
        std::string tail = stops.push(stream.flush());
        if (!stops.matched()) tail += stops.flush();
        if (!tail.empty() && on_token) {
            TokenEvent event;
            event.id = -1;
            event.index = stats.new_tokens;
            event.delta = std::move(tail);
            on_token(event);
        }
    }

    const auto t_end = Clock::now();
    stats.total_ms = ms_between(t0, t_end);
    if (stats.new_tokens > 1) {
        const double decode_ms = ms_between(t_first, t_last);
        if (decode_ms > 0) stats.decode_tokens_per_s = double(stats.new_tokens - 1) / (decode_ms / 1000.0);
    }
    return stats;
}

}  // namespace waypoint
