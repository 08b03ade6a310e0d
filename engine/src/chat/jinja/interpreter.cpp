#include "chat/jinja/interpreter.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <unordered_map>

#include "chat/jinja/globals.h"
#include "chat/jinja/operators.h"
#include "chat/jinja/parser.h"
#include "chat/jinja/text.h"

namespace waypoint::jinja {

void fail_undefined(const Value& v) {
    if (!v.unsafe.empty()) throw TemplateError(v.unsafe);
    throw TemplateError(v.s.empty() ? std::string("a value is undefined") : v.s);
}

namespace {

struct Scope {
    std::unordered_map<std::string, Value> vars;
    std::shared_ptr<Scope> parent;

    const Value* lookup(const std::string& name) const {
        for (const Scope* s = this; s; s = s->parent.get()) {
            auto it = s->vars.find(name);
            if (it != s->vars.end()) return &it->second;
        }
        return nullptr;
    }
};
using ScopePtr = std::shared_ptr<Scope>;

ScopePtr child(const ScopePtr& parent) {
    auto s = std::make_shared<Scope>();
    s->parent = parent;
    return s;
}

enum class Flow { Normal, Break, Continue };

class Interpreter {
public:
    explicit Interpreter(const RenderContext& ctx) : ctx_(ctx) {}
    // A namespace can come to hold itself ({% set ns.me = ns %}, or through a
    // list): shared_ptr cannot free such a cycle (Python's garbage collector
    // does). Nothing of a render outlives it, so the namespaces it assigned
    // to are emptied at its end, which breaks every cycle.
    ~Interpreter() {
        for (const auto& d : assigned_) d->items.clear();
    }

    std::string run(const Body& program) {
        BudgetScope budget(ctx_.limits);
        auto globals = std::make_shared<Scope>();
        install_globals(globals->vars, ctx_.now);
        auto top = child(globals);
        for (const auto& kv : ctx_.variables) top->vars[kv.first] = kv.second;
        std::string out;
        exec_body(program, top, out);
        return out;
    }

private:
    // ---- statements
    Flow exec_body(const Body& body, const ScopePtr& scope, std::string& out) {
        for (const auto& s : body) {
            Flow f = exec(*s, scope, out);
            if (f != Flow::Normal) return f;
        }
        return Flow::Normal;
    }

    Flow exec(const Stmt& s, const ScopePtr& scope, std::string& out) {
        DepthGuard depth;
        charge_steps(1);
        switch (s.kind) {
        case Stmt::Kind::Text: append_checked(out, s.text); return Flow::Normal;
        case Stmt::Kind::Output: append_checked(out, to_str(eval(*s.expr, scope))); return Flow::Normal;
        case Stmt::Kind::If:
            for (size_t k = 0; k < s.conds.size(); ++k)
                if (truthy(eval(*s.conds[k], scope))) return exec_body(s.bodies[k], scope, out);
            if (s.bodies.size() > s.conds.size()) return exec_body(s.bodies.back(), scope, out);
            return Flow::Normal;
        case Stmt::Kind::For: exec_for(s, scope, out); return Flow::Normal;
        case Stmt::Kind::Set: exec_set(s, scope); return Flow::Normal;
        case Stmt::Kind::Macro: scope->vars[s.text] = make_macro(s, scope); return Flow::Normal;
        case Stmt::Kind::CallBlock: exec_call_block(s, scope, out); return Flow::Normal;
        case Stmt::Kind::FilterBlock: {
            std::string inner;
            exec_body(s.bodies[0], scope, inner);
            append_checked(out, to_str(apply_filters(*s.expr, Value::string(inner), scope)));
            return Flow::Normal;
        }
        case Stmt::Kind::Generation: return exec_body(s.bodies[0], scope, out);
        case Stmt::Kind::Break: return Flow::Break;
        case Stmt::Kind::Continue: return Flow::Continue;
        }
        return Flow::Normal;
    }

    void assign(const ScopePtr& scope, const std::vector<std::string>& targets, const Value& v) {
        if (targets.size() == 1) {
            scope->vars[targets[0]] = v;
            return;
        }
        List items = iterate(v);
        if (items.size() != targets.size())
            throw TemplateError(items.size() < targets.size()
                                    ? "not enough values to unpack (expected " + std::to_string(targets.size()) + ", got " + std::to_string(items.size()) + ")"
                                    : "too many values to unpack (expected " + std::to_string(targets.size()) + ")");
        for (size_t k = 0; k < targets.size(); ++k) scope->vars[targets[k]] = items[k];
    }

