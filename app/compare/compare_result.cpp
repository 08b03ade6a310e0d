#include "compare_result.h"

#include "compare/compare_pane.h"

namespace waypoint::app {

waypoint::PaneResult paneResult(const ComparePane& pane) {
    const ChatController* chat = pane.chat();
    const waypoint::GenerateOptions used = pane.lastUsed();
    waypoint::PaneResult r;
    r.checkpoint = pane.checkpoint().toStdString();
    r.model = chat->modelName().toStdString();
    r.sampling = used.sampling;
    r.max_new_tokens = used.max_new_tokens;
    r.generated_ids = pane.tokenIds();
    r.text = pane.answer().toStdString();
    r.stats = chat->lastStats();
    return r;
}

waypoint::Comparison buildComparison(const QString& prompt, const std::vector<const ComparePane*>& panes,
                                     std::vector<waypoint::EvaluationResult> evaluations,
                                     const QString& evaluationText) {
    waypoint::Comparison c;
    c.prompt = prompt.toStdString();
    for (const ComparePane* p : panes) c.panes.push_back(paneResult(*p));
    c.evaluation_text = evaluationText.toStdString();
    c.evaluations = std::move(evaluations);
    return c;
}

}  // namespace waypoint::app
