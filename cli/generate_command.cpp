// One prompt, one answer: streamed text, or one JSON object with --json.
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "waypoint/report.h"
#include "stop_signal.h"

namespace waypoint::cli {

Answer answer(Session& session, const std::string& prompt, const GenerateOptions& options, bool stream) {
    GenerateOptions g = options;
    g.stop_flag = stop_flag();
    Answer a;
    a.prompt_ids = encode_prompt(session, prompt, g);
    if (stream) write_out(prompt);
    StopScope ctrl_c_stops;
    session.reset();
    a.stats = generate_ids(
        session, a.prompt_ids, g,
        [&](const TokenEvent& event) {
            a.text += event.delta;
            if (stream) write_out(event.delta);
        },
        &a.generated_ids);
    return a;
}

std::string stats_line(const GenerationStats& s, uint64_t seed) {
    char buf[256];
    std::snprintf(buf, sizeof buf, "[%d prompt + %d new tokens, %.1f ms to first, %.1f tok/s, %s, seed %llu]",
                  s.prompt_tokens, s.new_tokens, s.time_to_first_token_ms, s.decode_tokens_per_s,
                  to_string(s.finish), static_cast<unsigned long long>(seed));
    return buf;
}

int run_generate(std::shared_ptr<const Model> model, const RunOptions& options) {
    Session session(model);
    const Answer a = answer(session, options.prompt, options.generate, !options.json);
    if (!options.json) {
        write_out("\n");
        std::fprintf(stderr, "%s\n", stats_line(a.stats, options.generate.sampling.seed).c_str());
        return 0;
    }
    using nlohmann::ordered_json;
    const SamplingParams& sp = options.generate.sampling;
    ordered_json j;
    j["prompt"] = options.prompt;
    j["prompt_ids"] = a.prompt_ids;
    j["generated_ids"] = a.generated_ids;
    j["text"] = a.text;
    ordered_json stats = ordered_json::parse(stats_to_json(a.stats));
    stats["seed"] = sp.seed;
    j["stats"] = stats;
    auto r6 = [](float x) { return std::round(double(x) * 1e6) / 1e6; };  // 0.95f, not 0.949999988
    j["sampling"] = {{"temperature", r6(sp.temperature)}, {"top_k", sp.top_k},
                     {"top_p", r6(sp.top_p)}, {"min_p", r6(sp.min_p)},
                     {"repeat_penalty", r6(sp.repeat_penalty)}, {"max_tokens", options.generate.max_new_tokens},
                     {"seed", sp.seed}};
    j["model"] = model->card().name;
    write_out(j.dump(-1, ' ', false, ordered_json::error_handler_t::replace) + "\n");
    return 0;
}

}  // namespace waypoint::cli
