// A guard for JSON read from users' files (config.json, safetensors headers,
// tokenizer.json, ...). nlohmann::json parses any depth without recursion,
// but dump(), comparisons and our own walks recurse: a file of a million
// '[' would overflow the stack. Readers check the text first.
#pragma once

#include <string>
#include <string_view>

namespace waypoint::detail {

// Deeper than any real configuration or header (they nest 3-6 levels).
constexpr int kMaxJsonNesting = 128;

// Whether the arrays and objects of `text` nest at most `max_depth` deep
// (brackets inside strings do not count). Linear, no allocation.
bool json_nesting_ok(std::string_view text, int max_depth = kMaxJsonNesting);

// Throws Error(BadFormat) naming `file` when json_nesting_ok() is false.
void check_json_nesting(std::string_view text, const std::string& file);

}  // namespace waypoint::detail
