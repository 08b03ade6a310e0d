// The values our restricted unpickler yields: what Python's
// torch.load(weights_only=True) would allow - plain values, containers and
// tensors - and nothing that runs code.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace waypoint::detail::pt {

struct Value;
using ValuePtr = std::shared_ptr<Value>;

struct Value {
    Value() = default;
    Value(const Value&) = default;
    Value(Value&&) = default;
    Value& operator=(const Value&) = default;
    Value& operator=(Value&&) = default;
    // Releases nested containers with a work list, not recursion: a pickle
    // of a million nested lists must not overflow the stack when freed.
    ~Value();

    enum class Kind {
        None, Bool, Int, Float, String, Bytes,
        Tuple, List, Set, Dict,
        Tensor,
        Global,   // an allowed class or function ("collections.OrderedDict"), by name
        Storage,  // a storage record from the archive: flat 1-D tensor
    };
    Kind kind = Kind::None;
    bool b = false;
    int64_t i = 0;
    double f = 0.0;
    std::string s;                                      // String, Bytes, Global name
    std::vector<ValuePtr> items;                        // Tuple, List, Set
    std::vector<std::pair<ValuePtr, ValuePtr>> dict;    // Dict, in insertion order
    at::Tensor tensor;                                  // Tensor, Storage

    bool is(Kind k) const { return kind == k; }
    bool is_number() const { return kind == Kind::Int || kind == Kind::Float || kind == Kind::Bool; }
    double number() const { return kind == Kind::Float ? f : kind == Kind::Bool ? double(b) : double(i); }

    // Dict lookup by string key; nullptr when absent or not a dict.
    const Value* get(const std::string& key) const;
};

ValuePtr make_value(Value::Kind kind);

// "str", "{dict of 3}", ... for error messages.
std::string describe(const Value& v);

}  // namespace waypoint::detail::pt
