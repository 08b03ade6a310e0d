#include "json_nesting.h"

#include "waypoint/error.h"

namespace waypoint::detail {

bool json_nesting_ok(std::string_view text, int max_depth) {
    int depth = 0;
    bool in_string = false, escaped = false;
    for (const char c : text) {
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_depth) return false;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return true;
}

void check_json_nesting(std::string_view text, const std::string& file) {
    if (!json_nesting_ok(text))
        throw Error(ErrorKind::BadFormat, file + " nests JSON arrays or objects more than " +
                                              std::to_string(kMaxJsonNesting) +
                                              " levels deep; it is damaged or not what it claims to be");
}

}  // namespace waypoint::detail
