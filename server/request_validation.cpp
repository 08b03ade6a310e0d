// Every field OpenAI documents for these requests is checked for its JSON
// type and range; unknown fields are ignored (clients send newer ones), as
// OpenAI's own server does. Messages name the field as the client wrote it.
#include "request_validation.h"

#include <cmath>
#include <limits>
#include <string>

#include <nlohmann/json.hpp>

namespace waypoint::server {
namespace {

using json = nlohmann::json;

// A check failed: carries the ApiError out of the helpers below.
struct Invalid {
    ApiError error;
};

[[noreturn]] void fail(const std::string& param, const std::string& message) {
    throw Invalid{bad_request(message, param)};
}

const char* type_name(const json& v) {
    switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::string: return "a string";
    case json::value_t::array: return "an array";
    case json::value_t::object: return "an object";
    case json::value_t::number_float: return "a number";
    default: return "an integer";
    }
}

json parse_object(std::string_view body) {
    json j;
    try {
        j = json::parse(body.begin(), body.end());
    } catch (const json::parse_error& e) {
        throw Invalid{bad_request("The request body is not valid JSON (at byte " + std::to_string(e.byte) +
                                      "). Send a JSON object with Content-Type: application/json.",
                                  "")};
    } catch (const json::exception& e) {  // e.g. a number too large for a double
        throw Invalid{bad_request(std::string("The request body is not valid JSON: ") + e.what(), "")};
    }
    if (!j.is_object())
        throw Invalid{bad_request(std::string("The request body must be a JSON object, not ") + type_name(j) + ".", "")};
    return j;
}

// The field when present and not null.
const json* field(const json& obj, const char* name) {
    auto it = obj.find(name);
    if (it == obj.end() || it->is_null()) return nullptr;
    return &*it;
}

double number(const json& obj, const char* name, double lo, double hi, double fallback) {
    const json* v = field(obj, name);
    if (!v) return fallback;
    if (!v->is_number()) fail(name, std::string("'") + name + "' must be a number, not " + type_name(*v) + ".");
    const double x = v->get<double>();
    if (!std::isfinite(x) || x < lo || x > hi)
        fail(name, std::string("'") + name + "' must be between " + json(lo).dump() + " and " + json(hi).dump() +
                       ", got " + v->dump() + ".");
    return x;
}

long long integer(const json& obj, const char* name, long long lo, long long hi, long long fallback) {
    const json* v = field(obj, name);
    if (!v) return fallback;
    bool whole = v->is_number_integer();
    if (v->is_number_float()) {  // 5.0 is an integer in JSON's eyes, 5.5 is not
        const double d = v->get<double>();
        whole = std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9e15;
    }
    if (!whole) fail(name, std::string("'") + name + "' must be an integer, not " + type_name(*v) + ".");
    long long x = 0;
    if (v->is_number_unsigned()) {
        const auto u = v->get<unsigned long long>();
        if (u > static_cast<unsigned long long>(hi))
            fail(name, std::string("'") + name + "' must be between " + std::to_string(lo) + " and " +
                           std::to_string(hi) + ", got " + v->dump() + ".");
        x = static_cast<long long>(u);
    } else if (v->is_number_integer()) {
        x = v->get<long long>();
    } else {
        x = static_cast<long long>(v->get<double>());
    }
    if (x < lo || x > hi)
        fail(name, std::string("'") + name + "' must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
                       ", got " + v->dump() + ".");
    return x;
}

bool boolean(const json& obj, const char* name, bool fallback) {
    const json* v = field(obj, name);
    if (!v) return fallback;
    if (!v->is_boolean()) fail(name, std::string("'") + name + "' must be true or false, not " + type_name(*v) + ".");
    return v->get<bool>();
}

std::string string(const json& obj, const char* name, const std::string& fallback) {
    const json* v = field(obj, name);
    if (!v) return fallback;
    if (!v->is_string()) fail(name, std::string("'") + name + "' must be a string, not " + type_name(*v) + ".");
    return v->get<std::string>();
}

std::optional<uint64_t> seed(const json& obj) {
    const json* v = field(obj, "seed");
    if (!v) return std::nullopt;
    if (v->is_number_unsigned()) return v->get<uint64_t>();
    // OpenAI takes any 64-bit integer; a negative one is used by its bits.
    return static_cast<uint64_t>(integer(obj, "seed", std::numeric_limits<long long>::min(),
                                         std::numeric_limits<long long>::max(), 0));
}

std::vector<std::string> stop_list(const json& obj) {
    const json* v = field(obj, "stop");
    std::vector<std::string> out;
    if (!v) return out;
    if (v->is_string()) {
        out.push_back(v->get<std::string>());
    } else if (v->is_array()) {
        if (v->size() > static_cast<size_t>(kMaxStopStrings))
            fail("stop", "'stop' takes at most " + std::to_string(kMaxStopStrings) + " strings, got " +
                             std::to_string(v->size()) + ".");
        for (const json& s : *v) {
            if (!s.is_string()) fail("stop", std::string("'stop' must hold strings, not ") + type_name(s) + ".");
            out.push_back(s.get<std::string>());
        }
    } else {
        fail("stop", std::string("'stop' must be a string or a list of strings, not ") + type_name(*v) + ".");
    }
    for (const std::string& s : out)
        if (s.empty()) fail("stop", "'stop' strings must not be empty.");
    return out;
}

SamplingRequest sampling(const json& j) {
    SamplingRequest s;
    s.model = string(j, "model", "");
    if (field(j, "max_tokens")) s.max_tokens = static_cast<int>(integer(j, "max_tokens", 1, kMaxTokensLimit, 16));
    // Newer chat clients send max_completion_tokens instead.
    if (field(j, "max_completion_tokens"))
        s.max_tokens = static_cast<int>(integer(j, "max_completion_tokens", 1, kMaxTokensLimit, 16));
    s.temperature = static_cast<float>(number(j, "temperature", 0.0, 2.0, 1.0));
    s.top_p = static_cast<float>(number(j, "top_p", 0.0, 1.0, 1.0));
    s.top_k = static_cast<int>(integer(j, "top_k", 0, 1 << 20, 0));
    s.min_p = static_cast<float>(number(j, "min_p", 0.0, 1.0, 0.0));
    s.repeat_penalty = static_cast<float>(number(j, "repeat_penalty", 0.01, 10.0, 1.0));  // the engine needs > 0
    (void)number(j, "presence_penalty", -2.0, 2.0, 0.0);   // accepted, not applied (no such step in the engine)
    (void)number(j, "frequency_penalty", -2.0, 2.0, 0.0);  // likewise
    s.stop = stop_list(j);
    s.seed = seed(j);
    s.n = static_cast<int>(integer(j, "n", 1, kMaxChoices, 1));
    s.stream = boolean(j, "stream", false);
    if (const json* so = field(j, "stream_options")) {
        if (!so->is_object())
            fail("stream_options", std::string("'stream_options' must be an object, not ") + type_name(*so) + ".");
        if (!s.stream) fail("stream_options", "'stream_options' is only allowed with \"stream\": true.");
        s.include_usage = boolean(*so, "include_usage", false);
    }
    s.user = string(j, "user", "");
    return s;
}

std::string message_content(const json& m, size_t index) {
    const std::string param = "messages[" + std::to_string(index) + "].content";
    const json* c = field(m, "content");
    if (!c) return "";  // an assistant message with tool calls only
    if (c->is_string()) return c->get<std::string>();
    if (c->is_array()) {  // content parts: only text parts can be read by a text model
        std::string text;
        for (const json& part : *c) {
            if (!part.is_object() || string(part, "type", "") != "text" || !field(part, "text") ||
                !part["text"].is_string())
                fail(param, "'" + param + "' parts must be {\"type\": \"text\", \"text\": \"...\"}; this model reads text only.");
            text += part["text"].get<std::string>();
        }
        return text;
    }
    fail(param, "'" + param + "' must be a string or a list of text parts, not " + std::string(type_name(*c)) + ".");
}

std::vector<ChatMessageIn> messages(const json& j) {
    const json* v = field(j, "messages");
    if (!v) fail("messages", "'messages' is required: a list of {\"role\", \"content\"} objects.");
    if (!v->is_array()) fail("messages", std::string("'messages' must be a list, not ") + type_name(*v) + ".");
    if (v->empty()) fail("messages", "'messages' must hold at least one message.");
    std::vector<ChatMessageIn> out;
    for (size_t i = 0; i < v->size(); ++i) {
        const json& m = (*v)[i];
        const std::string at = "messages[" + std::to_string(i) + "]";
        if (!m.is_object()) fail(at, "'" + at + "' must be an object, not " + std::string(type_name(m)) + ".");
        const json* role = field(m, "role");
        if (!role || !role->is_string()) fail(at + ".role", "'" + at + ".role' is required: a string.");
        const std::string r = role->get<std::string>();
        if (r != "system" && r != "developer" && r != "user" && r != "assistant" && r != "tool")
            fail(at + ".role", "'" + at + ".role' must be one of system, developer, user, assistant, tool; got \"" +
                                   r + "\".");
        out.push_back({r == "developer" ? "system" : r, message_content(m, i)});
    }
    return out;
}

template <class T, class F>
Parsed<T> guarded(F&& f) {
    try {
        return f();
    } catch (const Invalid& invalid) {
        return invalid.error;
    } catch (const std::exception& e) {  // a json accessor on an odd shape: still the client's fault
        return bad_request(std::string("The request could not be read: ") + e.what(), "");
    }
}

}  // namespace

