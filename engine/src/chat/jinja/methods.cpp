// The Python methods templates call on values: str (strip, split, startswith,
// ...), dict (get, items, keys, values) and list (index, count). Methods that
// change a list or dict are refused before they get here, as jinja2's
// ImmutableSandboxedEnvironment refuses them.
#include <set>

#include "chat/jinja/interpreter.h"
#include "chat/jinja/text.h"

namespace waypoint::jinja {

namespace {

const std::set<std::string> kStringMethods = {
    "strip", "lstrip", "rstrip", "split", "rsplit", "splitlines", "startswith", "endswith", "replace", "upper",
    "lower", "title", "capitalize", "find", "rfind", "index", "rindex", "count", "join", "isdigit", "isalpha",
    "isalnum", "isspace", "islower", "isupper", "removeprefix", "removesuffix", "format"};
const std::set<std::string> kDictMethods = {"get", "items", "keys", "values"};
const std::set<std::string> kListMethods = {"index", "count"};

std::optional<std::string> opt_str(const Value& v) {
    if (v.is_undefined() || v.is_none()) return std::nullopt;
    if (!v.is_string()) throw TemplateError(std::string("expected a string argument, got '") + type_name(v) + "'");
    return v.s;
}

int64_t opt_int(const Value& v, int64_t fallback) {
    if (v.is_undefined() || v.is_none()) return fallback;
    return v.as_int();
}

bool affix_matches(const std::string& s, const Value& arg, bool prefix) {
    auto one = [&](const Value& a) {
        if (!a.is_string()) throw TemplateError(std::string(prefix ? "startswith" : "endswith") +
                                                " first arg must be str or a tuple of str, not " + type_name(a));
        if (a.s.size() > s.size()) return false;
        return prefix ? s.compare(0, a.s.size(), a.s) == 0 : s.compare(s.size() - a.s.size(), a.s.size(), a.s) == 0;
    };
    if (arg.is_sequence()) {
        for (const auto& a : *arg.list) if (one(a)) return true;
        return false;
    }
    return one(arg);
}

Value string_list(const std::vector<std::string>& parts) {
    List out;
    for (const auto& p : parts) out.push_back(Value::string(p));
    return Value::make_list(std::move(out));
}

bool all_of_class(const std::string& s, bool (*pred)(char32_t)) {
    std::u32string cps = text::decode(s);
    if (cps.empty()) return false;
    for (char32_t c : cps) if (!pred(c)) return false;
    return true;
}

// str.format with "{}", "{0}" and "{name}" fields (no format specs).
std::string python_format(const std::string& fmt, const Args& args) {
    std::string out;
    size_t auto_index = 0;
    for (size_t k = 0; k < fmt.size(); ++k) {
        char c = fmt[k];
        if (c == '{' && k + 1 < fmt.size() && fmt[k + 1] == '{') { out += '{'; ++k; continue; }
        if (c == '}' && k + 1 < fmt.size() && fmt[k + 1] == '}') { out += '}'; ++k; continue; }
        if (c != '{') { out += c; continue; }
        size_t end = fmt.find('}', k);
        if (end == std::string::npos) throw TemplateError("Single '{' encountered in format string");
        std::string field = fmt.substr(k + 1, end - k - 1);
        if (field.find(':') != std::string::npos || field.find('!') != std::string::npos)
            throw TemplateError("format specifications are not supported by this renderer");
        Value v;
        if (field.empty()) v = args.get(auto_index++, nullptr);
        else if (std::isdigit(static_cast<unsigned char>(field[0]))) {
            // An index of more digits than any argument list has is simply out of range.
            size_t index = 0;
            for (size_t d = 0; d < field.size() && std::isdigit(static_cast<unsigned char>(field[d])); ++d)
                index = index > 100000 ? index : index * 10 + size_t(field[d] - '0');
            v = args.get(index, nullptr);
        }
        else v = args.get(size_t(-1), field.c_str());
        if (v.is_undefined()) throw TemplateError("Replacement index " + field + " out of range for positional args tuple");
        append_checked(out, to_str(v));
        k = end;
    }
    return out;
}

Value string_method(const std::string& s, const std::string& name, Args& a) {
    if (name == "strip") return Value::string(text::strip(s, opt_str(a.get(0, "chars")), true, true));
    if (name == "lstrip") return Value::string(text::strip(s, opt_str(a.get(0, "chars")), true, false));
    if (name == "rstrip") return Value::string(text::strip(s, opt_str(a.get(0, "chars")), false, true));
    if (name == "split" || name == "rsplit") {
        auto sep = opt_str(a.get(0, "sep"));
        if (sep && sep->empty()) throw TemplateError("empty separator");
        int64_t maxsplit = opt_int(a.get(1, "maxsplit"), -1);
        return string_list(name == "split" ? text::split(s, sep, maxsplit) : text::rsplit(s, sep, maxsplit));
    }
    if (name == "splitlines") {
        std::vector<std::string> lines;
        std::string cur;
        for (size_t k = 0; k < s.size(); ++k) {
            if (s[k] == '\n' || s[k] == '\r') {
                lines.push_back(cur);
                cur.clear();
                if (s[k] == '\r' && k + 1 < s.size() && s[k + 1] == '\n') ++k;
            } else {
                cur += s[k];
            }
        }
        if (!cur.empty()) lines.push_back(cur);
        return string_list(lines);
    }
    if (name == "startswith") return Value::boolean(affix_matches(s, a.get(0, nullptr), true));
    if (name == "endswith") return Value::boolean(affix_matches(s, a.get(0, nullptr), false));
    if (name == "replace") {
        auto from = opt_str(a.get(0, nullptr)), to = opt_str(a.get(1, nullptr));
        if (!from || !to) throw TemplateError("replace expected at least 2 arguments");
        return Value::string(text::replace(s, *from, *to, opt_int(a.get(2, "count"), -1)));
    }
    if (name == "upper") return Value::string(text::upper(s));
    if (name == "lower") return Value::string(text::lower(s));
    if (name == "title") return Value::string(text::title(s));
    if (name == "capitalize") return Value::string(text::capitalize(s));
    if (name == "find" || name == "rfind" || name == "index" || name == "rindex") {
        auto sub = opt_str(a.get(0, nullptr));
        if (!sub) throw TemplateError(name + " expected a string argument");
        size_t at = (name == "find" || name == "index") ? s.find(*sub) : s.rfind(*sub);
        if (at == std::string::npos) {
            if (name == "index" || name == "rindex") throw TemplateError("substring not found");
            return Value::integer(-1);
        }
        return Value::integer(int64_t(text::code_points(s.substr(0, at))));
    }
    if (name == "count") {
        auto sub = opt_str(a.get(0, nullptr));
        if (!sub) throw TemplateError("count expected a string argument");
        if (sub->empty()) return Value::integer(int64_t(text::code_points(s)) + 1);
        int64_t n = 0;
        for (size_t at = s.find(*sub); at != std::string::npos; at = s.find(*sub, at + sub->size())) ++n;
        return Value::integer(n);
    }
    if (name == "join") {
        std::string out;
        bool first = true;
        for (const auto& item : iterate(a.get(0, nullptr))) {
            if (!item.is_string()) throw TemplateError(std::string("sequence item: expected str instance, ") + type_name(item) + " found");
            if (!first) append_checked(out, s);
            first = false;
            append_checked(out, item.s);
        }
        return Value::string(out);
    }
    if (name == "isdigit") return Value::boolean(all_of_class(s, [](char32_t c) { return c >= '0' && c <= '9'; }));
    if (name == "isalpha")
        return Value::boolean(all_of_class(s, [](char32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c > 0x7F; }));
    if (name == "isalnum")
        return Value::boolean(all_of_class(s, [](char32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c > 0x7F; }));
    if (name == "isspace") return Value::boolean(all_of_class(s, text::is_space));
    if (name == "islower") return Value::boolean(text::lower(s) == s && text::upper(s) != s);
    if (name == "isupper") return Value::boolean(text::upper(s) == s && text::lower(s) != s);
    if (name == "removeprefix" || name == "removesuffix") {
        auto affix = opt_str(a.get(0, nullptr)).value_or("");
        bool pre = name == "removeprefix";
        if (affix_matches(s, Value::string(affix), pre))
            return Value::string(pre ? s.substr(affix.size()) : s.substr(0, s.size() - affix.size()));
        return Value::string(s);
    }
    if (name == "format") return Value::string(python_format(s, a));
    throw TemplateError("'str' object has no attribute '" + name + "'");
}

}  // namespace

bool has_method(const Value& value, const std::string& name) {
    if (value.is_string()) return kStringMethods.count(name) > 0;
    if (value.is_mapping()) return kDictMethods.count(name) > 0;
    if (value.is_sequence()) return kListMethods.count(name) > 0;
    return false;
}

Value call_method(const Value& value, const std::string& name, Args& a) {
    if (value.is_string()) return string_method(value.s, name, a);
    if (value.is_mapping()) {
        if (name == "get") {
            const Value* v = value.dict->find(a.get(0, "key"));
            if (v) return *v;
            return a.has(1, "default") ? a.get(1, "default") : Value::none();
        }
        List out;
        for (const auto& kv : value.dict->items) {
            if (name == "items") out.push_back(Value::make_tuple({kv.first, kv.second}));
            else if (name == "keys") out.push_back(kv.first);
            else out.push_back(kv.second);
        }
        return Value::make_list(std::move(out));
    }
    if (value.is_sequence()) {
        Value x = a.get(0, nullptr);
        int64_t count = 0;
        for (size_t k = 0; k < value.list->size(); ++k) {
            if (!equals((*value.list)[k], x)) continue;
            if (name == "index") return Value::integer(int64_t(k));
            ++count;
        }
        if (name == "index") throw TemplateError(repr(x) + " is not in list");
        return Value::integer(count);
    }
    throw TemplateError(std::string("'") + type_name(value) + "' object has no attribute '" + name + "'");
}

}  // namespace waypoint::jinja
