// Comparison values (waypoint/compare.h): divergence, JSON and Markdown export
// and the JSON read-back. Plain C++ and nlohmann/json; no model involved.
#include "waypoint/compare.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>

#include "waypoint/error.h"

namespace waypoint {
namespace {

using nlohmann::ordered_json;

// The shortest decimal that reads back as the same float: 0.95f is written
// 0.95, not 0.949999988, and an exported comparison reopens bit-exact.
double short_float(float x) {
    if (!std::isfinite(x)) return double(x);
    char buf[32];
    for (int digits = 6; digits <= 9; ++digits) {
        std::snprintf(buf, sizeof buf, "%.*g", digits, double(x));
        if (std::strtof(buf, nullptr) == x) break;
    }
    return std::strtod(buf, nullptr);
}

std::string dump(const ordered_json& j, int indent = -1) {
    return j.dump(indent, ' ', false, ordered_json::error_handler_t::replace);
}

ordered_json sampling_json(const SamplingParams& s, int max_new_tokens) {
    ordered_json j;
    j["temperature"] = short_float(s.temperature);
    j["top_k"] = s.top_k;
    j["top_p"] = short_float(s.top_p);
    j["min_p"] = short_float(s.min_p);
    j["repeat_penalty"] = short_float(s.repeat_penalty);
    j["repeat_window"] = s.repeat_window;
    j["seed"] = s.seed;
    j["max_tokens"] = max_new_tokens;
    return j;
}

ordered_json pane_json(const PaneResult& p) {
    ordered_json j;
    j["checkpoint"] = p.checkpoint;
    j["model"] = p.model;
    j["sampling"] = sampling_json(p.sampling, p.max_new_tokens);
    j["prompt_ids"] = p.prompt_ids;
    j["generated_ids"] = p.generated_ids;
    j["text"] = p.text;
    ordered_json stats = ordered_json::parse(stats_to_json(p.stats));
    stats["seed"] = p.sampling.seed;
    j["stats"] = stats;
    return j;
}

ordered_json evaluation_json(const EvaluationResult& e) {
    ordered_json j;
    j["checkpoint"] = e.checkpoint;
    j["model"] = e.model;
    j["window"] = e.window;
    j["tokens"] = e.result.tokens;
    j["mean_nll"] = e.result.mean_nll;
    j["perplexity"] = e.result.perplexity;
    if (e.result.cancelled) j["cancelled"] = true;
    return j;
}

// --- reading back ---

[[noreturn]] void bad(const std::string& what) {
    throw Error(ErrorKind::InvalidArgument,
                "comparison JSON: " + what + " (expected what comparison_to_json writes)");
}

const ordered_json& field(const ordered_json& j, const char* key, const std::string& where) {
    if (!j.is_object() || !j.contains(key)) bad(where + " has no \"" + key + "\"");
    return j.at(key);
}

template <typename T>
T get(const ordered_json& j, const char* key, const std::string& where) {
    const ordered_json& v = field(j, key, where);
    try {
        return v.get<T>();
    } catch (const nlohmann::json::exception&) {
        bad(where + "." + key + " has the wrong type");
    }
}

FinishReason finish_from(const std::string& s) {
    for (FinishReason r : {FinishReason::Length, FinishReason::Eos, FinishReason::StopString,
                           FinishReason::Stopped, FinishReason::ContextFull})
        if (s == to_string(r)) return r;
    bad("unknown finish_reason '" + s + "'");
}

PaneResult pane_from(const ordered_json& j, const std::string& where) {
    PaneResult p;
    p.checkpoint = get<std::string>(j, "checkpoint", where);
    if (j.contains("model")) p.model = get<std::string>(j, "model", where);
    const ordered_json& s = field(j, "sampling", where);
    const std::string sw = where + ".sampling";
    p.sampling.temperature = get<float>(s, "temperature", sw);
    p.sampling.top_k = get<int>(s, "top_k", sw);
    p.sampling.top_p = get<float>(s, "top_p", sw);
    p.sampling.min_p = get<float>(s, "min_p", sw);
    p.sampling.repeat_penalty = get<float>(s, "repeat_penalty", sw);
    p.sampling.repeat_window = get<int>(s, "repeat_window", sw);
    p.sampling.seed = get<uint64_t>(s, "seed", sw);
    p.max_new_tokens = get<int>(s, "max_tokens", sw);
    if (j.contains("prompt_ids")) p.prompt_ids = get<std::vector<int>>(j, "prompt_ids", where);
    p.generated_ids = get<std::vector<int>>(j, "generated_ids", where);
    p.text = get<std::string>(j, "text", where);
    const ordered_json& st = field(j, "stats", where);
    const std::string stw = where + ".stats";
    p.stats.prompt_tokens = get<int>(st, "prompt_tokens", stw);
    p.stats.new_tokens = get<int>(st, "new_tokens", stw);
    p.stats.time_to_first_token_ms = get<double>(st, "time_to_first_token_ms", stw);
    p.stats.prefill_tokens_per_s = get<double>(st, "prefill_tokens_per_s", stw);
    p.stats.decode_tokens_per_s = get<double>(st, "decode_tokens_per_s", stw);
    p.stats.total_ms = get<double>(st, "total_ms", stw);
    p.stats.finish = finish_from(get<std::string>(st, "finish_reason", stw));
    return p;
}

// --- Markdown ---

std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

// A table cell: one line, pipes escaped.
std::string cell(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '|') out += "\\|";
        else if (c == '\n' || c == '\r') out += ' ';
        else out += c;
    }
    return out;
}

