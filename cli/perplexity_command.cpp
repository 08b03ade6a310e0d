// --perplexity FILE [--window W]: mean NLL and perplexity of a text, for one
// checkpoint (run_perplexity) or several (run_perplexity_each: one window for
// all, so that the numbers are measured alike).
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unistd.h>

#include "commands.h"
#include "stop_signal.h"
#include "waypoint/error.h"
#include "waypoint/perplexity.h"

namespace waypoint::cli {

std::string read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(ErrorKind::FileNotFound,
                    "cannot read the perplexity text '" + path + "': " + std::strerror(errno));
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

int run_perplexity(std::shared_ptr<const Model> model, const RunOptions& options, const std::string& text) {
    const int window = options.window > 0 ? options.window : default_perplexity_window({model});

    const bool show_progress = !options.json && isatty(fileno(stderr));
    StopScope ctrl_c_stops;
    const PerplexityResult r = evaluate_perplexity(
        model, text, window,
        [&](long done, long total) {
            if (show_progress) std::fprintf(stderr, "\r%ld / %ld tokens", done, total);
        },
        stop_flag());
    if (show_progress) std::fprintf(stderr, "\n");

    if (options.json) {
        nlohmann::ordered_json j;
        j["tokens"] = r.tokens;
        j["mean_nll"] = r.mean_nll;
        j["perplexity"] = r.perplexity;
        j["window"] = window;
        if (r.cancelled) j["cancelled"] = true;
        write_out(j.dump() + "\n");
    } else {
        char buf[160];
        std::snprintf(buf, sizeof buf, "tokens: %ld\nmean_nll: %.6f\nperplexity: %.4f\nwindow: %d\n", r.tokens,
                      r.mean_nll, r.perplexity, window);
        write_out(buf);
        if (r.cancelled) write_out("(stopped early: partial result)\n");
    }
    return r.cancelled ? 130 : 0;
}

int run_perplexity_each(const std::vector<std::shared_ptr<const Model>>& models, const RunOptions& options,
                        const std::string& text) {
    const int window = options.window > 0 ? options.window : default_perplexity_window(models);
    for (size_t i = 0; i < models.size(); ++i)  // before any work: one model's context may not allow it
        if (window > max_perplexity_window(*models[i]))
            throw Error(ErrorKind::InvalidArgument,
                        "perplexity: window " + std::to_string(window) + " does not fit '" +
                            options.loads[i].checkpoint + "' (context " +
                            std::to_string(models[i]->context_length()) + "); use a window of at most " +
                            std::to_string(max_perplexity_window(*models[i])));
    const bool show_progress = !options.json && isatty(fileno(stderr));
    StopScope ctrl_c_stops;
    nlohmann::ordered_json results = nlohmann::ordered_json::array();
    std::string table;
    bool cancelled = false;
    for (size_t i = 0; i < models.size() && !cancelled; ++i) {
        const std::string& checkpoint = options.loads[i].checkpoint;
        const PerplexityResult r = evaluate_perplexity(
            models[i], text, window,
            [&](long done, long total) {
                if (show_progress) std::fprintf(stderr, "\r%s: %ld / %ld tokens", checkpoint.c_str(), done, total);
            },
            stop_flag());
        if (show_progress) std::fprintf(stderr, "\n");
        cancelled = r.cancelled;
        nlohmann::ordered_json j;
        j["checkpoint"] = checkpoint;
        j["tokens"] = r.tokens;
        j["mean_nll"] = r.mean_nll;
        j["perplexity"] = r.perplexity;
        if (r.cancelled) j["cancelled"] = true;
        results.push_back(j);
        char buf[96];
        std::snprintf(buf, sizeof buf, "%10ld  %10.6f  %12.4f  ", r.tokens, r.mean_nll, r.perplexity);
        table += buf + checkpoint + (r.cancelled ? "  (stopped early: partial result)" : "") + "\n";
    }
    if (options.json) {
        nlohmann::ordered_json j;
        j["window"] = window;
        j["results"] = results;
        write_out(j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n");
    } else {
        write_out("window: " + std::to_string(window) + "\n    tokens    mean_nll    perplexity  checkpoint\n" + table);
    }
    return cancelled ? 130 : 0;
}

}  // namespace waypoint::cli
