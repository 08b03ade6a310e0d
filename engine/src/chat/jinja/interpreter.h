// Renders a parsed template: jinja2's runtime semantics for the statements
// and expressions in ast.h (scoping of {% set %} in loops and macros, the
// loop variable, Undefined, short-circuit and/or, Python operators).
#pragma once

#include <ctime>
#include <functional>
#include <map>
#include <string>

#include "chat/jinja/ast.h"
#include "chat/jinja/budget.h"

namespace waypoint::jinja {

struct RenderContext {
    std::map<std::string, Value> variables;  // messages, bos_token, add_generation_prompt, ...
    std::tm now{};                           // what strftime_now formats
    Limits limits;                           // what the render may use (budget.h)
};

// Throws TemplateError (raised() for raise_exception) on a failure, also
// when the template reaches one of context.limits.
std::string render(const Body& program, const RenderContext& context);

// Filters and tests (filters.cpp). `name` exists (has_filter/has_test).
Value apply_filter(const std::string& name, const Value& value, Args& args);
bool apply_test(const std::string& name, const Value& value, Args& args);
// Methods of str, list and dict values (methods.cpp): s.strip(), d.get(k), ...
// Returns false when `value` has no method `name`.
bool has_method(const Value& value, const std::string& name);
Value call_method(const Value& value, const std::string& name, Args& args);
// json.dumps as transformers' tojson filter calls it (json.cpp).
std::string to_json(const Value& value, const Args& args);

// markupsafe.escape: & < > " ' as HTML entities.
std::string html_escape(const std::string& s);

// Raised when a value that must exist is Undefined: jinja2's UndefinedError.
[[noreturn]] void fail_undefined(const Value& v);

}  // namespace waypoint::jinja
