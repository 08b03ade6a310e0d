// Evaluate: mean loss and perplexity of a text under each of a list
// of checkpoints, with the windowing protocol of `waypoint-cli --perplexity`.
// Owns its worker QThread (Qt's threadedfetchmore shape); the GUI thread only
// receives queued value-type signals and updates the results model. cancel()
// raises an atomic the engine reads between windows; the destructor cancels,
// quits and joins.
#pragma once

#include <QObject>
#include <QStringList>
#include <QThread>
#include <QtQml/qqmlregistration.h>
#include <atomic>
#include <memory>
#include <vector>

#include "backend/inference_backend.h"
#include "evaluate/evaluation_results.h"

namespace waypoint::app {

class EvaluationWorker;

class EvaluationController : public QObject {
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(QStringList checkpoints READ checkpoints WRITE setCheckpoints NOTIFY checkpointsChanged)
    // A path or a file:// URL (what a FileDialog gives).
    Q_PROPERTY(QString textPath READ textPath WRITE setTextPath NOTIFY textPathChanged)
    // Ids per window; 0 (the default) is the CLI's default: 255, or the most
    // the smallest context allows. usedWindow is what the last run used.
    Q_PROPERTY(int window READ window WRITE setWindow NOTIFY windowChanged)
    Q_PROPERTY(int usedWindow READ usedWindow NOTIFY usedWindowChanged)
    Q_PROPERTY(QString device READ device WRITE setDevice NOTIFY deviceChanged)
    // A backend name (backend_registry.h), "engine" by default: the process's
    // shared one, so checkpoints the compare panes hold are not loaded again.
    // Read when the first run starts.
    Q_PROPERTY(QString backend READ backendName WRITE setBackendName NOTIFY backendChanged)
    Q_PROPERTY(bool running READ running NOTIFY runningChanged)
    Q_PROPERTY(double progress READ progress NOTIFY progressChanged)  // 0..1 over all checkpoints
    Q_PROPERTY(bool cancelled READ cancelled NOTIFY runningChanged)    // the last run was cancelled
    // The run-level problem (the text cannot be read); per-checkpoint
    // problems are in the rows' messages.
    Q_PROPERTY(QString error READ error NOTIFY errorChanged)
    Q_PROPERTY(waypoint::app::EvaluationResults* results READ results CONSTANT)
public:
    explicit EvaluationController(QObject* parent = nullptr);
    // For tests: a given backend (e.g. a fake from tests/support).
    explicit EvaluationController(std::shared_ptr<InferenceBackend> backend, QObject* parent = nullptr);
    ~EvaluationController() override;

    QStringList checkpoints() const { return checkpoints_; }
    void setCheckpoints(const QStringList& list);
    QString textPath() const { return textPath_; }
    void setTextPath(const QString& path);
    int window() const { return window_; }
    void setWindow(int window);
    int usedWindow() const { return usedWindow_; }
    QString device() const { return device_; }
    void setDevice(const QString& device);
    QString backendName() const { return backendName_; }
    void setBackendName(const QString& name);
    bool running() const { return running_; }
    double progress() const { return progress_; }
    bool cancelled() const { return cancelled_; }
    QString error() const { return error_; }
    EvaluationResults* results() { return &results_; }

    // The rows that have numbers (done, or cancelled part-way), as the
    // engine's values: what the compare view's export writes.
    std::vector<waypoint::EvaluationResult> resultsForExport() const;

public Q_SLOTS:
    // Starts a run over `checkpoints`; false (and nothing changes) while one runs
    // or when there are no checkpoints.
    bool start();
    void cancel();

Q_SIGNALS:
    void checkpointsChanged();
    void textPathChanged();
    void windowChanged();
    void usedWindowChanged();
    void deviceChanged();
    void backendChanged();
    void runningChanged();
    void progressChanged();
    void errorChanged();
    void finished();
    void requestRun(const QStringList& checkpoints, const QString& textPath, int window, const QString& device);

private:
    void ensureWorker();
    void onProgress(int row, qint64 done, qint64 total, int window);
    void onRunFinished(int window, bool cancelled);
    void updateProgress();
    void setError(const QString& message);

    std::shared_ptr<InferenceBackend> backend_;
    QString backendName_ = QStringLiteral("engine");
    QStringList checkpoints_;
    QString textPath_;
    int window_ = 0;
    int usedWindow_ = 0;
    QString device_ = QStringLiteral("auto");
    bool running_ = false;
    bool cancelled_ = false;
    double progress_ = 0;
    QString error_;
    EvaluationResults results_;
    std::shared_ptr<std::atomic<bool>> stop_ = std::make_shared<std::atomic<bool>>(false);
    QThread* thread_ = nullptr;
    EvaluationWorker* worker_ = nullptr;
};

}  // namespace waypoint::app