Parsed<CompletionRequest> parse_completion_request(std::string_view body) {
    return guarded<CompletionRequest>([&] {
        const json j = parse_object(body);
        CompletionRequest r;
        r.sampling = sampling(j);
        const json* p = field(j, "prompt");
        if (!p) fail("prompt", "'prompt' is required: a string or a list of strings.");
        if (p->is_string()) {
            r.prompts.push_back(p->get<std::string>());
        } else if (p->is_array() && !p->empty()) {
            if (p->size() > static_cast<size_t>(kMaxChoices))
                fail("prompt", "'prompt' takes at most " + std::to_string(kMaxChoices) + " prompts per request.");
            for (const json& s : *p) {
                if (!s.is_string())
                    fail("prompt", std::string("'prompt' must be a string or a list of strings; found ") + type_name(s) +
                                       " in the list (token-id prompts are not supported).");
                r.prompts.push_back(s.get<std::string>());
            }
        } else {
            fail("prompt", std::string("'prompt' must be a string or a non-empty list of strings, not ") +
                               (p->is_array() ? "an empty list" : type_name(*p)) + ".");
        }
        if (r.prompts.size() * static_cast<size_t>(r.sampling.n) > static_cast<size_t>(kMaxChoices))
            fail("n", "'n' times the number of prompts must be at most " + std::to_string(kMaxChoices) + ".");
        if (field(j, "logprobs")) r.logprobs = static_cast<int>(integer(j, "logprobs", 0, 5, 0));
        r.echo = boolean(j, "echo", false);
        (void)integer(j, "best_of", 1, 1, 1);  // only 1: the server does not rank candidates
        (void)string(j, "suffix", "");
        return r;
    });
}

