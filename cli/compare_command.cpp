// `waypoint-cli compare --checkpoint A --checkpoint B ... --prompt TEXT`:
// every checkpoint answers the same prompt with the same settings and the
// same seed, one after the other (timings then do not fight over the cores);
// a checkpoint named twice is loaded once and its Model shared. Text mode
// streams each answer under a header with its stats and where it parts from
// the first; --json prints one object (waypoint/compare.h's comparison_to_json).
#include <cstdio>

#include "commands.h"
#include "stop_signal.h"
#include "waypoint/compare.h"
#include "waypoint/error.h"
#include "waypoint/report.h"

namespace waypoint::cli {
namespace {

std::vector<OptionSpec> compare_option_specs() {
    std::vector<OptionSpec> specs = model_option_specs();
    for (auto& s : specs) {
        if (s.name == "--checkpoint") {
            s.help = "a checkpoint to compare (repeat it: two or more; the same path may appear twice)";
            s.repeatable = true;
        } else if (s.name == "--tokenizer") {
            s.help = "tokenizer file: once for all checkpoints, or once per --checkpoint in order";
            s.repeatable = true;
        }
    }
    specs.push_back({"--prompt", "TEXT", "text every checkpoint continues (default: start from BOS alone)"});
    for (auto& s : sampling_option_specs()) {
        if (s.name == "--seed") s.help = "one seed for every checkpoint (default: a random one, reported)";
        specs.push_back(s);
    }
    specs.push_back({"--json", "", "print one JSON object {\"panes\": [...], \"first_divergence\": [...]}"});
    specs.push_back({"--help", "", "show this help"});
    return specs;
}

std::string compare_usage() {
    return "usage: waypoint-cli compare --checkpoint A --checkpoint B [...] --prompt TEXT [--seed S] [--json]\n"
           "\n"
           "Every checkpoint answers the same prompt with the same sampling settings and the\n"
           "same seed; each answer is printed with its stats and the first generated token\n"
           "where it differs from the first checkpoint's answer. Ctrl-C stops them all.\n"
           "\n"
           "options:\n" +
           describe_options(compare_option_specs());
}

std::string divergence_line(const std::optional<int>& d) {
    if (!d) return "first divergence from pane 1: n/a (different sampling)";
    if (*d < 0) return "first divergence from pane 1: none (identical)";
    return "first divergence from pane 1: token " + std::to_string(*d + 1);  // counted from 1
}

}  // namespace

int run_compare(const std::vector<std::string>& args) {
    const ParsedArgs parsed = parse_args(args, compare_option_specs());
    if (parsed.has("--help")) {
        write_out(compare_usage());
        return 0;
    }
    const std::vector<std::string>& checkpoints = parsed.values("--checkpoint");
    if (checkpoints.size() < 2)
        throw UsageError("compare needs at least two --checkpoint PATH (the same path twice is fine)");
    const std::vector<LoadOptions> loads = load_options_for_each(parsed, checkpoints);
    const GenerateOptions generate = generate_options_from(parsed);  // one seed for all: random unless --seed
    const bool json = parsed.has("--json");
    const std::string prompt = parsed.value("--prompt");

    const std::vector<std::shared_ptr<const Model>> models = load_models(loads);

    Comparison comparison;
    comparison.prompt = prompt;
    int code = 0;
    for (size_t i = 0; i < models.size(); ++i) {
        if (!json) write_out((i ? "\n" : "") + std::string("== pane ") + std::to_string(i + 1) + ": " +
                             checkpoints[i] + " ==\n");
        Session session(models[i]);
        if (!json) write_out(prompt);
        GenerateOptions g = generate;
        g.stop_flag = stop_flag();
        StopScope ctrl_c_stops;
        PaneResult pane = generate_pane(session, prompt, g, [&](const TokenEvent& e) {
            if (!json) write_out(e.delta);
        });
        pane.checkpoint = checkpoints[i];  // as typed
        const GenerationStats stats = pane.stats;
        const bool ends_line = !pane.text.empty() ? pane.text.back() == '\n' : !prompt.empty() && prompt.back() == '\n';
        comparison.panes.push_back(std::move(pane));
        if (!json) {
            write_out((ends_line ? "" : "\n") + stats_line(stats, generate.sampling.seed) + "\n");
            if (i > 0) write_out(divergence_line(divergences_from_first(comparison).back()) + "\n");
        }
        if (stats.finish == FinishReason::Stopped) {  // Ctrl-C stops them all
            code = 130;
            break;
        }
    }
    if (json) write_out(comparison_to_json(comparison) + "\n");
    return code;
}

}  // namespace waypoint::cli
