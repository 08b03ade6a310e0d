// Comparison values (waypoint/compare.h): one pane's run and divergence.
// Export: ../report (waypoint/report.h).
#include "waypoint/compare.h"

#include <algorithm>


namespace waypoint {
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

}  // namespace waypoint
