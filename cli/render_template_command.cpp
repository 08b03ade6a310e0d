// `waypoint-cli render-template (--template FILE | --checkpoint PATH)
// --messages FILE.json [--bos TEXT] [--eos TEXT] [--no-generation-prompt]`:
// prints the prompt a chat template makes of a conversation, exactly (no
// newline added), without loading any weights. With --checkpoint the template
// and the BOS/EOS texts come from the checkpoint's files (chat_format.h).
#include <cstdio>

#include "commands.h"
#include "waypoint/chat_format.h"
#include "waypoint/error.h"

namespace waypoint::cli {
namespace {

std::vector<OptionSpec> render_template_specs() {
    return {
        {"--template", "FILE", "a Jinja chat template file"},
        {"--checkpoint", "PATH", "use the chat template of this checkpoint (file or folder)"},
        {"--messages", "FILE", "the conversation: a JSON list of {\"role\", \"content\"} objects"},
        {"--tools", "FILE", "tool schemas: a JSON list, passed to the template as `tools`"},
        {"--bos", "TEXT", "the BOS token text (default: the checkpoint's, else empty)"},
        {"--eos", "TEXT", "the EOS token text (default: the checkpoint's, else empty)"},
        {"--no-generation-prompt", "", "do not end with the start of the assistant's turn"},
        {"--help", "", "show this help"},
    };
}

std::string render_template_usage() {
    return "usage: waypoint-cli render-template (--template FILE | --checkpoint PATH) --messages FILE.json\n"
           "                                   [--bos TEXT] [--eos TEXT] [--no-generation-prompt]\n"
           "\n"
           "Prints the text a chat template makes of a conversation, exactly as Python's\n"
           "jinja2 renders it for Hugging Face transformers, with no newline added.\n"
           "A template that raises an error exits 1 with the template's message.\n"
           "\n"
           "options:\n" +
           describe_options(render_template_specs());
}

std::string read_input(const std::string& path, const char* what) {
    try {
        return read_text_file(path);
    } catch (const Error&) {
        throw Error(ErrorKind::FileNotFound, std::string("cannot read the ") + what + " file '" + path + "'");
    }
}

}  // namespace

int run_render_template(const std::vector<std::string>& args) {
    const ParsedArgs parsed = parse_args(args, render_template_specs());
    if (parsed.has("--help")) {
        write_out(render_template_usage());
        return 0;
    }
    if (parsed.has("--template") == parsed.has("--checkpoint"))
        throw UsageError("render-template needs exactly one of --template FILE or --checkpoint PATH");
    if (!parsed.has("--messages")) throw UsageError("render-template needs --messages FILE.json");

    ChatTemplateOptions options;
    std::optional<ChatTemplate> tpl;
    if (parsed.has("--template")) {
        const std::string file = parsed.value("--template");
        tpl.emplace(read_input(file, "template"), file);
    } else {
        const std::string checkpoint = parsed.value("--checkpoint");
        ChatFormat format = find_chat_format(checkpoint);
        if (!format.problem.empty()) throw Error(ErrorKind::BadFormat, format.problem);
        if (!format.chat_template)
            throw Error(ErrorKind::InvalidArgument,
                        checkpoint + " has no chat template (looked for chat_template.jinja, tokenizer_config.json "
                                     "\"chat_template\", chat_template.json and GGUF tokenizer.chat_template); "
                                     "pass one with --template FILE");
        tpl = format.chat_template;
        options = format.options();
    }
    if (parsed.has("--bos")) options.bos_token = parsed.value("--bos");
    if (parsed.has("--eos")) options.eos_token = parsed.value("--eos");
    options.add_generation_prompt = !parsed.has("--no-generation-prompt");
    if (parsed.has("--tools")) options.tools_json = read_input(parsed.value("--tools"), "tools");

    const std::string text = tpl->render_json(read_input(parsed.value("--messages"), "messages"), options);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return 0;
}

}  // namespace waypoint::cli
