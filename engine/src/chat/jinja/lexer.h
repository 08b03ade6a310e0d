// Splits template source into tokens the way jinja2's lexer does with
// transformers' settings (trim_blocks, lstrip_blocks, no trailing newline
// kept): text between tags with the whitespace control already applied, then
// the tokens inside each {{ }} / {% %} tag. Comments vanish.
#pragma once

#include <string>
#include <vector>

namespace waypoint::jinja {

struct Token {
    enum class Kind { Text, VarBegin, VarEnd, BlockBegin, BlockEnd, Name, String, Int, Float, Op, End };
    Kind kind;
    std::string text;  // Text content, name, decoded string literal, number text, operator
    int line = 1;
};

// Throws TemplateError("... (line N)") on an unterminated tag or string.
std::vector<Token> tokenize(const std::string& source);

}  // namespace waypoint::jinja
