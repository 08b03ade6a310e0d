// The default command: parse, load the model, run the chosen mode.
#include <cstdio>
#include <iostream>

#include "commands.h"
#include "waypoint/error.h"
#include "waypoint/model_card.h"
#include "waypoint/report.h"

#ifndef WAYPOINT_VERSION
#define WAYPOINT_VERSION "unknown"
#endif

namespace waypoint::cli {

void write_out(const std::string& text) {
    if (text.empty()) return;
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
}

std::shared_ptr<const Model> load_model(const LoadOptions& load) {
    set_cpu_threads(load.threads);
    return Model::load(load);
}

std::vector<std::shared_ptr<const Model>> load_models(const std::vector<LoadOptions>& loads) {
    std::vector<std::shared_ptr<const Model>> models;
    for (size_t i = 0; i < loads.size(); ++i) {
        std::shared_ptr<const Model> same;  // an earlier entry with this checkpoint and tokenizer
        for (size_t j = 0; j < i && !same; ++j)
            if (loads[j].checkpoint == loads[i].checkpoint && loads[j].tokenizer == loads[i].tokenizer)
                same = models[j];
        models.push_back(same ? same : load_model(loads[i]));
    }
    return models;
}

int run_card(const Model& model, bool json) {
    write_out(json ? card_to_json(model.card()) + "\n" : format_card(model.card()));
    return 0;
}

int run_default(const std::vector<std::string>& args) {
    const ParsedArgs parsed = parse_args(args, run_option_specs());
    if (parsed.has("--help")) {
        write_out(run_usage());
        return 0;
    }
    if (parsed.has("--version")) {
        write_out("waypoint-cli " WAYPOINT_VERSION "\n");
        return 0;
    }
    const RunOptions options = run_options_from(parsed);
    std::string text;  // read before the model loads: a wrong path fails fast
    if (options.mode == Mode::Batch) text = read_text_file(options.prompts_file);
    if (options.mode == Mode::Perplexity) {
        text = read_text_file(options.perplexity_file);
        if (text.empty())
            throw Error(ErrorKind::InvalidArgument, "the perplexity text '" + options.perplexity_file + "' is empty");
    }
    if (options.loads.size() > 1) return run_perplexity_each(load_models(options.loads), options, text);
    const auto model = load_model(options.load);
    switch (options.mode) {
    case Mode::Card: return run_card(*model, options.json);
    case Mode::Perplexity: return run_perplexity(model, options, text);
    case Mode::Interactive: return run_interactive(model, options);
    case Mode::Batch: return run_batch(model, options, text);
    case Mode::Generate: break;
    }
    return run_generate(model, options);
}

}  // namespace waypoint::cli
