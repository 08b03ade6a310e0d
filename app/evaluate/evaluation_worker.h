// Runs perplexity evaluations on the EvaluationController's QThread (Qt's
// threadedfetchmore shape): no parent, moved to the thread, deleted on
// QThread::finished. It loads checkpoints through the app's backend (the
// shared one: a checkpoint a compare pane holds is not loaded again) and
// reports the engine's own values (ModelCard, PerplexityResult) through
// queued signals; it never touches the results model. Cancel is the shared
// atomic stop flag, read between windows by the engine's perplexity loop.
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>
#include <atomic>
#include <memory>

#include "backend/inference_backend.h"
#include "backend/metatypes.h"
#include "waypoint/perplexity.h"

namespace waypoint::app {

class EvaluationWorker : public QObject {
    Q_OBJECT
public:
    EvaluationWorker(std::shared_ptr<InferenceBackend> backend, std::shared_ptr<const std::atomic<bool>> stop);

    // The CLI's default: 255 ids, or the most the smallest context allows.
    static constexpr int kDefaultWindow = waypoint::kDefaultPerplexityWindow;

public Q_SLOTS:
    // window <= 0: the CLI's default rule over all checkpoints that load.
    void run(const QStringList& checkpoints, const QString& textPath, int window, const QString& device);

Q_SIGNALS:
    void rowStatus(int row, const QString& message);  // "loading", ...
    void rowLoaded(int row, const waypoint::ModelCard& card);
    void rowProgress(int row, qint64 done, qint64 total, int window);
    void rowFinished(int row, const waypoint::PerplexityResult& result, int window);
    void rowFailed(int row, const QString& message);
    void rowSkipped(int row);             // cancelled before it ran
    void runFailed(const QString& message);  // the text itself cannot be used
    void runFinished(int window, bool cancelled);

private:
    bool stopped() const { return stop_->load(std::memory_order_acquire); }

    std::shared_ptr<InferenceBackend> backend_;
    std::shared_ptr<const std::atomic<bool>> stop_;
};

}  // namespace waypoint::app
