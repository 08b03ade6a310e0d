// waypoint-cli's options: the option tables (shared by subcommands: a later
// `compare` reuses the model and sampling groups) and their conversion into
// engine parameters, with every value checked before anything is loaded.
#pragma once

#include <string>
#include <vector>

#include "arg_parser.h"
#include "waypoint/generate.h"
#include "waypoint/model.h"

namespace waypoint::cli {

// --checkpoint, --tokenizer, --device, --dtype, --threads
std::vector<OptionSpec> model_option_specs();
// --max-tokens, --temperature, --greedy, --top-k, --top-p, --min-p,
// --repeat-penalty, --seed, --stop
std::vector<OptionSpec> sampling_option_specs();

// The load options from one --checkpoint (the caller says which).
LoadOptions load_options_from(const ParsedArgs& args, const std::string& checkpoint);
// One per checkpoint (compare, several --perplexity checkpoints): --tokenizer
// given once applies to all, given once per --checkpoint pairs up in order.
std::vector<LoadOptions> load_options_for_each(const ParsedArgs& args,
                                               const std::vector<std::string>& checkpoints);
// The generation options; the seed is random unless --seed was given.
GenerateOptions generate_options_from(const ParsedArgs& args);
int threads_from(const ParsedArgs& args);  // --threads, 0 = all cores
uint64_t random_seed();

// The default command: generate from --prompt, or --interactive, --card,
// --perplexity FILE, --prompts-file FILE (Batch).
enum class Mode { Generate, Interactive, Card, Perplexity, Batch };

struct RunOptions {
    Mode mode = Mode::Generate;
    LoadOptions load;                // the (last) --checkpoint
    std::vector<LoadOptions> loads;  // every --checkpoint (several only with --perplexity)
    int threads = 0;
    GenerateOptions generate;
    bool seed_given = false;
    std::string prompt;          // "" starts from BOS alone
    bool json = false;
    std::string perplexity_file;
    int window = 0;              // 0: 255, or the most the context allows
    std::string prompts_file;    // Batch: one prompt per line
    int parallel = 0;            // Batch: slots; 0 = one per prompt, at most 16
};

std::vector<OptionSpec> run_option_specs();  // all of the above + modes, --json, --help, --version
RunOptions run_options_from(const ParsedArgs& args);
std::string run_usage();

}  // namespace waypoint::cli
