#include "chat/jinja/operators.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "chat/jinja/interpreter.h"
#include "chat/jinja/text.h"

namespace waypoint::jinja {

namespace {

const std::vector<std::string> kUnsafeListMethods = {"append", "extend", "insert", "pop", "remove", "clear",
                                                     "sort", "reverse"};
const std::vector<std::string> kUnsafeDictMethods = {"pop", "popitem", "update", "clear", "setdefault"};

bool contains(const std::vector<std::string>& v, const std::string& s) {
    for (const auto& x : v) if (x == s) return true;
    return false;
}

Value unsafe_attribute(const Value& obj, const std::string& name) {
    Value u = Value::undefined();
    u.unsafe = "access to attribute '" + name + "' of '" + type_name(obj) + "' object is unsafe.";
    return u;
}

// `items` repeated `times` is about to be copied into a new list: each copy
// costs a step, and its bytes (the Value and a string's text) count as built.
void charge_list(const List& items, int64_t times) {
    if (times <= 0 || items.empty()) return;
    size_t bytes = 0;
    for (const auto& v : items) bytes += sizeof(Value) + v.s.size();
    const size_t most = std::numeric_limits<size_t>::max();
    const size_t n = size_t(times);
    charge_steps(items.size() <= size_t(std::numeric_limits<int64_t>::max()) / n ? int64_t(items.size() * n)
                                                                                : std::numeric_limits<int64_t>::max());
    charge_text(bytes <= most / n ? bytes * n : most);
}

int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
}

// Python's printf-style `str % args` for the conversions templates use.
std::string percent_format(const std::string& fmt, const Value& args) {
    List values = args.type == Value::Type::Tuple ? *args.list : List{args};
    std::string out;
    size_t next = 0;
    for (size_t k = 0; k < fmt.size(); ++k) {
        if (fmt[k] != '%') { out += fmt[k]; continue; }
        if (++k >= fmt.size()) throw TemplateError("incomplete format");
        char c = fmt[k];
        if (c == '%') { out += '%'; continue; }
        if (next >= values.size()) throw TemplateError("not enough arguments for format string");
        const Value& v = values[next++];
        if (c == 's') out += to_str(v);
        else if (c == 'r') out += repr(v);
        else if (c == 'd' || c == 'i') out += std::to_string(!v.is_number() ? 0 : v.type == Value::Type::Float ? float_to_int(v.f) : v.as_int());
        else throw TemplateError(std::string("unsupported format character '") + c + "'");
    }
    return out;
}

}  // namespace

Value get_attr(const Value& obj, const std::string& name) {
    switch (obj.type) {
    case Value::Type::Undefined: fail_undefined(obj);
    case Value::Type::Dict:
        if (const Value* v = obj.dict->find(name)) return *v;
        if (contains(kUnsafeDictMethods, name)) return unsafe_attribute(obj, name);
        return Value::undefined("'dict object' has no attribute '" + name + "'");
    case Value::Type::Namespace:
        if (const Value* v = obj.dict->find(name)) return *v;
        return Value::undefined("'Namespace object' has no attribute '" + name + "'");
    case Value::Type::List:
    case Value::Type::Tuple:
        if (contains(kUnsafeListMethods, name)) return unsafe_attribute(obj, name);
        break;
    default: break;
    }
    return Value::undefined("'" + std::string(type_name(obj)) + " object' has no attribute '" + name + "'");
}

Value get_item(const Value& obj, const Value& key) {
    switch (obj.type) {
    case Value::Type::Undefined: fail_undefined(obj);
    case Value::Type::Dict:
    case Value::Type::Namespace:
        if (const Value* v = obj.dict->find(key)) return *v;
        return Value::undefined("'dict object' has no attribute " + repr(key));
    case Value::Type::List:
    case Value::Type::Tuple:
    case Value::Type::String:
        if (key.type == Value::Type::Int || key.type == Value::Type::Bool) {
            int64_t n = length(obj), k = key.as_int();
            if (k < 0) k += n;
            if (k < 0 || k >= n) return Value::undefined(std::string(type_name(obj)) + " index out of range");
            if (obj.is_string()) return Value::string(text::slice(obj.s, k, k + 1, 1));
            return (*obj.list)[size_t(k)];
        }
        if (key.is_string()) return get_attr(obj, key.s);
        break;
    default: break;
    }
    return Value::undefined("'" + std::string(type_name(obj)) + " object' has no attribute " + repr(key));
}

