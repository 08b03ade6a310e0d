// Per-client token buckets: each client (its API key, else its address) may
// make `rate` requests a second on average, `burst` at once. Thread-safe.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace waypoint::server {

class RateLimiter {
public:
    using Clock = std::chrono::steady_clock;

    // rate <= 0: no limit.
    RateLimiter(double rate, double burst);

    struct Verdict {
        bool allowed = true;
        int retry_after_s = 0;  // when refused: whole seconds until a token is back (>= 1)
    };
    Verdict take(const std::string& client, Clock::time_point now = Clock::now());

private:
    struct Bucket {
        double tokens;
        Clock::time_point last;
    };
    double rate_;
    double burst_;
    std::mutex mutex_;
    std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace waypoint::server
