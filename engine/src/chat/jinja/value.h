// The values a chat template computes with, modelled on the Python objects
// jinja2 hands around (transformers renders templates with Python's jinja2):
// None, bool, int, float, str (UTF-8 here, indexed by code point), list,
// tuple, dict (insertion-ordered, keys of any hashable kind), callables, a
// jinja2 Namespace, and Undefined (a missing variable or key, which prints as
// "" and fails when used as a value). Lists and dicts are shared by reference,
// as in Python: `ns.x` set on a namespace is seen through every name of it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "chat/jinja/budget.h"

namespace waypoint::jinja {

// A template failed while rendering or parsing: the message a person reads
// (raise_exception's text as the template wrote it).
class TemplateError : public std::runtime_error {
public:
    explicit TemplateError(const std::string& message, bool raised = false)
        : std::runtime_error(message), raised_(raised) {}
    // True when the template itself called raise_exception(message).
    bool raised() const noexcept { return raised_; }

private:
    bool raised_;
};

struct Value;
struct Dict;
struct Args;
using List = std::vector<Value>;
using Function = std::function<Value(Args&)>;

struct Value {
    enum class Type { Undefined, None, Bool, Int, Float, String, List, Tuple, Dict, Function, Namespace };

    Type type = Type::Undefined;
    bool b = false;
    int64_t i = 0;
    double f = 0;
    std::string s;                   // String; for Undefined: what was missing (for messages)
    std::shared_ptr<List> list;      // List, Tuple
    std::shared_ptr<Dict> dict;      // Dict, Namespace
    std::shared_ptr<Function> fn;    // Function
    std::string unsafe;              // Undefined standing for a sandbox-forbidden attribute
    bool markup = false;             // String marked safe (|safe, |e): markupsafe.Markup, whose `+` escapes the other side
    bool generator = false;          // List made by map/select/...: a Python generator (no len, no JSON)

    Value() = default;
    static Value undefined(std::string what = {}) { Value v; v.s = std::move(what); return v; }
    static Value none() { Value v; v.type = Type::None; return v; }
    static Value boolean(bool x) { Value v; v.type = Type::Bool; v.b = x; return v; }
    static Value integer(int64_t x) { Value v; v.type = Type::Int; v.i = x; return v; }
    static Value real(double x) { Value v; v.type = Type::Float; v.f = x; return v; }
    static Value string(std::string x) { charge_text(x.size()); Value v; v.type = Type::String; v.s = std::move(x); return v; }
    static Value make_list(List items = {});
    static Value make_tuple(List items);
    static Value make_dict();
    static Value make_namespace();
    static Value function(Function f);

    bool is_undefined() const { return type == Type::Undefined; }
    bool is_none() const { return type == Type::None; }
    bool is_string() const { return type == Type::String; }
    bool is_number() const { return type == Type::Int || type == Type::Float || type == Type::Bool; }
    bool is_sequence() const { return type == Type::List || type == Type::Tuple; }
    bool is_mapping() const { return type == Type::Dict; }
    bool is_callable() const { return type == Type::Function; }

    double as_double() const { return type == Type::Float ? f : type == Type::Bool ? double(b) : double(i); }
    int64_t as_int() const { return type == Type::Bool ? int64_t(b) : i; }
};

// Insertion-ordered mapping (Python 3.7+ dict). Small: linear search keeps
// the order without a second index; templates hold a few dozen keys at most.
struct Dict {
    std::vector<std::pair<Value, Value>> items;
    const Value* find(const Value& key) const;
    Value* find(const Value& key);
    void set(const Value& key, Value value);
    const Value* find(const std::string& key) const { return find(Value::string(key)); }
};

// A call's arguments: positional then keyword, as Python passes them.
struct Args {
    std::vector<Value> positional;
    std::vector<std::pair<std::string, Value>> keyword;

    // The argument at position `index` or named `name`; Undefined when absent.
    Value get(size_t index, const char* name) const;
    bool has(size_t index, const char* name) const;
};

// Python's name of the type, for messages: "str", "list", "NoneType", ...
const char* type_name(const Value& v);
// Python's truth value.
bool truthy(const Value& v);
// str(v) as Python prints it (Undefined prints as "").
std::string to_str(const Value& v);
// repr(v) as Python prints it.
std::string repr(const Value& v);
// ==, with Python's numeric equality across int/float/bool.
bool equals(const Value& a, const Value& b);
// <, for sorting and comparisons; TypeError-like TemplateError across kinds.
bool less(const Value& a, const Value& b);
// The elements a `for` loop visits: list items, dict keys, string characters.
List iterate(const Value& v);
// len(v); TemplateError for values without a length.
int64_t length(const Value& v);

// int(x) of a float; TemplateError when x is NaN or outside int64 (Python's
// integers have no bound, these have 64 bits).
int64_t float_to_int(double x);
// a + b, a - b, a * b on int64; TemplateError on overflow.
int64_t checked_add(int64_t a, int64_t b);
int64_t checked_sub(int64_t a, int64_t b);
int64_t checked_mul(int64_t a, int64_t b);

// Python's float repr: the shortest text that reads back as the same double.
std::string float_repr(double x);

}  // namespace waypoint::jinja
