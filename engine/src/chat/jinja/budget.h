// What one render may use. A chat template is code from a downloaded
// checkpoint: one that loops without end, recurses, or builds text without
// bound must stop with a TemplateError that says which limit it reached,
// never hang the program or exhaust its memory. render() installs the
// limits for the thread it runs on; the interpreter, filters and methods
// charge their work here. Outside a render nothing is limited.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace waypoint::jinja {

struct Limits {
    int64_t max_steps = 20'000'000;     // statements run + expressions evaluated + items copied
    size_t max_text = size_t(64) << 20; // bytes of the output, and of any one string the template builds
    size_t max_built = size_t(1) << 30; // bytes of all strings built in one render together
    int max_depth = 400;                // nested statements and expressions at run time (macro recursion)
};

// Installs `limits` for the current thread while alive (renders nest: a
// macro's caller() is no new render, but a test may render inside another).
class BudgetScope {
public:
    explicit BudgetScope(const Limits& limits);
    ~BudgetScope();
    BudgetScope(const BudgetScope&) = delete;
    BudgetScope& operator=(const BudgetScope&) = delete;

private:
    void* previous_;
};

// `n` more units of work (a statement, an expression, n items copied).
void charge_steps(int64_t n);
// A string of `bytes` is about to be built: throws when it would exceed
// max_text, or when all strings built so far would exceed max_built.
void charge_text(size_t bytes);
// out += piece, refused past max_text.
void append_checked(std::string& out, std::string_view piece);

// One level of run-time nesting while alive; throws past max_depth.
class DepthGuard {
public:
    DepthGuard();
    ~DepthGuard();
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;

private:
    bool counted_;
};

}  // namespace waypoint::jinja
