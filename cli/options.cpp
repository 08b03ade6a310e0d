#include "options.h"

#include "waypoint/perplexity.h"

#include <random>

namespace waypoint::cli {

std::vector<OptionSpec> model_option_specs() {
    return {
        {"--checkpoint", "PATH", "checkpoint file or folder (format detected from content)"},
        {"--tokenizer", "PATH", "tokenizer file (default: found next to the checkpoint)"},
        {"--device", "D", "cpu | cuda | cuda:N | mps | auto (default auto)"},
        {"--dtype", "T", "auto | fp32 | bf16 | fp16 (default auto: fp32 on CPU, bf16 on CUDA)"},
        {"--threads", "N", "CPU threads (default 0: all cores)"},
    };
}

std::vector<OptionSpec> sampling_option_specs() {
    return {
        {"--max-tokens", "N", "most new tokens to generate (default 256)"},
        {"--temperature", "T", "sampling temperature, 0 = greedy (default 0.8)"},
        {"--greedy", "", "always take the most likely token (same as --temperature 0)"},
        {"--top-k", "K", "keep the K most likely tokens, 0 = off (default 40)"},
        {"--top-p", "P", "keep the smallest set with probability mass P, 1 = off (default 0.95)"},
        {"--min-p", "P", "keep tokens with p >= P * p_max, 0 = off (default 0)"},
        {"--repeat-penalty", "R", "penalise the last 64 tokens, 1 = off (default 1)"},
        {"--seed", "S", "random seed for sampling (default: a random one, shown in --json stats)"},
        {"--stop", "STRING", "stop before this text (repeatable)", true},
    };
}

std::vector<OptionSpec> run_option_specs() {
    std::vector<OptionSpec> specs = model_option_specs();
    // Several checkpoints (and a tokenizer per checkpoint) go with --perplexity.
    for (auto& s : specs)
        if (s.name == "--checkpoint" || s.name == "--tokenizer") s.repeatable = true;
    specs.push_back({"--prompt", "TEXT", "text to continue (default: start from BOS alone)"});
    for (auto& s : sampling_option_specs()) specs.push_back(s);
    specs.push_back({"--interactive", "", "prompt loop (/temp, /topk, /topp, /tokens, /seed, /card, /quit, /help)"});
    specs.push_back({"--prompts-file", "FILE", "one prompt per line (empty lines skipped), answered as one batch"});
    specs.push_back({"--parallel", "N", "with --prompts-file: answers decoded at once (default: all, at most 16)"});
    specs.push_back({"--card", "", "print the model card and exit"});
    specs.push_back({"--perplexity", "FILE", "mean NLL and perplexity of the text in FILE (several --checkpoint: each)"});
    specs.push_back({"--window", "W", "perplexity window in tokens (default " + std::to_string(kDefaultPerplexityWindow) + ")"});
    specs.push_back({"--json", "", "print one JSON object instead of text"});
    specs.push_back({"--help", "", "show this help"});
    specs.push_back({"--version", "", "show the version"});
    return specs;
}

std::string run_usage() {
    return "usage: waypoint-cli --checkpoint PATH [--prompt TEXT] [options]\n"
           "       waypoint-cli --checkpoint PATH --interactive | --card | --perplexity FILE [--window W]\n"
           "       waypoint-cli --checkpoint PATH --prompts-file FILE [--parallel N] [--json]\n"
           "       waypoint-cli --checkpoint A --checkpoint B [...] --perplexity FILE [--window W]\n"
           "       waypoint-cli compare --checkpoint A --checkpoint B [...] --prompt TEXT (see compare --help)\n"
           "       waypoint-cli chat --checkpoint PATH [--system TEXT] (a multi-turn chat; see chat --help)\n"
           "       waypoint-cli render-template (--template FILE | --checkpoint PATH) --messages FILE.json\n"
           "\n"
           "Streams a continuation of the prompt from a local checkpoint (llama2.c .bin,\n"
           "Hugging Face folder, ...). Ctrl-C stops the generation.\n"
           "\n"
           "options:\n" +
           describe_options(run_option_specs());
}

uint64_t random_seed() {
    std::random_device rd;
    return uint64_t(rd());  // 32 bits: easy to read back and retype
}

int threads_from(const ParsedArgs& args) {
    return int(parse_int("--threads", args.value("--threads", "0"), 0, 4096));
}

LoadOptions load_options_from(const ParsedArgs& args, const std::string& checkpoint) {
    LoadOptions load;
    load.checkpoint = checkpoint;
    load.tokenizer = args.value("--tokenizer");
    load.device = args.value("--device", "auto");
    load.dtype = args.value("--dtype", "auto");
    load.threads = threads_from(args);
    if (load.device.empty()) throw UsageError("--device needs a device name: cpu, cuda, cuda:N, mps or auto");
    const std::string& d = load.dtype;
    if (d != "auto" && d != "fp32" && d != "bf16" && d != "fp16")
        throw UsageError("--dtype expects auto, fp32, bf16 or fp16, got '" + d + "'");
    return load;
}

std::vector<LoadOptions> load_options_for_each(const ParsedArgs& args, const std::vector<std::string>& checkpoints) {
    const std::vector<std::string>& tokenizers = args.values("--tokenizer");
    if (tokenizers.size() > 1 && tokenizers.size() != checkpoints.size())
        throw UsageError("--tokenizer given " + std::to_string(tokenizers.size()) + " times for " +
                         std::to_string(checkpoints.size()) +
                         " checkpoints: give it once for all, or once per --checkpoint in order");
    std::vector<LoadOptions> loads;
    for (size_t i = 0; i < checkpoints.size(); ++i) {
        if (checkpoints[i].empty()) throw UsageError("--checkpoint needs a path");
        LoadOptions load = load_options_from(args, checkpoints[i]);
        load.tokenizer = tokenizers.empty() ? "" : tokenizers.size() == 1 ? tokenizers[0] : tokenizers[i];
        loads.push_back(load);
    }
    return loads;
}

GenerateOptions generate_options_from(const ParsedArgs& args) {
    GenerateOptions g;  // defaults: temperature 0.8, top-k 40, top-p 0.95
    SamplingParams& s = g.sampling;
    g.max_new_tokens = int(parse_int("--max-tokens", args.value("--max-tokens", "256"), 0, 1 << 24));
    if (args.has("--temperature"))
        s.temperature = float(parse_float("--temperature", args.value("--temperature"), 0.0, 1000.0));
    if (args.has("--greedy")) s.temperature = 0.0f;
    if (args.has("--top-k")) s.top_k = int(parse_int("--top-k", args.value("--top-k"), 0, 1 << 30));
    if (args.has("--top-p")) s.top_p = float(parse_float("--top-p", args.value("--top-p"), 0.0, 1.0));
    if (args.has("--min-p")) s.min_p = float(parse_float("--min-p", args.value("--min-p"), 0.0, 1.0));
    if (args.has("--repeat-penalty")) {
        s.repeat_penalty = float(parse_float("--repeat-penalty", args.value("--repeat-penalty"), 0.0, 100.0));
        if (s.repeat_penalty <= 0.0f) throw UsageError("--repeat-penalty must be above 0 (1 turns it off)");
    }
    s.seed = args.has("--seed") ? parse_u64("--seed", args.value("--seed")) : random_seed();
    for (const auto& stop : args.values("--stop")) {
        if (stop.empty()) throw UsageError("--stop needs a non-empty string");
        g.stop_strings.push_back(stop);
    }
    return g;
}

RunOptions run_options_from(const ParsedArgs& args) {
    RunOptions r;
    int modes = 0;
    if (args.has("--interactive")) r.mode = Mode::Interactive, ++modes;
    if (args.has("--card")) r.mode = Mode::Card, ++modes;
    if (args.has("--perplexity")) r.mode = Mode::Perplexity, ++modes;
    if (args.has("--prompts-file")) r.mode = Mode::Batch, ++modes;
    if (modes > 1)
        throw UsageError("--interactive, --card, --perplexity and --prompts-file each run alone; pick one");
    if (!args.has("--checkpoint") || args.value("--checkpoint").empty())
        throw UsageError("missing --checkpoint PATH (see --help)");
    if (args.has("--prompt") && r.mode != Mode::Generate)
        throw UsageError("--prompt does not go with --interactive, --card, --perplexity or --prompts-file");
    if (args.has("--parallel") && r.mode != Mode::Batch)
        throw UsageError("--parallel only applies to --prompts-file FILE");
    if (args.has("--window") && r.mode != Mode::Perplexity)
        throw UsageError("--window only applies to --perplexity FILE");
    if (args.has("--json") && r.mode == Mode::Interactive)
        throw UsageError("--json does not go with --interactive");
    if (args.values("--checkpoint").size() > 1 && r.mode != Mode::Perplexity)
        throw UsageError("several --checkpoint only go with --perplexity FILE (to compare answers: "
                         "waypoint-cli compare --checkpoint A --checkpoint B ...)");

    r.loads = load_options_for_each(args, args.values("--checkpoint"));
    r.load = r.loads.back();
    r.threads = r.load.threads;
    r.generate = generate_options_from(args);
    r.seed_given = args.has("--seed");
    r.prompt = args.value("--prompt");
    r.json = args.has("--json");
    r.perplexity_file = args.value("--perplexity");
    if (r.mode == Mode::Perplexity && r.perplexity_file.empty())
        throw UsageError("--perplexity needs a text file");
    r.prompts_file = args.value("--prompts-file");
    if (r.mode == Mode::Batch && r.prompts_file.empty()) throw UsageError("--prompts-file needs a text file");
    if (args.has("--parallel")) r.parallel = int(parse_int("--parallel", args.value("--parallel"), 1, 256));
    if (args.has("--window")) r.window = int(parse_int("--window", args.value("--window"), 1, 1 << 24));
    return r;
}

}  // namespace waypoint::cli
