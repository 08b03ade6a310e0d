// The sampler's random stream: xoshiro256** seeded through splitmix64
// (Blackman & Vigna). Our own, so that the same seed gives the same draws
// with every C++ standard library (std::*_distribution output is not
// specified and differs between libstdc++, libc++ and MSVC).
#pragma once

#include <cstdint>

namespace waypoint::detail {

inline uint64_t splitmix64(uint64_t& x) {
    uint64_t z = (x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

inline void xoshiro_seed(uint64_t state[4], uint64_t seed) {
    for (int i = 0; i < 4; ++i) state[i] = splitmix64(seed);  // never all zero
}

inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

inline uint64_t xoshiro_next(uint64_t s[4]) {
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

// [0, 1) with 53 random bits: exact in double, the same everywhere.
inline double to_unit_double(uint64_t x) { return double(x >> 11) * 0x1.0p-53; }

}  // namespace waypoint::detail
