// Python's operators on template values, as jinja2 evaluates them: attribute
// and item access (refusing the sandbox's mutating methods, as
// ImmutableSandboxedEnvironment does), `in`, and the arithmetic and string
// operators + - * / // % ** (the comparisons live in value.h).
#pragma once

#include <string>

#include "chat/jinja/value.h"

namespace waypoint::jinja {

// obj.name: a dict's key, else Undefined naming what is missing.
Value get_attr(const Value& obj, const std::string& name);
// obj[key]: a dict's key, a sequence's (negative) index, else obj.key.
Value get_item(const Value& obj, const Value& key);
// `item in container` for strings, lists, tuples and mappings.
bool contains_value(const Value& container, const Value& item);
// l op r for op in + - * / // % **, with Python's int/float rules; every
// list or string it builds is charged to the render's budget first.
Value arithmetic(const std::string& op, const Value& l, const Value& r);

}  // namespace waypoint::jinja