// A fenced block that the text cannot close early: the fence is longer than
// any run of backticks inside it.
std::string fenced(const std::string& text) {
    size_t longest = 0, run = 0;
    for (char c : text) {
        run = c == '`' ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    const std::string fence(std::max<size_t>(3, longest + 1), '`');
    std::string body = text;
    if (body.empty() || body.back() != '\n') body += '\n';
    return fence + "text\n" + body + fence + "\n";
}

std::string pane_title(const PaneResult& p, size_t i) {
    return "Pane " + std::to_string(i + 1) + ": " + (p.model.empty() ? p.checkpoint : p.model);
}

}  // namespace

int first_divergence(const std::vector<int>& a, const std::vector<int>& b) {
    const size_t n = std::min(a.size(), b.size());
    for (size_t i = 0; i < n; ++i)
        if (a[i] != b[i]) return int(i);
    return a.size() == b.size() ? -1 : int(n);
}

PaneResult generate_pane(Session& session, const std::string& prompt, const GenerateOptions& options,
                         const TokenCallback& on_token) {
    PaneResult pane;
    const ModelCard& card = session.model().card();
    pane.checkpoint = card.path;
    pane.model = card.name;
    pane.sampling = options.sampling;
    pane.max_new_tokens = options.max_new_tokens;
    pane.prompt_ids = encode_prompt(session, prompt, options);
    session.reset();
    pane.stats = generate_ids(
        session, pane.prompt_ids, options,
        [&](const TokenEvent& event) {
            pane.text += event.delta;
            if (on_token) on_token(event);
        },
        &pane.generated_ids);
    return pane;
}

bool divergence_meaningful(const PaneResult& a, const PaneResult& b) {
    const SamplingParams &x = a.sampling, &y = b.sampling;
    const bool same_penalty = x.repeat_penalty == y.repeat_penalty &&
                              (x.repeat_penalty == 1.0f || x.repeat_window == y.repeat_window);
    if (x.greedy() && y.greedy()) return same_penalty;
    if (x.greedy() != y.greedy()) return false;
    return same_penalty && x.temperature == y.temperature && x.top_k == y.top_k && x.top_p == y.top_p &&
           x.min_p == y.min_p && x.seed == y.seed;
}

std::vector<std::optional<int>> divergences_from_first(const Comparison& c) {
    std::vector<std::optional<int>> out;
    for (const PaneResult& p : c.panes) {
        if (divergence_meaningful(c.panes.front(), p))
            out.push_back(first_divergence(c.panes.front().generated_ids, p.generated_ids));
        else
            out.push_back(std::nullopt);
    }
    return out;
}

std::string pane_to_json(const PaneResult& pane) { return dump(pane_json(pane)); }

std::string evaluation_to_json(const EvaluationResult& evaluation) { return dump(evaluation_json(evaluation)); }

std::string comparison_to_json(const Comparison& c, int indent) {
    ordered_json j;
    j["prompt"] = c.prompt;
    j["panes"] = ordered_json::array();
    for (const PaneResult& p : c.panes) j["panes"].push_back(pane_json(p));
    j["first_divergence"] = ordered_json::array();
    for (const auto& d : divergences_from_first(c))
        j["first_divergence"].push_back(d ? ordered_json(*d) : ordered_json());
    if (!c.evaluations.empty()) {
        ordered_json e;
        e["text"] = c.evaluation_text;
        e["results"] = ordered_json::array();
        for (const EvaluationResult& r : c.evaluations) e["results"].push_back(evaluation_json(r));
        j["evaluation"] = e;
    }
    return dump(j, indent);
}

