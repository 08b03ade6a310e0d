#include "metrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace waypoint::server {

Metrics::Metrics() : registry_(std::make_shared<prometheus::Registry>()) {
    using namespace prometheus;
    requests_ = &BuildCounter().Name("waypoint_http_requests_total")
                     .Help("HTTP requests answered, by endpoint and status code")
                     .Register(*registry_);
    prompt_tokens_ = &BuildCounter().Name("waypoint_prompt_tokens_total").Help("Prompt tokens read")
                          .Register(*registry_).Add({});
    generated_tokens_ = &BuildCounter().Name("waypoint_generated_tokens_total").Help("Tokens generated")
                             .Register(*registry_).Add({});
    // Seconds; decode steps of the small models here take ~1-10 ms, a large
    // prompt's prefill up to seconds.
    ttft_ = &BuildHistogram().Name("waypoint_time_to_first_token_seconds")
                 .Help("From the request's arrival to its first generated token (queueing included)")
                 .Register(*registry_)
                 .Add({}, Histogram::BucketBoundaries{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30});
    token_latency_ = &BuildHistogram().Name("waypoint_token_latency_seconds")
                          .Help("Time between two consecutive tokens of one answer")
                          .Register(*registry_)
                          .Add({}, Histogram::BucketBoundaries{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                              0.25, 0.5, 1});
    queue_depth_ = &BuildGauge().Name("waypoint_queue_depth").Help("Generation jobs waiting for a slot")
                        .Register(*registry_).Add({});
    active_slots_ = &BuildGauge().Name("waypoint_active_slots").Help("Generation slots busy now")
                         .Register(*registry_).Add({});
    slots_ = &BuildGauge().Name("waypoint_slots").Help("Generation slots (--parallel)").Register(*registry_).Add({});
    in_flight_ = &BuildGauge().Name("waypoint_http_requests_in_flight").Help("HTTP requests being answered now")
                      .Register(*registry_).Add({});
}

Metrics::~Metrics() = default;

void Metrics::request(const std::string& endpoint, int status) {
    requests_->Add({{"endpoint", endpoint}, {"status", std::to_string(status)}}).Increment();
}
void Metrics::prompt_tokens(int n) { prompt_tokens_->Increment(n); }
void Metrics::generated_tokens(int n) { generated_tokens_->Increment(n); }
void Metrics::time_to_first_token(double seconds) { ttft_->Observe(seconds); }
void Metrics::token_latency(double seconds) { token_latency_->Observe(seconds); }
void Metrics::in_flight(int delta) { in_flight_->Increment(delta); }

std::string Metrics::render(const SchedulerLoad& load) {
    queue_depth_->Set(load.queued);
    active_slots_->Set(load.active);
    slots_->Set(load.slots);
    return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace waypoint::server
