// Stop strings for the generation loop: the text handed to the caller stops
// right before the first stop string, so anything that could still become one
// (a suffix that is a prefix of a stop string) is held back until the next
// delta decides it. Engine-internal; used by generate.cpp.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace waypoint::detail {

class StopStrings {
public:
    explicit StopStrings(std::vector<std::string> stops);  // "" entries are ignored

    // Appends `text` and returns what can be shown now. Once a stop string is
    // complete, returns the text before it and matched() turns true; after
    // that every push returns "".
    std::string push(std::string_view text);
    // The held-back tail when generation ends for another reason.
    std::string flush();
    bool matched() const { return matched_; }
    bool empty() const { return stops_.empty(); }

private:
    std::vector<std::string> stops_;
    std::string held_;
    bool matched_ = false;
};

}  // namespace waypoint::detail
