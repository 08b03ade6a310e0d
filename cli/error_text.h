// Error messages as the terminal gets them: one line, and safe to print.
// Engine messages may quote bytes from a damaged file (a pickle's class name,
// a tensor key); those are not always UTF-8, so they are escaped here rather
// than written raw to stderr.
#pragma once

#include <string>
#include <string_view>

namespace waypoint::cli {

// `text` with every byte that is not part of valid UTF-8, and every control
// character, written as \xHH; line breaks become spaces.
std::string printable(std::string_view text);

// "waypoint-cli: error: <message>\n" on stderr (stdout flushed first). With
// `first_line_only` only the message's first line is kept (torch appends a
// backtrace to its own).
void print_error(std::string_view message, bool first_line_only);

}  // namespace waypoint::cli
