// Process start-up: what must happen before the libraries the engine loads
// read their settings.
#pragma once

namespace waypoint {

// Call first in main(). OpenBLAS picks its kernels from the CPU, or from
// OPENBLAS_CORETYPE, once, while it loads (before main()); a version older
// than the processor can fall back to kernels without AVX-512 on a CPU that
// has it (~35% slower prefill measured with the AVX2 "Haswell" set on Zen 5).
// So when OpenBLAS is the loaded BLAS, picked kernels without AVX-512, the CPU
// has AVX-512 (F, CD, BW, DQ, VL) and OPENBLAS_CORETYPE is not set, this
// restarts the program once (execv of /proc/self/exe, same arguments) with
// OPENBLAS_CORETYPE=SkylakeX, for one more process start. Otherwise (Debian
// 12's OpenBLAS 0.3.21 picks "Cooperlake" on Zen 5), with the variable set by
// the user, or with WAYPOINT_NO_BLAS_RESTART set, it returns at once.
void prefer_fast_blas(int argc, char** argv);

}  // namespace waypoint
