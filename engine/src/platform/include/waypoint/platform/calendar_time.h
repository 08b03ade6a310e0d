// A moment (seconds since 1970) as calendar fields, thread-safely:
// gmtime_r/localtime_r, or gmtime_s/localtime_s on Windows.
#pragma once

#include <ctime>

namespace waypoint::platform {

std::tm utc_time(std::time_t t);
std::tm local_time(std::time_t t);  // in the system's time zone

}  // namespace waypoint::platform