    void exec_set(const Stmt& s, const ScopePtr& scope) {
        Value v;
        if (s.bodies.empty()) {
            v = eval(*s.expr, scope);
        } else {
            std::string captured;
            exec_body(s.bodies[0], scope, captured);
            v = Value::string(captured);
            if (s.expr) v = apply_filters(*s.expr, v, scope);
        }
        if (!s.attr.empty()) {
            const Value* ns = scope->lookup(s.targets[0]);
            if (!ns || ns->type != Value::Type::Namespace)
                throw TemplateError("can only assign attributes of a namespace ('" + s.targets[0] + "' is not one)");
            ns->dict->set(Value::string(s.attr), v);
            assigned_.push_back(ns->dict);
            return;
        }
        assign(scope, s.targets, v);
    }

    void exec_for(const Stmt& s, const ScopePtr& scope, std::string& out) {
        Value seq = eval(*s.expr, scope);
        if (seq.is_undefined() && !seq.unsafe.empty()) fail_undefined(seq);
        List items = iterate(seq);
        if (s.cond) {  // {% for x in xs if cond %}: filtered before the loop counts
            List kept;
            for (const auto& item : items) {
                auto probe = child(scope);
                assign(probe, s.targets, item);
                if (truthy(eval(*s.cond, probe))) kept.push_back(item);
            }
            items.swap(kept);
        }
        if (items.empty()) {
            if (s.bodies.size() > 1) exec_body(s.bodies[1], scope, out);
            return;
        }
        int64_t n = int64_t(items.size());
        for (int64_t k = 0; k < n; ++k) {
            auto iter = child(scope);
            Value loop = Value::make_dict();
            Dict& d = *loop.dict;
            d.set(Value::string("index"), Value::integer(k + 1));
            d.set(Value::string("index0"), Value::integer(k));
            d.set(Value::string("revindex"), Value::integer(n - k));
            d.set(Value::string("revindex0"), Value::integer(n - k - 1));
            d.set(Value::string("first"), Value::boolean(k == 0));
            d.set(Value::string("last"), Value::boolean(k == n - 1));
            d.set(Value::string("length"), Value::integer(n));
            d.set(Value::string("depth"), Value::integer(1));
            d.set(Value::string("depth0"), Value::integer(0));
            d.set(Value::string("previtem"), k > 0 ? items[size_t(k - 1)] : Value::undefined("there is no previous item"));
            d.set(Value::string("nextitem"), k + 1 < n ? items[size_t(k + 1)] : Value::undefined("there is no next item"));
            d.set(Value::string("cycle"), Value::function([k](Args& a) {
                if (a.positional.empty()) throw TemplateError("no items for cycling given");
                return a.positional[size_t(k) % a.positional.size()];
            }));
            iter->vars["loop"] = loop;
            assign(iter, s.targets, items[size_t(k)]);
            Flow f = exec_body(s.bodies[0], iter, out);
            if (f == Flow::Break) break;
        }
    }

    Value make_macro(const Stmt& s, const ScopePtr& defining) {
        const Stmt* m = &s;
        std::weak_ptr<Scope> weak = defining;  // the scope holds the macro: no cycle
        return Value::function([this, m, weak](Args& a) {
            ScopePtr def = weak.lock();
            auto scope = child(def);
            size_t pos = 0;
            for (const auto& p : m->params) {
                Value v = Value::undefined("'" + p.first + "' is undefined");
                bool given = false;
                if (pos < a.positional.size()) { v = a.positional[pos]; given = true; }
                for (const auto& kv : a.keyword)
                    if (kv.first == p.first) { v = kv.second; given = true; }
                if (!given && p.second) v = eval(*p.second, scope);
                scope->vars[p.first] = v;
                ++pos;
            }
            List varargs;
            for (size_t k = m->params.size(); k < a.positional.size(); ++k) varargs.push_back(a.positional[k]);
            scope->vars["varargs"] = Value::make_tuple(varargs);
            Value kwargs = Value::make_dict();
            for (const auto& kv : a.keyword) {
                bool known = false;
                for (const auto& p : m->params) known |= p.first == kv.first;
                if (!known && kv.first != "caller") kwargs.dict->set(Value::string(kv.first), kv.second);
            }
            scope->vars["kwargs"] = kwargs;
            for (const auto& kv : a.keyword)
                if (kv.first == "caller") scope->vars["caller"] = kv.second;
            std::string out;
            exec_body(m->bodies[0], scope, out);
            return Value::string(out);
        });
    }

