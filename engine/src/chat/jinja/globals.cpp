#include "chat/jinja/globals.h"

#include <limits>

#include "chat/jinja/interpreter.h"

namespace waypoint::jinja {

void install_globals(std::unordered_map<std::string, Value>& g, const std::tm& now) {
    g["range"] = Value::function([](Args& a) {
        int64_t start = 0, stop, step = 1;
        auto num = [](const Value& v) {
            if (v.type != Value::Type::Int && v.type != Value::Type::Bool)
                throw TemplateError(std::string("'") + type_name(v) + "' object cannot be interpreted as an integer");
            return v.as_int();
        };
        if (a.positional.size() == 1) stop = num(a.positional[0]);
        else if (a.positional.size() >= 2) {
            start = num(a.positional[0]);
            stop = num(a.positional[1]);
            if (a.positional.size() > 2) step = num(a.positional[2]);
        } else throw TemplateError("range expected at least 1 argument, got 0");
        if (step == 0) throw TemplateError("range() arg 3 must not be zero");
        List out;
        for (int64_t k = start; step > 0 ? k < stop : k > stop;) {
            out.push_back(Value::integer(k));
            if (out.size() > 100000) throw TemplateError("range too big");
            if (step > 0 ? k > std::numeric_limits<int64_t>::max() - step
                         : k < std::numeric_limits<int64_t>::min() - step) break;  // the next k passes stop
            k += step;
        }
        charge_steps(int64_t(out.size()));
        return Value::make_list(std::move(out));
    });
    auto make_mapping = [](Args& a, Value v) {
        for (const auto& p : a.positional) {
            if (p.is_mapping()) for (const auto& kv : p.dict->items) v.dict->set(kv.first, kv.second);
        }
        for (const auto& kv : a.keyword) v.dict->set(Value::string(kv.first), kv.second);
        return v;
    };
    g["namespace"] = Value::function([make_mapping](Args& a) { return make_mapping(a, Value::make_namespace()); });
    g["dict"] = Value::function([make_mapping](Args& a) { return make_mapping(a, Value::make_dict()); });
    g["raise_exception"] = Value::function([](Args& a) -> Value {
        throw TemplateError(to_str(a.get(0, "message")), true);
    });
    g["strftime_now"] = Value::function([now](Args& a) {
        Value fmt = a.get(0, "format");
        if (!fmt.is_string()) throw TemplateError("strftime_now() takes a format string");
        char buf[512];
        size_t n = std::strftime(buf, sizeof buf, fmt.s.c_str(), &now);
        return Value::string(std::string(buf, n));
    });
}

}  // namespace waypoint::jinja
