// transformers' tojson filter: json.dumps(x, ensure_ascii=False, indent=None,
// separators=None, sort_keys=False), byte for byte as Python writes it
// (", " and ": " separators, "," plus newlines when indented, floats as repr).
#include <algorithm>
#include <cstdio>

#include "chat/jinja/interpreter.h"
#include "chat/jinja/text.h"

namespace waypoint::jinja {

namespace {

struct JsonStyle {
    bool ensure_ascii = false;
    bool sort_keys = false;
    std::optional<std::string> indent;  // nullopt: one line
    std::string item_sep = ", ";
    std::string key_sep = ": ";
};

void quote(std::string& out, const std::string& s, bool ensure_ascii) {
    out += '"';
    for (char32_t c : text::decode(s)) {
        char buf[16];
        switch (c) {
        case '"': out += "\\\""; continue;
        case '\\': out += "\\\\"; continue;
        case '\n': out += "\\n"; continue;
        case '\r': out += "\\r"; continue;
        case '\t': out += "\\t"; continue;
        case '\b': out += "\\b"; continue;
        case '\f': out += "\\f"; continue;
        default: break;
        }
        if (c < 0x20 || (ensure_ascii && c > 0x7E)) {
            if (c >= 0x10000) {
                char32_t v = c - 0x10000;
                std::snprintf(buf, sizeof buf, "\\u%04x\\u%04x", unsigned(0xD800 + (v >> 10)), unsigned(0xDC00 + (v & 0x3FF)));
            } else {
                std::snprintf(buf, sizeof buf, "\\u%04x", unsigned(c));
            }
            out += buf;
        } else {
            out += text::encode(std::u32string(1, c));
        }
    }
    out += '"';
}

std::string key_text(const Value& k) {
    switch (k.type) {
    case Value::Type::String: return k.s;
    case Value::Type::Bool: return k.b ? "true" : "false";
    case Value::Type::None: return "null";
    case Value::Type::Int: return std::to_string(k.i);
    case Value::Type::Float: return float_repr(k.f);
    default: throw TemplateError(std::string("keys must be str, int, float, bool or None, not ") + type_name(k));
    }
}

void dump(std::string& out, const Value& v, const JsonStyle& st, int depth) {
    auto newline = [&](int d) {
        out += '\n';
        for (int k = 0; k < d; ++k) out += *st.indent;
    };
    switch (v.type) {
    case Value::Type::None: out += "null"; return;
    case Value::Type::Bool: out += v.b ? "true" : "false"; return;
    case Value::Type::Int: out += std::to_string(v.i); return;
    case Value::Type::Float: {
        std::string r = float_repr(v.f);
        out += r == "nan" ? "NaN" : r == "inf" ? "Infinity" : r == "-inf" ? "-Infinity" : r;
        return;
    }
    case Value::Type::String: quote(out, v.s, st.ensure_ascii); return;
    case Value::Type::List:
    case Value::Type::Tuple: {
        if (v.generator) break;
        if (v.list->empty()) { out += "[]"; return; }
        out += '[';
        for (size_t k = 0; k < v.list->size(); ++k) {
            if (k) out += st.item_sep;
            if (st.indent) newline(depth + 1);
            dump(out, (*v.list)[k], st, depth + 1);
        }
        if (st.indent) newline(depth);
        out += ']';
        return;
    }
    case Value::Type::Dict: {
        if (v.dict->items.empty()) { out += "{}"; return; }
        std::vector<std::pair<std::string, const Value*>> items;
        for (const auto& kv : v.dict->items) items.emplace_back(key_text(kv.first), &kv.second);
        if (st.sort_keys)
            std::stable_sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        out += '{';
        for (size_t k = 0; k < items.size(); ++k) {
            if (k) out += st.item_sep;
            if (st.indent) newline(depth + 1);
            quote(out, items[k].first, st.ensure_ascii);
            out += st.key_sep;
            dump(out, *items[k].second, st, depth + 1);
        }
        if (st.indent) newline(depth);
        out += '}';
        return;
    }
    case Value::Type::Undefined:
        if (!v.unsafe.empty()) fail_undefined(v);
        break;
    default: break;
    }
    throw TemplateError(std::string("Object of type ") + type_name(v) + " is not JSON serializable");
}

}  // namespace

std::string to_json(const Value& value, const Args& args) {
    JsonStyle st;
    st.ensure_ascii = truthy(args.get(0, "ensure_ascii"));
    Value indent = args.get(1, "indent");
    if (indent.type == Value::Type::Int) st.indent = std::string(size_t(std::max<int64_t>(0, indent.i)), ' ');
    else if (indent.is_string()) st.indent = indent.s;
    if (st.indent) st.item_sep = ",";
    Value seps = args.get(2, "separators");
    if (seps.is_sequence() && seps.list->size() == 2) {
        st.item_sep = to_str((*seps.list)[0]);
        st.key_sep = to_str((*seps.list)[1]);
    }
    st.sort_keys = truthy(args.get(3, "sort_keys"));
    std::string out;
    dump(out, value, st, 0);
    return out;
}

}  // namespace waypoint::jinja
