#include "chat/jinja/text.h"

#include "chat/jinja/budget.h"

#include <stdexcept>

#include "tokenizer/utf8.h"
#include "waypoint/platform/wide_case.h"

namespace waypoint::jinja::text {

std::u32string decode(std::string_view s) {
    std::u32string out;
    out.reserve(s.size());
    size_t i = 0;
    while (i < s.size()) {
        unsigned char c = s[i];
        size_t n = detail::utf8_sequence_length(c);
        if (n == 1 || i + n > s.size()) {
            out.push_back(c < 0x80 ? char32_t(c) : char32_t(0xFFFD));
            ++i;
            continue;
        }
        char32_t cp = n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
        bool ok = true;
        for (size_t k = 1; k < n; ++k) {
            unsigned char d = s[i + k];
            if ((d & 0xC0) != 0x80) { ok = false; break; }
            cp = (cp << 6) | (d & 0x3F);
        }
        if (!ok) { out.push_back(0xFFFD); ++i; continue; }
        out.push_back(cp);
        i += n;
    }
    return out;
}

std::string encode(std::u32string_view cps) {
    std::string out;
    out.reserve(cps.size());
    for (char32_t c : cps) detail::utf8_append(out, c);
    return out;
}

size_t code_points(std::string_view s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

bool is_space(char32_t c) {
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
           c == 0x3000;
}

bool is_printable(char32_t c) {
    if (c < 0x20 || (c >= 0x7F && c <= 0xA0) || c == 0xAD) return false;
    if (c == 0x1680 || (c >= 0x2000 && c <= 0x200F) || (c >= 0x2028 && c <= 0x202F) ||
        (c >= 0x205F && c <= 0x206F) || c == 0x3000 || c == 0xFEFF)
        return false;
    if ((c >= 0xD800 && c <= 0xDFFF) || (c >= 0xE000 && c <= 0xF8FF) || c == 0xFFFE || c == 0xFFFF) return false;
    return true;
}

namespace {

bool in_set(char32_t c, const std::u32string* set) {
    return set ? set->find(c) != std::u32string::npos : is_space(c);
}

char32_t to_upper(char32_t c) {
    if (c < 0x80) return (c >= 'a' && c <= 'z') ? c - 32 : c;
    return waypoint::platform::wide_upper(c);
}
char32_t to_lower(char32_t c) {
    if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
    return waypoint::platform::wide_lower(c);
}
bool is_cased_letter(char32_t c) {
    if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    return waypoint::platform::wide_is_alpha(c) && (to_upper(c) != c || to_lower(c) != c);
}

}  // namespace

std::string strip(std::string_view s, const std::optional<std::string>& chars, bool left, bool right) {
    std::u32string cps = decode(s);
    std::u32string set;
    if (chars) set = decode(*chars);
    const std::u32string* sp = chars ? &set : nullptr;
    size_t b = 0, e = cps.size();
    if (left) while (b < e && in_set(cps[b], sp)) ++b;
    if (right) while (e > b && in_set(cps[e - 1], sp)) --e;
    return encode(std::u32string_view(cps).substr(b, e - b));
}

std::vector<std::string> split(std::string_view s, const std::optional<std::string>& sep, int64_t maxsplit) {
    std::vector<std::string> out;
    if (sep) {
        if (sep->empty()) throw std::invalid_argument("empty separator");
        size_t pos = 0;
        while (maxsplit < 0 || int64_t(out.size()) < maxsplit) {
            size_t at = s.find(*sep, pos);
            if (at == std::string_view::npos) break;
            out.emplace_back(s.substr(pos, at - pos));
            pos = at + sep->size();
        }
        out.emplace_back(s.substr(pos));
        return out;
    }
    std::u32string cps = decode(s);
    size_t i = 0, n = cps.size();
    while (i < n) {
        while (i < n && is_space(cps[i])) ++i;
        if (i == n) break;
        if (maxsplit >= 0 && int64_t(out.size()) == maxsplit) {
            size_t e = n;
            while (e > i && is_space(cps[e - 1])) --e;
            out.push_back(encode(std::u32string_view(cps).substr(i, e - i)));
            return out;
        }
        size_t j = i;
        while (j < n && !is_space(cps[j])) ++j;
        out.push_back(encode(std::u32string_view(cps).substr(i, j - i)));
        i = j;
    }
    return out;
}

std::vector<std::string> rsplit(std::string_view s, const std::optional<std::string>& sep, int64_t maxsplit) {
    if (maxsplit < 0 || !sep) return split(s, sep, maxsplit);  // whitespace rsplit with a limit: rare
    if (sep->empty()) throw std::invalid_argument("empty separator");
    std::vector<std::string> out;
    size_t end = s.size();
    while (int64_t(out.size()) < maxsplit) {
        size_t at = end < sep->size() ? std::string_view::npos : s.rfind(*sep, end - sep->size());
        if (at == std::string_view::npos) break;
        out.emplace_back(s.substr(at + sep->size(), end - at - sep->size()));
        end = at;
    }
    out.emplace_back(s.substr(0, end));
    return {out.rbegin(), out.rend()};
}

std::string replace(std::string_view s, std::string_view from, std::string_view to, int64_t count) {
    std::string out;
    if (from.empty()) {
        // Python inserts `to` before every code point and at the end.
        std::u32string cps = decode(s);
        int64_t done = 0;
        for (char32_t c : cps) {
            if (count < 0 || done < count) { append_checked(out, to); ++done; }
            detail::utf8_append(out, c);
        }
        if (count < 0 || done < count) append_checked(out, to);
        return out;
    }
    size_t pos = 0;
    int64_t done = 0;
    while (count < 0 || done < count) {
        size_t at = s.find(from, pos);
        if (at == std::string_view::npos) break;
        out.append(s.substr(pos, at - pos));
        append_checked(out, to);
        pos = at + from.size();
        ++done;
    }
    out.append(s.substr(pos));
    return out;
}

std::string upper(std::string_view s) {
    std::u32string cps = decode(s);
    for (auto& c : cps) c = to_upper(c);
    return encode(cps);
}

std::string lower(std::string_view s) {
    std::u32string cps = decode(s);
    for (auto& c : cps) c = to_lower(c);
    return encode(cps);
}

std::string title(std::string_view s) {
    std::u32string cps = decode(s);
    bool prev_cased = false;
    for (auto& c : cps) {
        bool cased = is_cased_letter(c);
        if (cased) c = prev_cased ? to_lower(c) : to_upper(c);
        prev_cased = cased;
    }
    return encode(cps);
}

std::string capitalize(std::string_view s) {
    std::u32string cps = decode(s);
    for (size_t k = 0; k < cps.size(); ++k) cps[k] = k == 0 ? to_upper(cps[k]) : to_lower(cps[k]);
    return encode(cps);
}

std::string slice(std::string_view s, std::optional<int64_t> start, std::optional<int64_t> stop, int64_t step) {
    bool ascii = true;
    for (unsigned char c : s) if (c >= 0x80) { ascii = false; break; }
    std::u32string cps = ascii ? std::u32string() : decode(s);
    int64_t n = ascii ? int64_t(s.size()) : int64_t(cps.size());
    auto at = [&](int64_t k) { return ascii ? char32_t(static_cast<unsigned char>(s[k])) : cps[k]; };
    std::u32string out;
    if (step > 0) {
        int64_t b = start.value_or(0), e = stop.value_or(n);
        if (b < 0) b = std::max<int64_t>(0, b + n);
        if (e < 0) e = std::max<int64_t>(0, e + n);
        b = std::min(b, n);
        e = std::min(e, n);
        for (int64_t k = b; k < e; k += step) out.push_back(at(k));
    } else {
        int64_t b = start ? *start : n - 1, e = stop ? *stop : -1 - n;
        if (b < 0) b += n;
        if (e < 0) e += n;
        b = std::min(b, n - 1);
        for (int64_t k = b; k > e && k >= 0; k += step) out.push_back(at(k));
    }
    return encode(out);
}

}  // namespace waypoint::jinja::text
