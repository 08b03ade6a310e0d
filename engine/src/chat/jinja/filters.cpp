// jinja2's built-in filters and tests, as jinja2 3.1 defines them, plus
// transformers' tojson (json.cpp). Filters jinja2 has but chat templates do
// not use are known by name (so a template naming one still parses, as in
// Python) and fail when reached.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>

#include "chat/jinja/interpreter.h"
#include "chat/jinja/parser.h"
#include "chat/jinja/text.h"

namespace waypoint::jinja {

namespace {

const std::set<std::string> kFilters = {
    "abs", "attr", "batch", "capitalize", "center", "count", "d", "default", "dictsort", "e", "escape",
    "filesizeformat", "first", "float", "forceescape", "format", "groupby", "indent", "int", "items", "join",
    "last", "length", "list", "lower", "map", "max", "min", "pprint", "random", "reject", "rejectattr",
    "replace", "reverse", "round", "safe", "select", "selectattr", "slice", "sort", "string", "striptags",
    "sum", "title", "tojson", "trim", "truncate", "unique", "upper", "urlencode", "urlize", "wordcount",
    "wordwrap", "xmlattr"};
const std::set<std::string> kTests = {
    "boolean", "callable", "defined", "divisibleby", "eq", "equalto", "==", "escaped", "even", "false",
    "filter", "float", "ge", ">=", "gt", "greaterthan", ">", "in", "integer", "iterable", "le", "<=",
    "lower", "lt", "lessthan", "<", "mapping", "ne", "!=", "none", "number", "odd", "sameas", "sequence",
    "string", "test", "true", "undefined", "upper"};

// A generator in Python: lazy, no len(), not JSON; `|list` makes a list.
Value generator(List items) {
    Value v = Value::make_list(std::move(items));
    v.generator = true;
    return v;
}

std::optional<std::string> opt_string(const Value& v) {
    if (v.is_undefined() || v.is_none()) return std::nullopt;
    return to_str(v);
}

Value attribute_of(const Value& item, const std::string& path) {
    Value v = item;
    size_t start = 0;
    while (true) {
        size_t dot = path.find('.', start);
        std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        bool digits = !part.empty() && std::all_of(part.begin(), part.end(), ::isdigit);
        if (v.is_mapping()) {
            const Value* f = v.dict->find(Value::string(part));
            v = f ? *f : Value::undefined("'dict object' has no attribute '" + part + "'");
        } else if (digits && v.is_sequence()) {
            size_t k = std::strtoul(part.c_str(), nullptr, 10);
            v = k < v.list->size() ? (*v.list)[k] : Value::undefined("index out of range");
        } else if (v.is_undefined()) {
            return v;
        } else {
            v = Value::undefined("'" + std::string(type_name(v)) + " object' has no attribute '" + part + "'");
        }
        if (dot == std::string::npos) return v;
        start = dot + 1;
    }
}

// Sort key for sort/dictsort/unique: strings lowered unless case_sensitive.
Value sort_key(const Value& v, bool case_sensitive) {
    if (!case_sensitive && v.is_string()) return Value::string(text::lower(v.s));
    return v;
}

Value rest_args_test(const std::string& test, const Value& item, const Args& args, size_t first) {
    Args a;
    for (size_t k = first; k < args.positional.size(); ++k) a.positional.push_back(args.positional[k]);
    a.keyword = args.keyword;
    return Value::boolean(apply_test(test, item, a));
}

// jinja2's select_or_reject: a falsy input (None, "") gives nothing.
Value select_like(const Value& seq, Args& args, bool attr, bool keep) {
    List out;
    if (!truthy(seq)) return generator({});
    for (const auto& item : iterate(seq)) {
        Value subject = item;
        size_t first = 0;
        if (attr) {
            subject = attribute_of(item, to_str(args.get(0, nullptr)));
            first = 1;
        }
        bool ok;
        if (args.positional.size() > first) {
            std::string test = to_str(args.positional[first]);
            if (!has_test(test)) throw TemplateError("no test named '" + test + "'");
            ok = truthy(rest_args_test(test, subject, args, first + 1));
        } else {
            ok = truthy(subject);
        }
        if (ok == keep) out.push_back(item);
    }
    return generator(std::move(out));
}

}  // namespace

std::string html_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&#34;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
        }
    }
    return out;
}

