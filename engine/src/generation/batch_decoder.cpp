// BatchDecoder (waypoint/batch.h): slots of Sessions over one Model, a FIFO
// queue, and a scheduling round per step(): admit + prefill, one batched
// decode step for every slot with a token to feed, then each slot's
// TokenLoop (the same per-token logic as generate_ids) samples and reports.
#include "waypoint/batch.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "generation/token_loop.h"
#include "model/batch_step.h"
#include "waypoint/error.h"
#include "waypoint/session.h"

namespace waypoint {

namespace {

struct Queued {
    BatchDecoder::RequestId id = 0;
    BatchRequest request;
};

struct Slot {
    std::unique_ptr<Session> session;
    // The running request; id 0 when the slot is free. `id` and `cancel` are
    // read by cancel() under the decoder's mutex.
    BatchDecoder::RequestId id = 0;
    std::atomic<bool> cancel{false};  // the TokenLoop's stop flag
    const std::atomic<bool>* user_stop = nullptr;
    std::unique_ptr<detail::TokenLoop> loop;
    std::function<void(const BatchResult&)> on_done;
    BatchResult result;
    std::vector<float> logits;  // [V] of the last fed position
    int pending = -1;           // the id to feed in the next batched step
    uint64_t last_used = 0;     // for picking among free slots without a shared prefix
};

}  // namespace

struct BatchDecoder::Impl {
    std::shared_ptr<const Model> model;
    std::vector<std::unique_ptr<Slot>> slots;
    detail::SessionBatch batch;

    mutable std::mutex mu;  // queue, slot ids, next_id, counters, thread state
    std::condition_variable wake;
    std::deque<Queued> queue;
    RequestId next_id = 1;
    int active = 0;
    uint64_t clock = 0;
    std::atomic<int64_t> batched_tokens{0}, batched_steps{0};

    std::thread thread;
    bool running = false;  // the own thread is (to be) running
    bool quit = false;

    Impl(std::shared_ptr<const Model> m, int n) : model(std::move(m)), batch(*model, n) {
        slots.reserve(size_t(n));
        for (int i = 0; i < n; ++i) {
            auto s = std::make_unique<Slot>();
            s->session = std::make_unique<Session>(model);
            s->logits.resize(size_t(model->vocab_size()));
            slots.push_back(std::move(s));
        }
    }

    // The free slot for `ids`: the longest cached prefix shared with it, then
    // the least recently used. Under mu.
    Slot* pick_slot(const std::vector<int>& ids) {
        Slot* best = nullptr;
        size_t best_shared = 0;
        for (auto& s : slots) {
            if (s->id != 0) continue;
            const size_t shared = detail::reusable_prefix(s->session->history(), ids);
            if (!best || shared > best_shared || (shared == best_shared && s->last_used < best->last_used)) {
                best = s.get();
                best_shared = shared;
            }
        }
        return best;
    }

    void release(Slot& s) {
        std::function<void(const BatchResult&)> done = std::move(s.on_done);
        BatchResult result = std::move(s.result);
        s.loop.reset();
        s.pending = -1;
        s.on_done = nullptr;
        s.result = BatchResult{};
        {
            std::lock_guard<std::mutex> lock(mu);
            s.id = 0;
            s.last_used = ++clock;
            --active;
        }
        if (!done) return;
        try {
            done(result);
        } catch (...) {
            // A caller's callback must not take the other slots down.
        }
    }

    void finish(Slot& s) {
        try {
            s.result.stats = s.loop->finish();
        } catch (const std::exception& e) {
            s.result.error = e.what();
        }
        release(s);
    }

    void fail(Slot& s, const std::string& message) {
        s.result.error = message;
        if (s.loop) s.loop->end(FinishReason::Stopped);
        finish(s);
    }

    // After logits: sample the next token (or end). Frees the slot when done.
    void advance(Slot& s) {
        if (s.user_stop && s.user_stop->load(std::memory_order_acquire))
            s.cancel.store(true, std::memory_order_release);
        try {
            s.pending = s.loop->next(s.logits);
        } catch (const std::exception& e) {
            s.pending = -1;
            s.result.error = e.what();
            s.loop->end(FinishReason::Stopped);
        }
        if (s.pending < 0) finish(s);
    }

    void start_request(Slot& s, Queued& q) {
        s.cancel.store(false);
        s.user_stop = q.request.options.stop_flag;
        s.on_done = std::move(q.request.on_done);
        GenerateOptions options = q.request.options;
        options.stop_flag = &s.cancel;
        try {
            s.loop = std::make_unique<detail::TokenLoop>(*s.session, q.request.prompt_ids, options,
                                                         std::move(q.request.on_token),
                                                         &s.result.generated_ids);
            const std::vector<float>& l = s.session->prefill(s.loop->to_prefill());
            std::copy(l.begin(), l.end(), s.logits.begin());
            s.loop->prefilled();
        } catch (const std::exception& e) {
            s.result.error = e.what();
            if (s.loop) {
                s.loop->end(FinishReason::Stopped);
                finish(s);
            } else {
                release(s);
            }
            return;
        }
        advance(s);
    }

