// The parsed template: expression and statement trees as jinja2's parser
// builds them (only the node kinds chat templates use).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "chat/jinja/value.h"

namespace waypoint::jinja {

struct Expr;
using ExprPtr = std::shared_ptr<const Expr>;

struct Expr {
    enum class Kind {
        Literal,   // value
        Name,      // name
        List,      // items
        Tuple,     // items
        Dict,      // items as key, value pairs (even, odd)
        Getattr,   // items[0] . name
        Getitem,   // items[0] [ items[1] ]
        Slice,     // items[0] [ items[1] : items[2] : items[3] ] (null = absent)
        Call,      // items[0] ( items[1..] , kwargs )
        Filter,    // items[0] | name ( items[1..], kwargs ); items[0] null in {% filter %}
        Test,      // items[0] is [not: negated] name ( items[1..] )
        Unary,     // op items[0]: "not", "-", "+"
        Binary,    // items[0] op items[1]: arithmetic, ~, comparisons, in, not in, and, or
        Cond,      // items[1] if items[0] else items[2] (null: undefined)
    };
    Kind kind;
    int line = 0;
    int depth = 1;     // levels of the tree from here down (the parser refuses deep ones)
    Value value;
    std::string name;  // Name, Getattr, Filter, Test; op for Unary/Binary
    bool negated = false;
    std::vector<ExprPtr> items;
    std::vector<std::pair<std::string, ExprPtr>> kwargs;
};

struct Stmt;
using Body = std::vector<std::shared_ptr<const Stmt>>;

struct Stmt {
    enum class Kind {
        Text,      // text
        Output,    // {{ expr }}
        If,        // conds[k] -> bodies[k]; else: bodies.back() when bodies.size() > conds.size()
        For,       // targets in expr [if cond] : bodies[0], else bodies[1]
        Set,       // targets (or target_ns.attr) = expr; block form: bodies[0] captured, expr = filter (opt.)
        Macro,     // name(params) : bodies[0]
        CallBlock, // {% call expr %} bodies[0]: caller() renders it
        FilterBlock,  // expr (a Filter chain on null) applied to bodies[0]
        Generation,   // transformers' {% generation %}: bodies[0] as is
        Break,
        Continue,
    };
    Kind kind;
    int line = 0;
    std::string text;
    ExprPtr expr;
    ExprPtr cond;
    std::vector<ExprPtr> conds;
    std::vector<std::string> targets;
    std::string attr;  // Set with namespace target: targets[0].attr
    std::vector<std::pair<std::string, ExprPtr>> params;  // Macro: name, default (null = none)
    std::vector<Body> bodies;
};

}  // namespace waypoint::jinja
