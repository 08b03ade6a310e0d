#include "arg_parser.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace waypoint::cli {

std::string ParsedArgs::value(const std::string& name, const std::string& fallback) const {
    const auto it = values_.find(name);
    return it == values_.end() || it->second.empty() ? fallback : it->second.back();
}

const std::vector<std::string>& ParsedArgs::values(const std::string& name) const {
    static const std::vector<std::string> none;
    const auto it = values_.find(name);
    return it == values_.end() ? none : it->second;
}

ParsedArgs parse_args(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs) {
    ParsedArgs parsed;
    for (size_t i = 0; i < args.size(); ++i) {
        std::string arg = args[i];
        if (arg.size() < 3 || arg.compare(0, 2, "--") != 0)
            throw UsageError("unexpected argument '" + arg + "' (options start with --; see --help)");
        std::string inline_value;
        bool has_inline = false;
        if (const auto eq = arg.find('='); eq != std::string::npos) {
            inline_value = arg.substr(eq + 1);
            arg.resize(eq);
            has_inline = true;
        }
        const OptionSpec* spec = nullptr;
        for (const auto& s : specs)
            if (s.name == arg) spec = &s;
        if (!spec) throw UsageError("unknown option '" + arg + "' (see --help)");

        std::string value;
        if (spec->value_name.empty()) {
            if (has_inline) throw UsageError("option " + arg + " takes no value");
        } else if (has_inline) {
            value = inline_value;
        } else {
            if (i + 1 >= args.size())
                throw UsageError("option " + arg + " needs a value: " + arg + " " + spec->value_name);
            value = args[++i];
        }
        auto& slot = parsed.values_[arg];
        if (!spec->repeatable) slot.clear();
        slot.push_back(value);
    }
    return parsed;
}

std::string describe_options(const std::vector<OptionSpec>& specs) {
    std::ostringstream out;
    for (const auto& s : specs) {
        std::string left = "  " + s.name + (s.value_name.empty() ? "" : " " + s.value_name);
        if (left.size() < 28) left.resize(28, ' ');
        else left += "  ";
        out << left << s.help << '\n';
    }
    return out.str();
}

long parse_int(const std::string& option, const std::string& text, long lo, long hi) {
    errno = 0;
    char* end = nullptr;
    const long v = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || errno == ERANGE || v < lo || v > hi)
        throw UsageError(option + " expects a whole number from " + std::to_string(lo) + " to " +
                         std::to_string(hi) + ", got '" + text + "'");
    return v;
}

double parse_float(const std::string& option, const std::string& text, double lo, double hi) {
    errno = 0;
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(v) || v < lo || v > hi) {
        std::ostringstream msg;
        msg << option << " expects a number from " << lo << " to " << hi << ", got '" << text << "'";
        throw UsageError(msg.str());
    }
    return v;
}

uint64_t parse_u64(const std::string& option, const std::string& text) {
    errno = 0;
    char* end = nullptr;
    const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
    if (text.empty() || text[0] == '-' || text[0] == '+' || *end != '\0' || errno == ERANGE)
        throw UsageError(option + " expects a non-negative whole number, got '" + text + "'");
    return uint64_t(v);
}

}  // namespace waypoint::cli
