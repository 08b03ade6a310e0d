// A small persistent thread pool for the decode kernels.
//
// Why our own and not libtorch's OpenMP pool or OpenBLAS's threads: a decode
// step is ~10 matrix-vector products per layer of tens to hundreds of
// microseconds each; waking sleeping threads for every one of them costs more
// than the work, and two pools spinning on a 2-core machine fight each other
// (PEERS.md). Here the workers spin briefly between kernels (the next one
// comes within microseconds during a decode step) and then sleep on a
// condition variable, so they leave the cores to OpenBLAS during a prefill.
//
// Work is handed out in chunks from an atomic counter, and the calling thread
// takes chunks too: when a worker is late (the machine is busy with other
// processes) the caller simply does more of the work instead of waiting for a
// fixed share. One caller at a time: a second thread calling while the pool
// is busy (two sessions decoding at once) runs its job alone.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace waypoint::kernels {

class ThreadPool {
public:
    // The process-wide pool used by the CPU decode path.
    static ThreadPool& global();

    explicit ThreadPool(int threads);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    // Total threads including the caller; >= 1.
    void resize(int threads);
    int size() const { return static_cast<int>(workers_.size()) + 1; }

    // Calls fn(begin, end) over [0, total) in chunks of `grain` items, on
    // the caller and the workers, and returns when all chunks are done.
    // fn must not throw.
    template <class F>
    void parallel_for(int64_t total, int64_t grain, F&& fn) {
        run_raw(total, grain, &trampoline<std::remove_reference_t<F>>, &fn);
    }

private:
    using Job = void (*)(void* ctx, int64_t begin, int64_t end);
    template <class F>
    static void trampoline(void* ctx, int64_t begin, int64_t end) {
        (*static_cast<F*>(ctx))(begin, end);
    }
    void run_raw(int64_t total, int64_t grain, Job job, void* ctx);
    void work(Job job, void* ctx, int64_t total, int64_t grain);
    void worker_loop();
    void stop_workers();

    std::vector<std::thread> workers_;
    std::mutex busy_;  // one caller at a time

    // The current job, published by incrementing generation_ with open_ set.
    Job job_ = nullptr;
    void* ctx_ = nullptr;
    int64_t total_ = 0;
    int64_t grain_ = 1;
    std::atomic<int64_t> next_{0};
    std::atomic<uint64_t> generation_{0};
    std::atomic<bool> open_{false};   // workers may still join the current job
    std::atomic<int> active_{0};      // workers inside the current job
    std::atomic<int> sleeping_{0};
    std::atomic<bool> stop_{false};
    std::mutex sleep_mutex_;
    std::condition_variable wake_;
};

}  // namespace waypoint::kernels
