#include "engine_worker.h"

#include <QStringList>
#include <exception>

namespace waypoint::app {

EngineWorker::EngineWorker(std::shared_ptr<InferenceBackend> backend,
                           std::shared_ptr<const std::atomic<quint64>> cancelUpTo)
    : backend_(std::move(backend)), cancelUpTo_(std::move(cancelUpTo)) {}

EngineWorker::~EngineWorker() = default;

QVariantMap EngineWorker::cardToMap(const CardData& c) {
    QVariantMap m;
    m[QStringLiteral("name")] = QString::fromStdString(c.name);
    m[QStringLiteral("path")] = QString::fromStdString(c.path);
    m[QStringLiteral("architecture")] = QString::fromStdString(c.architecture);
    m[QStringLiteral("format")] = QString::fromStdString(c.format);
    m[QStringLiteral("dtype")] = QString::fromStdString(c.dtype);
    m[QStringLiteral("device")] = QString::fromStdString(c.device);
    m[QStringLiteral("tokenizer")] = QString::fromStdString(c.tokenizer);
    m[QStringLiteral("parameters")] = qint64(c.parameters);
    m[QStringLiteral("layers")] = c.layers;
    m[QStringLiteral("heads")] = c.heads;
    m[QStringLiteral("kvHeads")] = c.kvHeads;
    m[QStringLiteral("width")] = c.width;
    m[QStringLiteral("hidden")] = c.hidden;
    m[QStringLiteral("vocabulary")] = c.vocabulary;
    m[QStringLiteral("context")] = c.context;
    m[QStringLiteral("tiedEmbeddings")] = c.tiedEmbeddings;
    m[QStringLiteral("fileBytes")] = qint64(c.fileBytes);
    // Absent fields stay absent: the dialog shows "not recorded".
    if (c.trainingStep) m[QStringLiteral("trainingStep")] = qint64(*c.trainingStep);
    if (c.validationLoss) m[QStringLiteral("validationLoss")] = *c.validationLoss;
    return m;
}

QVariantMap EngineWorker::summaryToMap(const GenerationSummary& s) {
    QVariantMap m;
    m[QStringLiteral("promptTokens")] = s.promptTokens;
    m[QStringLiteral("newTokens")] = s.newTokens;
    m[QStringLiteral("timeToFirstTokenMs")] = s.timeToFirstTokenMs;
    m[QStringLiteral("tokensPerSecond")] = s.tokensPerSecond;
    m[QStringLiteral("totalMs")] = s.totalMs;
    m[QStringLiteral("finish")] = QString::fromStdString(s.finish);
    return m;
}

GeneratedToken EngineWorker::toGeneratedToken(const TokenInfo& info) {
    GeneratedToken t;
    t.id = info.id;
    t.delta = QString::fromStdString(info.delta);
    t.piece = QString::fromStdString(info.piece);
    t.probability = info.probability;
    t.top.reserve(int(info.top.size()));
    for (const TokenAlternative& a : info.top) t.top.append({a.id, QString::fromStdString(a.text), a.probability});
    return t;
}

void EngineWorker::load(quint64 id, const QString& path, const QString& device, const QString& tokenizer) {
    try {
        auto model = backend_->load(path.toStdString(), device.toStdString(), tokenizer.toStdString());
        auto session = model->newSession();
        // Only now replace the current model: a failed load keeps the previous one usable.
        model_ = std::move(model);
        session_ = std::move(session);
        Q_EMIT loaded(id, cardToMap(model_->card()), QString::fromStdString(model_->generationDefaultsJson()));
    } catch (const std::exception& e) {
        Q_EMIT loadFailed(id, path, QString::fromUtf8(e.what()));
    } catch (...) {
        Q_EMIT loadFailed(id, path, QStringLiteral("Unknown error while loading %1").arg(path));
    }
}

void EngineWorker::generate(quint64 id, const QString& prompt, const SamplingValues& sampling) {
    if (!session_) {
        Q_EMIT generationFailed(id, QStringLiteral("No checkpoint is loaded. Open one with Ctrl+O."));
        return;
    }
    // The engine checks `stop` before every token; the callback raises it as
    // soon as the GUI thread has cancelled this request, so at most the token
    // in flight is computed after Stop, and none is emitted.
    std::atomic<bool> stop(cancelled(id));
    try {
        const GenerationSummary s = session_->generate(prompt.toStdString(), sampling, stop,
                                                       [&](const TokenInfo& t) {
            if (cancelled(id)) { stop.store(true); return; }
            // Every token goes out, even one with no text yet (the first byte of a
            // character): its probability belongs in the answer's token list.
            Q_EMIT token(id, toGeneratedToken(t));
        });
        Q_EMIT generationFinished(id, summaryToMap(s));
    } catch (const std::exception& e) {
        Q_EMIT generationFailed(id, QString::fromUtf8(e.what()));
    }
}

void EngineWorker::example(quint64 id, const QString& prompt, int maxNewTokens) {
    if (!model_) {
        Q_EMIT exampleReady(id, QString());
        return;
    }
    SamplingValues greedy;
    greedy.temperature = 0.0f;
    greedy.repeatPenalty = 1.0f;
    greedy.maxNewTokens = maxNewTokens;
    std::atomic<bool> stop(cancelled(id));
    std::string text;
    try {
        // Its own session: the chat's history stays untouched.
        auto session = model_->newSession();
        session->generate(prompt.toStdString(), greedy, stop, [&](const TokenInfo& t) {
            if (cancelled(id)) stop.store(true);
            text += t.delta;
        });
        Q_EMIT exampleReady(id, QString::fromStdString(text));
    } catch (const std::exception& e) {
        Q_EMIT exampleReady(id, QStringLiteral("(could not generate: %1)").arg(QString::fromUtf8(e.what())));
    }
}

void EngineWorker::listDevices() {
    QStringList out;
    try {
        for (const auto& d : backend_->devices()) out << QString::fromStdString(d);
    } catch (const std::exception&) {
    }
    if (out.isEmpty()) out << QStringLiteral("cpu");
    Q_EMIT devicesListed(out);
}

}  // namespace waypoint::app
