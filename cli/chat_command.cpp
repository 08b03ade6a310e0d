// `waypoint-cli chat --checkpoint PATH [--system TEXT]`: a multi-turn chat in
// the terminal. Each answer sees the turns before it: the conversation is
// rendered with the checkpoint's chat template (or, for a base model, as one
// running text or a "User:/Assistant:" transcript) and the session's KV cache
// is reused across turns (waypoint/conversation.h). Lines are read with
// editing and history on a terminal, plainly from a pipe (scripts, tests).
// Ctrl-C stops an answer (the part written so far stays in the chat) or drops
// the line being typed; Ctrl-D or /quit leaves.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "arg_parser.h"
#include "commands.h"
#include "error_text.h"
#include "line_editor.h"
#include "options.h"
#include "slash_commands.h"
#include "stop_signal.h"
#include "waypoint/chat_format.h"
#include "waypoint/conversation.h"
#include "waypoint/error.h"

namespace waypoint::cli {
namespace {

std::vector<OptionSpec> chat_specs() {
    std::vector<OptionSpec> specs = model_option_specs();
    for (auto& s : sampling_option_specs()) specs.push_back(s);
    specs.push_back({"--system", "TEXT", "the system prompt (also /system TEXT)"});
    specs.push_back({"--mode", "M", "auto | template | completion | transcript (default auto: the checkpoint's "
                                    "chat template, else completion)"});
    specs.push_back({"--template", "FILE", "a Jinja chat template to use instead of the checkpoint's"});
    specs.push_back({"--help", "", "show this help"});
    return specs;
}

const char* const kChatCommandsHelp =
    "  /system TEXT set the system prompt (/system: show it, /system off: none)\n"
    "  /reset       a new conversation (the system prompt stays)\n"
    "  /save FILE   write the conversation as JSON ({\"role\", \"content\"} list, as render-template reads)\n"
    "  /prompt      show the conversation as the text the model reads\n"
    "  /help        this list\n"
    "  /quit        leave (Ctrl-D too); Ctrl-C stops an answer, or drops the line being typed\n";

std::string chat_usage() {
    return "usage: waypoint-cli chat --checkpoint PATH [--system TEXT] [--mode M] [options]\n"
           "\n"
           "A conversation with a checkpoint: each answer sees the turns before it. The\n"
           "prompt is made with the checkpoint's chat template (chat_template.jinja,\n"
           "tokenizer_config.json, GGUF); a base model without one continues the chat as\n"
           "one running text (completion) or as \"User:\" / \"Assistant:\" lines\n"
           "(--mode transcript). The cache is reused from turn to turn; when the context\n"
           "is full the oldest turns after the system prompt are left out, and it says so.\n"
           "Reads lines from a terminal with editing and history, or from a pipe.\n"
           "\n"
           "commands:\n" +
           std::string(kChatCommandsHelp) + kSharedCommandsHelp +
           "\n"
           "options:\n" +
           describe_options(chat_specs());
}

// A base model's conversation as "User: ... / Assistant: ..." lines, the
// form most text on the web has (as the app's transcript mode writes it); the
// turn ends where the model starts the user's next line. An answer is kept
// as generated, with the space the model writes after "Assistant:", so the
// next turn's prompt matches the cache.
ChatFormat transcript_format(const Tokenizer& tokenizer) {
    static const char* const kTranscript =
        "{{- bos_token -}}\n"
        "{%- for m in messages -%}\n"
        "{%- if m['role'] == 'system' -%}{{ m['content'] }}{{ '\\n\\n' }}\n"
        "{%- elif m['role'] == 'user' -%}User: {{ m['content'] }}{{ '\\n' }}\n"
        "{%- else -%}Assistant:{{ m['content'] }}{{ '\\n' }}\n"
        "{%- endif -%}\n"
        "{%- endfor -%}\n"
        "{%- if add_generation_prompt -%}Assistant:{%- endif -%}\n";
    ChatFormat f;
    f.chat_template.emplace(kTranscript, "the transcript template");
    f.origin = "transcript";
    // The template writes BOS as text; encode_rendered turns it into the id.
    if (tokenizer.bos() >= 0) f.bos_token = "<s>";
    f.stop_strings = {"\nUser:"};
    return f;
}

ChatFormat format_for(const ParsedArgs& args, const Model& model, const std::string& checkpoint) {
    const std::string mode = args.value("--mode", "auto");
    if (mode != "auto" && mode != "template" && mode != "completion" && mode != "transcript")
        throw UsageError("--mode must be auto, template, completion or transcript, not '" + mode + "'");
    if (args.has("--template") && (mode == "completion" || mode == "transcript"))
        throw UsageError("--template does not go with --mode " + mode);
    if (mode == "transcript") return transcript_format(model.tokenizer());
    if (mode == "completion") return ChatFormat{};
    ChatFormat format = chat_format(model);
    if (args.has("--template")) {
        const std::string file = args.value("--template");
        std::string source;
        try {
            source = read_text_file(file);
        } catch (const Error&) {
            throw Error(ErrorKind::FileNotFound, "cannot read the template file '" + file + "'");
        }
        format.chat_template.emplace(source, file);  // a syntax error throws, naming the file and line
        format.origin = file;
        format.problem.clear();
        format.stop_strings.clear();
        const std::string marker = end_of_turn_marker(*format.chat_template, format.bos_token, format.eos_token);
        if (!marker.empty()) format.stop_strings.push_back(marker);
        if (!format.eos_token.empty() && marker != format.eos_token) format.stop_strings.push_back(format.eos_token);
    }
    if (mode == "template" && !format.chat_template)
        throw Error(ErrorKind::InvalidArgument,
                    checkpoint + " has no chat template" +
                        (format.problem.empty() ? std::string() : " that can be used (" + format.problem + ")") +
                        "; pass one with --template FILE, or use --mode completion or --mode transcript");
    return format;
}

// What the first lines say about how the conversation is made.
std::string mode_notice(const Conversation& c, const std::string& name) {
    const ChatFormat& f = c.format();
    if (f.origin == "transcript") return name + ": transcript mode (\"User:\" / \"Assistant:\" lines)";
    if (f.chat_template) return name + ": chat template from " + f.origin;
    std::string text = name + " has no chat template: completion mode (the chat is one running text the model "
                              "continues; --mode transcript for \"User:\" / \"Assistant:\" lines)";
    if (!f.problem.empty()) text = "warning: " + f.problem + "\n" + text;
    return text;
}

// True when the template writes the same prompt with and without a system
// message (the demo's template leaves it out). Throws when it refuses one.
bool template_ignores_system(const Conversation& c, const std::string& system) {
    const ChatFormat& f = c.format();
    if (!f.chat_template) return false;
    const std::vector<ChatMessage> user{{"user", "hello"}};
    const std::vector<ChatMessage> both{{"system", system}, {"user", "hello"}};
    return f.chat_template->render(user, f.options()) == f.chat_template->render(both, f.options());
}

void set_system(Conversation& c, const std::string& text) {
    if (!text.empty() && template_ignores_system(c, text))
        std::fprintf(stderr, "(this chat template leaves system messages out: the model will not see it)\n");
    c.set_system(text);
}

// The messages as JSON (an OpenAI-style list), written whole or not at all.
void save_messages(const Conversation& c, const std::string& path) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto& m : c.messages()) list.push_back({{"role", m.role}, {"content", m.content}});
    const std::string text = list.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
    const std::string partial = path + ".part";
    {
        std::ofstream out(partial, std::ios::binary | std::ios::trunc);
        if (!out || !out.write(text.data(), std::streamsize(text.size())) || !out.flush()) {
            std::remove(partial.c_str());
            throw Error(ErrorKind::InvalidArgument,
                        "cannot write '" + path + "' (does the folder exist, may it be written?)");
        }
    }
    if (std::rename(partial.c_str(), path.c_str()) != 0) {
        std::remove(partial.c_str());
        throw Error(ErrorKind::InvalidArgument, "cannot replace '" + path + "'");
    }
}

