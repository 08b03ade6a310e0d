// Template source -> statement tree, with jinja2's grammar and precedence.
#pragma once

#include <string>

#include "chat/jinja/ast.h"

namespace waypoint::jinja {

// Throws TemplateError("... (line N)") on a syntax error, an unknown tag,
// or a filter or test that does not exist (jinja2 rejects those when it
// compiles the template, before rendering).
Body parse(const std::string& source);

// Whether a filter / test of this name exists (filters.cpp).
bool has_filter(const std::string& name);
bool has_test(const std::string& name);

}  // namespace waypoint::jinja
