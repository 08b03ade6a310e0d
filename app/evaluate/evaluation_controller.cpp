#include "evaluation_controller.h"


#include "backend/backend_registry.h"
#include "files/file_paths.h"
#include "waypoint/platform/thread_priority.h"
#include "evaluate/evaluation_worker.h"

namespace waypoint::app {

EvaluationController::EvaluationController(QObject* parent) : QObject(parent) {}

EvaluationController::EvaluationController(std::shared_ptr<InferenceBackend> backend, QObject* parent)
    : QObject(parent), backend_(std::move(backend)), backendName_(QStringLiteral("custom")) {}

EvaluationController::~EvaluationController() {
    if (!thread_) return;
    // The engine reads the flag between windows (and between loads), so the
    // join waits for at most one window or one load.
    stop_->store(true, std::memory_order_release);
    thread_->quit();
    thread_->wait();
    // The worker was deleted on QThread::finished; thread_ is our child.
}

void EvaluationController::ensureWorker() {
    if (worker_) return;
    if (!backend_) backend_ = sharedBackend(backendName_);
    if (!backend_) {
        qWarning("EvaluationController: no backend named \"%s\"; using the engine", qPrintable(backendName_));
        backend_ = sharedBackend(QStringLiteral("engine"));
    }
    thread_ = new QThread(this);
    thread_->setObjectName(QStringLiteral("waypoint-evaluate"));
    worker_ = new EvaluationWorker(backend_, stop_);  // no parent: it moves to the thread
    worker_->moveToThread(thread_);
    connect(thread_, &QThread::finished, worker_, &QObject::deleteLater);
    connect(thread_, &QThread::started, worker_, &platform::lower_current_thread_priority);  // runs on the new thread
    connect(this, &EvaluationController::requestRun, worker_, &EvaluationWorker::run);
    connect(worker_, &EvaluationWorker::rowStatus, this,
            [this](int row, const QString& message) { results_.setRunning(row, message); });
    connect(worker_, &EvaluationWorker::rowLoaded, this, [this](int row, const waypoint::ModelCard& card) {
        results_.setCard(row, card);
        results_.setRunning(row, QStringLiteral("loaded; waiting"));
    });
    connect(worker_, &EvaluationWorker::rowProgress, this, &EvaluationController::onProgress);
    connect(worker_, &EvaluationWorker::rowFinished, this,
            [this](int row, const waypoint::PerplexityResult& r, int window) {
                results_.setResult(row, r, window);
                updateProgress();
            });
    connect(worker_, &EvaluationWorker::rowFailed, this, [this](int row, const QString& message) {
        results_.setFailed(row, message);
        updateProgress();
    });
    connect(worker_, &EvaluationWorker::rowSkipped, this, [this](int row) { results_.setCancelled(row); });
    connect(worker_, &EvaluationWorker::runFailed, this, [this](const QString& message) {
        setError(message);
        for (int i = 0; i < results_.count(); ++i) results_.setFailed(i, message);
    });
    connect(worker_, &EvaluationWorker::runFinished, this, &EvaluationController::onRunFinished);
    thread_->start();
}

void EvaluationController::setCheckpoints(const QStringList& list) {
    QStringList local;
    for (const QString& c : list)
        if (!c.trimmed().isEmpty()) local << FilePaths::localPath(c);  // a pane without a checkpoint yet
    if (local == checkpoints_) return;
    checkpoints_ = local;
    Q_EMIT checkpointsChanged();
}

void EvaluationController::setTextPath(const QString& path) {
    const QString local = FilePaths::localPath(path);
    if (local == textPath_) return;
    textPath_ = local;
    Q_EMIT textPathChanged();
}

void EvaluationController::setWindow(int window) {
    window = std::max(0, window);
    if (window == window_) return;
    window_ = window;
    Q_EMIT windowChanged();
}

void EvaluationController::setDevice(const QString& device) {
    if (device == device_) return;
    device_ = device;
    Q_EMIT deviceChanged();
}

void EvaluationController::setBackendName(const QString& name) {
    if (name == backendName_) return;
    if (worker_) {
        qWarning("EvaluationController: the backend is chosen before the first run; ignoring \"%s\"", qPrintable(name));
        return;
    }
    backend_.reset();
    backendName_ = name;
    Q_EMIT backendChanged();
}

void EvaluationController::setError(const QString& message) {
    if (message == error_) return;
    error_ = message;
    Q_EMIT errorChanged();
}

bool EvaluationController::start() {
    if (running_ || checkpoints_.isEmpty()) return false;
    ensureWorker();
    // The previous run has emitted runFinished, its last use of the flag.
    stop_->store(false, std::memory_order_release);
    setError({});
    results_.reset(checkpoints_);
    running_ = true;
    cancelled_ = false;
    Q_EMIT runningChanged();
    updateProgress();
    Q_EMIT requestRun(checkpoints_, textPath_, window_, device_);
    return true;
}

void EvaluationController::cancel() {
    if (running_) stop_->store(true, std::memory_order_release);
}

void EvaluationController::onProgress(int row, qint64 done, qint64 total, int window) {
    results_.setProgress(row, total > 0 ? double(done) / double(total) : 0.0, window);
    updateProgress();
}

void EvaluationController::updateProgress() {
    double sum = 0;
    for (int i = 0; i < results_.count(); ++i) {
        const auto& r = results_.row(i);
        const bool over = r.state == EvaluationResults::State::Done || r.state == EvaluationResults::State::Failed;
        sum += over ? 1.0 : r.progress;
    }
    const double p = results_.count() > 0 ? sum / results_.count() : 0.0;
    if (qFuzzyCompare(p + 1.0, progress_ + 1.0)) return;
    progress_ = p;
    Q_EMIT progressChanged();
}

void EvaluationController::onRunFinished(int window, bool cancelled) {
    if (window != usedWindow_ && window > 0) {
        usedWindow_ = window;
        Q_EMIT usedWindowChanged();
    }
    running_ = false;
    cancelled_ = cancelled;
    updateProgress();
    Q_EMIT runningChanged();
    Q_EMIT finished();
}

std::vector<waypoint::EvaluationResult> EvaluationController::resultsForExport() const {
    std::vector<waypoint::EvaluationResult> out;
    for (int i = 0; i < results_.count(); ++i)
        if (results_.row(i).hasResult()) out.push_back(results_.row(i).value);
    return out;
}

}  // namespace waypoint::app
