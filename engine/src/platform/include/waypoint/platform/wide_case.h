// The C library's case mapping of one Unicode code point (simple, one to
// one), independent of the process locale: glibc's C.UTF-8 on Linux and
// macOS's UTF-8 locale through the POSIX *_l calls, the CRT's ".UTF-8"
// locale on Windows (whose wint_t is 16 bits: code points above U+FFFF are
// returned unchanged and count as no letter there).
#pragma once

namespace waypoint::platform {

char32_t wide_upper(char32_t c);
char32_t wide_lower(char32_t c);
bool wide_is_alpha(char32_t c);

}  // namespace waypoint::platform
