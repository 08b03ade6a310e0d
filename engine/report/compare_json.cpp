// A comparison as JSON (waypoint/report.h): the export, and reading it
// back so that an exported comparison reopens as it was.
#include <nlohmann/json.hpp>

#include <optional>
#include <string_view>
#include <type_traits>

#include "json_fields.h"
#include "number_format.h"
#include "waypoint/compare.h"
#include "waypoint/report.h"
#include "waypoint/error.h"

namespace waypoint {
namespace {

using report::short_float;
using nlohmann::ordered_json;

std::string dump(const ordered_json& j, int indent = -1) {
    return j.dump(indent, ' ', false, ordered_json::error_handler_t::replace);
}

template <typename T>
struct is_optional : std::false_type {};
template <typename T>
struct is_optional<std::optional<T>> : std::true_type {};

// One field: floats as their shortest decimal (a float reopens bit-exact);
// an unset optional and a false flag are left out.
template <typename T>
void put(ordered_json& j, const char* key, const T& v) {
    if constexpr (is_optional<T>::value) {
        if (v) put(j, key, *v);
    } else if constexpr (std::is_same_v<T, bool>) {
        if (v) j[key] = true;
    } else if constexpr (std::is_same_v<T, float>) {
        j[key] = short_float(v);
    } else {
        j[key] = v;
    }
}

ordered_json sampling_json(const SamplingParams& s, int max_new_tokens) {
    ordered_json j;
    report::sampling_fields(s, [&](const char* key, const auto& v) { put(j, key, v); });
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
    report::evaluation_fields(e, [&](const char* key, const auto& v) { put(j, key, v); });
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

// One field as put() wrote it: an absent optional stays unset, an absent
// flag false; anything else must be there with the right type.
template <typename T>
void take(const ordered_json& j, const char* key, const std::string& where, T& out) {
    if constexpr (is_optional<T>::value) {
        if (!j.contains(key)) return;
        typename T::value_type v{};
        take(j, key, where, v);
        out = v;
    } else if constexpr (std::is_same_v<T, bool>) {
        out = j.contains(key) && get<bool>(j, key, where);
    } else {
        out = get<T>(j, key, where);
    }
}

PaneResult pane_from(const ordered_json& j, const std::string& where) {
    PaneResult p;
    p.checkpoint = get<std::string>(j, "checkpoint", where);
    if (j.contains("model")) p.model = get<std::string>(j, "model", where);
    const ordered_json& s = field(j, "sampling", where);
    const std::string sw = where + ".sampling";
    report::sampling_fields(p.sampling, [&](const char* key, auto& v) { take(s, key, sw, v); });
    p.max_new_tokens = get<int>(s, "max_tokens", sw);
    if (j.contains("prompt_ids")) p.prompt_ids = get<std::vector<int>>(j, "prompt_ids", where);
    p.generated_ids = get<std::vector<int>>(j, "generated_ids", where);
    p.text = get<std::string>(j, "text", where);
    const ordered_json& st = field(j, "stats", where);
    const std::string stw = where + ".stats";
    report::stats_fields(p.stats, [&](const char* key, auto& v) {
        if (std::string_view(key) == "reused_tokens" && !st.contains(key)) return;  // exports before it was written
        take(st, key, stw, v);
    });
    p.stats.finish = finish_from(get<std::string>(st, "finish_reason", stw));
    return p;
}

EvaluationResult evaluation_from(const ordered_json& j, const std::string& where) {
    EvaluationResult r;
    report::evaluation_fields(r, [&](const char* key, auto& v) {
        if (std::string_view(key) == "model" && !j.contains(key)) return;  // written by every version but the first
        take(j, key, where, v);
    });
    return r;
}

}  // namespace

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
        for (size_t i = 0; i < results.size(); ++i)
            c.evaluations.push_back(evaluation_from(results[i], "evaluation.results[" + std::to_string(i) + "]"));
    }
    return c;
}

}  // namespace waypoint
