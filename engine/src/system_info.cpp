// system_info() (waypoint/system_info.h).
#include "waypoint/system_info.h"

#include <atomic>
#include <thread>

#include <torch/version.h>

#include "kernels/cpu_isa.h"
#include "kernels/thread_pool.h"
#include "waypoint/model.h"
#include "waypoint/platform/shared_library.h"

namespace waypoint {

namespace detail {
extern std::atomic<bool> g_cpu_threads_set;  // devices.cpp
}

namespace {

// OpenBLAS is found at run time (Debian's libblas.so.3 may be OpenBLAS, BLIS
// or the reference BLAS); only OpenBLAS says what it is.
std::string blas_description() {
    using Text = char* (*)();
    auto config = reinterpret_cast<Text>(platform::find_loaded_symbol("openblas_get_config"));
    if (!config) return "";
    std::string s = config();
    if (auto core = reinterpret_cast<Text>(platform::find_loaded_symbol("openblas_get_corename")))
        s += std::string(" (core ") + core() + ")";
    return s;
}

}  // namespace

SystemInfo system_info() {
    SystemInfo info;
    info.cpu_isa = kernels::to_string(kernels::cpu_isa());
    info.compute_threads = detail::g_cpu_threads_set.load() ? kernels::ThreadPool::global().size() : 0;
    info.hardware_threads = static_cast<int>(std::thread::hardware_concurrency());
    info.devices = available_devices();
    info.blas = blas_description();
    info.torch_version = TORCH_VERSION;
    return info;
}

}  // namespace waypoint
