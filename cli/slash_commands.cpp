#include "slash_commands.h"

#include <sstream>

#include "arg_parser.h"
#include "commands.h"
#include "options.h"
#include "waypoint/model_card.h"
#include "waypoint/report.h"

namespace waypoint::cli {

const char* const kSharedCommandsHelp =
    "  /temp T      temperature (0 = greedy)\n"
    "  /topk K      keep the K most likely tokens (0 = off)\n"
    "  /topp P      nucleus mass (1 = off)\n"
    "  /minp P      keep p >= P * p_max (0 = off)\n"
    "  /penalty R   repetition penalty (1 = off)\n"
    "  /tokens N    most new tokens per answer\n"
    "  /seed S      fixed seed (/seed random: a new one per answer)\n"
    "  /greedy      same as /temp 0\n"
    "  /settings    show the current settings\n"
    "  /card        show the model card\n";

SlashCommand split_command(const std::string& line) {
    const char* space = " \t\r\n";
    SlashCommand c;
    const size_t start = line.find_first_not_of(space);
    if (start == std::string::npos) return c;
    const size_t end = line.find_first_of(space, start);
    c.name = line.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (end != std::string::npos) {
        const size_t from = line.find_first_not_of(space, end);
        const size_t to = line.find_last_not_of(space);
        if (from != std::string::npos) c.rest = line.substr(from, to - from + 1);
    }
    return c;
}

std::string settings_text(const LoopSettings& s) {
    const SamplingParams& p = s.options.sampling;
    std::ostringstream out;
    out << "temperature " << p.temperature << ", top-k " << p.top_k << ", top-p " << p.top_p << ", min-p "
        << p.min_p << ", penalty " << p.repeat_penalty << ", tokens " << s.options.max_new_tokens << ", seed "
        << (s.fixed_seed ? std::to_string(p.seed) : std::string("random")) << "\n";
    return out.str();
}

bool run_shared_command(const SlashCommand& c, LoopSettings& s, const Model& model) {
    const std::string& cmd = c.name;
    const std::string& arg = c.rest;
    SamplingParams& p = s.options.sampling;
    auto need = [&](const char* what) {
        if (arg.empty()) throw UsageError(cmd + " needs " + what + " (/help lists the commands)");
    };
    if (cmd == "/card") {
        write_out(format_card(model.card()));
        return true;
    }
    if (cmd == "/settings") {
        write_out(settings_text(s));
        return true;
    }
    if (cmd == "/greedy") {
        p.temperature = 0.0f;
    } else if (cmd == "/temp") {
        need("a temperature");
        p.temperature = float(parse_float("/temp", arg, 0.0, 1000.0));
    } else if (cmd == "/topk") {
        need("a count");
        p.top_k = int(parse_int("/topk", arg, 0, 1 << 30));
    } else if (cmd == "/topp") {
        need("a probability mass");
        p.top_p = float(parse_float("/topp", arg, 0.0, 1.0));
    } else if (cmd == "/minp") {
        need("a ratio");
        p.min_p = float(parse_float("/minp", arg, 0.0, 1.0));
    } else if (cmd == "/penalty") {
        need("a penalty");
        const float r = float(parse_float("/penalty", arg, 0.0, 100.0));
        if (r <= 0.0f) throw UsageError("/penalty must be above 0 (1 turns it off)");
        p.repeat_penalty = r;
    } else if (cmd == "/tokens") {
        need("a count");
        s.options.max_new_tokens = int(parse_int("/tokens", arg, 0, 1 << 24));
    } else if (cmd == "/seed") {
        need("a number or 'random'");
        s.fixed_seed = arg != "random";
        if (s.fixed_seed) p.seed = parse_u64("/seed", arg);
    } else {
        return false;
    }
    write_out(settings_text(s));
    return true;
}

}  // namespace waypoint::cli