namespace {

std::vector<std::string> split_lines(const std::string& s) {
    std::vector<std::string> lines;
    std::string cur;
    for (size_t k = 0; k < s.size(); ++k) {
        char c = s[k];
        if (c == '\n' || c == '\r') {
            lines.push_back(cur);
            cur.clear();
            if (c == '\r' && k + 1 < s.size() && s[k + 1] == '\n') ++k;
        } else {
            cur += c;
        }
    }
    if (!cur.empty()) lines.push_back(cur);
    return lines;
}

Value to_int(const Value& v, const Value& fallback) {
    switch (v.type) {
    case Value::Type::Int:
    case Value::Type::Bool: return Value::integer(v.as_int());
    case Value::Type::Float: return Value::integer(float_to_int(v.f));
    case Value::Type::String: {
        std::string s = text::strip(v.s, std::nullopt, true, true);
        char* end = nullptr;
        long long n = std::strtoll(s.c_str(), &end, 10);
        if (!s.empty() && end && *end == 0) return Value::integer(n);
        double d = std::strtod(s.c_str(), &end);
        if (!s.empty() && end && *end == 0) return Value::integer(float_to_int(d));
        return fallback;
    }
    default: return fallback;
    }
}

}  // namespace

bool has_filter(const std::string& name) { return kFilters.count(name) > 0; }
bool has_test(const std::string& name) { return kTests.count(name) > 0; }

