#include "kernels/thread_pool.h"

#include <algorithm>

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

// About a millisecond of spinning before a worker sleeps: long enough to stay
// awake across a decode step (and the sampling between two steps), short
// enough to hand the core back soon after generation stops.
constexpr int kSpinsBeforeSleep = 1 << 14;

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
    threads = std::max(1, threads);
    if (threads == size()) return;
    stop_workers();
    for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { worker_loop(); });
}

void ThreadPool::work(Job job, void* ctx, int64_t total, int64_t grain) {
    for (;;) {
        const int64_t b = next_.fetch_add(grain, std::memory_order_relaxed);
        if (b >= total) return;
        job(ctx, b, std::min(b + grain, total));
    }
}

void ThreadPool::run_raw(int64_t total, int64_t grain, Job job, void* ctx) {
    if (total <= 0) return;
    grain = std::max<int64_t>(1, grain);
    std::unique_lock<std::mutex> busy(busy_, std::try_to_lock);
    if (!busy.owns_lock() || workers_.empty() || total <= grain) {
        job(ctx, 0, total);  // alone: another session holds the pool, or nothing to share
        return;
    }
    job_ = job;
    ctx_ = ctx;
    total_ = total;
    grain_ = grain;
    next_.store(0, std::memory_order_relaxed);
    open_.store(true);
    generation_.fetch_add(1);  // seq_cst: publishes the job before the sleeping_ check
    if (sleeping_.load() > 0) {
        std::lock_guard<std::mutex> lock(sleep_mutex_);
        wake_.notify_all();
    }
    work(job, ctx, total, grain);
    // No chunk is left to take. Close the job to late workers, then wait for
    // the chunks still running on workers that joined.
    open_.store(false);
    while (active_.load() > 0) cpu_relax();
}

void ThreadPool::worker_loop() {
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
        seen = generation_.load();
        // Join only while the caller still holds this job open (seq_cst pairs
        // with open_.store(false) / active_.load() in run_raw).
        active_.fetch_add(1);
        if (open_.load() && generation_.load() == seen) work(job_, ctx_, total_, grain_);
        active_.fetch_sub(1);
    }
}

}  // namespace waypoint::kernels
