// Environment variables of this process, and starting this program again
// with a changed environment (a library that reads a variable only when it
// is loaded, like OpenBLAS's OPENBLAS_CORETYPE, needs a fresh start).
#pragma once

#include <string>

namespace waypoint::platform {

// Sets `name` to `value` for this process and the programs it starts
// (setenv; _putenv_s on Windows).
void set_environment(const std::string& name, const std::string& value);
void unset_environment(const std::string& name);

// Replaces this process with a new start of its own executable, with the
// same arguments (`argv` as main received it) and the current environment.
// Linux: execv of /proc/self/exe. Returns only when that is not possible
// (elsewhere it is never tried: returns at once).
void restart_self(char** argv);

}  // namespace waypoint::platform
