#include "rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace waypoint::server {

RateLimiter::RateLimiter(double rate, double burst) : rate_(rate), burst_(std::max(1.0, burst)) {}

RateLimiter::Verdict RateLimiter::take(const std::string& client, Clock::time_point now) {
    if (rate_ <= 0) return {};
    std::lock_guard<std::mutex> lock(mutex_);
    // Buckets that are full again say nothing: forget them so that many
    // one-off clients cannot grow the map without bound.
    if (buckets_.size() > 10000) {
        for (auto it = buckets_.begin(); it != buckets_.end();) {
            const double refill = std::chrono::duration<double>(now - it->second.last).count() * rate_;
            it = it->second.tokens + refill >= burst_ ? buckets_.erase(it) : std::next(it);
        }
    }
    auto [it, fresh] = buckets_.try_emplace(client, Bucket{burst_, now});
    Bucket& b = it->second;
    if (!fresh) {
        const double elapsed = std::chrono::duration<double>(now - b.last).count();
        b.tokens = std::min(burst_, b.tokens + std::max(0.0, elapsed) * rate_);
        b.last = now;
    }
    if (b.tokens >= 1.0) {
        b.tokens -= 1.0;
        return {};
    }
    return {false, std::max(1, static_cast<int>(std::ceil((1.0 - b.tokens) / rate_)))};
}

}  // namespace waypoint::server
