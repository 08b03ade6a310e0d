// exp(x) for x <= 0 in plain float arithmetic (Cephes' expf polynomial,
// ~2 ulp), written so the compiler vectorises the softmax loop over the
// vocabulary (glibc's expf is a call per element: ~4 ns x 32000 tokens).
// Only IEEE adds/multiplies and a truncation, so every machine computes the
// same bits (the project builds with -std=c++17: no FMA contraction).
#pragma once

#include <cstdint>
#include <cstring>

namespace waypoint::detail {

inline float exp_nonpositive(float x) {
    // Below -87.3 exp underflows float: 0, and so for -inf and NaN (the
    // final select); the clamp keeps the arithmetic finite meanwhile.
    const float xc = x > -87.3f ? x : -87.3f;
    // x = n ln2 + r, |r| <= ln2 / 2; n rounded to nearest (x <= 0).
    const float fn = float(int(xc * 1.44269504088896341f - 0.5f));
    const float r = (xc - fn * 0.693359375f) - fn * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    const float y = p * (r * r) + r + 1.0f;
    // * 2^n through the exponent bits (n >= -126 here).
    const int32_t bits = (int32_t(fn) + 127) << 23;
    float scale;
    std::memcpy(&scale, &bits, sizeof scale);
    // The select as a bit mask: a branch-free loop body the compiler can
    // vectorise without -ffast-math.
    const float e = y * scale;
    int32_t e_bits;
    std::memcpy(&e_bits, &e, sizeof e_bits);
    e_bits &= -int32_t(x >= -87.3f);
    float out;
    std::memcpy(&out, &e_bits, sizeof out);
    return out;
}

}  // namespace waypoint::detail
