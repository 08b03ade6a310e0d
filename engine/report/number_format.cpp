// Numbers for people and for files that must read back exactly.
#include "number_format.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "waypoint/report.h"

namespace waypoint {
namespace report {

double short_float(float x) {
    if (!std::isfinite(x)) return double(x);
    char buf[32];
    for (int digits = 6; digits <= 9; ++digits) {
        std::snprintf(buf, sizeof buf, "%.*g", digits, double(x));
        if (std::strtof(buf, nullptr) == x) break;
    }
    return std::strtod(buf, nullptr);
}

std::string short_scaled(double v, double base, const char* const* units, int n_units, const char* whole,
                         const char* fraction) {
    int u = 0;
    while (v >= base && u < n_units - 1) {
        v /= base;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? whole : fraction, v, units[u]);
    return buf;
}

}  // namespace report

std::string describe_sampling(const SamplingParams& s) {
    std::ostringstream out;
    auto num = [](float x) {
        std::ostringstream o;
        o << report::short_float(x);
        return o.str();
    };
    if (s.greedy()) {
        out << "greedy";
    } else {
        out << "temperature " << num(s.temperature);
        if (s.top_k > 0) out << ", top-k " << s.top_k;
        if (s.top_p < 1.0f) out << ", top-p " << num(s.top_p);
        if (s.min_p > 0.0f) out << ", min-p " << num(s.min_p);
    }
    if (s.repeat_penalty != 1.0f) out << ", repeat penalty " << num(s.repeat_penalty) << " over " << s.repeat_window;
    if (!s.greedy()) out << ", seed " << s.seed;
    return out.str();
}

}  // namespace waypoint
