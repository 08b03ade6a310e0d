// Shared by the comparison's sources (compare*.cpp): number formatting.
#pragma once

namespace waypoint::detail {

// The shortest decimal that reads back as the same float (0.95f -> 0.95).
double short_float(float x);

}  // namespace waypoint::detail
