// --interactive: a prompt loop. Lines starting with '/' change the settings
// (/temp 0.5, /topk 10, /topp 0.9, /minp 0.05, /penalty 1.1, /tokens 50,
// /seed 7, /greedy, /card, /settings, /help, /quit); any other line is a
// prompt, answered with streaming. A bad command or a failed answer prints
// one error line and the loop goes on. Lines are read with editing and
// history on a terminal (line_editor.h); Ctrl-C at the prompt drops the line.
#include <cstdio>
#include <sstream>

#include "commands.h"
#include "error_text.h"
#include "line_editor.h"
#include "waypoint/error.h"
#include "waypoint/model_card.h"
#include "waypoint/report.h"

namespace waypoint::cli {
namespace {

const char* kHelp =
    "  /temp T      temperature (0 = greedy)\n"
    "  /topk K      keep the K most likely tokens (0 = off)\n"
    "  /topp P      nucleus mass (1 = off)\n"
    "  /minp P      keep p >= P * p_max (0 = off)\n"
    "  /penalty R   repetition penalty (1 = off)\n"
    "  /tokens N    most new tokens per answer\n"
    "  /seed S      fixed seed (/seed random: a new one per answer)\n"
    "  /greedy      same as /temp 0\n"
    "  /settings    show the current settings\n"
    "  /card        show the model card\n"
    "  /help        this list\n"
    "  /quit        leave (Ctrl-D too); Ctrl-C stops an answer, or drops the line being typed\n";

struct LoopState {
    GenerateOptions options;
    bool fixed_seed = false;
};

std::string settings_text(const LoopState& s) {
    const SamplingParams& p = s.options.sampling;
    std::ostringstream out;
    out << "temperature " << p.temperature << ", top-k " << p.top_k << ", top-p " << p.top_p << ", min-p "
        << p.min_p << ", penalty " << p.repeat_penalty << ", tokens " << s.options.max_new_tokens << ", seed "
        << (s.fixed_seed ? std::to_string(p.seed) : std::string("random")) << "\n";
    return out.str();
}

// Returns false on /quit.
bool run_command(const std::string& line, LoopState& s, const Model& model) {
    std::istringstream in(line);
    std::string cmd, arg;
    in >> cmd >> arg;
    SamplingParams& p = s.options.sampling;
    auto need = [&](const char* what) {
        if (arg.empty()) throw UsageError(cmd + " needs " + what + " (/help lists the commands)");
    };
    if (cmd == "/quit" || cmd == "/exit" || cmd == "/q") return false;
    if (cmd == "/help") {
        write_out(kHelp);
    } else if (cmd == "/card") {
        write_out(format_card(model.card()));
    } else if (cmd == "/settings") {
        write_out(settings_text(s));
    } else if (cmd == "/greedy") {
        p.temperature = 0.0f;
        write_out(settings_text(s));
    } else if (cmd == "/temp") {
        need("a temperature");
        p.temperature = float(parse_float("/temp", arg, 0.0, 1000.0));
        write_out(settings_text(s));
    } else if (cmd == "/topk") {
        need("a count");
        p.top_k = int(parse_int("/topk", arg, 0, 1 << 30));
        write_out(settings_text(s));
    } else if (cmd == "/topp") {
        need("a probability mass");
        p.top_p = float(parse_float("/topp", arg, 0.0, 1.0));
        write_out(settings_text(s));
    } else if (cmd == "/minp") {
        need("a ratio");
        p.min_p = float(parse_float("/minp", arg, 0.0, 1.0));
        write_out(settings_text(s));
    } else if (cmd == "/penalty") {
        need("a penalty");
        const float r = float(parse_float("/penalty", arg, 0.0, 100.0));
        if (r <= 0.0f) throw UsageError("/penalty must be above 0 (1 turns it off)");
        p.repeat_penalty = r;
        write_out(settings_text(s));
    } else if (cmd == "/tokens") {
        need("a count");
        s.options.max_new_tokens = int(parse_int("/tokens", arg, 0, 1 << 24));
        write_out(settings_text(s));
    } else if (cmd == "/seed") {
        need("a number or 'random'");
        s.fixed_seed = arg != "random";
        if (s.fixed_seed) p.seed = parse_u64("/seed", arg);
        write_out(settings_text(s));
    } else {
        throw UsageError("unknown command '" + cmd + "' (/help lists the commands)");
    }
    return true;
}

}  // namespace

int run_interactive(std::shared_ptr<const Model> model, const RunOptions& options) {
    LoopState state;
    state.options = options.generate;
    state.fixed_seed = options.seed_given;
    Session session(model);
    LineEditor editor("waypoint-cli");
    std::fprintf(stderr, "%s: type a prompt, /help for commands, /quit to leave\n", model->card().name.c_str());
    std::string line;
    bool told_how_to_leave = false;
    for (;;) {
        const LineEditor::Status status = editor.read("> ", line);
        if (status == LineEditor::Status::EndOfInput) {
            write_out("\n");
            return 0;
        }
        if (status == LineEditor::Status::Interrupted) {
            // As in a shell: the line is dropped and the loop goes on.
            if (!told_how_to_leave) std::fprintf(stderr, "(/quit or Ctrl-D leaves)\n");
            told_how_to_leave = true;
            continue;
        }
        if (line.empty()) continue;
        try {
            if (line[0] == '/') {
                if (!run_command(line, state, *model)) return 0;
                continue;
            }
            if (!state.fixed_seed) state.options.sampling.seed = random_seed();
            const Answer a = answer(session, line, state.options, /*stream=*/true);
            write_out("\n");
            std::fprintf(stderr, "%s\n", stats_line(a.stats, state.options.sampling.seed).c_str());
        } catch (const std::exception& e) {
            print_error(e.what(), /*first_line_only=*/true);
        }
    }
}

}  // namespace waypoint::cli