    bool step() {
        // Admit queued requests into free slots.
        std::vector<std::pair<Slot*, Queued>> admitted;
        {
            std::lock_guard<std::mutex> lock(mu);
            while (!queue.empty() && active < int(slots.size())) {
                Queued q = std::move(queue.front());
                queue.pop_front();
                Slot* s = pick_slot(q.request.prompt_ids);
                s->id = q.id;
                ++active;
                admitted.emplace_back(s, std::move(q));
            }
        }
        for (auto& [s, q] : admitted) start_request(*s, q);

        // One batched decode step for every slot with a token to feed.
        std::vector<Slot*> go;
        for (auto& s : slots) {
            if (s->id == 0 || s->pending < 0) continue;
            if (s->cancel.load(std::memory_order_acquire) ||
                (s->user_stop && s->user_stop->load(std::memory_order_acquire))) {
                s->loop->end(FinishReason::Stopped);  // freed now, not after one more forward
                finish(*s);
                continue;
            }
            go.push_back(s.get());
        }
        if (!go.empty()) {
            std::vector<Session*> sessions;
            std::vector<int> ids;
            std::vector<float*> logits;
            for (Slot* s : go) {
                sessions.push_back(s->session.get());
                ids.push_back(s->pending);
                logits.push_back(s->logits.data());
            }
            bool ok = true;
            try {
                batch.step(sessions.data(), ids.data(), int(go.size()), logits.data());
            } catch (const std::exception& e) {
                ok = false;
                for (Slot* s : go) fail(*s, e.what());
            }
            if (ok) {
                batched_tokens.fetch_add(int64_t(go.size()), std::memory_order_relaxed);
                batched_steps.fetch_add(1, std::memory_order_relaxed);
                for (Slot* s : go) advance(*s);
            }
        }
        std::lock_guard<std::mutex> lock(mu);
        return active > 0 || !queue.empty();
    }

    void loop() {
        for (;;) {
            {
                std::unique_lock<std::mutex> lock(mu);
                wake.wait(lock, [&] { return quit || active > 0 || !queue.empty(); });
                if (quit) return;
            }
            step();
        }
    }

    // Ends everything still queued or running with Stopped (destructor).
    void stop_all() {
        std::deque<Queued> waiting;
        {
            std::lock_guard<std::mutex> lock(mu);
            waiting.swap(queue);
        }
        for (Queued& q : waiting) {
            BatchResult r;
            r.stats.finish = FinishReason::Stopped;
            if (q.request.on_done) q.request.on_done(r);
        }
        for (auto& s : slots) {
            if (s->id == 0) continue;
            if (s->loop) s->loop->end(FinishReason::Stopped);
            if (s->loop) finish(*s);
            else release(*s);
        }
    }
};

BatchDecoder::BatchDecoder(std::shared_ptr<const Model> model, const BatchOptions& options) {
    if (!model) throw Error(ErrorKind::InvalidArgument, "BatchDecoder needs a loaded model");
    if (options.slots < 1)
        throw Error(ErrorKind::InvalidArgument,
                    "batched decoding needs at least 1 slot (got " + std::to_string(options.slots) + ")");
    impl_ = std::make_unique<Impl>(std::move(model), options.slots);
}

BatchDecoder::~BatchDecoder() {
    stop();
    impl_->stop_all();
}

const Model& BatchDecoder::model() const { return *impl_->model; }

int BatchDecoder::slots() const { return int(impl_->slots.size()); }

BatchDecoder::RequestId BatchDecoder::submit(BatchRequest request) {
    RequestId id;
    {
        std::lock_guard<std::mutex> lock(impl_->mu);
        id = impl_->next_id++;
        impl_->queue.push_back({id, std::move(request)});
    }
    impl_->wake.notify_all();
    return id;
}

bool BatchDecoder::cancel(RequestId id) {
    std::function<void(const BatchResult&)> done;
    {
        std::lock_guard<std::mutex> lock(impl_->mu);
        auto it = std::find_if(impl_->queue.begin(), impl_->queue.end(),
                               [id](const Queued& q) { return q.id == id; });
        if (it == impl_->queue.end()) {
            for (auto& s : impl_->slots) {
                if (s->id == id) {
                    s->cancel.store(true, std::memory_order_release);
                    return true;
                }
            }
            return false;
        }
        done = std::move(it->request.on_done);
        impl_->queue.erase(it);
    }
    BatchResult r;
    r.stats.finish = FinishReason::Stopped;
    if (done) done(r);
    return true;
}

bool BatchDecoder::step() { return impl_->step(); }

void BatchDecoder::run_until_idle() {
    while (step()) {
    }
}

void BatchDecoder::start() {
    std::lock_guard<std::mutex> lock(impl_->mu);
    if (impl_->running) return;
    impl_->running = true;
    impl_->quit = false;
    impl_->thread = std::thread([this] { impl_->loop(); });
}

void BatchDecoder::stop() {
    {
        std::lock_guard<std::mutex> lock(impl_->mu);
        if (!impl_->running) return;
        impl_->quit = true;
        impl_->running = false;
    }
    impl_->wake.notify_all();
    if (impl_->thread.joinable()) impl_->thread.join();
}

int BatchDecoder::queued() const {
    std::lock_guard<std::mutex> lock(impl_->mu);
    return int(impl_->queue.size());
}

int BatchDecoder::active() const {
    std::lock_guard<std::mutex> lock(impl_->mu);
    return impl_->active;
}

int64_t BatchDecoder::batched_tokens() const { return impl_->batched_tokens.load(); }
int64_t BatchDecoder::batched_steps() const { return impl_->batched_steps.load(); }

std::vector<BatchResult> generate_batch(std::shared_ptr<const Model> model,
                                        const std::vector<std::vector<int>>& prompts,
                                        const GenerateOptions& options, int slots) {
    std::vector<BatchResult> results(prompts.size());
    BatchDecoder decoder(std::move(model), BatchOptions{std::max(1, std::min<int>(slots, int(prompts.size())))});
    for (size_t i = 0; i < prompts.size(); ++i) {
        BatchRequest r;
        r.prompt_ids = prompts[i];
        r.options = options;
        r.on_done = [&results, i](const BatchResult& res) { results[i] = res; };
        decoder.submit(std::move(r));
    }
    decoder.run_until_idle();
    return results;
}

}  // namespace waypoint
