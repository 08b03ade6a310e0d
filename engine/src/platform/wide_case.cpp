#include "waypoint/platform/wide_case.h"

#if defined(_WIN32)
#include <ctype.h>  // first: MinGW's <wctype.h> would hide its *_l declarations
#endif
#include <cwctype>
#include <locale.h>
#if defined(__APPLE__)
#include <xlocale.h>
#endif

namespace waypoint::platform {
namespace {

#if defined(_WIN32)
_locale_t utf8_locale() {
    static _locale_t loc = [] {
        _locale_t l = _create_locale(LC_CTYPE, ".UTF-8");
        return l ? l : _create_locale(LC_CTYPE, "C");
    }();
    return loc;
}
bool representable(char32_t c) { return c <= 0xFFFF; }
#else
locale_t utf8_locale() {
    static locale_t loc = [] {
        locale_t l = newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t(0));
        return l ? l : newlocale(LC_CTYPE_MASK, "C", locale_t(0));
    }();
    return loc;
}
#endif

}  // namespace

char32_t wide_upper(char32_t c) {
#if defined(_WIN32)
    return representable(c) ? char32_t(_towupper_l(wint_t(c), utf8_locale())) : c;
#else
    return char32_t(towupper_l(wint_t(c), utf8_locale()));
#endif
}

char32_t wide_lower(char32_t c) {
#if defined(_WIN32)
    return representable(c) ? char32_t(_towlower_l(wint_t(c), utf8_locale())) : c;
#else
    return char32_t(towlower_l(wint_t(c), utf8_locale()));
#endif
}

bool wide_is_alpha(char32_t c) {
#if defined(_WIN32)
    return representable(c) && _iswalpha_l(wint_t(c), utf8_locale()) != 0;
#else
    return iswalpha_l(wint_t(c), utf8_locale()) != 0;
#endif
}

}  // namespace waypoint::platform
