#include "chat/jinja/budget.h"

#include "chat/jinja/value.h"

namespace waypoint::jinja {

namespace {

struct Budget {
    Limits limits;
    int64_t steps = 0;
    size_t built = 0;
    int depth = 0;
    Budget* previous = nullptr;
};

thread_local Budget* current = nullptr;

std::string mib(size_t bytes) {
    return std::to_string(bytes >> 20) + " MiB";
}

}  // namespace

BudgetScope::BudgetScope(const Limits& limits) : previous_(current) {
    auto* b = new Budget;
    b->limits = limits;
    b->previous = current;
    current = b;
}

BudgetScope::~BudgetScope() {
    Budget* b = current;
    current = static_cast<Budget*>(previous_);
    delete b;
}

void charge_steps(int64_t n) {
    Budget* b = current;
    if (!b) return;
    if (n > b->limits.max_steps - b->steps)
        throw TemplateError("rendering stopped after " + std::to_string(b->limits.max_steps) +
                            " steps: the template does not finish (a loop without end?)");
    b->steps += n;
}

void charge_text(size_t bytes) {
    Budget* b = current;
    if (!b) return;
    if (bytes > b->limits.max_text)
        throw TemplateError("rendering stopped: the template builds a string or list of more than " + mib(b->limits.max_text));
    b->built += bytes;
    if (b->built > b->limits.max_built)
        throw TemplateError("rendering stopped: the template builds more than " + mib(b->limits.max_built) +
                            " of strings and lists in all");
}

void append_checked(std::string& out, std::string_view piece) {
    Budget* b = current;
    if (b && out.size() + piece.size() > b->limits.max_text)
        throw TemplateError("rendering stopped: the template builds a string or list of more than " + mib(b->limits.max_text));
    out += piece;
}

DepthGuard::DepthGuard() : counted_(current != nullptr) {
    if (!counted_) return;
    if (current->depth >= current->limits.max_depth)
        throw TemplateError("rendering stopped: calls and blocks nest more than " +
                            std::to_string(current->limits.max_depth) + " deep (a macro that calls itself without end?)");
    ++current->depth;
}

DepthGuard::~DepthGuard() {
    if (counted_ && current) --current->depth;
}

}  // namespace waypoint::jinja
