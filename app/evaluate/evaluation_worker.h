// Runs perplexity evaluations on the EvaluationController's QThread (Qt's
// threadedfetchmore shape): no parent, moved to the thread, deleted on
// QThread::finished. It loads checkpoints with the engine directly
// (waypoint::Model::load) and reports through queued signals with value
// types only; it never touches the results model. Cancel is the shared
// atomic stop flag, read between windows by waypoint::evaluate_perplexity.
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>
#include <QVariantMap>
#include <atomic>
#include <memory>

namespace waypoint::app {

class EvaluationWorker : public QObject {
    Q_OBJECT
public:
    explicit EvaluationWorker(std::shared_ptr<const std::atomic<bool>> stop);

    // The CLI's default: 255 ids, or the most the smallest context allows.
    static constexpr int kDefaultWindow = 255;

public Q_SLOTS:
    // window <= 0: the CLI's default rule over all checkpoints that load.
    void run(const QStringList& checkpoints, const QString& textPath, int window, const QString& device);

Q_SIGNALS:
    void rowStatus(int row, const QString& message);  // "loading", ...
    // name; step and validationLoss only where the card carries them.
    void rowLoaded(int row, const QVariantMap& card);
    void rowProgress(int row, qint64 done, qint64 total, int window);
    void rowFinished(int row, qint64 tokens, double meanNll, double perplexity, int window, bool cancelled);
    void rowFailed(int row, const QString& message);
    void rowSkipped(int row);             // cancelled before it ran
    void runFailed(const QString& message);  // the text itself cannot be used
    void runFinished(int window, bool cancelled);

private:
    bool stopped() const { return stop_->load(std::memory_order_acquire); }

    std::shared_ptr<const std::atomic<bool>> stop_;
};

}  // namespace waypoint::app
