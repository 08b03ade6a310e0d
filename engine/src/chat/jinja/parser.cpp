#include "chat/jinja/parser.h"

#include <algorithm>
#include <cstdlib>

#include "chat/jinja/lexer.h"

namespace waypoint::jinja {

namespace {

using K = Token::Kind;

// How deep templates may nest: blocks in blocks, and expressions in
// expressions (parentheses, `not not ...`, a + b + ... chains). Far beyond
// what chat templates write (Python itself refuses 20 nested for-loops), and
// low enough that neither this recursive parser nor the renderer can run
// out of stack on a hostile template.
constexpr int kMaxNesting = 100;

class Parser {
public:
    explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

    Body parse_template() {
        Body body = parse_body({});
        if (peek().kind != K::End) fail("unexpected '" + end_tag_name_ + "'");
        return body;
    }

private:
    // ---- token helpers
    const Token& peek(size_t ahead = 0) const { return t_[std::min(p_ + ahead, t_.size() - 1)]; }
    const Token& next() { const Token& t = t_[p_]; if (p_ + 1 < t_.size()) ++p_; return t; }
    bool is_op(const char* op, size_t ahead = 0) const { return peek(ahead).kind == K::Op && peek(ahead).text == op; }
    bool is_name(const char* n, size_t ahead = 0) const { return peek(ahead).kind == K::Name && peek(ahead).text == n; }
    bool accept_op(const char* op) { if (is_op(op)) { next(); return true; } return false; }
    bool accept_name(const char* n) { if (is_name(n)) { next(); return true; } return false; }
    [[noreturn]] void fail(const std::string& what) const {
        throw TemplateError(what + " (line " + std::to_string(peek().line) + ")");
    }
    void expect_op(const char* op) { if (!accept_op(op)) fail(std::string("expected '") + op + "'" + got()); }
    std::string expect_name() {
        if (peek().kind != K::Name) fail("expected a name" + got());
        return next().text;
    }
    void expect_block_end() { if (peek().kind != K::BlockEnd) fail("expected the end of the tag" + got()); next(); }
    std::string got() const {
        const Token& t = peek();
        switch (t.kind) {
        case K::BlockEnd: return ", got the end of the tag";
        case K::VarEnd: return ", got '}}'";
        case K::End: return ", got the end of the template";
        default: return ", got '" + t.text + "'";
        }
    }

    ExprPtr make(Expr e) const {
        for (const auto& x : e.items) if (x) e.depth = std::max(e.depth, x->depth + 1);
        for (const auto& kv : e.kwargs) if (kv.second) e.depth = std::max(e.depth, kv.second->depth + 1);
        if (e.depth > kMaxNesting) fail("the expression nests more than " + std::to_string(kMaxNesting) + " levels deep");
        return std::make_shared<const Expr>(std::move(e));
    }
    // One level of the parser's own recursion while alive.
    struct Nest {
        explicit Nest(Parser& p) : p_(p) {
            if (++p_.nesting_ > kMaxNesting)
                p_.fail("the template nests more than " + std::to_string(kMaxNesting) + " levels deep");
        }
        ~Nest() { --p_.nesting_; }
        Parser& p_;
    };
    Expr node(Expr::Kind kind) const { Expr e; e.kind = kind; e.line = peek().line; return e; }

    // ---- statements
    // Parses until a block tag whose first name is in `ends` (left unconsumed
    // after its BlockBegin; the name is stored in end_tag_name_).
    Body parse_body(const std::vector<std::string>& ends) {
        Body body;
        while (true) {
            const Token& t = peek();
            if (t.kind == K::End) {
                if (!ends.empty()) fail("the template ended inside a block; expected '" + ends[0] + "'");
                return body;
            }
            if (t.kind == K::Text) {
                auto s = std::make_shared<Stmt>();
                s->kind = Stmt::Kind::Text;
                s->text = next().text;
                body.push_back(s);
            } else if (t.kind == K::VarBegin) {
                next();
                auto s = std::make_shared<Stmt>();
                s->kind = Stmt::Kind::Output;
                s->line = t.line;
                s->expr = parse_tuple();
                if (peek().kind != K::VarEnd) fail("expected '}}'" + got());
                next();
                body.push_back(s);
            } else if (t.kind == K::BlockBegin) {
                if (peek(1).kind == K::Name) {
                    for (const auto& e : ends)
                        if (peek(1).text == e) {
                            next();
                            end_tag_name_ = next().text;
                            return body;
                        }
                }
                next();
                body.push_back(parse_statement());
            } else {
                fail("unexpected token" + got());
            }
        }
    }

