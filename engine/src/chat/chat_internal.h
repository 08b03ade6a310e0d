// Engine-internal entry for tests: render a template with any variables.
#pragma once

#include <cstdint>
#include <string>

namespace waypoint::detail {

// `variables_json` is a JSON object whose keys become template variables;
// strftime_now sees `now` (seconds since 1970, UTC). Throws ChatTemplateError.
std::string render_template_with(const std::string& source, const std::string& variables_json, int64_t now);

}  // namespace waypoint::detail
