// Devices and CPU threads (model.h): what the linked libtorch can use here.
#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <ATen/detail/CUDAHooksInterface.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>

#include <string>
#include <thread>
#include <vector>

#include "kernels/thread_pool.h"
#include "waypoint/platform/process_memory.h"
#include "waypoint/platform/shared_library.h"
#include "waypoint/error.h"
#include "waypoint/model.h"

namespace waypoint {

namespace {

int cuda_devices() {
    try {
        if (!at::hasCUDA()) return 0;
        return static_cast<int>(at::detail::getCUDAHooks().getNumGPUs());
    } catch (const std::exception&) {
        return 0;  // a CUDA build on a machine without a driver
    }
}

bool has_mps() {
    try {
        return at::hasMPS();
    } catch (const std::exception&) {
        return false;
    }
}

std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& d : v) s += (s.empty() ? "" : ", ") + d;
    return s;
}

}  // namespace

std::vector<std::string> available_devices() {
    std::vector<std::string> out{"cpu"};
    const int n = cuda_devices();
    for (int i = 0; i < n; ++i) out.push_back("cuda:" + std::to_string(i));
    if (has_mps()) out.push_back("mps");
    return out;
}

std::string resolve_device(const std::string& requested) {
    const std::vector<std::string> avail = available_devices();
    if (requested.empty() || requested == "auto") {
        if (cuda_devices() > 0) return "cuda:0";
        if (has_mps()) return "mps";
        return "cpu";
    }
    const auto unavailable = [&] {
        return Error(ErrorKind::DeviceUnavailable,
                     "device '" + requested + "' is not available in this build or on this machine; "
                     "available: " + joined(avail));
    };
    at::Device dev(at::kCPU);
    try {
        dev = at::Device(requested);
    } catch (const std::exception&) {
        throw Error(ErrorKind::InvalidArgument,
                    "unknown device '" + requested + "'; use cpu, cuda, cuda:N, mps or auto");
    }
    if (dev.is_cpu()) return "cpu";
    if (dev.is_cuda()) {
        const int n = cuda_devices();
        const int index = dev.has_index() ? dev.index() : 0;
        if (index >= n) throw unavailable();
        return "cuda:" + std::to_string(index);
    }
    if (dev.is_mps()) {
        if (!has_mps()) throw unavailable();
        return "mps";
    }
    throw unavailable();
}

namespace detail {
// Set once any thread count was applied; Model::load applies the defaults
// when nobody did (see ensure_cpu_threads in model_impl.h).
std::atomic<bool> g_cpu_threads_set{false};

void ensure_cpu_threads() {
    if (!g_cpu_threads_set.load()) set_cpu_threads(0);
    // A prefill allocates tensors of a few MB per op. With glibc's defaults
    // they are mmap'ed and unmapped each time, and every use pays page faults
    // and page clearing (~8% of a 256-token prefill here); keep them in the
    // heap instead. Process-wide, applied once.
    static const bool tuned = [] {
        platform::keep_large_allocations_in_heap();
        return true;
    }();
    (void)tuned;
}
}  // namespace detail

void set_cpu_threads(int threads) {
    detail::g_cpu_threads_set.store(true);
    if (threads <= 0) {
        const unsigned hc = std::thread::hardware_concurrency();
        threads = hc == 0 ? 1 : static_cast<int>(hc);
    }
    // Decode: our own pool (kernels/thread_pool.h) runs the matrix-vector
    // products. Prefill: GEMMs run on OpenBLAS's threads. libtorch's OpenMP
    // pool only runs the small element-wise ops of a prefill; giving it one
    // thread keeps it from spinning against OpenBLAS on a 2-core machine
    // (PEERS.md: with both at 2 threads the eager loop gets slower).
    kernels::ThreadPool::global().resize(threads);
    int torch_threads = 1;
    if (const char* v = std::getenv("WAYPOINT_TORCH_THREADS")) torch_threads = std::max(1, std::atoi(v));  // diagnostics
    at::set_num_threads(torch_threads);
    // OpenBLAS is found at run time: Debian's libblas.so.3 may be OpenBLAS
    // (pthread or OpenMP build), BLIS or the reference BLAS.
    using SetThreads = void (*)(int);
    if (auto fn = reinterpret_cast<SetThreads>(platform::find_loaded_symbol("openblas_set_num_threads")))
        fn(threads);
}

}  // namespace waypoint
