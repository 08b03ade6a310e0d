// find_chat_format: where a checkpoint keeps its chat template and special
// token texts (chat_format.h lists the places, in the order looked at).
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "formats/gguf/gguf_file.h"
#include "waypoint/chat_format.h"
#include "waypoint/error.h"

namespace fs = std::filesystem;

namespace waypoint {

namespace {

std::optional<std::string> read_file(const fs::path& p) {
    std::error_code ec;
    if (!fs::is_regular_file(p, ec)) return std::nullopt;
    std::ifstream in(p, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

bool is_gguf(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    char magic[4] = {};
    return in.read(magic, 4) && std::string(magic, 4) == "GGUF";
}

// "bos_token": "<s>" or {"content": "<s>", "lstrip": false, ...}
std::string token_text(const nlohmann::json& j) {
    if (j.is_string()) return j.get<std::string>();
    if (j.is_object() && j.contains("content") && j["content"].is_string()) return j["content"].get<std::string>();
    return {};
}

struct Found {
    std::string source;
    std::string origin;
};

std::optional<Found> template_from_config(const nlohmann::json& cfg, const std::string& origin) {
    if (!cfg.contains("chat_template")) return std::nullopt;
    const auto& t = cfg["chat_template"];
    if (t.is_string()) return Found{t.get<std::string>(), origin};
    if (t.is_array()) {
        const nlohmann::json* pick = nullptr;
        for (const auto& e : t)
            if (e.is_object() && e.value("name", "") == "default") pick = &e;
        if (!pick && !t.empty()) pick = &t[0];
        if (pick && pick->contains("template") && (*pick)["template"].is_string())
            return Found{(*pick)["template"].get<std::string>(),
                         origin + " (template \"" + pick->value("name", "") + "\")"};
    }
    return std::nullopt;
}

nlohmann::json parse_json_file(const fs::path& p, const std::string& text) {
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorKind::BadFormat, p.string() + " is not valid JSON (" + e.what() +
                                              "); fix or remove it to load the checkpoint without a chat template");
    }
}

void from_gguf(const fs::path& file, ChatFormat& out, std::optional<Found>& found) {
    detail::GgufFile gguf(file.string());
    if (auto t = gguf.get_string("tokenizer.chat_template")) found = Found{*t, file.filename().string() + " (tokenizer.chat_template)"};
    const nlohmann::json* tokens = gguf.find("tokenizer.ggml.tokens");
    auto token = [&](const char* key) -> std::string {
        auto id = gguf.get_int(key);
        if (!id || !tokens || !tokens->is_array() || *id < 0 || size_t(*id) >= tokens->size()) return {};
        const auto& t = (*tokens)[size_t(*id)];
        return t.is_string() ? t.get<std::string>() : std::string();
    };
    out.bos_token = token("tokenizer.ggml.bos_token_id");
    out.eos_token = token("tokenizer.ggml.eos_token_id");
}

}  // namespace

ChatTemplateOptions ChatFormat::options(bool add_generation_prompt) const {
    ChatTemplateOptions o;
    o.bos_token = bos_token;
    o.eos_token = eos_token;
    o.add_generation_prompt = add_generation_prompt;
    return o;
}

std::string end_of_turn_marker(const ChatTemplate& tpl, const std::string& bos_token, const std::string& eos_token) {
    static const std::string kAnswer = "Waypoint7probe7answer";
    ChatTemplateOptions o;
    o.bos_token = bos_token;
    o.eos_token = eos_token;
    o.add_generation_prompt = false;
    o.now = 0;
    std::string text;
    try {
        text = tpl.render({{"user", "Waypoint7probe7question"}, {"assistant", kAnswer}}, o);
    } catch (const Error&) {
        return {};
    }
    size_t at = text.rfind(kAnswer);
    if (at == std::string::npos) return {};
    size_t b = at + kAnswer.size();
    while (b < text.size() && std::isspace(static_cast<unsigned char>(text[b]))) ++b;
    size_t e = b;
    while (e < text.size() && !std::isspace(static_cast<unsigned char>(text[e]))) ++e;
    return text.substr(b, e - b);
}

ChatFormat find_chat_format(const std::string& checkpoint) {
    ChatFormat out;
    std::error_code ec;
    fs::path path(checkpoint);
    fs::path dir = fs::is_directory(path, ec) ? path : path.parent_path();
    if (dir.empty()) dir = ".";
    std::optional<Found> found;

    // GGUF: the file itself, or the only .gguf in the folder.
    fs::path gguf;
    if (fs::is_regular_file(path, ec) && is_gguf(path)) gguf = path;
    if (!gguf.empty()) from_gguf(gguf, out, found);

    if (auto text = read_file(dir / "tokenizer_config.json")) {
        nlohmann::json cfg = parse_json_file(dir / "tokenizer_config.json", *text);
        if (cfg.is_object()) {
            if (!found) found = template_from_config(cfg, "tokenizer_config.json");
            if (cfg.contains("bos_token")) out.bos_token = token_text(cfg["bos_token"]);
            if (cfg.contains("eos_token")) out.eos_token = token_text(cfg["eos_token"]);
        }
    }
    if (auto text = read_file(dir / "chat_template.json"); text && (!found || found->origin == "tokenizer_config.json")) {
        nlohmann::json cfg = parse_json_file(dir / "chat_template.json", *text);
        if (cfg.is_object())
            if (auto f = template_from_config(cfg, "chat_template.json")) found = f;
    }
    // transformers reads chat_template.jinja over the JSON files' template.
    if (gguf.empty())
        if (auto text = read_file(dir / "chat_template.jinja")) found = Found{*text, "chat_template.jinja"};

    if (!found) return out;
    out.origin = found->origin;
    try {
        out.chat_template.emplace(found->source, (dir / "").string() + found->origin);
    } catch (const ChatTemplateError& e) {
        out.problem = e.what();
        return out;
    }
    std::string marker = end_of_turn_marker(*out.chat_template, out.bos_token, out.eos_token);
    if (!marker.empty()) out.stop_strings.push_back(marker);
    if (!out.eos_token.empty() && marker != out.eos_token) out.stop_strings.push_back(out.eos_token);
    return out;
}

std::vector<int> encode_rendered(const Tokenizer& tokenizer, const std::string& text, const ChatFormat& format) {
    struct Special {
        const std::string* text;
        int id;
    };
    std::vector<Special> specials;
    if (!format.bos_token.empty() && tokenizer.bos() >= 0) specials.push_back({&format.bos_token, tokenizer.bos()});
    if (!format.eos_token.empty() && tokenizer.eos() >= 0) specials.push_back({&format.eos_token, tokenizer.eos()});
    std::vector<int> ids;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t best = std::string::npos;
        const Special* which = nullptr;
        for (const auto& s : specials) {
            size_t at = text.find(*s.text, pos);
            if (at < best) { best = at; which = &s; }
        }
        size_t end = which ? best : text.size();
        if (end > pos) {
            std::vector<int> part = tokenizer.encode(std::string_view(text).substr(pos, end - pos), false);
            ids.insert(ids.end(), part.begin(), part.end());
        }
        if (!which) break;
        ids.push_back(which->id);
        pos = best + which->text->size();
    }
    return ids;
}

}  // namespace waypoint
