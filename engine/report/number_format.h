// Number formatting the report writers share.
#pragma once

#include <string>

namespace waypoint::report {

// The shortest decimal that reads back as the same float: 0.95f is written
// 0.95, not 0.949999988, and an exported comparison reopens bit-exact.
double short_float(float x);

// v scaled down by `base` until below it (at most to the last of `units`),
// printed with `whole` (no scaling) or `fraction` (scaled), each a printf
// format of (double, const char* unit): 1234567, 1000 -> "1.23M".
std::string short_scaled(double v, double base, const char* const* units, int n_units, const char* whole,
                         const char* fraction);

}  // namespace waypoint::report
