// Generation stats as JSON (waypoint/report.h).
#include <nlohmann/json.hpp>

#include "json_fields.h"
#include "waypoint/report.h"

namespace waypoint {

std::string stats_to_json(const GenerationStats& stats) {
    nlohmann::ordered_json j;
    report::stats_fields(stats, [&](const char* key, const auto& v) { j[key] = v; });
    j["finish_reason"] = to_string(stats.finish);
    return j.dump();
}

}  // namespace waypoint
