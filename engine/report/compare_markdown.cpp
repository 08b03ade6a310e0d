// A comparison as a Markdown document (waypoint/report.h): the prompt, a
// table of panes, each answer in a fenced block, the evaluation table.
#include <algorithm>
#include <cstdio>
#include <sstream>

#include "waypoint/compare.h"
#include "waypoint/report.h"

namespace waypoint {
namespace {

std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

// A table cell: one line, pipes escaped.
std::string cell(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '|') out += "\\|";
        else if (c == '\n' || c == '\r') out += ' ';
        else out += c;
    }
    return out;
}

// A fenced block that the text cannot close early: the fence is longer than
// any run of backticks inside it.
std::string fenced(const std::string& text) {
    size_t longest = 0, run = 0;
    for (char c : text) {
        run = c == '`' ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    const std::string fence(std::max<size_t>(3, longest + 1), '`');
    std::string body = text;
    if (body.empty() || body.back() != '\n') body += '\n';
    return fence + "text\n" + body + fence + "\n";
}

std::string pane_title(const PaneResult& p, size_t i) {
    return "Pane " + std::to_string(i + 1) + ": " + (p.model.empty() ? p.checkpoint : p.model);
}

}  // namespace

std::string comparison_to_markdown(const Comparison& c) {
    std::ostringstream md;
    md << "# Comparison\n\n";
    md << "Prompt:\n\n" << fenced(c.prompt) << "\n";
    const auto div = divergences_from_first(c);
    md << "| pane | checkpoint | settings | tokens | time to first token | tokens/s | finish | first divergence |\n";
    md << "|---|---|---|---|---|---|---|---|\n";
    for (size_t i = 0; i < c.panes.size(); ++i) {
        const PaneResult& p = c.panes[i];
        std::string d = "n/a (different sampling)";
        if (i == 0) d = "(reference)";
        else if (div[i]) d = *div[i] < 0 ? "identical" : "token " + std::to_string(*div[i] + 1);  // counted from 1
        md << "| " << i + 1 << " | " << cell(p.checkpoint) << " | "
           << cell(describe_sampling(p.sampling) + ", max " + std::to_string(p.max_new_tokens) + " tokens") << " | "
           << p.stats.prompt_tokens << " + " << p.stats.new_tokens << " | "
           << fixed(p.stats.time_to_first_token_ms, 1) << " ms | " << fixed(p.stats.decode_tokens_per_s, 1) << " | "
           << to_string(p.stats.finish) << " | " << d << " |\n";
    }
    for (size_t i = 0; i < c.panes.size(); ++i) {
        const PaneResult& p = c.panes[i];
        md << "\n## " << pane_title(p, i) << "\n\n";
        md << "- checkpoint: `" << p.checkpoint << "`\n";
        md << "- settings: " << describe_sampling(p.sampling) << ", max " << p.max_new_tokens << " tokens\n";
        md << "- stats: " << p.stats.prompt_tokens << " prompt + " << p.stats.new_tokens << " new tokens, "
           << fixed(p.stats.time_to_first_token_ms, 1) << " ms to first, "
           << fixed(p.stats.decode_tokens_per_s, 1) << " tok/s, " << fixed(p.stats.total_ms, 1) << " ms total, "
           << to_string(p.stats.finish) << "\n\n";
        md << fenced(p.text);
    }
    if (!c.evaluations.empty()) {
        md << "\n## Evaluation\n\n";
        if (!c.evaluation_text.empty()) md << "Text: `" << c.evaluation_text << "`\n\n";
        // Training facts only when some checkpoint records them.
        const bool steps = std::any_of(c.evaluations.begin(), c.evaluations.end(),
                                       [](const EvaluationResult& e) { return e.training_step || e.validation_loss; });
        md << "| checkpoint | window | tokens | mean NLL (nats) | perplexity |" << (steps ? " step | validation loss |" : "")
           << "\n|---|---|---|---|---|" << (steps ? "---|---|" : "") << "\n";
        for (const EvaluationResult& e : c.evaluations) {
            md << "| " << cell(e.checkpoint) << " | " << e.window << " | " << e.result.tokens << " | "
               << fixed(e.result.mean_nll, 4) << " | " << fixed(e.result.perplexity, 3)
               << (e.result.cancelled ? " (cancelled)" : "") << " |";
            if (steps)
                md << " " << (e.training_step ? std::to_string(*e.training_step) : "") << " | "
                   << (e.validation_loss ? fixed(*e.validation_loss, 4) : "") << " |";
            md << "\n";
        }
    }
    return md.str();
}

}  // namespace waypoint
