#include "evaluation_worker.h"

#include "library/tokenizer_choices.h"

#include <QFile>
#include <QElapsedTimer>
#include <QFileInfo>
#include <algorithm>
#include <exception>
#include <vector>


namespace waypoint::app {

namespace {

// Progress reaches the GUI at most this often (a small model scores a window
// in well under a millisecond; one queued signal per window would flood it).
constexpr qint64 kProgressIntervalMs = 50;

QString describe(const std::exception& e) { return QString::fromUtf8(e.what()); }

}  // namespace

EvaluationWorker::EvaluationWorker(std::shared_ptr<InferenceBackend> backend,
                                   std::shared_ptr<const std::atomic<bool>> stop)
    : backend_(std::move(backend)), stop_(std::move(stop)) {}

void EvaluationWorker::run(const QStringList& checkpoints, const QString& textPath, int window,
                           const QString& device) {
    // 1. The text, read once for all checkpoints (bytes as the CLI reads them).
    QFile file(textPath);
    if (textPath.isEmpty()) {
        Q_EMIT runFailed(QStringLiteral("No evaluation text chosen: pick a text file first."));
        Q_EMIT runFinished(0, false);
        return;
    }
    if (!QFileInfo(textPath).isFile() || !file.open(QIODevice::ReadOnly)) {
        const QString why = QFileInfo::exists(textPath) ? (QFileInfo(textPath).isDir() ? QStringLiteral("it is a folder")
                                                                                         : file.errorString())
                                                        : QStringLiteral("no such file");
        Q_EMIT runFailed(QStringLiteral("Cannot read the evaluation text '%1' (%2). Pick a readable text file.")
                             .arg(textPath, why));
        Q_EMIT runFinished(0, false);
        return;
    }
    const QByteArray bytes = file.readAll();
    if (bytes.trimmed().isEmpty()) {
        Q_EMIT runFailed(QStringLiteral("The evaluation text '%1' is empty. Pick a file with some text in it.")
                             .arg(textPath));
        Q_EMIT runFinished(0, false);
        return;
    }
    const std::string text(bytes.constData(), size_t(bytes.size()));

    // 2. Load every checkpoint first, so that one window (the CLI's rule for
    // several checkpoints) measures them all alike. Loading cannot be
    // interrupted; the stop flag is read between loads.
    std::vector<std::shared_ptr<const LoadedModel>> models(size_t(checkpoints.size()));
    std::vector<QString> failures(size_t(checkpoints.size()));  // per row, for repeats of a path
    for (int i = 0; i < checkpoints.size(); ++i) {
        if (stopped()) break;
        // The same checkpoint twice (two panes with different settings):
        // loaded and evaluated once, the repeat gets the same card and numbers.
        const int first = int(checkpoints.indexOf(checkpoints[i]));
        if (first < i) {
            if (models[size_t(first)]) Q_EMIT rowLoaded(i, models[size_t(first)]->card());
            continue;
        }
        Q_EMIT rowStatus(i, QStringLiteral("loading…"));
        try {
            models[size_t(i)] = backend_->load(
                QFile::encodeName(checkpoints[i]).toStdString(),
                device.isEmpty() ? std::string("auto") : device.toStdString(),
                QFile::encodeName(TokenizerChoices::forCheckpoint(checkpoints[i])).toStdString());
            Q_EMIT rowLoaded(i, models[size_t(i)]->card());
        } catch (const std::exception& e) {
            failures[size_t(i)] = QStringLiteral("Could not load '%1': %2").arg(checkpoints[i], describe(e));
            Q_EMIT rowFailed(i, failures[size_t(i)]);
        }
    }

    int used = window;
    if (used <= 0) {
        used = kDefaultWindow;
        for (const auto& m : models)
            if (m) used = std::min(used, m->mostPerplexityWindow());
    }

    // 3. Evaluate, one checkpoint at a time; each model is released after.
    bool cancelled = false;
    std::vector<PerplexityResult> results(size_t(checkpoints.size()));
    for (int i = 0; i < checkpoints.size(); ++i) {
        auto& model = models[size_t(i)];
        if (stopped()) {
            cancelled = true;
            Q_EMIT rowSkipped(i);  // the results keep a failed row failed
            model.reset();
            continue;
        }
        const int first = int(checkpoints.indexOf(checkpoints[i]));
        if (first < i) {  // a repeat: the first one's outcome
            const auto& f = failures[size_t(first)];
            const auto& r = results[size_t(first)];
            if (!f.isEmpty()) Q_EMIT rowFailed(i, f);
            else if (r.tokens > 0 && !r.cancelled) Q_EMIT rowFinished(i, r, used);
            else Q_EMIT rowSkipped(i);
            continue;
        }
        if (!model) continue;  // failed to load: already reported
        if (used > model->mostPerplexityWindow()) {
            failures[size_t(i)] = QStringLiteral("Window %1 does not fit '%2' (context %3); use a window of at most %4.")
                                      .arg(used)
                                      .arg(checkpoints[i])
                                      .arg(model->card().context)
                                      .arg(model->mostPerplexityWindow());
            Q_EMIT rowFailed(i, failures[size_t(i)]);
            model.reset();
            continue;
        }
        Q_EMIT rowProgress(i, 0, 1, used);
        QElapsedTimer sinceProgress;
        sinceProgress.start();
        try {
            const PerplexityResult r = model->perplexity(
                text, used,
                [&](long done, long total) {
                    if (sinceProgress.elapsed() < kProgressIntervalMs && done < total) return;
                    sinceProgress.restart();
                    Q_EMIT rowProgress(i, done, total, used);
                },
                stop_.get());
            results[size_t(i)] = r;
            cancelled = cancelled || r.cancelled;
            Q_EMIT rowFinished(i, r, used);
        } catch (const std::exception& e) {
            failures[size_t(i)] = QStringLiteral("Evaluating '%1' failed: %2").arg(checkpoints[i], describe(e));
            Q_EMIT rowFailed(i, failures[size_t(i)]);
        }
        model.reset();
    }
    Q_EMIT runFinished(used, cancelled || stopped());
}

}  // namespace waypoint::app
