// The server's Prometheus metrics (prometheus-cpp's core: its registry and
// text serializer; the HTTP side is ours, on /metrics). Thread-safe.
#pragma once

#include <memory>
#include <string>

#include "generation_scheduler.h"

namespace prometheus {
class Registry;
class Counter;
class Gauge;
class Histogram;
template <typename T> class Family;
}  // namespace prometheus

namespace waypoint::server {

class Metrics {
public:
    Metrics();
    ~Metrics();

    // One finished HTTP request: its route ("/v1/completions", ...; "other"
    // for anything unrouted) and status.
    void request(const std::string& endpoint, int status);
    void prompt_tokens(int n);
    void generated_tokens(int n);
    void time_to_first_token(double seconds);
    void token_latency(double seconds);  // between two tokens of one answer
    void in_flight(int delta);

    // The exposition text (format 0.0.4), with the scheduler's queue depth
    // and active slots as of now.
    std::string render(const SchedulerLoad& load);

private:
    std::shared_ptr<prometheus::Registry> registry_;
    prometheus::Family<prometheus::Counter>* requests_;
    prometheus::Counter* prompt_tokens_;
    prometheus::Counter* generated_tokens_;
    prometheus::Histogram* ttft_;
    prometheus::Histogram* token_latency_;
    prometheus::Gauge* queue_depth_;
    prometheus::Gauge* active_slots_;
    prometheus::Gauge* slots_;
    prometheus::Gauge* in_flight_;
};

}  // namespace waypoint::server
