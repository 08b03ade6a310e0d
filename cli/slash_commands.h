// The slash commands every prompt loop shares (--interactive, chat): the
// sampling settings (/temp, /topk, /topp, /minp, /penalty, /tokens, /seed,
// /greedy), /settings and /card. A loop tries its own commands first, then
// these.
#pragma once

#include <string>

#include "waypoint/generate.h"
#include "waypoint/model.h"

namespace waypoint::cli {

struct LoopSettings {
    GenerateOptions options;
    bool fixed_seed = false;  // false: a new random seed per answer
};

// "/temp 0.5" -> {"/temp", "0.5"}: the command and the rest of the line,
// trimmed (the rest may hold spaces: "/system Be brief.").
struct SlashCommand {
    std::string name;
    std::string rest;
};
SlashCommand split_command(const std::string& line);

// Runs a shared command and prints its answer (the settings after a change);
// false when `command` is none of them. Throws UsageError for a bad value.
bool run_shared_command(const SlashCommand& command, LoopSettings& s, const Model& model);

// The help lines of the shared commands (two spaces in, aligned).
extern const char* const kSharedCommandsHelp;

std::string settings_text(const LoopSettings& s);

}  // namespace waypoint::cli