Value apply_filter(const std::string& name, const Value& v, Args& args) {
    auto need_defined = [&] { if (v.is_undefined()) fail_undefined(v); };
    if (name == "default" || name == "d") {
        bool boolean = truthy(args.get(1, "boolean"));
        if (v.is_undefined() || (boolean && !truthy(v))) {
            Value d = args.get(0, "default_value");
            return d.is_undefined() ? Value::string("") : d;
        }
        return v;
    }
    if (name == "length" || name == "count") return Value::integer(length(v));
    if (name == "string") return Value::string(to_str(v));
    if (name == "safe" || name == "e" || name == "escape" || name == "forceescape") {
        bool escape = name != "safe" && !(v.markup && name != "forceescape");
        Value m = Value::string(escape ? html_escape(to_str(v)) : to_str(v));
        m.markup = true;
        return m;
    }
    if (name == "trim") return Value::string(text::strip(to_str(v), opt_string(args.get(0, "chars")), true, true));
    if (name == "upper") return Value::string(text::upper(to_str(v)));
    if (name == "lower") return Value::string(text::lower(to_str(v)));
    if (name == "title") return Value::string(text::title(to_str(v)));
    if (name == "capitalize") return Value::string(text::capitalize(to_str(v)));
    if (name == "tojson") return Value::string(to_json(v, args));
    if (name == "replace") {
        Value count = args.get(2, "count");
        return Value::string(text::replace(to_str(v), to_str(args.get(0, "old")), to_str(args.get(1, "new")),
                                           count.is_undefined() || count.is_none() ? -1 : count.as_int()));
    }
    if (name == "join") {
        std::string sep = to_str(args.get(0, "d"));
        Value attr = args.get(1, "attribute");
        std::string out;
        bool first = true;
        for (const auto& item : iterate(v)) {
            if (!first) append_checked(out, sep);
            first = false;
            append_checked(out, to_str(attr.is_undefined() || attr.is_none() ? item : attribute_of(item, to_str(attr))));
        }
        return Value::string(out);
    }
    if (name == "first" || name == "last") {
        List items = iterate(v);
        if (items.empty()) return Value::undefined("No first item, sequence was empty.");
        return name == "first" ? items.front() : items.back();
    }
    if (name == "list") { need_defined(); return Value::make_list(iterate(v)); }  // also ends a generator
    if (name == "items") {
        List out;
        if (v.is_undefined()) return generator({});
        if (!v.is_mapping()) throw TemplateError("Can only get item pairs from a mapping.");
        for (const auto& kv : v.dict->items) out.push_back(Value::make_tuple({kv.first, kv.second}));
        return generator(std::move(out));
    }
    if (name == "dictsort") {
        need_defined();
        if (!v.is_mapping()) throw TemplateError("You can only sort by either \"key\" or \"value\"");
        bool cs = truthy(args.get(0, "case_sensitive"));
        std::string by = args.has(1, "by") ? to_str(args.get(1, "by")) : "key";
        bool reverse = truthy(args.get(2, "reverse"));
        int pos = by == "value" ? 1 : 0;
        List out;
        for (const auto& kv : v.dict->items) out.push_back(Value::make_tuple({kv.first, kv.second}));
        std::stable_sort(out.begin(), out.end(), [&](const Value& a, const Value& b) {
            Value ka = sort_key((*a.list)[pos], cs), kb = sort_key((*b.list)[pos], cs);
            return reverse ? less(kb, ka) : less(ka, kb);
        });
        return Value::make_list(std::move(out));
    }
    if (name == "sort") {
        bool reverse = truthy(args.get(0, "reverse"));
        bool cs = truthy(args.get(1, "case_sensitive"));
        Value attr = args.get(2, "attribute");
        List out = iterate(v);
        auto key = [&](const Value& x) {
            return sort_key(attr.is_undefined() || attr.is_none() ? x : attribute_of(x, to_str(attr)), cs);
        };
        std::stable_sort(out.begin(), out.end(), [&](const Value& a, const Value& b) {
            return reverse ? less(key(b), key(a)) : less(key(a), key(b));
        });
        return Value::make_list(std::move(out));
    }
    if (name == "unique") {
        bool cs = truthy(args.get(0, "case_sensitive"));
        Value attr = args.get(1, "attribute");
        List out, seen;
        for (const auto& item : iterate(v)) {
            Value k = sort_key(attr.is_undefined() || attr.is_none() ? item : attribute_of(item, to_str(attr)), cs);
            bool dup = false;
            for (const auto& s : seen) if (equals(s, k)) { dup = true; break; }
            if (!dup) { seen.push_back(k); out.push_back(item); }
        }
        return generator(std::move(out));
    }
    if (name == "reverse") {
        if (v.is_string()) return Value::string(text::slice(v.s, std::nullopt, std::nullopt, -1));
        List out = iterate(v);
        std::reverse(out.begin(), out.end());
        return generator(std::move(out));
    }
    if (name == "map") {
        List out;
        if (!truthy(v)) return generator({});
        Value attr = args.get(99, "attribute");
        if (!args.positional.empty() && attr.is_undefined()) {
            std::string filter = to_str(args.positional[0]);
            if (!has_filter(filter)) throw TemplateError("no filter named '" + filter + "'");
            Args rest;
            rest.positional.assign(args.positional.begin() + 1, args.positional.end());
            rest.keyword = args.keyword;
            for (const auto& item : iterate(v)) out.push_back(apply_filter(filter, item, rest));
        } else {
            Value def = args.get(99, "default");
            for (const auto& item : iterate(v)) {
                Value x = attribute_of(item, to_str(attr));
                out.push_back(x.is_undefined() && !def.is_undefined() ? def : x);
            }
        }
        return generator(std::move(out));
    }
    if (name == "select") return select_like(v, args, false, true);
    if (name == "reject") return select_like(v, args, false, false);
    if (name == "selectattr") return select_like(v, args, true, true);
    if (name == "rejectattr") return select_like(v, args, true, false);
    if (name == "attr") return attribute_of(v, to_str(args.get(0, "name")));
    if (name == "int") {
        Value def = args.get(0, "default");
        return to_int(v, def.is_undefined() ? Value::integer(0) : def);
    }
    if (name == "float") {
        Value def = args.get(0, "default");
        if (v.is_number()) return Value::real(v.as_double());
        if (v.is_string()) {
            char* end = nullptr;
            std::string s = text::strip(v.s, std::nullopt, true, true);
            double d = std::strtod(s.c_str(), &end);
            if (!s.empty() && *end == 0) return Value::real(d);
        }
        return def.is_undefined() ? Value::real(0) : def;
    }
    if (name == "abs") {
        need_defined();
        if (v.type == Value::Type::Float) return Value::real(std::fabs(v.f));
        if (v.is_number()) return Value::integer(v.as_int() < 0 ? checked_sub(0, v.as_int()) : v.as_int());
        throw TemplateError(std::string("bad operand type for abs(): '") + type_name(v) + "'");
    }
    if (name == "round") {
        int64_t precision = args.has(0, "precision") ? args.get(0, "precision").as_int() : 0;
        std::string method = args.has(1, "method") ? to_str(args.get(1, "method")) : "common";
        double scale = std::pow(10.0, double(precision)), x = v.as_double() * scale;
        double r = method == "ceil" ? std::ceil(x) : method == "floor" ? std::floor(x) : std::round(x);
        return Value::real(r / scale);
    }
    if (name == "sum") {
        Value attr = args.get(0, "attribute");
        Value total = args.has(1, "start") ? args.get(1, "start") : Value::integer(0);
        for (const auto& item : iterate(v)) {
            Value x = attr.is_undefined() || attr.is_none() ? item : attribute_of(item, to_str(attr));
            if (!x.is_number() || !total.is_number()) throw TemplateError("sum of non-numbers");
            total = total.type == Value::Type::Float || x.type == Value::Type::Float
                        ? Value::real(total.as_double() + x.as_double())
                        : Value::integer(checked_add(total.as_int(), x.as_int()));
        }
        return total;
    }
    if (name == "min" || name == "max") {
        bool cs = truthy(args.get(0, "case_sensitive"));
        List items = iterate(v);
        if (items.empty()) return Value::undefined("No aggregated item, sequence was empty.");
        Value best = items[0];
        for (const auto& x : items) {
            bool better = name == "min" ? less(sort_key(x, cs), sort_key(best, cs)) : less(sort_key(best, cs), sort_key(x, cs));
            if (better) best = x;
        }
        return best;
    }
    if (name == "indent") {
        Value width = args.has(0, "width") ? args.get(0, "width") : Value::integer(4);
        if (!width.is_string()) charge_text(size_t(std::max<int64_t>(0, width.as_int())));
        std::string ind = width.is_string() ? width.s : std::string(size_t(std::max<int64_t>(0, width.as_int())), ' ');
        bool first = truthy(args.get(1, "first")), blank = truthy(args.get(2, "blank"));
        std::vector<std::string> lines = split_lines(to_str(v) + "\n");
        // Every line gains the indent: refused before it is built when too long.
        charge_text(lines.size() * ind.size() + to_str(v).size());
        std::string out;
        if (blank) {
            for (size_t k = 0; k < lines.size(); ++k) out += (k ? "\n" + ind : "") + lines[k];
        } else if (!lines.empty()) {
            out = lines[0];
            for (size_t k = 1; k < lines.size(); ++k) out += "\n" + (lines[k].empty() ? "" : ind + lines[k]);
        }
        return Value::string(first ? ind + out : out);
    }
    if (name == "center") {
        int64_t width = args.has(0, "width") ? args.get(0, "width").as_int() : 80;
        std::string s = to_str(v);
        int64_t n = int64_t(text::code_points(s));
        if (n >= width) return Value::string(s);
        charge_text(size_t(width - n) + s.size());
        int64_t pad = width - n, left = pad / 2 + (pad & width & 1);
        return Value::string(std::string(size_t(left), ' ') + s + std::string(size_t(pad - left), ' '));
    }
    if (name == "wordcount") return Value::integer(int64_t(text::split(to_str(v), std::nullopt, -1).size()));
    if (name == "format") {
        // "fmt" % args, as jinja2's format filter does
        Value fmt = Value::string(to_str(v));
        std::string out;
        List vals = args.positional;
        size_t next = 0;
        for (size_t k = 0; k < fmt.s.size(); ++k) {
            if (fmt.s[k] == '%' && k + 1 < fmt.s.size()) {
                char c = fmt.s[++k];
                if (c == '%') { out += '%'; continue; }
                if (next >= vals.size()) throw TemplateError("not enough arguments for format string");
                out += c == 'r' ? repr(vals[next++]) : to_str(vals[next++]);
            } else {
                out += fmt.s[k];
            }
        }
        return Value::string(out);
    }
    throw TemplateError("the filter '" + name + "' is not supported by this renderer");
}

