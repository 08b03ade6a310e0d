#include "kernels/thread_pool.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace waypoint::kernels {

namespace {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#else
    std::this_thread::yield();
#endif
}

// About 1-2 ms of spinning before a worker sleeps: long enough to stay awake
// across a whole decode step (and the sampling between two steps), short
// enough to hand the core back quickly once generation stops.
constexpr int kSpinsBeforeSleep = 1 << 15;

int default_threads() {
    unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(n);
}

}  // namespace

ThreadPool& ThreadPool::global() {
    static ThreadPool pool(default_threads());
    return pool;
}

ThreadPool::ThreadPool(int threads) { resize(threads); }

ThreadPool::~ThreadPool() { stop_workers(); }

void ThreadPool::stop_workers() {
    {
        std::lock_guard<std::mutex> lock(sleep_mutex_);
        stop_.store(true);
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
    stop_.store(false);
}

void ThreadPool::resize(int threads) {
    std::lock_guard<std::mutex> busy(busy_);
    if (threads < 1) threads = 1;
    if (threads == size()) return;
    stop_workers();
    generation_.store(0);
    for (int i = 1; i < threads; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

void ThreadPool::run_raw(Job job, void* ctx) {
    std::unique_lock<std::mutex> busy(busy_, std::try_to_lock);
    if (!busy.owns_lock() || workers_.empty()) {
        job(ctx, 0, 1);  // alone: another session holds the pool, or no workers
        return;
    }
    job_ = job;
    ctx_ = ctx;
    count_ = size();
    done_.store(0, std::memory_order_relaxed);
    generation_.fetch_add(1);  // seq_cst: ordered before the sleeping_ check
    if (sleeping_.load() > 0) {
        std::lock_guard<std::mutex> lock(sleep_mutex_);
        wake_.notify_all();
    }
    job(ctx, 0, count_);
    const int others = count_ - 1;
    while (done_.load(std::memory_order_acquire) < others) cpu_relax();
}

void ThreadPool::worker_loop(int index) {
    uint64_t seen = generation_.load();
    for (;;) {
        int spins = 0;
        while (generation_.load(std::memory_order_acquire) == seen) {
            if (stop_.load(std::memory_order_relaxed)) return;
            if (++spins < kSpinsBeforeSleep) {
                cpu_relax();
                continue;
            }
            std::unique_lock<std::mutex> lock(sleep_mutex_);
            sleeping_.fetch_add(1);
            wake_.wait(lock, [&] { return stop_.load() || generation_.load() != seen; });
            sleeping_.fetch_sub(1);
            spins = 0;
        }
        if (stop_.load()) return;
        seen = generation_.load(std::memory_order_acquire);
        job_(ctx_, index, count_);
        done_.fetch_add(1, std::memory_order_release);
    }
}

}  // namespace waypoint::kernels
