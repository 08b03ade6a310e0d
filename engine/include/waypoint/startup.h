// Process start-up: what must happen before the libraries the engine loads
// read their settings.
#pragma once

namespace waypoint {

// Call first in main(). Debian 12's OpenBLAS (0.3.21) does not know recent
// processors such as AMD Zen 5 and runs its AVX2 ("Haswell") kernels on them
// although they have AVX-512; it reads OPENBLAS_CORETYPE only while it loads,
// before main(). So when OpenBLAS is the loaded BLAS, picked kernels without
// AVX-512, the CPU has AVX-512 (F, CD, BW, DQ, VL) and OPENBLAS_CORETYPE is not
// set, this restarts the program once (execv of /proc/self/exe, same
// arguments) with OPENBLAS_CORETYPE=SkylakeX: +35-45% prefill measured on Zen 5,
// for one more process start (the libraries load twice). Otherwise, or when
// WAYPOINT_NO_BLAS_RESTART is set, it returns at once.
void prefer_fast_blas(int argc, char** argv);

}  // namespace waypoint