    std::shared_ptr<Stmt> parse_statement() {
        Nest nest(*this);
        int line = peek().line;
        std::string tag = expect_name();
        auto s = std::make_shared<Stmt>();
        s->line = line;
        if (tag == "if") {
            s->kind = Stmt::Kind::If;
            s->conds.push_back(parse_tuple());
            expect_block_end();
            while (true) {
                s->bodies.push_back(parse_body({"elif", "else", "endif"}));
                if (end_tag_name_ == "elif") {
                    s->conds.push_back(parse_tuple());
                    expect_block_end();
                } else if (end_tag_name_ == "else") {
                    expect_block_end();
                    s->bodies.push_back(parse_body({"endif"}));
                    expect_block_end();
                    break;
                } else {
                    expect_block_end();
                    break;
                }
            }
        } else if (tag == "for") {
            s->kind = Stmt::Kind::For;
            s->targets = parse_targets();
            if (!accept_name("in")) fail("expected 'in'" + got());
            s->expr = parse_tuple(/*no_condexpr=*/true);
            if (accept_name("if")) s->cond = parse_expression();
            if (accept_name("recursive")) fail("recursive loops are not supported");
            expect_block_end();
            s->bodies.push_back(parse_body({"endfor", "else"}));
            if (end_tag_name_ == "else") {
                expect_block_end();
                s->bodies.push_back(parse_body({"endfor"}));
            }
            expect_block_end();
        } else if (tag == "set") {
            s->kind = Stmt::Kind::Set;
            std::string first = expect_name();
            if (accept_op(".")) {
                s->targets = {first};
                s->attr = expect_name();
            } else {
                s->targets = {first};
                while (accept_op(",")) {
                    if (peek().kind != K::Name) break;
                    s->targets.push_back(expect_name());
                }
            }
            if (accept_op("=")) {
                s->expr = parse_tuple();
                expect_block_end();
            } else {
                if (!s->attr.empty() || s->targets.size() != 1) fail("expected '='" + got());
                if (is_op("|")) s->expr = parse_filter_chain(nullptr);
                expect_block_end();
                s->bodies.push_back(parse_body({"endset"}));
                expect_block_end();
            }
        } else if (tag == "macro") {
            s->kind = Stmt::Kind::Macro;
            s->text = expect_name();
            expect_op("(");
            while (!accept_op(")")) {
                if (!s->params.empty()) expect_op(",");
                if (accept_op(")")) break;
                std::string name = expect_name();
                ExprPtr def;
                if (accept_op("=")) def = parse_expression();
                s->params.emplace_back(name, def);
            }
            expect_block_end();
            s->bodies.push_back(parse_body({"endmacro"}));
            expect_block_end();
        } else if (tag == "call") {
            s->kind = Stmt::Kind::CallBlock;
            s->expr = parse_expression();
            expect_block_end();
            s->bodies.push_back(parse_body({"endcall"}));
            expect_block_end();
        } else if (tag == "filter") {
            s->kind = Stmt::Kind::FilterBlock;
            s->expr = parse_filter_chain(nullptr, /*leading_pipe=*/false);
            expect_block_end();
            s->bodies.push_back(parse_body({"endfilter"}));
            expect_block_end();
        } else if (tag == "generation") {
            s->kind = Stmt::Kind::Generation;
            expect_block_end();
            s->bodies.push_back(parse_body({"endgeneration"}));
            expect_block_end();
        } else if (tag == "break" || tag == "continue") {
            s->kind = tag == "break" ? Stmt::Kind::Break : Stmt::Kind::Continue;
            expect_block_end();
        } else {
            p_ -= 1;
            fail("unknown tag '" + tag + "'");
        }
        return s;
    }

    std::vector<std::string> parse_targets() {
        std::vector<std::string> names;
        bool paren = accept_op("(");
        names.push_back(expect_name());
        while (accept_op(",")) {
            if (peek().kind != K::Name) break;
            names.push_back(expect_name());
        }
        if (paren) expect_op(")");
        return names;
    }

    // ---- expressions (jinja2.parser precedence)
    // A comma-separated list becomes a tuple (as in {% set a = 1, 2 %}).
    ExprPtr parse_tuple(bool no_condexpr = false) {
        Expr tuple = node(Expr::Kind::Tuple);
        ExprPtr first = no_condexpr ? parse_or() : parse_expression();
        if (!is_op(",")) return first;
        tuple.items.push_back(first);
        while (accept_op(",")) {
            if (peek().kind == K::BlockEnd || peek().kind == K::VarEnd || is_op(")") || is_name("in")) break;
            tuple.items.push_back(no_condexpr ? parse_or() : parse_expression());
        }
        return make(std::move(tuple));
    }

