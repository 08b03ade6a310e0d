#include "waypoint/platform/environment.h"

#include <cstdlib>

#if !defined(_WIN32)
#include <unistd.h>
#endif

namespace waypoint::platform {

void set_environment(const std::string& name, const std::string& value) {
#if defined(_WIN32)
    ::_putenv_s(name.c_str(), value.c_str());
#else
    ::setenv(name.c_str(), value.c_str(), 1);
#endif
}

void unset_environment(const std::string& name) {
#if defined(_WIN32)
    ::_putenv_s(name.c_str(), "");  // an empty value removes the variable there
#else
    ::unsetenv(name.c_str());
#endif
}

void restart_self(char** argv) {
#if defined(__linux__)
    ::execv("/proc/self/exe", argv);  // returns only on failure
#else
    (void)argv;
#endif
}

}  // namespace waypoint::platform
