// --interactive: a prompt loop. Lines starting with '/' change the settings
// (/temp 0.5, /topk 10, /topp 0.9, /minp 0.05, /penalty 1.1, /tokens 50,
// /seed 7, /greedy, /card, /settings, /help, /quit); any other line is a
// prompt, answered with streaming. A bad command or a failed answer prints
// one error line and the loop goes on. Lines are read with editing and
// history on a terminal (line_editor.h); Ctrl-C at the prompt drops the line.
#include <cstdio>

#include "commands.h"
#include "error_text.h"
#include "line_editor.h"
#include "slash_commands.h"
#include "waypoint/error.h"

namespace waypoint::cli {
namespace {

const char* const kOwnHelp =
    "  /help        this list\n"
    "  /quit        leave (Ctrl-D too); Ctrl-C stops an answer, or drops the line being typed\n";

// Returns false on /quit.
bool run_command(const std::string& line, LoopSettings& s, const Model& model) {
    const SlashCommand c = split_command(line);
    if (c.name == "/quit" || c.name == "/exit" || c.name == "/q") return false;
    if (c.name == "/help") {
        write_out(std::string(kSharedCommandsHelp) + kOwnHelp);
        return true;
    }
    if (!run_shared_command(c, s, model))
        throw UsageError("unknown command '" + c.name + "' (/help lists the commands)");
    return true;
}

}  // namespace

int run_interactive(std::shared_ptr<const Model> model, const RunOptions& options) {
    LoopSettings state;
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
