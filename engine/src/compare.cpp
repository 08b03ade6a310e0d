// Comparison values (waypoint/compare.h): one pane's run, divergence, and
// the sampling settings in words. Export: compare_json.cpp, compare_markdown.cpp.
#include "waypoint/compare.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "compare_format.h"

namespace waypoint {
namespace detail {

// The shortest decimal that reads back as the same float: 0.95f is written
// 0.95, not 0.949999988, and an exported comparison reopens bit-exact.
double short_float(float x) {
    if (!std::isfinite(x)) return double(x);
    char buf[32];
    for (int digits = 6; digits <= 9; ++digits) {
        std::snprintf(buf, sizeof buf, "%.*g", digits, double(x));
        if (std::strtof(buf, nullptr) == x) break;
    }
    return std::strtod(buf, nullptr);
}

}  // namespace detail

int first_divergence(const std::vector<int>& a, const std::vector<int>& b) {
    const size_t n = std::min(a.size(), b.size());
    for (size_t i = 0; i < n; ++i)
        if (a[i] != b[i]) return int(i);
    return a.size() == b.size() ? -1 : int(n);
}

PaneResult generate_pane(Session& session, const std::string& prompt, const GenerateOptions& options,
                         const TokenCallback& on_token) {
    PaneResult pane;
    const ModelCard& card = session.model().card();
    pane.checkpoint = card.path;
    pane.model = card.name;
    pane.sampling = options.sampling;
    pane.max_new_tokens = options.max_new_tokens;
    pane.prompt_ids = encode_prompt(session, prompt, options);
    session.reset();
    pane.stats = generate_ids(
        session, pane.prompt_ids, options,
        [&](const TokenEvent& event) {
            pane.text += event.delta;
            if (on_token) on_token(event);
        },
        &pane.generated_ids);
    return pane;
}

bool divergence_meaningful(const PaneResult& a, const PaneResult& b) {
    const SamplingParams &x = a.sampling, &y = b.sampling;
    const bool same_penalty = x.repeat_penalty == y.repeat_penalty &&
                              (x.repeat_penalty == 1.0f || x.repeat_window == y.repeat_window);
    if (x.greedy() && y.greedy()) return same_penalty;
    if (x.greedy() != y.greedy()) return false;
    return same_penalty && x.temperature == y.temperature && x.top_k == y.top_k && x.top_p == y.top_p &&
           x.min_p == y.min_p && x.seed == y.seed;
}

std::vector<std::optional<int>> divergences_from_first(const Comparison& c) {
    std::vector<std::optional<int>> out;
    for (const PaneResult& p : c.panes) {
        if (divergence_meaningful(c.panes.front(), p))
            out.push_back(first_divergence(c.panes.front().generated_ids, p.generated_ids));
        else
            out.push_back(std::nullopt);
    }
    return out;
}

std::string describe_sampling(const SamplingParams& s) {
    std::ostringstream out;
    auto num = [](float x) {
        std::ostringstream o;
        o << detail::short_float(x);
        return o.str();
    };
    if (s.greedy()) {
        out << "greedy";
    } else {
        out << "temperature " << num(s.temperature);
        if (s.top_k > 0) out << ", top-k " << s.top_k;
        if (s.top_p < 1.0f) out << ", top-p " << num(s.top_p);
        if (s.min_p > 0.0f) out << ", min-p " << num(s.min_p);
    }
    if (s.repeat_penalty != 1.0f) out << ", repeat penalty " << num(s.repeat_penalty) << " over " << s.repeat_window;
    if (!s.greedy()) out << ", seed " << s.seed;
    return out.str();
}

}  // namespace waypoint
