#include "serial_scheduler.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "waypoint/session.h"

#ifdef WAYPOINT_SCREENSHOT_HOOKS
#include <cstdlib>
#endif

namespace waypoint::server {
namespace {

class SerialScheduler final : public GenerationScheduler {
public:
    SerialScheduler(std::shared_ptr<const waypoint::Model> model, int slots) : model_(std::move(model)) {
        slots_ = slots < 1 ? 1 : slots;
        for (int i = 0; i < slots_; ++i) workers_.emplace_back([this] { work(); });
    }

    ~SerialScheduler() override {
        drain(std::chrono::milliseconds(0));
        {
            std::lock_guard<std::mutex> lock(mutex_);
            quit_ = true;
        }
        wake_.notify_all();
        for (std::thread& t : workers_) t.join();
    }

    JobId submit(GenerationJob job) override {
        std::unique_lock<std::mutex> lock(mutex_);
        const JobId id = ++last_id_;
        if (draining_) {
            lock.unlock();
            if (job.on_done) job.on_done(refused_while_draining());
            return id;
        }
        queue_.push_back({id, std::move(job)});
        lock.unlock();
        wake_.notify_one();
        return id;
    }

    void cancel(JobId id) override {
        std::unique_lock<std::mutex> lock(mutex_);
        if (auto it = running_.find(id); it != running_.end()) {
            it->second->store(true);
            return;
        }
        for (auto it = queue_.begin(); it != queue_.end(); ++it) {
            if (it->id != id) continue;
            GenerationJob job = std::move(it->job);
            queue_.erase(it);
            lock.unlock();
            idle_.notify_all();
            GenerationOutcome dropped;
            dropped.cancelled = true;
            dropped.stats.finish = waypoint::FinishReason::Stopped;
            if (job.on_done) job.on_done(dropped);
            return;
        }
    }

    SchedulerLoad load() const override {
        std::lock_guard<std::mutex> lock(mutex_);
        return {slots_, static_cast<int>(running_.size()), static_cast<int>(queue_.size())};
    }

    void drain(std::chrono::milliseconds limit) override {
        std::unique_lock<std::mutex> lock(mutex_);
        draining_ = true;
        idle_.wait_for(lock, limit, [this] { return queue_.empty() && running_.empty(); });
        std::vector<JobId> left;
        for (const Queued& q : queue_) left.push_back(q.id);
        for (const auto& [id, flag] : running_) left.push_back(id);
        lock.unlock();
        for (JobId id : left) cancel(id);
        lock.lock();
        idle_.wait(lock, [this] { return queue_.empty() && running_.empty(); });
    }

private:
    struct Queued {
        JobId id;
        GenerationJob job;
    };

    void work() {
        waypoint::Session session(model_);  // this slot's KV cache, allocated once
        std::unique_lock<std::mutex> lock(mutex_);
        for (;;) {
            wake_.wait(lock, [this] { return quit_ || !queue_.empty(); });
            if (quit_ && queue_.empty()) return;
            Queued q = std::move(queue_.front());
            queue_.pop_front();
            std::atomic<bool> stop{false};
            running_[q.id] = &stop;
            lock.unlock();

            GenerationOutcome outcome;
            GenerationJob& job = q.job;
            job.options.stop_flag = &stop;
            std::function<void(const waypoint::TokenEvent&)> on_token = job.on_token;
#ifdef WAYPOINT_SCREENSHOT_HOOKS
            // Tests slow the answers down (WAYPOINT_TOKEN_DELAY_MS, as the app's
            // hook) to see disconnects, timeouts and draining mid-answer.
            if (const char* env = std::getenv("WAYPOINT_TOKEN_DELAY_MS"); env && std::atoi(env) > 0) {
                const auto delay = std::chrono::milliseconds(std::atoi(env));
                on_token = [inner = std::move(on_token), delay](const waypoint::TokenEvent& e) {
                    std::this_thread::sleep_for(delay);
                    if (inner) inner(e);
                };
            }
#endif
            try {
                session.reset();
                outcome.stats = waypoint::generate_ids(session, job.prompt_ids, job.options,
                                                       on_token ? on_token : waypoint::TokenCallback(
                                                                      [](const waypoint::TokenEvent&) {}),
                                                       &outcome.generated_ids);
            } catch (const std::exception& e) {
                outcome.error = e.what();
            }
            outcome.cancelled = stop.load();

            if (job.on_done) job.on_done(outcome);
            lock.lock();
            running_.erase(q.id);  // after on_done: drain() returns only once every answer is complete
            idle_.notify_all();
        }
    }

    std::shared_ptr<const waypoint::Model> model_;
    int slots_ = 1;
    mutable std::mutex mutex_;
    std::condition_variable wake_;  // a job was queued, or quit
    std::condition_variable idle_;  // a job ended or left the queue
    std::deque<Queued> queue_;
    std::map<JobId, std::atomic<bool>*> running_;
    JobId last_id_ = 0;
    bool draining_ = false;
    bool quit_ = false;
    std::vector<std::thread> workers_;
};

}  // namespace

std::unique_ptr<GenerationScheduler> make_serial_scheduler(std::shared_ptr<const waypoint::Model> model, int slots) {
    return std::make_unique<SerialScheduler>(std::move(model), slots);
}

}  // namespace waypoint::server
