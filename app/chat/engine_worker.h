// Runs the engine on the controller's QThread (Qt's threadedfetchmore shape):
// no parent, moved to the thread, deleted on QThread::finished. Talks to the
// GUI thread only through queued signals carrying value types. Requests are
// numbered; a request whose id is <= *cancelUpTo stops before its next token.
#pragma once

#include <QObject>
#include <QString>
#include <QVariantMap>
#include <atomic>
#include <memory>

#include "backend/metatypes.h"
#include "chat/generated_token.h"


namespace waypoint::app {

class EngineWorker : public QObject {
    Q_OBJECT
public:
    EngineWorker(std::shared_ptr<InferenceBackend> backend,
                 std::shared_ptr<const std::atomic<quint64>> cancelUpTo);
    ~EngineWorker() override;

    static QVariantMap cardToMap(const CardData& card);
    static QVariantMap summaryToMap(const GenerationSummary& s);
    static GeneratedToken toGeneratedToken(const TokenInfo& info);

public Q_SLOTS:
    void load(quint64 id, const QString& path, const QString& device, const QString& tokenizer);
    void generate(quint64 id, const QString& prompt, const waypoint::app::SamplingValues& sampling);
    void example(quint64 id, const QString& prompt, int maxNewTokens);
    void listDevices();

Q_SIGNALS:
    void loaded(quint64 id, const QVariantMap& card, const QString& generationDefaultsJson);
    void loadFailed(quint64 id, const QString& path, const QString& message);
    // One per generated token, in order; a last one with token.id == -1 may
    // carry text the engine held back (not a token).
    void token(quint64 id, const waypoint::app::GeneratedToken& token);
    void generationFinished(quint64 id, const QVariantMap& summary);
    void generationFailed(quint64 id, const QString& message);
    void exampleReady(quint64 id, const QString& text);
    void devicesListed(const QStringList& devices);

private:
    bool cancelled(quint64 id) const { return cancelUpTo_->load() >= id; }

    std::shared_ptr<InferenceBackend> backend_;
    std::shared_ptr<const std::atomic<quint64>> cancelUpTo_;
    std::shared_ptr<const LoadedModel> model_;
    std::unique_ptr<BackendSession> session_;
};

}  // namespace waypoint::app
