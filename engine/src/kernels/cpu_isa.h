// Which vector instruction set the CPU kernels use, chosen once at run time
// (__builtin_cpu_supports), so one binary runs on any x86-64 CPU.
#pragma once

namespace waypoint::kernels {

enum class Isa { Scalar, Avx2, Avx512 };

// The best the CPU offers: Avx512 needs AVX-512 F+BW+VL, Avx2 needs AVX2+FMA+F16C.
// WAYPOINT_ISA=scalar|avx2|avx512 in the environment caps it (for tests and
// measurements).
Isa cpu_isa();
const char* to_string(Isa isa);

}  // namespace waypoint::kernels