Comparison comparison_from_json(const std::string& text) {
    ordered_json j;
    try {
        j = ordered_json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        bad(std::string("not valid JSON: ") + e.what());
    }
    Comparison c;
    if (j.contains("prompt")) c.prompt = get<std::string>(j, "prompt", "the comparison");
    const ordered_json& panes = field(j, "panes", "the comparison");
    if (!panes.is_array()) bad("\"panes\" is not an array");
    for (size_t i = 0; i < panes.size(); ++i)
        c.panes.push_back(pane_from(panes[i], "panes[" + std::to_string(i) + "]"));
    if (j.contains("evaluation")) {
        const ordered_json& e = j.at("evaluation");
        c.evaluation_text = get<std::string>(e, "text", "evaluation");
        const ordered_json& results = field(e, "results", "evaluation");
        if (!results.is_array()) bad("evaluation.results is not an array");
        for (size_t i = 0; i < results.size(); ++i) {
            const std::string where = "evaluation.results[" + std::to_string(i) + "]";
            EvaluationResult r;
            r.checkpoint = get<std::string>(results[i], "checkpoint", where);
            if (results[i].contains("model")) r.model = get<std::string>(results[i], "model", where);
            r.window = get<int>(results[i], "window", where);
            r.result.tokens = get<long>(results[i], "tokens", where);
            r.result.mean_nll = get<double>(results[i], "mean_nll", where);
            r.result.perplexity = get<double>(results[i], "perplexity", where);
            r.result.cancelled = results[i].contains("cancelled") && get<bool>(results[i], "cancelled", where);
            c.evaluations.push_back(std::move(r));
        }
    }
    return c;
}

std::string describe_sampling(const SamplingParams& s) {
    std::ostringstream out;
    auto num = [](float x) {
        std::ostringstream o;
        o << short_float(x);
        return o.str();
    };
    if (s.greedy()) {
        out << "greedy";
    } else {
        out << "temperature " << num(s.temperature);
        if (s.top_k > 0) out << ", top-k " << s.top_k;
        if (s.top_p < 1.0f) out << ", top-p " << num(s.top_p);
        if (s.min_p > 0.0f) out << ", min-p " << num(s.min_p);
    }
    if (s.repeat_penalty != 1.0f) out << ", repeat penalty " << num(s.repeat_penalty) << " over " << s.repeat_window;
    if (!s.greedy()) out << ", seed " << s.seed;
    return out.str();
}

std::string comparison_to_markdown(const Comparison& c) {
    std::ostringstream md;
    md << "# Comparison\n\n";
    md << "Prompt:\n\n" << fenced(c.prompt) << "\n";
    const auto div = divergences_from_first(c);
    md << "| pane | checkpoint | settings | tokens | time to first token | tokens/s | finish | first divergence |\n";
    md << "|---|---|---|---|---|---|---|---|\n";
    for (size_t i = 0; i < c.panes.size(); ++i) {
        const PaneResult& p = c.panes[i];
        std::string d = "n/a (different sampling)";
        if (i == 0) d = "(reference)";
        else if (div[i]) d = *div[i] < 0 ? "identical" : "token " + std::to_string(*div[i]);
        md << "| " << i + 1 << " | " << cell(p.checkpoint) << " | "
           << cell(describe_sampling(p.sampling) + ", max " + std::to_string(p.max_new_tokens) + " tokens") << " | "
           << p.stats.prompt_tokens << " + " << p.stats.new_tokens << " | "
           << fixed(p.stats.time_to_first_token_ms, 1) << " ms | " << fixed(p.stats.decode_tokens_per_s, 1) << " | "
           << to_string(p.stats.finish) << " | " << d << " |\n";
    }
    for (size_t i = 0; i < c.panes.size(); ++i) {
        const PaneResult& p = c.panes[i];
        md << "\n## " << pane_title(p, i) << "\n\n";
        md << "- checkpoint: `" << p.checkpoint << "`\n";
        md << "- settings: " << describe_sampling(p.sampling) << ", max " << p.max_new_tokens << " tokens\n";
        md << "- stats: " << p.stats.prompt_tokens << " prompt + " << p.stats.new_tokens << " new tokens, "
           << fixed(p.stats.time_to_first_token_ms, 1) << " ms to first, "
           << fixed(p.stats.decode_tokens_per_s, 1) << " tok/s, " << fixed(p.stats.total_ms, 1) << " ms total, "
           << to_string(p.stats.finish) << "\n\n";
        md << fenced(p.text);
    }
    if (!c.evaluations.empty()) {
        md << "\n## Evaluation\n\n";
        if (!c.evaluation_text.empty()) md << "Text: `" << c.evaluation_text << "`\n\n";
        md << "| checkpoint | window | tokens | mean NLL (nats) | perplexity |\n|---|---|---|---|---|\n";
        for (const EvaluationResult& e : c.evaluations)
            md << "| " << cell(e.checkpoint) << " | " << e.window << " | " << e.result.tokens << " | "
               << fixed(e.result.mean_nll, 4) << " | " << fixed(e.result.perplexity, 3)
               << (e.result.cancelled ? " (cancelled)" : "") << " |\n";
    }
    return md.str();
}

}  // namespace waypoint
