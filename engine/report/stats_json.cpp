// Generation stats as JSON (waypoint/report.h).
#include <nlohmann/json.hpp>

#include "waypoint/report.h"

namespace waypoint {

std::string stats_to_json(const GenerationStats& stats) {
    nlohmann::ordered_json j;
    j["prompt_tokens"] = stats.prompt_tokens;
    j["new_tokens"] = stats.new_tokens;
    j["time_to_first_token_ms"] = stats.time_to_first_token_ms;
    j["prefill_tokens_per_s"] = stats.prefill_tokens_per_s;
    j["decode_tokens_per_s"] = stats.decode_tokens_per_s;
    j["total_ms"] = stats.total_ms;
    j["finish_reason"] = to_string(stats.finish);
    return j.dump();
}

}  // namespace waypoint
