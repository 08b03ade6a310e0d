// POST /v1/completions, /v1/chat/completions and /generate: validate, build
// the prompt ids, submit one scheduler job per choice, then either collect
// the answers into one JSON body or stream them as server-sent events.
#include "endpoints.h"

#include <httplib.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "answer_channel.h"
#include "openai_json.h"
#include "prompt_builder.h"
#include "request_validation.h"

namespace waypoint::server {

void send_error(httplib::Response& res, const ApiError& error) {
    res.status = error.status;
    res.set_content(error_json(error), "application/json");
}

namespace {

using Clock = std::chrono::steady_clock;

// One choice as it arrives.
struct Choice {
    std::string text;
    std::vector<waypoint::TokenEvent> events;  // kept only when logprobs were asked for
    bool done = false;
    bool started = false;  // a token came
    GenerationOutcome outcome;
    Clock::time_point last;
};

// A request's jobs while they run. Destroying it cancels whatever still runs
// (a client that went away, a handler that gave up), so a slot never waits
// for a reader that is gone.
struct Run {
    EndpointContext ctx;
    std::shared_ptr<AnswerChannel> channel;
    std::vector<JobId> jobs;
    std::vector<Choice> choices;
    std::vector<int> prompt_tokens;  // per choice
    Clock::time_point arrived;
    Clock::time_point deadline;
    bool keep_events = false;
    bool timed_out = false;

    explicit Run(const EndpointContext& c) : ctx(c) { ctx.in_flight.fetch_add(1); ctx.metrics.in_flight(1); }
    ~Run() {
        cancel_all();
        ctx.in_flight.fetch_sub(1);
        ctx.metrics.in_flight(-1);
    }
    void cancel_all() {
        for (JobId id : jobs) ctx.scheduler.cancel(id);
    }
    bool all_done() const {
        return std::all_of(choices.begin(), choices.end(), [](const Choice& c) { return c.done; });
    }
    int completion_tokens() const {
        int n = 0;
        for (const Choice& c : choices) n += c.outcome.stats.new_tokens;
        return n;
    }
    int unique_prompt_tokens(int n_per_prompt) const {
        int n = 0;
        for (size_t i = 0; i < prompt_tokens.size(); i += static_cast<size_t>(n_per_prompt)) n += prompt_tokens[i];
        return n;
    }

