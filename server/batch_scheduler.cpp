#include "batch_scheduler.h"

#include <condition_variable>
#include <map>
#include <mutex>

#include "serial_scheduler.h"
#include "waypoint/batch.h"
#include "waypoint/model_card.h"

#ifdef WAYPOINT_SCREENSHOT_HOOKS
#include <cstdlib>
#include <thread>
#endif

namespace waypoint::server {
namespace {

class BatchScheduler final : public GenerationScheduler {
public:
    BatchScheduler(std::shared_ptr<const waypoint::Model> model, int slots)
        : decoder_(std::move(model), waypoint::BatchOptions{slots < 1 ? 1 : slots}) {
        decoder_.start();
    }

    ~BatchScheduler() override {
        drain(std::chrono::milliseconds(0));
        decoder_.stop();
    }

    JobId submit(GenerationJob job) override {
        std::unique_lock<std::mutex> lock(mutex_);
        const JobId id = ++last_id_;
        if (draining_) {
            lock.unlock();
            if (job.on_done) job.on_done(refused_while_draining());
            return id;
        }
        waypoint::BatchRequest r;
        r.prompt_ids = std::move(job.prompt_ids);
        r.options = std::move(job.options);
        r.options.stop_flag = nullptr;  // cancel() goes through the decoder
        r.on_token = std::move(job.on_token);
#ifdef WAYPOINT_SCREENSHOT_HOOKS
        // Tests slow the answers down (WAYPOINT_TOKEN_DELAY_MS, as the app's
        // hook) to see disconnects, timeouts and draining mid-answer. Here the
        // delay holds up every slot's step, as a slow client callback would.
        if (const char* env = std::getenv("WAYPOINT_TOKEN_DELAY_MS"); env && std::atoi(env) > 0) {
            const auto delay = std::chrono::milliseconds(std::atoi(env));
            r.on_token = [inner = std::move(r.on_token), delay](const waypoint::TokenEvent& e) {
                std::this_thread::sleep_for(delay);
                if (inner) inner(e);
            };
        }
#endif
        r.on_done = [this, id, done = std::move(job.on_done)](const waypoint::BatchResult& res) {
            GenerationOutcome outcome;
            outcome.stats = res.stats;
            outcome.generated_ids = res.generated_ids;
            outcome.error = res.error;
            {
                std::lock_guard<std::mutex> guard(mutex_);
                auto it = jobs_.find(id);
                outcome.cancelled = it != jobs_.end() && it->second.cancelled;
            }
            if (done) done(outcome);
            std::lock_guard<std::mutex> guard(mutex_);
            jobs_.erase(id);  // after on_done: drain() returns only once every answer is complete
            idle_.notify_all();
        };
        // Registered before the decoder can finish it (on_done takes mutex_,
        // which this thread holds until the request id is recorded).
        jobs_[id] = Job{};
        jobs_[id].request = decoder_.submit(std::move(r));
        return id;
    }

    void cancel(JobId id) override {
        waypoint::BatchDecoder::RequestId request = 0;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            auto it = jobs_.find(id);
            if (it == jobs_.end()) return;
            it->second.cancelled = true;
            request = it->second.request;
        }
        // Outside mutex_: a queued request's on_done runs on this thread.
        decoder_.cancel(request);
    }

    SchedulerLoad load() const override {
        return {decoder_.slots(), decoder_.active(), decoder_.queued()};
    }

    void drain(std::chrono::milliseconds limit) override {
        std::unique_lock<std::mutex> lock(mutex_);
        draining_ = true;
        idle_.wait_for(lock, limit, [this] { return jobs_.empty(); });
        std::vector<JobId> left;
        for (const auto& [id, job] : jobs_) left.push_back(id);
        lock.unlock();
        for (JobId id : left) cancel(id);
        lock.lock();
        idle_.wait(lock, [this] { return jobs_.empty(); });
    }

private:
    struct Job {
        waypoint::BatchDecoder::RequestId request = 0;
        bool cancelled = false;
    };

    waypoint::BatchDecoder decoder_;
    mutable std::mutex mutex_;
    std::condition_variable idle_;  // a job ended
    std::map<JobId, Job> jobs_;     // queued or running
    JobId last_id_ = 0;
    bool draining_ = false;
};

}  // namespace

std::unique_ptr<GenerationScheduler> make_batch_scheduler(std::shared_ptr<const waypoint::Model> model, int slots) {
    return std::make_unique<BatchScheduler>(std::move(model), slots);
}

std::unique_ptr<GenerationScheduler> make_generation_scheduler(std::shared_ptr<const waypoint::Model> model,
                                                               int slots) {
    // Batched decoding where the engine batches (the CPU); elsewhere the
    // serial scheduler's slots run side by side on their own threads.
    if (model->card().device.rfind("cpu", 0) == 0) return make_batch_scheduler(std::move(model), slots);
    return make_serial_scheduler(std::move(model), slots);
}

}  // namespace waypoint::server
