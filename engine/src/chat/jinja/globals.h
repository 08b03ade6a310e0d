// The functions every chat template can call, as transformers installs them:
// range, namespace, dict, raise_exception and strftime_now.
#pragma once

#include <ctime>
#include <string>
#include <unordered_map>

#include "chat/jinja/value.h"

namespace waypoint::jinja {

// Adds them to `vars`; strftime_now formats `now`.
void install_globals(std::unordered_map<std::string, Value>& vars, const std::tm& now);

}  // namespace waypoint::jinja
