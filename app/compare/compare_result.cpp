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
                                     const QVariantList& evaluations, const QString& evaluationText) {
    waypoint::Comparison c;
    c.prompt = prompt.toStdString();
    for (const ComparePane* p : panes) c.panes.push_back(paneResult(*p));
    c.evaluation_text = evaluationText.toStdString();
    for (const QVariant& v : evaluations) {
        const QVariantMap m = v.toMap();
        waypoint::EvaluationResult e;
        e.checkpoint = m.value(QStringLiteral("checkpoint")).toString().toStdString();
        e.model = m.value(QStringLiteral("model")).toString().toStdString();
        e.window = m.value(QStringLiteral("window")).toInt();
        e.result.tokens = long(m.value(QStringLiteral("tokens")).toLongLong());
        e.result.mean_nll = m.value(QStringLiteral("mean_nll")).toDouble();
        e.result.perplexity = m.value(QStringLiteral("perplexity")).toDouble();
        e.result.cancelled = m.value(QStringLiteral("cancelled")).toBool();
        c.evaluations.push_back(e);
    }
    return c;
}

}  // namespace waypoint::app
