// The generation loop's per-token logic (token_loop.h): prefill the prompt
// in one batched forward, then sample -> stream -> step one token at a time,
// with the stop flag read before every token. Text reaches the caller as
// whole-UTF-8 deltas (TextStream) that stop before a stop string
// (detail::StopStrings).
#include "generation/token_loop.h"

#include <algorithm>

#include "sampling/stop_strings.h"
#include "tokenizer/utf8.h"
#include "waypoint/error.h"
#include "waypoint/tokenizer.h"

namespace waypoint::detail {
namespace {

double ms_between(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
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
    utf8_sanitize(bytes, true, sanitized);
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

std::vector<int> fit_to_context(const std::vector<int>& ids, int context, int bos) {
    const size_t limit = size_t(std::max(context - 1, 1));
    if (ids.size() <= limit) return ids;
    const size_t keep = (bos >= 0 && ids.front() == bos) ? 1 : 0;
    const size_t tail = limit > keep ? limit - keep : 0;
    std::vector<int> out(ids.begin(), ids.begin() + std::ptrdiff_t(std::min(keep, limit)));
    out.insert(out.end(), ids.end() - std::ptrdiff_t(tail), ids.end());
    return out;
}

size_t reusable_prefix(const std::vector<int>& history, const std::vector<int>& ids) {
    size_t shared = 0;
    while (shared < history.size() && shared < ids.size() && history[shared] == ids[shared]) ++shared;
    if (!ids.empty()) shared = std::min(shared, ids.size() - 1);
    return shared;
}

TokenLoop::TokenLoop(Session& session, const std::vector<int>& prompt_ids, const GenerateOptions& options,
                     TokenCallback on_token, std::vector<int>* generated_ids)
    : session_(session), options_(options), on_token_(std::move(on_token)), generated_ids_(generated_ids),
      t0_(Clock::now()) {
    const Tokenizer& tok = session.model().tokenizer();
    if (options.max_new_tokens < 0)
        throw Error(ErrorKind::InvalidArgument, "generate: max_new_tokens must be >= 0");
    check_ids(prompt_ids, session.model().vocab_size());
    ids_ = fit_to_context(prompt_ids, session.context_length(), tok.bos());
    sampler_ = std::make_unique<Sampler>(options.sampling);  // validates the sampling parameters
    stops_ = std::make_unique<StopStrings>(options.stop_strings);
    if (generated_ids_) generated_ids_->clear();
    stats_.prompt_tokens = int(ids_.size());

    // Reuse the cached prefix the session shares with these ids.
    shared_ = reusable_prefix(session.history(), ids_);
    session.truncate(int(shared_));
    stats_.reused_tokens = int(shared_);

    stream_ = std::make_unique<TextStream>(tok, ids_.back());
    keep_on_slide_ = (tok.bos() >= 0 && ids_.front() == tok.bos()) ? 1 : 0;
    device_sampling_ = session.samples_on_device();
    stats_.finish = FinishReason::Length;
}

TokenLoop::~TokenLoop() = default;

std::vector<int> TokenLoop::to_prefill() const {
    return std::vector<int>(ids_.begin() + std::ptrdiff_t(shared_), ids_.end());
}

void TokenLoop::prefilled() {
    const double prefill_ms = ms_between(t0_, Clock::now());
    if (prefill_ms > 0) stats_.prefill_tokens_per_s = double(ids_.size() - shared_) / (prefill_ms / 1000.0);
}

int TokenLoop::next(std::vector<float>& logits) { return take(&logits, nullptr); }

int TokenLoop::feed(int id) {
    if (done_) return -1;
    if (device_sampling_) {
        // The same chain on the device, with the draw this stream would take
        // next; the host samples only where the device hands the logits back.
        Pick pick;
        if (session_.step_sampled(id, sampler_->params(), sampler_->peek_uniform(), options_.top_alternatives,
                                  pick)) {
            sampler_->skip_uniform();
            return take(nullptr, &pick);
        }
        logits_ = session_.logits();
    } else {
        logits_ = session_.step(id);
    }
    return take(&logits_, nullptr);
}

int TokenLoop::take(std::vector<float>* logits, const Pick* picked) {
    if (done_) return -1;
    if (options_.stop_flag && options_.stop_flag->load(std::memory_order_acquire)) {
        end(FinishReason::Stopped);
        return -1;
    }
    if (stats_.new_tokens >= options_.max_new_tokens) {
        end(FinishReason::Length);
        return -1;
    }
    const Tokenizer& tok = session_.model().tokenizer();
    const int id = picked ? picked->id : sampler_->sample(*logits, session_.history());
    t_last_ = Clock::now();
    if (stats_.new_tokens == 0) {
        t_first_ = t_last_;
        stats_.time_to_first_token_ms = ms_between(t0_, t_first_);
    }
    const int bos = tok.bos(), eos = tok.eos();
    if (options_.stop_at_eos && ((eos >= 0 && id == eos) || (bos >= 0 && id == bos))) {
        end(FinishReason::Eos);  // llama2.c also ends on BOS
        return -1;
    }
    ++stats_.new_tokens;
    if (generated_ids_) generated_ids_->push_back(id);

    TokenEvent event;
    event.id = id;
    event.index = stats_.new_tokens - 1;
    event.delta = stops_->push(stream_->push(id));
    event.probability = picked ? picked->probability : sampler_->last_probability();
    if (options_.top_alternatives > 0) {
        event.top = picked ? picked->top : sampler_->last_top(options_.top_alternatives);
        // Pieces depend on the token they follow: the history still ends
        // with it (this token is fed after the callback).
        const int previous = session_.history().empty() ? -1 : session_.history().back();
        event.piece = readable_piece(tok, id, previous);
        event.top_pieces.reserve(event.top.size());
        for (const Candidate& c : event.top) event.top_pieces.push_back(readable_piece(tok, c.id, previous));
    }
    if (on_token_) on_token_(event);

    if (stops_->matched()) {
        end(FinishReason::StopString);
        return -1;
    }
    if (stats_.new_tokens >= options_.max_new_tokens) {
        end(FinishReason::Length);  // no forward for a token nobody reads
        return -1;
    }
    const int context = session_.context_length();
    if (session_.position() >= context) {
        if (options_.overflow == ContextPolicy::Stop) {
            end(FinishReason::ContextFull);
            return -1;
        }
        // Drop half of what may slide at once (llama.cpp's context shift):
        // the kept tokens' positions change, so the cache is recomputed in
        // one prefill; sliding by one token would redo it every token.
        session_.make_room(std::max(1, (context - keep_on_slide_) / 2), keep_on_slide_);
    }
    return id;
}

void TokenLoop::end(FinishReason reason) {
    if (done_) return;
    done_ = true;
    stats_.finish = reason;
}

GenerationStats TokenLoop::finish() {
    if (stats_.finish != FinishReason::StopString) {
        // What is still held back: an unfinished character, a stop-string start.
        std::string tail = stops_->push(stream_->flush());
        if (!stops_->matched()) tail += stops_->flush();
        if (!tail.empty() && on_token_) {
            TokenEvent event;
            event.id = -1;
            event.index = stats_.new_tokens;
            event.delta = std::move(tail);
            on_token_(event);
        }
    }
    const auto t_end = Clock::now();
    stats_.total_ms = ms_between(t0_, t_end);
    if (stats_.new_tokens > 1) {
        const double decode_ms = ms_between(t_first_, t_last_);
        if (decode_ms > 0) stats_.decode_tokens_per_s = double(stats_.new_tokens - 1) / (decode_ms / 1000.0);
    }
    return stats_;
}

}  // namespace waypoint::detail