    // Takes what arrived (up to `step`), updates the choices and metrics, and
    // hands each item to `on_item` (may be empty). Returns false once all are done.
    template <class F>
    bool pump(std::chrono::milliseconds step, F&& on_item) {
        if (all_done()) return false;
        std::vector<AnswerChannel::Item> items;
        const Clock::time_point now = Clock::now();
        if (!timed_out && now >= deadline) {
            timed_out = true;
            cancel_all();
        }
        channel->wait(items, std::min(now + step, timed_out ? now + step : deadline));
        for (AnswerChannel::Item& item : items) {
            Choice& c = choices[static_cast<size_t>(item.choice)];
            if (item.done) {
                c.done = true;
                c.outcome = item.outcome;
                ctx.metrics.generated_tokens(item.outcome.stats.new_tokens);
            } else {
                if (item.event.id >= 0) {
                    if (!c.started) ctx.metrics.time_to_first_token(std::chrono::duration<double>(item.at - arrived).count());
                    else ctx.metrics.token_latency(std::chrono::duration<double>(item.at - c.last).count());
                    c.started = true;
                    c.last = item.at;
                }
                c.text += item.event.delta;
                if (keep_events) c.events.push_back(item.event);
            }
            on_item(item);
        }
        return !all_done();
    }
};

uint64_t random_seed() {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    return rng();
}

waypoint::GenerateOptions generate_options(const SamplingRequest& s, int max_tokens, int choice, int alternatives,
                                           const std::vector<std::string>& extra_stops) {
    waypoint::GenerateOptions o;
    o.sampling.temperature = s.temperature;
    o.sampling.top_k = s.top_k;
    o.sampling.top_p = s.top_p;
    o.sampling.min_p = s.min_p;
    o.sampling.repeat_penalty = s.repeat_penalty;
    // Each choice its own stream of draws, reproducible from the request's seed.
    o.sampling.seed = s.seed ? *s.seed + static_cast<uint64_t>(choice) : random_seed();
    o.max_new_tokens = max_tokens;
    o.stop_strings = s.stop;
    o.stop_strings.insert(o.stop_strings.end(), extra_stops.begin(), extra_stops.end());
    o.overflow = waypoint::ContextPolicy::Stop;
    o.top_alternatives = alternatives;
    return o;
}

std::optional<ApiError> check_model(const EndpointContext& ctx, const std::string& model) {
    if (model.empty() || model == ctx.model_id) return std::nullopt;
    return ApiError{404, "The model '" + model + "' does not exist; this server serves '" + ctx.model_id + "'.",
                    "invalid_request_error", "model", "model_not_found"};
}

// Submits one job per prompt and choice; max_tokens absent: until the
// context is full (or `default_max`).
std::shared_ptr<Run> submit(const EndpointContext& ctx, const std::vector<BuiltPrompt>& prompts,
                            const SamplingRequest& s, std::optional<int> default_max, int alternatives,
                            bool keep_events) {
    auto run = std::make_shared<Run>(ctx);
    run->arrived = Clock::now();
    run->deadline = run->arrived + std::chrono::seconds(ctx.options.request_timeout_s);
    run->keep_events = keep_events;
    const int total = static_cast<int>(prompts.size()) * s.n;
    run->channel = std::make_shared<AnswerChannel>(total);
    run->choices.resize(static_cast<size_t>(total));
    const int context = ctx.context;
    for (size_t p = 0; p < prompts.size(); ++p) {
        const int room = context - static_cast<int>(prompts[p].ids.size());
        int max_tokens = s.max_tokens ? *s.max_tokens : default_max.value_or(room);
        max_tokens = std::max(1, std::min(max_tokens, room));
        ctx.metrics.prompt_tokens(static_cast<int>(prompts[p].ids.size()));
        for (int j = 0; j < s.n; ++j) {
            const int index = static_cast<int>(p) * s.n + j;
            run->prompt_tokens.push_back(static_cast<int>(prompts[p].ids.size()));
            GenerationJob job;
            job.prompt_ids = prompts[p].ids;
            job.options = generate_options(s, max_tokens, index, alternatives, prompts[p].stop_strings);
            std::weak_ptr<AnswerChannel> weak = run->channel;
            std::shared_ptr<AnswerChannel> channel = run->channel;
            job.on_token = [channel, index](const waypoint::TokenEvent& e) { channel->push_token(index, e); };
            job.on_done = [channel, index](const GenerationOutcome& o) { channel->push_done(index, o); };
            run->jobs.push_back(ctx.scheduler.submit(std::move(job)));
        }
    }
    return run;
}

// After a plain (not streamed) run: an error answer when nothing usable came.
std::optional<ApiError> run_failure(const Run& run) {
    bool any_token = false;
    for (const Choice& c : run.choices) {
        if (!c.outcome.error.empty() && !c.started) {
            const bool refused = c.outcome.error.find("shutting down") != std::string::npos;
            return ApiError{refused ? 503 : 500, c.outcome.error, "server_error", "", refused ? "shutting_down" : ""};
        }
        any_token = any_token || c.started;
    }
    if (run.timed_out && !any_token)
        return ApiError{503,
                        "The request timed out after " + std::to_string(run.ctx.options.request_timeout_s) +
                            " s before its answer started (all generation slots were busy). Try again later.",
                        "server_error", "", "timeout"};
    return std::nullopt;
}

void wait_all(Run& run) {
    while (run.pump(std::chrono::milliseconds(500), [](const AnswerChannel::Item&) {})) {
    }
}

// Streams `run` as server-sent events: `chunk(item)` makes the event text for
// one item ("" for none), `tail()` what follows the last choice. A failed
// write (the client went away) cancels every job of the run at once.
template <class ChunkFn, class TailFn>
void stream(httplib::Response& res, std::shared_ptr<Run> run, ChunkFn chunk, TailFn tail) {
    res.status = 200;
    res.set_header("Cache-Control", "no-cache");
    res.set_header("X-Accel-Buffering", "no");
    res.set_chunked_content_provider("text/event-stream", [run, chunk, tail](size_t, httplib::DataSink& sink) {
        bool ok = true;
        auto write = [&](const std::string& s) {
            if (ok && !s.empty()) ok = sink.write(s.data(), s.size());
            return ok;
        };
        Clock::time_point last_write = Clock::now();
        while (ok) {
            std::string batch;
            const bool more = run->pump(std::chrono::milliseconds(250), [&](const AnswerChannel::Item& item) {
                batch += chunk(item);
            });
            if (!batch.empty()) {
                write(batch);
                last_write = Clock::now();
            } else if (Clock::now() - last_write > std::chrono::seconds(2)) {
                // A comment line: clients ignore it, and a client that went
                // away while the request waited for a slot is noticed here.
                write(": waiting\n\n");
                last_write = Clock::now();
            }
            if (!more) break;
        }
        if (ok) write(tail() + sse_done());
        if (!ok) run->cancel_all();
        sink.done();
        return ok;
    });
}

const std::vector<std::string> kNoStops;

// A choice's finish_reason: "length" for every choice of a run that ran out
// of its time (its jobs were cancelled), else the engine's reason.
const char* choice_finish(const Run& run, waypoint::FinishReason finish) {
    return finish_reason(run.timed_out ? waypoint::FinishReason::Length : finish);
}

// OpenAI's "usage" of a whole run; `n_per_prompt` choices share one prompt.
ojson run_usage(const Run& run, int n_per_prompt) {
    return usage_json(run.unique_prompt_tokens(n_per_prompt), run.completion_tokens());
}

// What follows a stream's last choice: with stream_options.include_usage, one
// chunk of `object` with no choices and the run's usage; else nothing.
auto usage_tail(const Run* run, bool include_usage, std::string id, long long created, std::string model,
                const char* object, int n_per_prompt) {
    return [=]() -> std::string {
        if (!include_usage) return "";
        return sse_event({{"id", id}, {"object", object}, {"created", created}, {"model", model},
                          {"choices", ojson::array()}, {"usage", run_usage(*run, n_per_prompt)}});
    };
}

}  // namespace

void handle_completions(const EndpointContext& ctx, const httplib::Request& req, httplib::Response& res) {
    Parsed<CompletionRequest> parsed = parse_completion_request(req.body);
    if (auto* e = std::get_if<ApiError>(&parsed)) return send_error(res, *e);
    const CompletionRequest r = std::get<CompletionRequest>(std::move(parsed));
    if (auto e = check_model(ctx, r.sampling.model)) return send_error(res, *e);
    std::vector<BuiltPrompt> prompts;
    for (size_t i = 0; i < r.prompts.size(); ++i) {
        auto built = build_text_prompt(ctx.model, ctx.context, r.prompts[i], "prompt");
        if (auto* e = std::get_if<ApiError>(&built)) return send_error(res, *e);
        prompts.push_back(std::get<BuiltPrompt>(std::move(built)));
    }
    const int top = r.logprobs.value_or(0);
    const bool want_logprobs = r.logprobs.has_value();
    auto run = submit(ctx, prompts, r.sampling, 16, want_logprobs ? std::max(1, top) : 0, want_logprobs);
    const std::string id = response_id("cmpl-");
    const long long created = unix_now();
    const std::string model = ctx.model_id;
    const int n = r.sampling.n;
    auto prompt_of = [r, n](int index) { return r.prompts[static_cast<size_t>(index / n)]; };

    if (!r.sampling.stream) {
        wait_all(*run);
        if (auto e = run_failure(*run)) return send_error(res, *e);
        ojson choices = ojson::array();
        for (size_t i = 0; i < run->choices.size(); ++i) {
            const Choice& c = run->choices[i];
            const std::string prefix = r.echo ? prompt_of(static_cast<int>(i)) : "";
            choices.push_back({{"text", prefix + c.text},
                               {"index", i},
                               {"logprobs", want_logprobs ? completion_logprobs(c.events, top, prefix.size()) : ojson()},
                               {"finish_reason", choice_finish(*run, c.outcome.stats.finish)}});
        }
        ojson j{{"id", id}, {"object", "text_completion"}, {"created", created}, {"model", model},
                {"choices", choices}, {"usage", run_usage(*run, n)}};
        res.set_content(dump(j), "application/json");
        return;
    }

    auto chunk_json = [id, created, model](int index, const std::string& text, ojson logprobs, ojson finish) {
        return ojson{{"id", id}, {"object", "text_completion"}, {"created", created}, {"model", model},
                     {"choices", ojson::array({{{"text", text}, {"index", index}, {"logprobs", logprobs},
                                                {"finish_reason", finish}}})}};
    };
    Run* raw = run.get();
    const bool echo = r.echo;
    auto echoed = std::make_shared<std::vector<bool>>(run->choices.size(), false);
    auto chunk = [raw, chunk_json, want_logprobs, top, echo, echoed, prompt_of](const AnswerChannel::Item& item) {
        std::string out;
        const size_t i = static_cast<size_t>(item.choice);
        if (echo && !(*echoed)[i]) {
            (*echoed)[i] = true;
            out += sse_event(chunk_json(item.choice, prompt_of(item.choice), ojson(), ojson()));
        }
        if (item.done) {
            return out + sse_event(chunk_json(item.choice, "", ojson(), choice_finish(*raw, item.outcome.stats.finish)));
        }
        if (item.event.delta.empty() && !(want_logprobs && item.event.id >= 0)) return out;
        ojson lp = want_logprobs && item.event.id >= 0 ? completion_logprobs({item.event}, top, 0) : ojson();
        return out + sse_event(chunk_json(item.choice, item.event.delta, lp, ojson()));
    };
    stream(res, run, chunk, usage_tail(raw, r.sampling.include_usage, id, created, model, "text_completion", n));
}

void handle_chat_completions(const EndpointContext& ctx, const httplib::Request& req, httplib::Response& res) {
    Parsed<ChatRequest> parsed = parse_chat_request(req.body);
    if (auto* e = std::get_if<ApiError>(&parsed)) return send_error(res, *e);
    const ChatRequest r = std::get<ChatRequest>(std::move(parsed));
    if (auto e = check_model(ctx, r.sampling.model)) return send_error(res, *e);
    auto built = build_chat_prompt(ctx.model, ctx.context, r.messages);
    if (auto* e = std::get_if<ApiError>(&built)) return send_error(res, *e);
    const std::vector<BuiltPrompt> prompts{std::get<BuiltPrompt>(std::move(built))};
    const int top = r.top_logprobs;
    auto run = submit(ctx, prompts, r.sampling, std::nullopt, r.logprobs ? std::max(1, top) : 0, r.logprobs);
    const std::string id = response_id("chatcmpl-");
    const long long created = unix_now();
    const std::string model = ctx.model_id;
    const bool want_logprobs = r.logprobs;

    if (!r.sampling.stream) {
        wait_all(*run);
        if (auto e = run_failure(*run)) return send_error(res, *e);
        ojson choices = ojson::array();
        for (size_t i = 0; i < run->choices.size(); ++i) {
            const Choice& c = run->choices[i];
            choices.push_back({{"index", i},
                               {"message", {{"role", "assistant"}, {"content", c.text}, {"refusal", nullptr}}},
                               {"logprobs", want_logprobs ? chat_logprobs(c.events, top) : ojson()},
                               {"finish_reason", choice_finish(*run, c.outcome.stats.finish)}});
        }
        ojson j{{"id", id}, {"object", "chat.completion"}, {"created", created}, {"model", model},
                {"choices", choices}, {"usage", run_usage(*run, r.sampling.n)}};
        res.set_content(dump(j), "application/json");
        return;
    }

    auto chunk_json = [id, created, model](int index, ojson delta, ojson logprobs, ojson finish) {
        return ojson{{"id", id}, {"object", "chat.completion.chunk"}, {"created", created}, {"model", model},
                     {"choices", ojson::array({{{"index", index}, {"delta", delta}, {"logprobs", logprobs},
                                                {"finish_reason", finish}}})}};
    };
    Run* raw = run.get();
    auto opened = std::make_shared<std::vector<bool>>(run->choices.size(), false);
    auto chunk = [raw, chunk_json, want_logprobs, top, opened](const AnswerChannel::Item& item) {
        std::string out;
        const size_t i = static_cast<size_t>(item.choice);
        if (!(*opened)[i]) {  // OpenAI's first chunk of a choice carries the role
            (*opened)[i] = true;
            out += sse_event(chunk_json(item.choice, {{"role", "assistant"}, {"content", ""}}, ojson(), ojson()));
        }
        if (item.done) {
            return out + sse_event(chunk_json(item.choice, ojson::object(), ojson(), choice_finish(*raw, item.outcome.stats.finish)));
        }
        if (item.event.delta.empty() && !(want_logprobs && item.event.id >= 0)) return out;
        ojson lp = want_logprobs && item.event.id >= 0 ? chat_logprobs({item.event}, top) : ojson();
        return out + sse_event(chunk_json(item.choice, {{"content", item.event.delta}}, lp, ojson()));
    };
    stream(res, run, chunk,
           usage_tail(raw, r.sampling.include_usage, id, created, model, "chat.completion.chunk", r.sampling.n));
}

void handle_generate(const EndpointContext& ctx, const httplib::Request& req, httplib::Response& res) {
    Parsed<GenerateRequest> parsed = parse_generate_request(req.body);
    if (auto* e = std::get_if<ApiError>(&parsed)) return send_error(res, *e);
    const GenerateRequest r = std::get<GenerateRequest>(std::move(parsed));
    auto built = build_text_prompt(ctx.model, ctx.context, r.prompt, "prompt");
    if (auto* e = std::get_if<ApiError>(&built)) return send_error(res, *e);
    SamplingRequest s;
    s.max_tokens = r.max_new_tokens;
    s.temperature = r.do_sample ? r.temperature : 0.0f;  // do_sample false: greedy, as transformers' generate
    s.top_k = r.top_k;
    s.top_p = r.top_p;
    s.seed = r.seed;
    auto run = submit(ctx, {std::get<BuiltPrompt>(std::move(built))}, s, std::nullopt, 0, false);
    wait_all(*run);
    if (auto e = run_failure(*run)) return send_error(res, *e);
    const Choice& c = run->choices[0];
    ojson j{{"generated_text", c.text},
            {"tokens", c.outcome.stats.new_tokens},
            {"time_ms", std::round(c.outcome.stats.total_ms * 1000.0) / 1000.0},
            {"finish_reason", finish_reason(c.outcome.stats.finish)}};
    res.set_content(dump(j), "application/json");
}

}  // namespace waypoint::server
