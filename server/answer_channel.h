// Carries one request's answers from the scheduler's threads to the HTTP
// thread that writes them: token events and the final outcome of each choice,
// in order. Thread-safe; shared by the job callbacks and the writer.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <vector>

#include "generation_scheduler.h"

namespace waypoint::server {

class AnswerChannel {
public:
    using Clock = std::chrono::steady_clock;

    struct Item {
        int choice = 0;
        bool done = false;             // false: `event`; true: `outcome`
        waypoint::TokenEvent event;
        GenerationOutcome outcome;
        Clock::time_point at;          // when the scheduler produced it
    };

    explicit AnswerChannel(int choices) : remaining_(choices) {}

    void push_token(int choice, const waypoint::TokenEvent& event);
    void push_done(int choice, const GenerationOutcome& outcome);

    // Moves what arrived into `out` (appending); waits until something did or
    // `until`. Returns false when nothing came by then.
    bool wait(std::vector<Item>& out, Clock::time_point until);
    bool all_done() const;

private:
    mutable std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<Item> items_;
    int remaining_;  // choices not yet done (pushed)
};

}  // namespace waypoint::server
