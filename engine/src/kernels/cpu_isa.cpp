#include "kernels/cpu_isa.h"

#include <cstdlib>
#include <cstring>

namespace waypoint::kernels {

namespace {

Isa detect() {
    Isa best = Isa::Scalar;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        best = Isa::Avx2;
    if (best == Isa::Avx2 && __builtin_cpu_supports("avx512f") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))
        best = Isa::Avx512;
#endif
    // A cap from the environment, never an upgrade beyond what the CPU has.
    if (const char* cap = std::getenv("WAYPOINT_ISA")) {
        if (std::strcmp(cap, "scalar") == 0) best = Isa::Scalar;
        else if (std::strcmp(cap, "avx2") == 0 && best == Isa::Avx512) best = Isa::Avx2;
    }
    return best;
}

}  // namespace

Isa cpu_isa() {
    static const Isa isa = detect();
    return isa;
}

const char* to_string(Isa isa) {
    switch (isa) {
    case Isa::Avx512: return "avx512";
    case Isa::Avx2: return "avx2";
    default: return "scalar";
    }
}

}  // namespace waypoint::kernels
