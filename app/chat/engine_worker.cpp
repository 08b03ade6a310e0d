#include "engine_worker.h"

#include <QStringList>
#include <exception>

namespace waypoint::app {

EngineWorker::EngineWorker(std::shared_ptr<InferenceBackend> backend,
                           std::shared_ptr<const std::atomic<quint64>> cancelUpTo)
    : backend_(std::move(backend)), cancelUpTo_(std::move(cancelUpTo)) {}

EngineWorker::~EngineWorker() = default;

void EngineWorker::load(quint64 id, const QString& path, const QString& device, const QString& tokenizer) {
    try {
        auto model = backend_->load(path.toStdString(), device.toStdString(), tokenizer.toStdString());
        auto session = model->newSession();
        // Only now replace the current model: a failed load keeps the previous one usable.
        model_ = std::move(model);
        session_ = std::move(session);
        const ChatFormat& format = model_->chatFormat();
        Q_EMIT chatFormatFound(id, format.chat_template ? QString::fromStdString(format.origin) : QString(),
                               QString::fromStdString(format.problem));
        Q_EMIT loaded(id, model_->card(), QString::fromStdString(model_->generationDefaultsJson()));
    } catch (const std::exception& e) {
        Q_EMIT loadFailed(id, path, QString::fromUtf8(e.what()));
    } catch (...) {
        Q_EMIT loadFailed(id, path, QStringLiteral("Unknown error while loading %1").arg(path));
    }
}

template <typename Run>
void EngineWorker::runGeneration(quint64 id, const GenerateOptions& requested, Run&& run) {
    if (!session_) {
        Q_EMIT generationFailed(id, QStringLiteral("No checkpoint is loaded. Open one with Ctrl+O."));
        return;
    }
    // The engine checks `stop` before every token; the callback raises it as
    // soon as the GUI thread has cancelled this request, so at most the token
    // in flight is computed after Stop, and none is emitted.
    std::atomic<bool> stop(cancelled(id));
    GenerateOptions options = requested;
    options.stop_flag = &stop;
    options.top_alternatives = kTopAlternatives;
    try {
        run(options, [&](const TokenEvent& t) {
            if (cancelled(id)) { stop.store(true); return; }
            // Every token goes out, even one with no text yet (the first byte of a
            // character): its probability belongs in the answer's token list.
            Q_EMIT token(id, t);
        });
    } catch (const std::exception& e) {
        Q_EMIT generationFailed(id, QString::fromUtf8(e.what()));
    }
}

void EngineWorker::generate(quint64 id, const QString& prompt, const GenerateOptions& requested) {
    runGeneration(id, requested, [&](const GenerateOptions& options, const TokenCallback& onToken) {
        const GenerationStats s = session_->generate(prompt.toStdString(), options, onToken);
        Q_EMIT generationFinished(id, s);
    });
}

void EngineWorker::reply(quint64 id, const ConversationRequest& request, const GenerateOptions& requested) {
    runGeneration(id, requested, [&](const GenerateOptions& options, const TokenCallback& onToken) {
        const ConversationReply r = session_->reply(request, options, onToken);
        Q_EMIT replyFinished(id, r.stats, r.droppedTurns);
    });
}

void EngineWorker::example(quint64 id, const QString& prompt, int maxNewTokens) {
    if (!model_) {
        Q_EMIT exampleReady(id, QString());
        return;
    }
    std::atomic<bool> stop(cancelled(id));
    GenerateOptions greedy;
    greedy.sampling.temperature = 0.0f;
    greedy.sampling.repeat_penalty = 1.0f;
    greedy.max_new_tokens = maxNewTokens;
    greedy.stop_flag = &stop;
    std::string text;
    try {
        // Its own session: the chat's history stays untouched.
        auto session = model_->newSession();
        session->generate(prompt.toStdString(), greedy, [&](const TokenEvent& t) {
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
