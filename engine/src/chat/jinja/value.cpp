#include "chat/jinja/value.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "chat/jinja/text.h"

namespace waypoint::jinja {

Value Value::make_list(List items) {
    Value v;
    v.type = Type::List;
    v.list = std::make_shared<List>(std::move(items));
    return v;
}

Value Value::make_tuple(List items) {
    Value v = make_list(std::move(items));
    v.type = Type::Tuple;
    return v;
}

Value Value::make_dict() {
    Value v;
    v.type = Type::Dict;
    v.dict = std::make_shared<Dict>();
    return v;
}

Value Value::make_namespace() {
    Value v = make_dict();
    v.type = Type::Namespace;
    return v;
}

Value Value::function(Function f) {
    Value v;
    v.type = Type::Function;
    v.fn = std::make_shared<Function>(std::move(f));
    return v;
}

namespace {
// Python hashes 1, 1.0 and True alike: they are one key.
bool same_key(const Value& a, const Value& b) {
    if (a.is_number() && b.is_number()) return a.as_double() == b.as_double();
    return a.type == b.type && equals(a, b);
}
}  // namespace

const Value* Dict::find(const Value& key) const {
    for (const auto& kv : items)
        if (same_key(kv.first, key)) return &kv.second;
    return nullptr;
}

Value* Dict::find(const Value& key) {
    for (auto& kv : items)
        if (same_key(kv.first, key)) return &kv.second;
    return nullptr;
}

void Dict::set(const Value& key, Value value) {
    if (Value* v = find(key)) *v = std::move(value);
    else items.emplace_back(key, std::move(value));
}

Value Args::get(size_t index, const char* name) const {
    if (index < positional.size()) return positional[index];
    if (name)
        for (const auto& kv : keyword)
            if (kv.first == name) return kv.second;
    return Value::undefined();
}

bool Args::has(size_t index, const char* name) const {
    if (index < positional.size()) return true;
    if (name)
        for (const auto& kv : keyword)
            if (kv.first == name) return true;
    return false;
}

const char* type_name(const Value& v) {
    switch (v.type) {
    case Value::Type::Undefined: return "Undefined";
    case Value::Type::None: return "NoneType";
    case Value::Type::Bool: return "bool";
    case Value::Type::Int: return "int";
    case Value::Type::Float: return "float";
    case Value::Type::String: return "str";
    case Value::Type::List: return v.generator ? "generator" : "list";
    case Value::Type::Tuple: return "tuple";
    case Value::Type::Dict: return "dict";
    case Value::Type::Function: return "function";
    case Value::Type::Namespace: return "Namespace";
    }
    return "object";
}

bool truthy(const Value& v) {
    switch (v.type) {
    case Value::Type::Undefined:
    case Value::Type::None: return false;
    case Value::Type::Bool: return v.b;
    case Value::Type::Int: return v.i != 0;
    case Value::Type::Float: return v.f != 0;
    case Value::Type::String: return !v.s.empty();
    case Value::Type::List:
    case Value::Type::Tuple: return v.generator || !v.list->empty();
    case Value::Type::Dict: return !v.dict->items.empty();
    default: return true;
    }
}

std::string float_repr(double x) {
    if (std::isnan(x)) return "nan";
    if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
    char buf[40];
    int prec = 1;
    for (; prec <= 17; ++prec) {
        std::snprintf(buf, sizeof buf, "%.*e", prec - 1, x);
        if (std::strtod(buf, nullptr) == x) break;
    }
    // buf = "[-]d.ddde[+-]XX": digits and decimal exponent.
    std::string s(buf);
    bool neg = s[0] == '-';
    if (neg) s.erase(0, 1);
    size_t e = s.find('e');
    int exp10 = std::atoi(s.c_str() + e + 1);
    std::string digits;
    for (size_t k = 0; k < e; ++k)
        if (s[k] != '.') digits += s[k];
    while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
    std::string out = neg ? "-" : "";
    if (exp10 < -4 || exp10 >= 16) {
        out += digits.substr(0, 1);
        if (digits.size() > 1) out += "." + digits.substr(1);
        char eb[8];
        std::snprintf(eb, sizeof eb, "e%c%02d", exp10 < 0 ? '-' : '+', std::abs(exp10));
        return out + eb;
    }
    if (exp10 < 0) return out + "0." + std::string(size_t(-exp10 - 1), '0') + digits;
    if (int(digits.size()) <= exp10 + 1) return out + digits + std::string(size_t(exp10 + 1 - int(digits.size())), '0') + ".0";
    return out + digits.substr(0, size_t(exp10 + 1)) + "." + digits.substr(size_t(exp10 + 1));
}

namespace {

std::string repr_string(const std::string& s) {
    bool has_single = s.find('\'') != std::string::npos;
    bool has_double = s.find('"') != std::string::npos;
    char q = has_single && !has_double ? '"' : '\'';
    std::string out(1, q);
    for (char32_t c : text::decode(s)) {
        if (c == char32_t(q) || c == '\\') { out += '\\'; out += char(c); }
        else if (c == '\n') out += "\\n";
        else if (c == '\r') out += "\\r";
        else if (c == '\t') out += "\\t";
        else if (!text::is_printable(c)) {
            char buf[12];
            if (c < 0x100) std::snprintf(buf, sizeof buf, "\\x%02x", unsigned(c));
            else if (c < 0x10000) std::snprintf(buf, sizeof buf, "\\u%04x", unsigned(c));
            else std::snprintf(buf, sizeof buf, "\\U%08x", unsigned(c));
            out += buf;
        } else {
            out += text::encode(std::u32string(1, c));
        }
    }
    out += q;
    return out;
}

std::string repr_items(const Value& v) {
    // A namespace can hold itself ({% set ns.me = ns %}): the depth limit
    // ends that recursion, and every item counts as work.
    DepthGuard depth;
    charge_steps(1 + int64_t(v.type == Value::Type::Dict || v.type == Value::Type::Namespace ? v.dict->items.size()
                                                                                             : v.list->size()));
    std::string out;
    if (v.type == Value::Type::Dict || v.type == Value::Type::Namespace) {
        out = "{";
        bool first = true;
        for (const auto& kv : v.dict->items) {
            if (!first) out += ", ";
            first = false;
            append_checked(out, repr(kv.first) + ": " + repr(kv.second));
        }
        out += "}";
        return v.type == Value::Type::Namespace ? "<Namespace " + out + ">" : out;
    }
    bool tuple = v.type == Value::Type::Tuple;
    out = tuple ? "(" : "[";
    for (size_t k = 0; k < v.list->size(); ++k) {
        if (k) out += ", ";
        append_checked(out, repr((*v.list)[k]));
    }
    if (tuple && v.list->size() == 1) out += ",";
    out += tuple ? ")" : "]";
    return out;
}

}  // namespace

std::string to_str(const Value& v) {
    switch (v.type) {
    case Value::Type::Undefined: return "";
    case Value::Type::String: return v.s;
    default: return repr(v);
    }
}

std::string repr(const Value& v) {
    switch (v.type) {
    case Value::Type::Undefined: return "Undefined";
    case Value::Type::None: return "None";
    case Value::Type::Bool: return v.b ? "True" : "False";
    case Value::Type::Int: return std::to_string(v.i);
    case Value::Type::Float: return float_repr(v.f);
    case Value::Type::String: return repr_string(v.s);
    case Value::Type::Function: return "<function>";
    default: return v.generator ? "<generator object>" : repr_items(v);
    }
}

bool equals(const Value& a, const Value& b) {
    if (a.is_number() && b.is_number()) {
        if (a.type == Value::Type::Float || b.type == Value::Type::Float) return a.as_double() == b.as_double();
        return a.as_int() == b.as_int();
    }
    DepthGuard depth;  // containers compare their items: a namespace may hold itself
    if (a.is_sequence() && b.is_sequence()) {
        if (a.type != b.type || a.list->size() != b.list->size()) return false;
        charge_steps(int64_t(a.list->size()));
        for (size_t k = 0; k < a.list->size(); ++k)
            if (!equals((*a.list)[k], (*b.list)[k])) return false;
        return true;
    }
    if (a.type != b.type) return false;
    switch (a.type) {
    case Value::Type::Undefined:
    case Value::Type::None: return true;
    case Value::Type::String: return a.s == b.s;
    case Value::Type::Dict:
    case Value::Type::Namespace:
        if (a.dict == b.dict) return true;
        if (a.dict->items.size() != b.dict->items.size()) return false;
        for (const auto& kv : a.dict->items) {
            const Value* o = b.dict->find(kv.first);
            if (!o || !equals(kv.second, *o)) return false;
        }
        return true;
    case Value::Type::Function: return a.fn == b.fn;
    default: return false;
    }
}

bool less(const Value& a, const Value& b) {
    if (a.is_number() && b.is_number()) return a.as_double() < b.as_double();
    if (a.is_string() && b.is_string()) return a.s < b.s;  // UTF-8 byte order = code point order
    if (a.is_sequence() && b.is_sequence()) {
        size_t n = std::min(a.list->size(), b.list->size());
        for (size_t k = 0; k < n; ++k) {
            if (!equals((*a.list)[k], (*b.list)[k])) return less((*a.list)[k], (*b.list)[k]);
        }
        return a.list->size() < b.list->size();
    }
    throw TemplateError(std::string("'<' not supported between instances of '") + type_name(a) + "' and '" +
                        type_name(b) + "'");
}

List iterate(const Value& v) {
    charge_steps(1 + (v.is_sequence() ? int64_t(v.list->size()) : v.is_mapping() ? int64_t(v.dict->items.size())
                                                                  : v.is_string() ? int64_t(v.s.size()) : 0));
    switch (v.type) {
    case Value::Type::Undefined: return {};
    case Value::Type::List:
    case Value::Type::Tuple: return *v.list;
    case Value::Type::Dict: {
        List keys;
        for (const auto& kv : v.dict->items) keys.push_back(kv.first);
        return keys;
    }
    case Value::Type::String: {
        List chars;
        for (char32_t c : text::decode(v.s)) chars.push_back(Value::string(text::encode(std::u32string(1, c))));
        return chars;
    }
    default: throw TemplateError(std::string("'") + type_name(v) + "' object is not iterable");
    }
}

int64_t length(const Value& v) {
    switch (v.type) {
    case Value::Type::Undefined: return 0;
    case Value::Type::String: return int64_t(text::code_points(v.s));
    case Value::Type::List:
    case Value::Type::Tuple:
        if (v.generator) break;
        return int64_t(v.list->size());
    case Value::Type::Dict: return int64_t(v.dict->items.size());
    default: break;
    }
    throw TemplateError(std::string("object of type '") + type_name(v) + "' has no len()");
}

int64_t float_to_int(double x) {
    // 2^63 is exact as a double; every double below it converts.
    if (!(x >= -9223372036854775808.0 && x < 9223372036854775808.0)) {
        if (std::isnan(x)) throw TemplateError("cannot convert float NaN to integer");
        throw TemplateError("the integer " + float_repr(x) + " is too large for this renderer (64 bits)");
    }
    return int64_t(x);
}

namespace {
[[noreturn]] void overflow(int64_t a, const char* op, int64_t b) {
    throw TemplateError("integer overflow in " + std::to_string(a) + " " + op + " " + std::to_string(b) +
                        " (this renderer's integers have 64 bits)");
}
}  // namespace

// Portable checks (MSVC has no __builtin_*_overflow).
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

int64_t checked_add(int64_t a, int64_t b) {
    if ((b > 0 && a > kMax - b) || (b < 0 && a < kMin - b)) overflow(a, "+", b);
    return a + b;
}

int64_t checked_sub(int64_t a, int64_t b) {
    if ((b < 0 && a > kMax + b) || (b > 0 && a < kMin + b)) overflow(a, "-", b);
    return a - b;
}

int64_t checked_mul(int64_t a, int64_t b) {
    if (a > 0 ? (b > 0 ? a > kMax / b : b < kMin / a) : (b > 0 ? a < kMin / b : a != 0 && b < kMax / a))
        overflow(a, "*", b);
    return a * b;
}

}  // namespace waypoint::jinja
