// A small persistent thread pool for the decode kernels.
//
// Why our own and not libtorch's OpenMP pool or OpenBLAS's threads: a decode
// step is ~10 matrix-vector products per layer of a few hundred microseconds
// each; waking sleeping threads for every one of them costs more than the work,
// and two pools spinning on a 2-core machine fight each other (PEERS.md). Here
// the workers spin briefly between kernels (the next one comes within
// microseconds during a decode step) and then sleep on a condition variable,
// so they leave the cores to OpenBLAS during a prefill.
//
// The calling thread is worker 0. One caller at a time: a second thread that
// calls run() while the pool is busy (two sessions decoding at once) runs its
// job alone on its own thread instead of waiting.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
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

    // Total threads including the caller; >= 1. Not while a job runs.
    void resize(int threads);
    int size() const { return static_cast<int>(workers_.size()) + 1; }

    // Calls fn(index, count) on `count` threads (index 0 on the caller) and
    // returns when all have finished. fn must not throw.
    template <class F>
    void run(F&& fn) {
        run_raw(&trampoline<std::remove_reference_t<F>>, &fn);
    }

private:
    using Job = void (*)(void* ctx, int index, int count);
    template <class F>
    static void trampoline(void* ctx, int index, int count) {
        (*static_cast<F*>(ctx))(index, count);
    }
    void run_raw(Job job, void* ctx);
    void worker_loop(int index);
    void stop_workers();

    std::vector<std::thread> workers_;
    std::mutex busy_;  // one caller at a time

    // The current job, published by incrementing generation_.
    Job job_ = nullptr;
    void* ctx_ = nullptr;
    int count_ = 1;
    std::atomic<uint64_t> generation_{0};
    std::atomic<int> done_{0};
    std::atomic<int> sleeping_{0};
    std::atomic<bool> stop_{false};
    std::mutex sleep_mutex_;
    std::condition_variable wake_;
};

}  // namespace waypoint::kernels