    ExprPtr parse_expression() {
        Nest nest(*this);
        ExprPtr e = parse_or();
        while (is_name("if")) {
            next();
            Expr c = node(Expr::Kind::Cond);
            ExprPtr test = parse_or();
            ExprPtr otherwise;
            if (accept_name("else")) otherwise = parse_expression();
            c.items = {test, e, otherwise};
            e = make(std::move(c));
        }
        return e;
    }

    ExprPtr binary(const std::string& op, ExprPtr l, ExprPtr r) {
        Expr b = node(Expr::Kind::Binary);
        b.name = op;
        b.items = {std::move(l), std::move(r)};
        return make(std::move(b));
    }

    ExprPtr parse_or() {
        ExprPtr l = parse_and();
        while (accept_name("or")) l = binary("or", l, parse_and());
        return l;
    }
    ExprPtr parse_and() {
        ExprPtr l = parse_not();
        while (accept_name("and")) l = binary("and", l, parse_not());
        return l;
    }
    ExprPtr parse_not() {
        Nest nest(*this);
        if (is_name("not")) {
            next();
            Expr u = node(Expr::Kind::Unary);
            u.name = "not";
            u.items = {parse_not()};
            return make(std::move(u));
        }
        return parse_compare();
    }
    ExprPtr parse_compare() {
        ExprPtr l = parse_math1();
        while (true) {
            const Token& t = peek();
            if (t.kind == K::Op && (t.text == "==" || t.text == "!=" || t.text == "<" || t.text == ">" ||
                                    t.text == "<=" || t.text == ">=")) {
                std::string op = next().text;
                l = binary(op, l, parse_math1());
            } else if (is_name("in")) {
                next();
                l = binary("in", l, parse_math1());
            } else if (is_name("not") && is_name("in", 1)) {
                next();
                next();
                l = binary("not in", l, parse_math1());
            } else {
                return l;
            }
        }
    }
    ExprPtr parse_math1() {
        ExprPtr l = parse_concat();
        while (is_op("+") || is_op("-")) {
            std::string op = next().text;
            l = binary(op, l, parse_concat());
        }
        return l;
    }
    ExprPtr parse_concat() {
        ExprPtr l = parse_math2();
        while (accept_op("~")) l = binary("~", l, parse_math2());
        return l;
    }
    ExprPtr parse_math2() {
        ExprPtr l = parse_pow();
        while (is_op("*") || is_op("/") || is_op("//") || is_op("%")) {
            std::string op = next().text;
            l = binary(op, l, parse_pow());
        }
        return l;
    }
    ExprPtr parse_pow() {
        ExprPtr l = parse_unary();
        while (accept_op("**")) l = binary("**", l, parse_unary());
        return l;
    }
    ExprPtr parse_unary(bool with_filter = true) {
        Nest nest(*this);
        ExprPtr e;
        if (is_op("-") || is_op("+")) {
            Expr u = node(Expr::Kind::Unary);
            u.name = next().text;
            u.items = {parse_unary(false)};
            e = make(std::move(u));
        } else {
            e = parse_primary();
        }
        e = parse_postfix(e);
        if (with_filter) e = parse_filter_expr(e);
        return e;
    }

    ExprPtr parse_primary() {
        const Token& t = peek();
        Expr e = node(Expr::Kind::Literal);
        switch (t.kind) {
        case K::Name: {
            std::string n = next().text;
            if (n == "true" || n == "True") e.value = Value::boolean(true);
            else if (n == "false" || n == "False") e.value = Value::boolean(false);
            else if (n == "none" || n == "None") e.value = Value::none();
            else { e.kind = Expr::Kind::Name; e.name = n; }
            return make(std::move(e));
        }
        case K::String: {
            std::string s = next().text;
            while (peek().kind == K::String) s += next().text;  // adjacent literals join
            e.value = Value::string(s);
            return make(std::move(e));
        }
        case K::Int:
            e.value = Value::integer(std::strtoll(next().text.c_str(), nullptr, 10));
            return make(std::move(e));
        case K::Float:
            e.value = Value::real(std::strtod(next().text.c_str(), nullptr));
            return make(std::move(e));
        case K::Op:
            if (accept_op("(")) {
                if (accept_op(")")) { e.kind = Expr::Kind::Tuple; return make(std::move(e)); }
                ExprPtr inner = parse_expression();
                if (is_op(",")) {
                    Expr tup = node(Expr::Kind::Tuple);
                    tup.items.push_back(inner);
                    while (accept_op(",")) {
                        if (is_op(")")) break;
                        tup.items.push_back(parse_expression());
                    }
                    inner = make(std::move(tup));
                }
                expect_op(")");
                return inner;
            }
            if (accept_op("[")) {
                e.kind = Expr::Kind::List;
                while (!accept_op("]")) {
                    if (!e.items.empty()) expect_op(",");
                    if (accept_op("]")) break;
                    e.items.push_back(parse_expression());
                }
                return make(std::move(e));
            }
            if (accept_op("{")) {
                e.kind = Expr::Kind::Dict;
                while (!accept_op("}")) {
                    if (!e.items.empty()) expect_op(",");
                    if (accept_op("}")) break;
                    e.items.push_back(parse_expression());
                    expect_op(":");
                    e.items.push_back(parse_expression());
                }
                return make(std::move(e));
            }
            break;
        default: break;
        }
        fail("unexpected" + got().substr(5));
    }

