#include "formats/pytorch/pickle_value.h"

namespace waypoint::detail::pt {

const Value* Value::get(const std::string& key) const {
    if (kind != Kind::Dict) return nullptr;
    for (const auto& kv : dict)
        if (kv.first && kv.first->kind == Kind::String && kv.first->s == key) return kv.second.get();
    return nullptr;
}

ValuePtr make_value(Value::Kind kind) {
    auto v = std::make_shared<Value>();
    v->kind = kind;
    return v;
}

std::string describe(const Value& v) {
    switch (v.kind) {
        case Value::Kind::None: return "None";
        case Value::Kind::Bool: return "bool";
        case Value::Kind::Int: return "int";
        case Value::Kind::Float: return "float";
        case Value::Kind::String: return "str";
        case Value::Kind::Bytes: return "bytes";
        case Value::Kind::Tuple: return "tuple";
        case Value::Kind::List: return "list";
        case Value::Kind::Set: return "set";
        case Value::Kind::Dict: return "dict of " + std::to_string(v.dict.size());
        case Value::Kind::Tensor: return "tensor";
        case Value::Kind::Global: return v.s;
        case Value::Kind::Storage: return "storage";
    }
    return "?";
}

}  // namespace waypoint::detail::pt
