#include "compare_result.h"

#include "compare/compare_pane.h"

namespace waypoint::app {

namespace {
waypoint::FinishReason finishFrom(const QString& s) {
    if (s == QLatin1String("eos")) return FinishReason::Eos;
    if (s == QLatin1String("stop_string")) return FinishReason::StopString;
    if (s == QLatin1String("stopped")) return FinishReason::Stopped;
    if (s == QLatin1String("context_full")) return FinishReason::ContextFull;
    return FinishReason::Length;
}
}  // namespace

waypoint::SamplingParams toSamplingParams(const SamplingValues& v) {
    waypoint::SamplingParams p;
    p.temperature = v.temperature;
    p.top_k = v.topK;
    p.top_p = v.topP;
    p.min_p = v.minP;
    p.repeat_penalty = v.repeatPenalty;
    p.seed = v.seed;
    return p;
}

waypoint::PaneResult paneResult(const ComparePane& pane) {
    const ChatController* chat = pane.chat();
    const SamplingValues used = pane.lastUsed();
    waypoint::PaneResult r;
    r.checkpoint = pane.checkpoint().toStdString();
    r.model = chat->modelName().toStdString();
    r.sampling = toSamplingParams(used);
    r.max_new_tokens = used.maxNewTokens;
    r.generated_ids = pane.tokenIds();
    r.text = pane.answer().toStdString();
    r.stats.prompt_tokens = chat->lastPromptTokens();
    r.stats.new_tokens = chat->lastNewTokens();
    r.stats.time_to_first_token_ms = chat->timeToFirstTokenMs();
    r.stats.decode_tokens_per_s = chat->tokensPerSecond();
    r.stats.finish = finishFrom(chat->lastFinish());
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