Parsed<ChatRequest> parse_chat_request(std::string_view body) {
    return guarded<ChatRequest>([&] {
        const json j = parse_object(body);
        ChatRequest r;
        r.sampling = sampling(j);
        r.messages = messages(j);
        r.logprobs = boolean(j, "logprobs", false);
        r.top_logprobs = static_cast<int>(integer(j, "top_logprobs", 0, 20, 0));
        if (field(j, "top_logprobs") && !r.logprobs)
            fail("top_logprobs", "'top_logprobs' needs \"logprobs\": true.");
        if (const json* tools = field(j, "tools"); tools && !tools->empty())
            fail("tools", "'tools' is not supported: this server has no tool calling.");
        if (const json* rf = field(j, "response_format")) {
            if (!rf->is_object() || string(*rf, "type", "text") != "text")
                fail("response_format", "'response_format' may only be {\"type\": \"text\"} here.");
        }
        return r;
    });
}

Parsed<GenerateRequest> parse_generate_request(std::string_view body) {
    return guarded<GenerateRequest>([&] {
        const json j = parse_object(body);
        GenerateRequest r;
        const json* p = field(j, "prompt");
        if (!p) fail("prompt", "'prompt' is required: a string.");
        r.prompt = string(j, "prompt", "");
        r.max_new_tokens = static_cast<int>(integer(j, "max_new_tokens", 1, kMaxTokensLimit, 64));
        r.temperature = static_cast<float>(number(j, "temperature", 0.0, 100.0, 1.0));
        r.top_k = static_cast<int>(integer(j, "top_k", 0, 1 << 20, 0));
        r.top_p = static_cast<float>(number(j, "top_p", 0.0, 1.0, 1.0));
        r.do_sample = boolean(j, "do_sample", false);
        r.seed = seed(j);
        return r;
    });
}

}  // namespace waypoint::server
