// What the engine runs on, for benchmark reports, bug reports and the app's
// About box: the CPU kernels' instruction set, thread counts, the devices the
// linked libtorch can use and the BLAS library prefill's GEMMs run on.
#pragma once

#include <string>
#include <vector>

namespace waypoint {

struct SystemInfo {
    std::string cpu_isa;               // the CPU kernels' choice: "avx512", "avx2" or "scalar"
    int compute_threads = 0;           // threads of the CPU decode kernels (set_cpu_threads; 0 = not set yet)
    int hardware_threads = 0;          // logical CPUs the system reports (0 when unknown)
    std::vector<std::string> devices;  // available_devices(): "cpu", then "cuda:N", "mps"
    std::string blas;                  // e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH ... (core Haswell)"; "" when unknown
    std::string torch_version;         // the linked libtorch, e.g. "1.13.1"
};

// Cheap (no model needed); safe to call from any thread.
SystemInfo system_info();

}  // namespace waypoint