bool contains_value(const Value& container, const Value& item) {
    switch (container.type) {
    case Value::Type::String:
        if (!item.is_string()) throw TemplateError("'in <string>' requires string as left operand, not " + std::string(type_name(item)));
        return container.s.find(item.s) != std::string::npos;
    case Value::Type::List:
    case Value::Type::Tuple:
        for (const auto& x : *container.list) if (equals(x, item)) return true;
        return false;
    case Value::Type::Dict:
    case Value::Type::Namespace: return container.dict->find(item) != nullptr;
    case Value::Type::Undefined:
        if (!container.unsafe.empty()) fail_undefined(container);
        return false;
    default: throw TemplateError(std::string("argument of type '") + type_name(container) + "' is not iterable");
    }
}

Value arithmetic(const std::string& op, const Value& l, const Value& r) {
    auto type_error = [&]() -> TemplateError {
        return TemplateError("unsupported operand type(s) for " + op + ": '" + type_name(l) + "' and '" + type_name(r) + "'");
    };
    if (l.is_number() && r.is_number()) {
        bool flt = l.type == Value::Type::Float || r.type == Value::Type::Float;
        if (op == "/") {
            if (r.as_double() == 0) throw TemplateError("division by zero");
            return Value::real(l.as_double() / r.as_double());
        }
        if (flt) {
            double a = l.as_double(), b = r.as_double();
            if (op == "+") return Value::real(a + b);
            if (op == "-") return Value::real(a - b);
            if (op == "*") return Value::real(a * b);
            if (op == "**") return Value::real(std::pow(a, b));
            if (b == 0) throw TemplateError("float division by zero");
            if (op == "//") return Value::real(std::floor(a / b));
            if (op == "%") { double m = std::fmod(a, b); if (m != 0 && ((m < 0) != (b < 0))) m += b; return Value::real(m); }
        } else {
            int64_t a = l.as_int(), b = r.as_int();
            if (op == "+") return Value::integer(checked_add(a, b));
            if (op == "-") return Value::integer(checked_sub(a, b));
            if (op == "*") return Value::integer(checked_mul(a, b));
            if (op == "**") {
                if (b < 0) return Value::real(std::pow(double(a), double(b)));
                // By squaring: 1 ** (2**62) must not take 2**62 steps.
                int64_t p = 1, base = a;
                for (int64_t e = b; e > 0; e >>= 1) {
                    if (e & 1) p = checked_mul(p, base);
                    if (e > 1) base = checked_mul(base, base);
                }
                return Value::integer(p);
            }
            if (b == 0) throw TemplateError("integer division or modulo by zero");
            if (b == -1) {  // INT64_MIN // -1 overflows; x % -1 is 0
                if (op == "//") return Value::integer(checked_sub(0, a));
                if (op == "%") return Value::integer(0);
            }
            if (op == "//") return Value::integer(floor_div(a, b));
            if (op == "%") return Value::integer(a - floor_div(a, b) * b);
        }
        throw type_error();
    }
    if (op == "+") {
        if (l.is_string() && r.is_string()) {
            if (!l.markup && !r.markup) return Value::string(l.s + r.s);
            // Markup + str escapes the plain side (markupsafe), and stays Markup.
            Value m = Value::string((l.markup ? l.s : html_escape(l.s)) + (r.markup ? r.s : html_escape(r.s)));
            m.markup = true;
            return m;
        }
        if (l.is_sequence() && r.type == l.type) {
            charge_list(*l.list, 1);
            charge_list(*r.list, 1);
            List out = *l.list;
            out.insert(out.end(), r.list->begin(), r.list->end());
            return l.type == Value::Type::Tuple ? Value::make_tuple(std::move(out)) : Value::make_list(std::move(out));
        }
        throw type_error();
    }
    if (op == "*") {
        const Value& seq = l.is_number() ? r : l;
        const Value& cnt = l.is_number() ? l : r;
        if (cnt.type == Value::Type::Int || cnt.type == Value::Type::Bool) {
            int64_t n = std::max<int64_t>(0, cnt.as_int());
            if (seq.is_string()) {
                // Refused before a byte is built: "x" * 10**15 must not run out of memory.
                charge_text(n == 0 || seq.s.size() <= std::numeric_limits<size_t>::max() / size_t(n)
                                ? seq.s.size() * size_t(n) : std::numeric_limits<size_t>::max());
                std::string out;
                for (int64_t k = 0; k < n; ++k) out += seq.s;
                return Value::string(out);
            }
            if (seq.is_sequence()) {
                charge_list(*seq.list, n);
                List out;
                for (int64_t k = 0; k < n; ++k) out.insert(out.end(), seq.list->begin(), seq.list->end());
                return seq.type == Value::Type::Tuple ? Value::make_tuple(std::move(out)) : Value::make_list(std::move(out));
            }
        }
        throw type_error();
    }
    if (op == "%" && l.is_string()) return Value::string(percent_format(l.s, r));
    throw type_error();
}

}  // namespace waypoint::jinja
