// Python's str operations on UTF-8 text, by code point as Python counts:
// what str.strip/split/upper/title and indexing do, so that templates give the
// same bytes as in Python for non-ASCII text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace waypoint::jinja::text {

std::u32string decode(std::string_view utf8);  // ill-formed bytes become U+FFFD
std::string encode(std::u32string_view cps);
size_t code_points(std::string_view utf8);

bool is_space(char32_t c);  // str.isspace()
bool is_printable(char32_t c);  // str.isprintable(), close enough for repr()

// str.strip/lstrip/rstrip: whitespace when chars is nullopt, else any of chars.
std::string strip(std::string_view s, const std::optional<std::string>& chars, bool left, bool right);
// str.split(sep, maxsplit): sep nullopt splits on whitespace runs.
std::vector<std::string> split(std::string_view s, const std::optional<std::string>& sep, int64_t maxsplit);
std::vector<std::string> rsplit(std::string_view s, const std::optional<std::string>& sep, int64_t maxsplit);
std::string replace(std::string_view s, std::string_view from, std::string_view to, int64_t count);

std::string upper(std::string_view s);
std::string lower(std::string_view s);
std::string title(std::string_view s);       // str.title()
std::string capitalize(std::string_view s);  // str.capitalize()

// s[start:stop:step] with Python's slice rules; absent bounds as nullopt.
std::string slice(std::string_view s, std::optional<int64_t> start, std::optional<int64_t> stop, int64_t step);

}  // namespace waypoint::jinja::text
