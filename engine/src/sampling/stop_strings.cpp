#include "sampling/stop_strings.h"

#include <algorithm>

namespace waypoint::detail {

StopStrings::StopStrings(std::vector<std::string> stops) {
    for (auto& s : stops)
        if (!s.empty()) stops_.push_back(std::move(s));
}

std::string StopStrings::push(std::string_view text) {
    if (matched_) return {};
    held_.append(text.data(), text.size());
    if (stops_.empty()) {
        std::string out;
        out.swap(held_);
        return out;
    }
    // The earliest complete stop string wins.
    size_t first = std::string::npos;
    for (const auto& s : stops_) first = std::min(first, held_.find(s));
    if (first != std::string::npos) {
        matched_ = true;
        std::string out = held_.substr(0, first);
        held_.clear();
        return out;
    }
    // Hold back the longest tail that could still grow into a stop string.
    // It starts where a stop string starts, so the cut is a UTF-8 boundary.
    size_t hold = 0;
    for (const auto& s : stops_) {
        const size_t longest = std::min(s.size() - 1, held_.size());
        for (size_t len = longest; len > hold; --len) {
            if (held_.compare(held_.size() - len, len, s, 0, len) == 0) {
                hold = len;
                break;
            }
        }
    }
    std::string out = held_.substr(0, held_.size() - hold);
    held_.erase(0, held_.size() - hold);
    return out;
}

std::string StopStrings::flush() {
    std::string out;
    out.swap(held_);
    return out;
}

}  // namespace waypoint::detail
