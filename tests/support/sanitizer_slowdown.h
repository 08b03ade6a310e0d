// How many times slower a test program runs in a sanitized build: the factors
// cmake/sanitizers.cmake applies to the CTest timeouts (x4 ASan, x8 TSan).
// For the waits that guard against a hang, never to time an assertion.
#pragma once

namespace test_support {

constexpr int sanitizer_slowdown() {
#if defined(__SANITIZE_THREAD__)
    return 8;
#elif defined(__SANITIZE_ADDRESS__)
    return 4;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
    return 8;
#elif __has_feature(address_sanitizer)
    return 4;
#else
    return 1;
#endif
#else
    return 1;
#endif
}

}  // namespace test_support
