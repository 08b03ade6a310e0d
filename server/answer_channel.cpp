#include "answer_channel.h"

namespace waypoint::server {

void AnswerChannel::push_token(int choice, const waypoint::TokenEvent& event) {
    Item item;
    item.choice = choice;
    item.event = event;
    item.at = Clock::now();
    {
        std::lock_guard<std::mutex> lock(mutex_);
        items_.push_back(std::move(item));
    }
    ready_.notify_all();
}

void AnswerChannel::push_done(int choice, const GenerationOutcome& outcome) {
    Item item;
    item.choice = choice;
    item.done = true;
    item.outcome = outcome;
    item.at = Clock::now();
    {
        std::lock_guard<std::mutex> lock(mutex_);
        items_.push_back(std::move(item));
        --remaining_;
    }
    ready_.notify_all();
}

bool AnswerChannel::wait(std::vector<Item>& out, Clock::time_point until) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!ready_.wait_until(lock, until, [this] { return !items_.empty(); })) return false;
    while (!items_.empty()) {
        out.push_back(std::move(items_.front()));
        items_.pop_front();
    }
    return true;
}

bool AnswerChannel::all_done() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return remaining_ <= 0 && items_.empty();
}

}  // namespace waypoint::server
