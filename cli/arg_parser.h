// A small command-line parser for waypoint-cli's subcommands: a table of
// options in, their values (as given, in order) out. No Qt, so the CLI also
// builds on a GPU machine without it. Typed conversion with range checks
// lives beside it (parse_int, parse_float, ...), each failing with a
// UsageError whose message names the option and what it accepts.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace waypoint::cli {

// Wrong arguments: main prints "waypoint-cli: error: <message>" and exits 2.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct OptionSpec {
    std::string name;        // "--top-k"
    std::string value_name;  // "K"; empty for a flag without a value
    std::string help;        // one line for --help
    bool repeatable = false; // else the last occurrence wins
};

class ParsedArgs {
public:
    bool has(const std::string& name) const { return values_.count(name) != 0; }
    // The last value given for `name`, or `fallback` when absent.
    std::string value(const std::string& name, const std::string& fallback = "") const;
    const std::vector<std::string>& values(const std::string& name) const;

    std::map<std::string, std::vector<std::string>> values_;  // flags map to {""}
};

// Accepts "--name value" and "--name=value". Throws UsageError on an unknown
// option, a missing value or a stray argument.
ParsedArgs parse_args(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs);

// "  --top-k K        keep the K most likely tokens" lines for --help.
std::string describe_options(const std::vector<OptionSpec>& specs);

// Whole-string numeric conversions within [lo, hi]; UsageError otherwise.
long parse_int(const std::string& option, const std::string& text, long lo, long hi);
double parse_float(const std::string& option, const std::string& text, double lo, double hi);
uint64_t parse_u64(const std::string& option, const std::string& text);

}  // namespace waypoint::cli