    void exec_call_block(const Stmt& s, const ScopePtr& scope, std::string& out) {
        const Expr& call = *s.expr;
        if (call.kind != Expr::Kind::Call) throw TemplateError("{% call %} expects a macro call");
        const Body* body = &s.bodies[0];
        Value caller = Value::function([this, body, scope](Args&) {
            std::string inner;
            exec_body(*body, child(scope), inner);
            return Value::string(inner);
        });
        Value fn = eval(*call.items[0], scope);
        Args args = eval_args(call, scope, 1);
        args.keyword.emplace_back("caller", caller);
        append_checked(out, to_str(invoke(fn, args)));
    }

    // ---- expressions
    Args eval_args(const Expr& e, const ScopePtr& scope, size_t first) {
        Args a;
        for (size_t k = first; k < e.items.size(); ++k) a.positional.push_back(eval(*e.items[k], scope));
        for (const auto& kv : e.kwargs) a.keyword.emplace_back(kv.first, eval(*kv.second, scope));
        return a;
    }

    Value invoke(const Value& fn, Args& args) {
        if (fn.is_undefined()) fail_undefined(fn);
        if (!fn.is_callable()) throw TemplateError(std::string("'") + type_name(fn) + "' object is not callable");
        return (*fn.fn)(args);
    }

    // The filters of a {% filter %} / {% set %} block, applied to `v`:
    // a chain of Filter nodes whose innermost input is null.
    static void check_filter(const std::string& name) {
        if (!has_filter(name)) throw TemplateError("No filter named '" + name + "'.");
    }

    Value apply_filters(const Expr& chain, Value v, const ScopePtr& scope) {
        if (chain.kind != Expr::Kind::Filter) throw TemplateError("expected a filter");
        if (chain.items[0]) v = apply_filters(*chain.items[0], v, scope);
        check_filter(chain.name);
        Args a = eval_args(chain, scope, 1);
        return apply_filter(chain.name, v, a);
    }

    Value eval(const Expr& e, const ScopePtr& scope) {
        DepthGuard depth;
        charge_steps(1);
        switch (e.kind) {
        case Expr::Kind::Literal: return e.value;
        case Expr::Kind::Name: {
            if (const Value* v = scope->lookup(e.name)) return *v;
            return Value::undefined("'" + e.name + "' is undefined");
        }
        case Expr::Kind::List:
        case Expr::Kind::Tuple: {
            List items;
            for (const auto& x : e.items) items.push_back(eval(*x, scope));
            return e.kind == Expr::Kind::List ? Value::make_list(std::move(items)) : Value::make_tuple(std::move(items));
        }
        case Expr::Kind::Dict: {
            Value d = Value::make_dict();
            for (size_t k = 0; k + 1 < e.items.size(); k += 2)
                d.dict->set(eval(*e.items[k], scope), eval(*e.items[k + 1], scope));
            return d;
        }
        case Expr::Kind::Getattr: return get_attr(eval(*e.items[0], scope), e.name);
        case Expr::Kind::Getitem: return get_item(eval(*e.items[0], scope), eval(*e.items[1], scope));
        case Expr::Kind::Slice: return eval_slice(e, scope);
        case Expr::Kind::Call: return eval_call(e, scope);
        case Expr::Kind::Filter: {
            check_filter(e.name);  // jinja2 3 reports an unknown filter only when it is reached
            Value v = eval(*e.items[0], scope);
            Args a = eval_args(e, scope, 1);
            return apply_filter(e.name, v, a);
        }
        case Expr::Kind::Test: {
            if (!has_test(e.name)) throw TemplateError("No test named '" + e.name + "'.");
            Value v = eval(*e.items[0], scope);
            Args a = eval_args(e, scope, 1);
            return Value::boolean(apply_test(e.name, v, a) != e.negated);
        }
        case Expr::Kind::Unary: {
            Value v = eval(*e.items[0], scope);
            if (e.name == "not") return Value::boolean(!truthy(v));
            if (v.is_undefined()) fail_undefined(v);
            if (!v.is_number()) throw TemplateError(std::string("bad operand type for unary ") + e.name + ": '" + type_name(v) + "'");
            if (e.name == "+") return v.type == Value::Type::Float ? v : Value::integer(v.as_int());
            return v.type == Value::Type::Float ? Value::real(-v.f) : Value::integer(checked_sub(0, v.as_int()));
        }
        case Expr::Kind::Binary: return eval_binary(e, scope);
        case Expr::Kind::Cond:
            if (truthy(eval(*e.items[0], scope))) return eval(*e.items[1], scope);
            if (e.items[2]) return eval(*e.items[2], scope);
            return Value::undefined("the inline if-expression evaluated to false and no else section was defined");
        }
        return Value::undefined();
    }