bool apply_test(const std::string& name, const Value& v, Args& args) {
    Value arg = args.get(0, nullptr);
    if (name == "defined") return !v.is_undefined();
    if (name == "undefined") return v.is_undefined();
    if (name == "none") return v.is_none();
    if (name == "string") return v.is_string();
    if (name == "mapping") return v.is_mapping();
    if (name == "boolean") return v.type == Value::Type::Bool;
    if (name == "true") return v.type == Value::Type::Bool && v.b;
    if (name == "false") return v.type == Value::Type::Bool && !v.b;
    if (name == "integer") return v.type == Value::Type::Int;
    if (name == "float") return v.type == Value::Type::Float;
    if (name == "number") return v.is_number();
    if (name == "iterable")
        return v.is_undefined() || v.is_string() || v.is_sequence() || v.is_mapping();
    if (name == "sequence")
        return v.is_undefined() || v.is_string() || v.is_sequence() || v.is_mapping();
    if (name == "callable") return v.is_callable();
    if (name == "escaped") return false;
    if (name == "lower") return v.is_string() && text::lower(v.s) == v.s;
    if (name == "upper") return v.is_string() && text::upper(v.s) == v.s;
    if (name == "odd" || name == "even") {
        if (!v.is_number()) throw TemplateError(std::string("unsupported operand for %: '") + type_name(v) + "'");
        int64_t m = v.as_int() % 2;
        return name == "odd" ? m != 0 : m == 0;
    }
    if (name == "divisibleby") {
        int64_t d = arg.as_int();
        if (d == 0) throw TemplateError("integer division or modulo by zero");
        if (d == -1) return true;  // INT64_MIN % -1 traps
        return v.as_int() % d == 0;
    }
    if (name == "eq" || name == "equalto" || name == "==") return equals(v, arg);
    if (name == "ne" || name == "!=") return !equals(v, arg);
    if (name == "lt" || name == "lessthan" || name == "<") return less(v, arg);
    if (name == "le" || name == "<=") return !less(arg, v);
    if (name == "gt" || name == "greaterthan" || name == ">") return less(arg, v);
    if (name == "ge" || name == ">=") return !less(v, arg);
    if (name == "in") {
        if (arg.is_string()) return v.is_string() && arg.s.find(v.s) != std::string::npos;
        if (arg.is_mapping()) return arg.dict->find(v) != nullptr;
        for (const auto& x : iterate(arg)) if (equals(x, v)) return true;
        return false;
    }
    if (name == "sameas") {
        if (v.type != arg.type) return false;
        if (v.is_sequence()) return v.list == arg.list;
        if (v.is_mapping()) return v.dict == arg.dict;
        return equals(v, arg);
    }
    if (name == "filter") return v.is_string() && has_filter(v.s);
    if (name == "test") return v.is_string() && has_test(v.s);
    throw TemplateError("the test '" + name + "' is not supported by this renderer");
}

}  // namespace waypoint::jinja
