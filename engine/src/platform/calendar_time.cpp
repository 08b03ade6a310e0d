#include "waypoint/platform/calendar_time.h"

namespace waypoint::platform {

std::tm utc_time(std::time_t t) {
    std::tm out{};
#if defined(_WIN32)
    ::gmtime_s(&out, &t);
#else
    ::gmtime_r(&t, &out);
#endif
    return out;
}

std::tm local_time(std::time_t t) {
    std::tm out{};
#if defined(_WIN32)
    ::localtime_s(&out, &t);
#else
    ::localtime_r(&t, &out);
#endif
    return out;
}

}  // namespace waypoint::platform
