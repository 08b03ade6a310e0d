// --prompts-file FILE: one prompt per line, all answered by one batched
// decoder (waypoint/batch.h): their decode steps run together, so the file
// takes little more time than its longest answer. Each answer is the one
// `--prompt LINE` with the same options gives. Printed in file order as soon
// as it and those before it are done: the prompt and its continuation per
// line with the stats on stderr, or with --json one JSON object per line.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "stop_signal.h"
#include "waypoint/batch.h"
#include "waypoint/error.h"
#include "waypoint/report.h"

namespace waypoint::cli {
namespace {

struct Line {
    int number = 0;  // 1-based, in the file
    std::string prompt;
};

// Non-empty lines (a trailing "\r" of Windows files dropped).
std::vector<Line> prompt_lines(const std::string& text) {
    std::vector<Line> out;
    size_t start = 0;
    int number = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        ++number;
        if (!line.empty()) out.push_back({number, std::move(line)});
        start = end + 1;
    }
    return out;
}

constexpr int kMaxDefaultSlots = 16;

}  // namespace

int run_batch(std::shared_ptr<const Model> model, const RunOptions& options, const std::string& text) {
    const std::vector<Line> lines = prompt_lines(text);
    if (lines.empty())
        throw Error(ErrorKind::InvalidArgument,
                    "the prompts file '" + options.prompts_file + "' has no prompts (one per line)");
    GenerateOptions g = options.generate;
    g.stop_flag = stop_flag();
    std::vector<std::vector<int>> ids;
    {
        Session probe(model);  // encode_prompt cuts to the context
        for (const Line& l : lines) {
            try {
                ids.push_back(encode_prompt(probe, l.prompt, g));
            } catch (const Error& e) {
                throw Error(e.kind(), options.prompts_file + ":" + std::to_string(l.number) + ": " + e.what());
            }
        }
    }
    const int slots = options.parallel > 0 ? options.parallel : std::min<int>(int(lines.size()), kMaxDefaultSlots);

    struct Out {
        std::string text;
        BatchResult result;
        bool done = false;
    };
    std::vector<Out> out(lines.size());
    size_t printed = 0;
    bool failed = false;
    auto print_ready = [&] {
        using nlohmann::ordered_json;
        for (; printed < out.size() && out[printed].done; ++printed) {
            const Out& o = out[printed];
            const Line& l = lines[printed];
            failed = failed || !o.result.error.empty();
            if (!options.json) {
                write_out(l.prompt + o.text + "\n");
                if (!o.result.error.empty())
                    std::fprintf(stderr, "%s:%d: %s\n", options.prompts_file.c_str(), l.number,
                                 o.result.error.c_str());
                std::fprintf(stderr, "%s\n", stats_line(o.result.stats, g.sampling.seed).c_str());
                continue;
            }
            ordered_json j;
            j["line"] = l.number;
            j["prompt"] = l.prompt;
            j["prompt_ids"] = ids[printed];
            j["text"] = o.text;
            j["generated_ids"] = o.result.generated_ids;
            ordered_json stats = ordered_json::parse(stats_to_json(o.result.stats));
            stats["seed"] = g.sampling.seed;
            j["stats"] = stats;
            if (!o.result.error.empty()) j["error"] = o.result.error;
            write_out(j.dump(-1, ' ', false, ordered_json::error_handler_t::replace) + "\n");
        }
    };

    StopScope ctrl_c_stops;
    const auto t0 = std::chrono::steady_clock::now();
    BatchDecoder decoder(model, BatchOptions{slots});
    for (size_t i = 0; i < lines.size(); ++i) {
        BatchRequest r;
        r.prompt_ids = ids[i];
        r.options = g;
        r.on_token = [&out, i](const TokenEvent& e) { out[i].text += e.delta; };
        r.on_done = [&out, &print_ready, i](const BatchResult& res) {
            out[i].result = res;
            out[i].done = true;
            print_ready();
        };
        decoder.submit(std::move(r));
    }
    decoder.run_until_idle();
    if (!options.json) {
        int tokens = 0;
        for (const Out& o : out) tokens += o.result.stats.new_tokens;
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::fprintf(stderr, "[%zu prompts, %d new tokens in %.2f s: %.1f tok/s, %d at once]\n", lines.size(), tokens,
                     s, s > 0 ? tokens / s : 0.0, slots);
    }
    return failed ? 1 : 0;
}

}  // namespace waypoint::cli
