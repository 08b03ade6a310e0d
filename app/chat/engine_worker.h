// Runs the engine on the controller's QThread (Qt's threadedfetchmore shape):
// no parent, moved to the thread, deleted on QThread::finished. Talks to the
// GUI thread only through queued signals carrying value types. Requests are
// numbered; a request whose id is <= *cancelUpTo stops before its next token.
#pragma once

#include <QObject>
#include <QString>
#include <atomic>
#include <memory>

#include "backend/inference_backend.h"
#include "backend/metatypes.h"

namespace waypoint::app {

class EngineWorker : public QObject {
    Q_OBJECT
public:
    EngineWorker(std::shared_ptr<InferenceBackend> backend,
                 std::shared_ptr<const std::atomic<quint64>> cancelUpTo);
    ~EngineWorker() override;

public Q_SLOTS:
    void load(quint64 id, const QString& path, const QString& device, const QString& tokenizer);
    // `options` as SamplingSettings::next() issued them; the worker adds the
    // stop flag and asks for the top alternatives.
    void generate(quint64 id, const QString& prompt, const waypoint::GenerateOptions& options);
    // The next answer of a conversation on the chat's session (its KV cache
    // is reused across turns; see BackendSession::reply).
    void reply(quint64 id, const waypoint::app::ConversationRequest& request, const waypoint::GenerateOptions& options);
    void example(quint64 id, const QString& prompt, int maxNewTokens);
    void listDevices();

Q_SIGNALS:
    // Just before loaded(): the checkpoint's chat template ("" origin: none;
    // problem: a template that is there but unusable, naming the file).
    void chatFormatFound(quint64 id, const QString& origin, const QString& problem);
    void loaded(quint64 id, const waypoint::ModelCard& card, const QString& generationDefaultsJson);
    void loadFailed(quint64 id, const QString& path, const QString& message);
    // One per generated token, in order; a last one with token.id == -1 may
    // carry text the engine held back (not a token).
    void token(quint64 id, const waypoint::TokenEvent& token);
    void generationFinished(quint64 id, const waypoint::GenerationStats& stats);
    // A reply's end: its stats and the turns left out for want of context.
    void replyFinished(quint64 id, const waypoint::GenerationStats& stats, int droppedTurns);
    void generationFailed(quint64 id, const QString& message);
    void exampleReady(quint64 id, const QString& text);
    void devicesListed(const QStringList& devices);

private:
    // Runs one generation with the stop flag and top alternatives; `run`
    // calls the backend with the options and the token callback.
    template <typename Run>
    void runGeneration(quint64 id, const GenerateOptions& requested, Run&& run);
    bool cancelled(quint64 id) const { return cancelUpTo_->load() >= id; }

    std::shared_ptr<InferenceBackend> backend_;
    std::shared_ptr<const std::atomic<quint64>> cancelUpTo_;
    std::shared_ptr<const LoadedModel> model_;
    std::unique_ptr<BackendSession> session_;
};

}  // namespace waypoint::app