    ExprPtr parse_postfix(ExprPtr e) {
        while (true) {
            if (is_op(".")) {
                next();
                Expr g = node(Expr::Kind::Getattr);
                if (peek().kind == K::Int) {  // foo.0 is foo[0]
                    g.kind = Expr::Kind::Getitem;
                    Expr lit = node(Expr::Kind::Literal);
                    lit.value = Value::integer(std::strtoll(next().text.c_str(), nullptr, 10));
                    g.items = {e, make(std::move(lit))};
                } else {
                    g.name = expect_name();
                    g.items = {e};
                }
                e = make(std::move(g));
            } else if (is_op("[")) {
                next();
                e = parse_subscript(e);
            } else if (is_op("(")) {
                e = parse_call(e);
            } else {
                return e;
            }
        }
    }

    ExprPtr parse_subscript(ExprPtr obj) {
        Expr s = node(Expr::Kind::Slice);
        ExprPtr parts[3];
        int part = 0;
        bool is_slice = false;
        while (!is_op("]")) {
            if (accept_op(":")) {
                is_slice = true;
                if (++part > 2) fail("too many ':' in a slice");
                continue;
            }
            parts[part] = parse_expression();
        }
        expect_op("]");
        if (!is_slice) {
            if (!parts[0]) fail("empty subscript");
            Expr g = node(Expr::Kind::Getitem);
            g.items = {obj, parts[0]};
            return make(std::move(g));
        }
        s.items = {obj, parts[0], parts[1], parts[2]};
        return make(std::move(s));
    }

    // ( args ) into e.items (after what is already there) and e.kwargs.
    void parse_args(Expr& e) {
        expect_op("(");
        bool first = true;
        while (!accept_op(")")) {
            if (!first) expect_op(",");
            first = false;
            if (accept_op(")")) break;
            if (peek().kind == K::Name && is_op("=", 1)) {
                std::string key = next().text;
                next();
                e.kwargs.emplace_back(key, parse_expression());
            } else {
                if (!e.kwargs.empty()) fail("a positional argument after a keyword argument");
                e.items.push_back(parse_expression());
            }
        }
    }

    ExprPtr parse_call(ExprPtr callee) {
        Expr c = node(Expr::Kind::Call);
        c.items = {callee};
        parse_args(c);
        return make(std::move(c));
    }

    ExprPtr parse_filter_chain(ExprPtr e, bool leading_pipe = true) {
        bool first = true;
        while (true) {
            if (leading_pipe || !first) {
                if (!accept_op("|")) return e;
            }
            first = false;
            Expr f = node(Expr::Kind::Filter);
            f.name = expect_name();
            while (accept_op(".")) f.name += "." + expect_name();
            f.items = {e};
            if (is_op("(")) parse_args(f);
            e = make(std::move(f));
        }
    }

    ExprPtr parse_filter_expr(ExprPtr e) {
        while (true) {
            if (is_op("|")) {
                e = parse_filter_chain(e);
            } else if (is_name("is")) {
                next();
                Expr t = node(Expr::Kind::Test);
                t.negated = accept_name("not");
                t.name = expect_name();
                while (accept_op(".")) t.name += "." + expect_name();
                t.items = {e};
                const Token& a = peek();
                if (is_op("(")) {
                    parse_args(t);
                } else if ((a.kind == K::Name || a.kind == K::String || a.kind == K::Int || a.kind == K::Float ||
                            is_op("[") || is_op("{")) &&
                           !is_name("else") && !is_name("or") && !is_name("and")) {
                    ExprPtr arg = parse_postfix(parse_primary());
                    t.items.push_back(arg);
                }
                e = make(std::move(t));
            } else if (is_op("(")) {
                e = parse_call(e);
            } else {
                return e;
            }
        }
    }

    std::vector<Token> t_;
    size_t p_ = 0;
    std::string end_tag_name_;
    int nesting_ = 0;  // Nest levels now open
};

}  // namespace

Body parse(const std::string& source) { return Parser(tokenize(source)).parse_template(); }

}  // namespace waypoint::jinja
