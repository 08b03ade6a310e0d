#include "waypoint/startup.h"

#include <cctype>
#include <cstdlib>
#include <string>

#include "waypoint/platform/environment.h"
#include "waypoint/platform/shared_library.h"

namespace waypoint {

namespace {

bool cpu_has_avx512() {
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
           __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512vl");
#else
    return false;
#endif
}

// OpenBLAS's kernel set ("Haswell", "Zen", "SkylakeX", ...) or "" when the
// BLAS in this process is not OpenBLAS.
std::string openblas_core() {
    using CoreName = char* (*)();
    auto fn = reinterpret_cast<CoreName>(platform::find_loaded_symbol("openblas_get_corename"));
    if (!fn) return "";
    const char* s = fn();
    std::string name = s ? s : "";
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return name;
}

}  // namespace

void prefer_fast_blas(int argc, char** argv) {
    (void)argc;
    if (std::getenv("OPENBLAS_CORETYPE") || std::getenv("WAYPOINT_NO_BLAS_RESTART")) return;
    const std::string core = openblas_core();
    if (core.empty() || core.find("skylakex") != std::string::npos ||
        core.find("cooperlake") != std::string::npos || core.find("sapphire") != std::string::npos)
        return;
    if (!cpu_has_avx512()) return;
    // Set for the new image; a second start that still sees a non-AVX-512
    // core never gets here again (the variable is set).
    platform::set_environment("OPENBLAS_CORETYPE", "SkylakeX");
    platform::restart_self(argv);
    platform::unset_environment("OPENBLAS_CORETYPE");  // no restart: carry on with what we have
}

}  // namespace waypoint
