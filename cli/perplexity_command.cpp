// --perplexity FILE [--window W]: mean NLL and perplexity of a text.
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
    const bool has_bos = model->tokenizer().bos() >= 0;
    const int most = has_bos ? model->context_length() - 1 : model->context_length();
    const int window = options.window > 0 ? options.window : std::min(255, most);

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

}  // namespace waypoint::cli
