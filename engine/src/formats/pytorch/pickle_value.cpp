#include "formats/pytorch/pickle_value.h"

namespace waypoint::detail::pt {

const Value* Value::get(const std::string& key) const {
    if (kind != Kind::Dict) return nullptr;
    for (const auto& kv : dict)
        if (kv.first && kv.first->kind == Kind::String && kv.first->s == key) return kv.second.get();
    return nullptr;
}

Value::~Value() {
    std::vector<ValuePtr> pending;
    auto take_children = [&pending](Value& v) {
        for (auto& item : v.items) pending.push_back(std::move(item));
        for (auto& [k, val] : v.dict) {
            pending.push_back(std::move(k));
            pending.push_back(std::move(val));
        }
        v.items.clear();
        v.dict.clear();
    };
    take_children(*this);
    while (!pending.empty()) {
        ValuePtr v = std::move(pending.back());
        pending.pop_back();
        // Only the last owner empties it; its own destructor then finds no children.
        if (v && v.use_count() == 1) take_children(*v);
    }
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
