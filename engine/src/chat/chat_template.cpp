#include "waypoint/chat_template.h"

#include <algorithm>
#include <ctime>

#include <nlohmann/json.hpp>

#include "chat/chat_internal.h"
#include "chat/jinja/interpreter.h"
#include "chat/jinja/parser.h"
#include "json_nesting.h"
#include "waypoint/platform/calendar_time.h"

namespace waypoint {

namespace detail {
struct ChatProgram {
    jinja::Body body;
};
}  // namespace detail

namespace {

using jinja::Value;

Value from_json(const nlohmann::ordered_json& j) {
    switch (j.type()) {
    case nlohmann::ordered_json::value_t::null: return Value::none();
    case nlohmann::ordered_json::value_t::boolean: return Value::boolean(j.get<bool>());
    case nlohmann::ordered_json::value_t::number_integer: return Value::integer(j.get<int64_t>());
    case nlohmann::ordered_json::value_t::number_unsigned: return Value::integer(int64_t(j.get<uint64_t>()));
    case nlohmann::ordered_json::value_t::number_float: return Value::real(j.get<double>());
    case nlohmann::ordered_json::value_t::string: return Value::string(j.get<std::string>());
    case nlohmann::ordered_json::value_t::array: {
        jinja::List items;
        for (const auto& x : j) items.push_back(from_json(x));
        return Value::make_list(std::move(items));
    }
    case nlohmann::ordered_json::value_t::object: {
        Value d = Value::make_dict();
        for (auto it = j.begin(); it != j.end(); ++it) d.dict->set(Value::string(it.key()), from_json(it.value()));
        return d;
    }
    default: return Value::none();
    }
}

Value parse_json_list(const std::string& text, const std::string& template_name, const char* what) {
    // Before parsing: nlohmann and from_json recurse once per level.
    if (!detail::json_nesting_ok(text))
        throw ChatTemplateError(ErrorKind::InvalidArgument, template_name,
                                std::string("the ") + what + " nest more than " + std::to_string(detail::kMaxJsonNesting) +
                                    " levels deep",
                                false);
    nlohmann::ordered_json j;
    try {
        j = nlohmann::ordered_json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw ChatTemplateError(ErrorKind::InvalidArgument, template_name,
                                std::string("the ") + what + " are not valid JSON: " + e.what(), false);
    }
    if (!j.is_array())
        throw ChatTemplateError(ErrorKind::InvalidArgument, template_name,
                                std::string("the ") + what + " must be a JSON list of objects", false);
    return from_json(j);
}

std::string run(const detail::ChatProgram& program, const std::string& name, Value messages,
                const ChatTemplateOptions& options) {
    jinja::RenderContext ctx;
    ctx.variables["messages"] = std::move(messages);
    ctx.variables["tools"] = options.tools_json.empty() ? Value::none() : parse_json_list(options.tools_json, name, "tools");
    ctx.variables["documents"] = Value::none();
    ctx.variables["add_generation_prompt"] = Value::boolean(options.add_generation_prompt);
    ctx.variables["bos_token"] = Value::string(options.bos_token);
    ctx.variables["eos_token"] = Value::string(options.eos_token);
    ctx.limits.max_steps = options.limits.max_steps;
    ctx.limits.max_text = size_t(std::max<int64_t>(0, options.limits.max_text_bytes));
    ctx.limits.max_built = size_t(std::max<int64_t>(0, options.limits.max_built_bytes));
    ctx.limits.max_depth = options.limits.max_depth;
    std::time_t t = options.now ? std::time_t(*options.now) : std::time(nullptr);
    ctx.now = options.now ? platform::utc_time(t) : platform::local_time(t);
    try {
        return jinja::render(program.body, ctx);
    } catch (const jinja::TemplateError& e) {
        throw ChatTemplateError(ErrorKind::InvalidArgument, name, e.what(), e.raised());
    }
}

}  // namespace

ChatTemplate::ChatTemplate(const std::string& source, std::string name) : name_(std::move(name)), source_(source) {
    auto program = std::make_shared<detail::ChatProgram>();
    try {
        program->body = jinja::parse(source);
    } catch (const jinja::TemplateError& e) {
        throw ChatTemplateError(ErrorKind::BadFormat, name_, e.what(), false);
    }
    program_ = std::move(program);
}

std::string ChatTemplate::render(const std::vector<ChatMessage>& messages, const ChatTemplateOptions& options) const {
    jinja::List list;
    for (const auto& m : messages) {
        Value d = Value::make_dict();
        d.dict->set(Value::string("role"), Value::string(m.role));
        d.dict->set(Value::string("content"), Value::string(m.content));
        list.push_back(d);
    }
    return run(*program_, name_, Value::make_list(std::move(list)), options);
}

std::string ChatTemplate::render_json(const std::string& messages_json, const ChatTemplateOptions& options) const {
    return run(*program_, name_, parse_json_list(messages_json, name_, "messages"), options);
}

std::string detail::render_template_with(const std::string& source, const std::string& variables_json, int64_t now) {
    ChatTemplate parsed(source, "test");
    jinja::RenderContext ctx;
    Value vars = from_json(nlohmann::ordered_json::parse(variables_json));
    for (const auto& kv : vars.dict->items) ctx.variables[kv.first.s] = kv.second;
    std::time_t t = std::time_t(now);
    ctx.now = platform::utc_time(t);
    try {
        return jinja::render(parsed.program_->body, ctx);
    } catch (const jinja::TemplateError& e) {
        throw ChatTemplateError(ErrorKind::InvalidArgument, "test", e.what(), e.raised());
    }
}

std::string render_chat_template(const std::string& source, const std::string& name,
                                 const std::vector<ChatMessage>& messages, const std::string& bos_token,
                                 const std::string& eos_token, bool add_generation_prompt) {
    ChatTemplateOptions options;
    options.bos_token = bos_token;
    options.eos_token = eos_token;
    options.add_generation_prompt = add_generation_prompt;
    return ChatTemplate(source, name).render(messages, options);
}

}  // namespace waypoint
