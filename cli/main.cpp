// waypoint-cli: the engine from a terminal. Every failure ends here as one
// line "waypoint-cli: error: ..." on stderr and a non-zero exit code.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "arg_parser.h"
#include "commands.h"
#include "error_text.h"
#include "waypoint/error.h"
#include "waypoint/startup.h"

namespace {

using waypoint::cli::print_error;
using waypoint::cli::UsageError;

struct Command {
    const char* name;
    int (*run)(const std::vector<std::string>& args);
};

// Subcommands by their first argument; an argument starting with "--" goes
// to the default command.
const std::vector<Command>& commands() {
    static const std::vector<Command> table{{"compare", waypoint::cli::run_compare},
                                            {"render-template", waypoint::cli::run_render_template},
                                            {"chat", waypoint::cli::run_chat}};
    return table;
}

int dispatch(const std::vector<std::string>& args) {
    if (!args.empty() && args[0].rfind("--", 0) != 0) {
        for (const auto& c : commands())
            if (args[0] == c.name) return c.run({args.begin() + 1, args.end()});
        throw UsageError("unknown command '" + args[0] + "' (see --help)");
    }
    return waypoint::cli::run_default(args);
}

}  // namespace

int main(int argc, char** argv) {
    waypoint::prefer_fast_blas(argc, argv);
    try {
        return dispatch(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const UsageError& e) {
        print_error(e.what(), false);
        return 2;
    } catch (const waypoint::Error& e) {
        print_error(e.what(), false);
        return 1;
    } catch (const std::exception& e) {
        print_error(e.what(), true);
        return 1;
    } catch (...) {
        print_error("unexpected failure", false);
        return 1;
    }
}