std::string chat_stats_line(const GenerationStats& s, uint64_t seed) {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "[%d prompt tokens (%d from the cache) + %d new, %.1f ms to first, %.1f tok/s, %s, seed %llu]",
                  s.prompt_tokens, s.reused_tokens, s.new_tokens, s.time_to_first_token_ms, s.decode_tokens_per_s,
                  to_string(s.finish), static_cast<unsigned long long>(seed));
    return buf;
}

class ChatLoop {
public:
    ChatLoop(std::shared_ptr<const Model> model, ChatFormat format, LoopSettings settings)
        : model_(model), conversation_(model, std::move(format)), settings_(std::move(settings)) {}

    Conversation& conversation() { return conversation_; }

    // Returns false on /quit.
    bool command(const std::string& line) {
        const SlashCommand c = split_command(line);
        if (c.name == "/quit" || c.name == "/exit" || c.name == "/q") return false;
        if (c.name == "/help") {
            write_out(std::string(kChatCommandsHelp) + kSharedCommandsHelp);
        } else if (c.name == "/system") {
            if (c.rest.empty()) {
                const auto& m = conversation_.messages();
                const bool has = !m.empty() && m.front().role == "system";
                write_out(has ? m.front().content + "\n" : std::string("(no system prompt)\n"));
            } else {
                set_system(conversation_, c.rest == "off" ? std::string() : c.rest);
                write_out(c.rest == "off" ? "(no system prompt)\n" : "(system prompt set)\n");
            }
        } else if (c.name == "/reset") {
            conversation_.clear();
            dropped_ = 0;
            write_out("(a new conversation; the system prompt stays)\n");
        } else if (c.name == "/save") {
            if (c.rest.empty()) throw UsageError("/save needs a file name (/help lists the commands)");
            save_messages(conversation_, c.rest);
            write_out("(saved " + std::to_string(conversation_.messages().size()) + " messages to " + c.rest + ")\n");
        } else if (c.name == "/prompt") {
            write_out(conversation_.prompt_text() + "\n");
        } else if (!run_shared_command(c, settings_, *model_)) {
            throw UsageError("unknown command '" + c.name + "' (/help lists the commands)");
        }
        return true;
    }