    Value eval_call(const Expr& e, const ScopePtr& scope) {
        const Expr& callee = *e.items[0];
        if (callee.kind == Expr::Kind::Getattr) {
            Value obj = eval(*callee.items[0], scope);
            bool method = obj.is_string() || obj.is_sequence() ||
                          (obj.is_mapping() && !obj.dict->find(callee.name));
            if (method && has_method(obj, callee.name)) {
                Args a = eval_args(e, scope, 1);
                return call_method(obj, callee.name, a);
            }
            Value fn = get_attr(obj, callee.name);
            Args a = eval_args(e, scope, 1);
            return invoke(fn, a);
        }
        Value fn = eval(callee, scope);
        Args a = eval_args(e, scope, 1);
        return invoke(fn, a);
    }

    Value eval_slice(const Expr& e, const ScopePtr& scope) {
        Value obj = eval(*e.items[0], scope);
        auto bound = [&](const ExprPtr& x) -> std::optional<int64_t> {
            if (!x) return std::nullopt;
            Value v = eval(*x, scope);
            if (v.is_none()) return std::nullopt;
            if (v.type != Value::Type::Int && v.type != Value::Type::Bool)
                throw TemplateError("slice indices must be integers or None");
            return v.as_int();
        };
        auto start = bound(e.items[1]), stop = bound(e.items[2]), stepv = bound(e.items[3]);
        int64_t step = stepv.value_or(1);
        if (step == 0) throw TemplateError("slice step cannot be zero");
        if (obj.is_undefined()) fail_undefined(obj);
        if (obj.is_string()) return Value::string(text::slice(obj.s, start, stop, step));
        if (!obj.is_sequence()) throw TemplateError(std::string("'") + type_name(obj) + "' object is not subscriptable");
        int64_t n = int64_t(obj.list->size());
        List out;
        if (step > 0) {
            int64_t b = start.value_or(0), en = stop.value_or(n);
            if (b < 0) b = std::max<int64_t>(0, b + n);
            if (en < 0) en = std::max<int64_t>(0, en + n);
            b = std::min(b, n);
            en = std::min(en, n);
            for (int64_t k = b; k < en; k += step) out.push_back((*obj.list)[size_t(k)]);
        } else {
            int64_t b = start ? *start : n - 1, en = stop ? *stop : -1 - n;
            if (b < 0) b += n;
            if (en < 0) en += n;
            b = std::min(b, n - 1);
            for (int64_t k = b; k > en && k >= 0; k += step) out.push_back((*obj.list)[size_t(k)]);
        }
        return obj.type == Value::Type::Tuple ? Value::make_tuple(std::move(out)) : Value::make_list(std::move(out));
    }

    Value eval_binary(const Expr& e, const ScopePtr& scope) {
        const std::string& op = e.name;
        if (op == "and") {
            Value l = eval(*e.items[0], scope);
            return truthy(l) ? eval(*e.items[1], scope) : l;
        }
        if (op == "or") {
            Value l = eval(*e.items[0], scope);
            return truthy(l) ? l : eval(*e.items[1], scope);
        }
        Value l = eval(*e.items[0], scope);
        Value r = eval(*e.items[1], scope);
        if (op == "~") return Value::string(to_str(l) + to_str(r));
        if (op == "==") return Value::boolean(equals(l, r));
        if (op == "!=") return Value::boolean(!equals(l, r));
        if (op == "in" || op == "not in") return Value::boolean(contains_value(r, l) == (op == "in"));
        if (l.is_undefined()) fail_undefined(l);
        if (r.is_undefined()) fail_undefined(r);
        if (op == "<") return Value::boolean(less(l, r));
        if (op == ">") return Value::boolean(less(r, l));
        if (op == "<=") return Value::boolean(!less(r, l));
        if (op == ">=") return Value::boolean(!less(l, r));
        return arithmetic(op, l, r);
    }

    const RenderContext& ctx_;
    std::vector<std::shared_ptr<Dict>> assigned_;  // namespaces given an attribute
};

}  // namespace

std::string render(const Body& program, const RenderContext& context) {
    return Interpreter(context).run(program);
}

}  // namespace waypoint::jinja
