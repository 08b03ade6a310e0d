// waypoint-cli's commands. main() picks one by its first argument (`compare`,
// else the default command), each parses its own options
// with arg_parser and returns the process exit code. Errors are thrown:
// UsageError for arguments, waypoint::Error from the engine; main prints them.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "options.h"
#include "waypoint/generate.h"
#include "waypoint/model.h"
#include "waypoint/session.h"

namespace waypoint::cli {

// The default command: generate, --interactive, --card or --perplexity.
int run_default(const std::vector<std::string>& args);
// `compare`: several checkpoints answer one prompt (compare_command.cpp).
int run_compare(const std::vector<std::string>& args);
// `render-template`: a chat template applied to a JSON conversation (render_template_command.cpp).
int run_render_template(const std::vector<std::string>& args);
// `chat`: a multi-turn conversation in the terminal (chat_command.cpp).
int run_chat(const std::vector<std::string>& args);

// The modes of the default command, once the model is loaded.
int run_generate(std::shared_ptr<const Model> model, const RunOptions& options);
int run_interactive(std::shared_ptr<const Model> model, const RunOptions& options);
int run_card(const Model& model, bool json);
// --prompts-file: every line's answer from one batched decoder (batch_command.cpp).
int run_batch(std::shared_ptr<const Model> model, const RunOptions& options, const std::string& text);
int run_perplexity(std::shared_ptr<const Model> model, const RunOptions& options, const std::string& text);
// --perplexity with several --checkpoint: one result per checkpoint, one window for all.
int run_perplexity_each(const std::vector<std::shared_ptr<const Model>>& models, const RunOptions& options,
                        const std::string& text);
// The whole file; Error(FileNotFound) naming it when it cannot be read.
std::string read_text_file(const std::string& path);

// Loads with the CPU threads fixed first (--threads).
std::shared_ptr<const Model> load_model(const LoadOptions& load);
// One Model per entry, in order; entries with the same checkpoint and
// tokenizer share one load.
std::vector<std::shared_ptr<const Model>> load_models(const std::vector<LoadOptions>& loads);

// One prompt answered: streamed to stdout as it comes when `stream` is set
// (the prompt echoed first), Ctrl-C stopping it.
struct Answer {
    std::vector<int> prompt_ids;     // as fed, BOS included where used
    std::vector<int> generated_ids;
    std::string text;                // the continuation only
    GenerationStats stats;
};
Answer answer(Session& session, const std::string& prompt, const GenerateOptions& options, bool stream);
// "[12 prompt + 40 new tokens, 3.1 ms to first, 850.2 tok/s, length, seed 7]"
std::string stats_line(const GenerationStats& stats, uint64_t seed);

// Text to stdout right away (a streamed delta), flushed.
void write_out(const std::string& text);

}  // namespace waypoint::cli