    void reply(const std::string& text) {
        GenerateOptions options = settings_.options;
        if (!settings_.fixed_seed) options.sampling.seed = random_seed();
        options.stop_flag = stop_flag();
        const std::vector<ChatMessage> before = conversation_.messages();
        GenerationStats stats;
        bool at_line_start = true;
        try {
            StopScope ctrl_c_stops;
            stats = conversation_.reply(text, options, [&](const TokenEvent& e) {
                write_out(e.delta);
                if (!e.delta.empty()) at_line_start = e.delta.back() == '\n';
            });
        } catch (...) {
            restore(before);  // a template that raised: the chat stays as it was
            throw;
        }
        if (!at_line_start) write_out("\n");
        std::fprintf(stderr, "%s\n", chat_stats_line(stats, options.sampling.seed).c_str());
        const int context = conversation_.session().context_length();
        if (conversation_.dropped_turns() > dropped_) {
            std::fprintf(stderr,
                         "(the context of %d tokens is full: the oldest %d turn%s %s left out of what the model "
                         "sees; the system prompt stays; /reset starts afresh)\n",
                         context, conversation_.dropped_turns(), conversation_.dropped_turns() == 1 ? "" : "s",
                         conversation_.dropped_turns() == 1 ? "is" : "are");
            dropped_ = conversation_.dropped_turns();
        }
        if (stats.prompt_tokens + stats.new_tokens > context)
            std::fprintf(stderr,
                         "(the answer ran past the context of %d tokens: its oldest tokens were dropped to go on)\n",
                         context);
    }

private:
    void restore(const std::vector<ChatMessage>& messages) {
        conversation_.clear();
        for (const auto& m : messages)
            if (m.role != "system") conversation_.add(m.role, m.content);
    }

    std::shared_ptr<const Model> model_;
    Conversation conversation_;
    LoopSettings settings_;
    int dropped_ = 0;
};

}  // namespace

int run_chat(const std::vector<std::string>& args) {
    const ParsedArgs parsed = parse_args(args, chat_specs());
    if (parsed.has("--help")) {
        write_out(chat_usage());
        return 0;
    }
    if (!parsed.has("--checkpoint") || parsed.value("--checkpoint").empty())
        throw UsageError("chat needs --checkpoint PATH (see chat --help)");
    const std::string checkpoint = parsed.value("--checkpoint");
    LoopSettings settings;
    settings.options = generate_options_from(parsed);
    settings.fixed_seed = parsed.has("--seed");
    const auto model = load_model(load_options_from(parsed, checkpoint));
    ChatLoop loop(model, format_for(parsed, *model, checkpoint), settings);
    std::fprintf(stderr, "%s\n", mode_notice(loop.conversation(), model->card().name).c_str());
    if (parsed.has("--system")) set_system(loop.conversation(), parsed.value("--system"));
    std::fprintf(stderr, "type a message, /help for commands, /quit or Ctrl-D to leave\n");

    LineEditor editor("waypoint-cli");
    // From a pipe (a script) stdout carries the answers only.
    const std::string prompt = isatty(STDIN_FILENO) ? "> " : "";
    std::string line;
    bool told_how_to_leave = false;
    for (;;) {
        const LineEditor::Status status = editor.read(prompt, line);
        if (status == LineEditor::Status::EndOfInput) {
            if (editor.editing()) write_out("\n");
            return 0;
        }
        if (status == LineEditor::Status::Interrupted) {
            if (!told_how_to_leave) std::fprintf(stderr, "(/quit or Ctrl-D leaves)\n");
            told_how_to_leave = true;
            continue;
        }
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        try {
            if (line[0] == '/') {
                if (!loop.command(line)) return 0;
                continue;
            }
            loop.reply(line);
        } catch (const std::exception& e) {
            print_error(e.what(), /*first_line_only=*/true);
        }
    }
}

}  // namespace waypoint::cli
