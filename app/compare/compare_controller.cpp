#include "compare_controller.h"

#include <QDir>
#include <QSaveFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QUrl>

#include "backend/backend_registry.h"
#include "compare/compare_divergence.h"
#include "compare/compare_layout.h"
#include "compare/compare_result.h"
#include "waypoint/report.h"

namespace waypoint::app {

CompareController::CompareController(QObject* parent) : QAbstractListModel(parent) {}

CompareController::CompareController(std::shared_ptr<InferenceBackend> backend, QObject* parent)
    : QAbstractListModel(parent), backend_(makeSharingBackend(std::move(backend))) {
    backendName_ = QStringLiteral("custom");
}

// Each pane's ChatController stops, quits and joins its own thread when the
// pane (a child) is deleted.
CompareController::~CompareController() = default;

int CompareController::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(panes_.size()); }

QVariant CompareController::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= panes_.size()) return {};
    ComparePane* p = panes_.at(index.row());
    switch (role) {
    case PaneRole: return QVariant::fromValue(p);
    case CheckpointRole: return p->checkpoint();
    }
    return {};
}

QHash<int, QByteArray> CompareController::roleNames() const {
    return {{PaneRole, "pane"}, {CheckpointRole, "checkpoint"}};
}

std::shared_ptr<InferenceBackend> CompareController::ensureBackend() {
    if (!backend_) {
        // One backend for all panes (and the chat and the evaluation): it
        // hands the same loaded model to everyone on the same checkpoint.
        backend_ = sharedBackend(backendName_);
        if (!backend_) {
            qWarning("CompareController: no backend named \"%s\"; using the engine", qPrintable(backendName_));
            backend_ = sharedBackend(QStringLiteral("engine"));
        }
    }
    return backend_;
}

void CompareController::setBackendName(const QString& name) {
    if (name == backendName_) return;
    if (backend_) {
        qWarning("CompareController: the backend is chosen before the first pane; ignoring \"%s\"", qPrintable(name));
        return;
    }
    backendName_ = name;
    Q_EMIT backendChanged();
}

void CompareController::setLinked(bool on) {
    if (on == linked_) return;
    linked_ = on;
    if (linked_ && !panes_.isEmpty()) onPaneSamplingChanged(panes_.first());  // everyone takes pane 1's knobs
    saveLayout();
    Q_EMIT linkedChanged();
}

void CompareController::setSameSeed(bool on) {
    if (on == sameSeed_) return;
    sameSeed_ = on;
    saveLayout();
    Q_EMIT sameSeedChanged();
}

bool CompareController::generating() const {
    for (const ComparePane* p : panes_)
        if (p->chat()->generating()) return true;
    return false;
}

bool CompareController::loading() const {
    for (const ComparePane* p : panes_)
        if (p->chat()->loading()) return true;
    return false;
}

QStringList CompareController::checkpoints() const {
    QStringList out;
    for (const ComparePane* p : panes_) out << p->checkpoint();
    return out;
}

ComparePane* CompareController::paneAt(int row) const {
    return row >= 0 && row < panes_.size() ? panes_.at(row) : nullptr;
}

ComparePane* CompareController::makePane(int uid, const QString& checkpoint) {
    auto* pane = new ComparePane(uid, ensureBackend(), this);
    ChatController* chat = pane->chat();
    connect(chat, &ChatController::stateChanged, this, &CompareController::onPaneStateChanged);
    connect(pane->sampling(), &SamplingSettings::changed, this, [this, pane] { onPaneSamplingChanged(pane); });
    // A pane that switches settings group (a checkpoint with its own defaults
    // loaded) takes the others' knobs again while linked.
    connect(pane->sampling(), &SamplingSettings::groupChanged, this, [this, pane] {
        if (!linked_ || propagating_) return;
        for (ComparePane* other : panes_)
            if (other != pane) {
                propagating_ = true;
                pane->sampling()->copyFrom(*other->sampling());
                propagating_ = false;
                return;
            }
    });
    connect(pane, &ComparePane::checkpointChanged, this, [this, pane] {
        const int row = int(panes_.indexOf(pane));
        if (row >= 0) Q_EMIT dataChanged(index(row), index(row), {CheckpointRole});
        saveLayout();
        Q_EMIT checkpointsChanged();
    });
    pane->setCheckpoint(checkpoint);
    return pane;
}

void CompareController::insertPane(int row, ComparePane* pane) {
    beginInsertRows({}, row, row);
    panes_.insert(row, pane);
    endInsertRows();
    if (linked_ && panes_.size() > 1) {
        propagating_ = true;
        pane->sampling()->copyFrom(*panes_.at(row == 0 ? 1 : 0)->sampling());
        propagating_ = false;
    }
    saveLayout();
    Q_EMIT countChanged();
    Q_EMIT checkpointsChanged();
    Q_EMIT stateChanged();
}

int CompareController::addPane(const QString& checkpoint) {
    if (panes_.size() >= kMaxPanes) {
        setError(QStringLiteral("The compare view holds at most %1 panes; remove one first.").arg(kMaxPanes));
        return -1;
    }
    QString path = checkpoint;
    if (path.isEmpty() && !panes_.isEmpty()) path = panes_.last()->checkpoint();
    const int row = int(panes_.size());
    insertPane(row, makePane(nextUid_++, path));
    return row;
}

bool CompareController::removePane(int row) {
    if (row < 0 || row >= panes_.size()) return false;
    beginRemoveRows({}, row, row);
    ComparePane* pane = panes_.takeAt(row);
    endRemoveRows();
    CompareLayout::forgetPanes({pane->uid()});
    retirePane(pane);
    saveLayout();
    updateDivergences();
    Q_EMIT countChanged();
    Q_EMIT checkpointsChanged();
    Q_EMIT stateChanged();
    return true;
}

bool CompareController::movePane(int from, int to) {
    if (from < 0 || from >= panes_.size() || to < 0 || to >= panes_.size() || from == to) return false;
    if (!beginMoveRows({}, from, from, {}, to > from ? to + 1 : to)) return false;
    panes_.move(from, to);
    endMoveRows();
    saveLayout();
    updateDivergences();  // pane 1, the reference, may have changed
    Q_EMIT checkpointsChanged();
    return true;
}

void CompareController::setCheckpoint(int row, const QString& checkpoint) {
    if (ComparePane* p = paneAt(row)) p->setCheckpoint(checkpoint);
}

void CompareController::retirePane(ComparePane* pane) {
    pane->chat()->stop();
    disconnect(pane->chat(), nullptr, this, nullptr);
    disconnect(pane->sampling(), nullptr, this, nullptr);
    disconnect(pane, nullptr, this, nullptr);
    // Later, not now: the view's delegate for the row goes first (deleting the
    // pane under a live delegate makes its bindings read null). The pane's
    // ChatController then stops and joins its worker.
    pane->deleteLater();
}

void CompareController::clearPanes() {
    if (panes_.isEmpty()) return;
    const QVector<ComparePane*> old = panes_;
    beginResetModel();
    panes_.clear();
    endResetModel();
    QVector<int> uids;
    for (ComparePane* p : old) {
        uids << p->uid();
        retirePane(p);
    }
    CompareLayout::forgetPanes(uids);
}

void CompareController::openCheckpoints(const QStringList& checkpoints) {
    restoring_ = true;
    clearPanes();
    for (const QString& c : checkpoints.mid(0, kMaxPanes)) insertPane(int(panes_.size()), makePane(nextUid_++, c));
    restoring_ = false;
    saveLayout();
    Q_EMIT countChanged();
    Q_EMIT checkpointsChanged();
    Q_EMIT stateChanged();
}

void CompareController::restoreLayout(const QStringList& fallback) {
    const CompareLayout layout = CompareLayout::load();
    if (layout.panes.isEmpty()) {
        openCheckpoints(fallback);
        return;
    }
    restoring_ = true;
    clearPanes();
    nextUid_ = layout.nextUid;
    linked_ = layout.linked;
    sameSeed_ = layout.sameSeed;
    beginResetModel();
    // The same uids: each pane finds its own sampling settings again.
    for (const auto& p : layout.panes) {
        ComparePane* pane = makePane(p.uid, p.checkpoint);
        panes_.append(pane);
    }
    endResetModel();
    restoring_ = false;
    saveLayout();
    Q_EMIT linkedChanged();
    Q_EMIT sameSeedChanged();
    Q_EMIT countChanged();
    Q_EMIT checkpointsChanged();
    Q_EMIT stateChanged();
}

void CompareController::saveLayout() const {
    if (restoring_) return;
    CompareLayout l;
    l.linked = linked_;
    l.sameSeed = sameSeed_;
    l.nextUid = nextUid_;
    for (const ComparePane* p : panes_) l.panes.append({p->uid(), p->checkpoint()});
    l.save();
}

void CompareController::onPaneSamplingChanged(ComparePane* source) {
    if (!linked_ || propagating_) return;
    propagating_ = true;
    for (ComparePane* p : panes_)
        if (p != source) p->sampling()->copyFrom(*source->sampling());
    propagating_ = false;
}

bool CompareController::send(const QString& prompt) {
    if (generating()) return false;
    clearError();
    // "Same seed everywhere": pane 1's seed (fixed or freshly drawn) for all.
    quint64 seed = 0;
    if (sameSeed_ && !panes_.isEmpty()) {
        SamplingSettings* first = panes_.first()->sampling();
        seed = first->randomSeed() ? QRandomGenerator::global()->generate64() : first->seedText().toULongLong();
    }
    int sent = 0;
    QStringList notReady;
    for (int i = 0; i < panes_.size(); ++i) {
        ComparePane* p = panes_.at(i);
        p->setDivergence(-1, -1, {});
        ChatController* chat = p->chat();
        if (chat->loading() || !chat->modelLoaded()) {
            notReady << QString::number(i + 1);
            continue;
        }
        chat->clear();
        if (sameSeed_) p->sampling()->setSeedOnce(seed);
        if (chat->send(prompt)) ++sent;
    }
    if (prompt_ != prompt) {
        prompt_ = prompt;
        Q_EMIT promptChanged();
    }
    if (!notReady.isEmpty())
        setError(QStringLiteral("Pane %1 has no checkpoint loaded yet; pick one in the pane or wait for it to load.")
                     .arg(notReady.join(QStringLiteral(", "))));
    wasGenerating_ = sent > 0;
    Q_EMIT stateChanged();
    return sent > 0;
}

void CompareController::stop() {
    // Each pane raises its own atomic stop flag; no pane waits for another.
    for (ComparePane* p : panes_) p->chat()->stop();
}

void CompareController::onPaneStateChanged() {
    Q_EMIT stateChanged();
    if (wasGenerating_ && !generating()) {
        wasGenerating_ = false;
        updateDivergences();
        Q_EMIT allFinished();
    }
}

void CompareController::updateDivergences() {
    if (panes_.isEmpty()) return;
    const ComparePane* ref = panes_.first();
    const PaneResult refResult = paneResult(*ref);
    const bool compared = panes_.size() > 1 && !ref->answer().isEmpty();
    panes_.first()->setDivergence(-1, -1, compared ? QStringLiteral("the reference: other panes are compared with this one") : QString());
    for (int i = 1; i < panes_.size(); ++i) {
        ComparePane* p = panes_.at(i);
        if (ref->answer().isEmpty() || p->answer().isEmpty()) {
            p->setDivergence(-1, -1, {});
            continue;
        }
        if (!divergence_meaningful(refResult, paneResult(*p))) {
            p->setDivergence(-1, -1, QStringLiteral("not compared with pane 1: different sampling or seed"));
            continue;
        }
        const Divergence d = findDivergence(ref->tokenIds(), ref->answer(), p->tokenIds(), p->tokenStarts(), p->answer());
        p->setDivergence(d.index, d.offset, divergenceLabel(d, 1));
    }
}

std::vector<const ComparePane*> CompareController::constPanes() const {
    return {panes_.cbegin(), panes_.cend()};
}

waypoint::Comparison CompareController::comparison(const EvaluationController* evaluation) const {
    if (!evaluation) return buildComparison(prompt_, constPanes(), {}, {});
    return buildComparison(prompt_, constPanes(), evaluation->resultsForExport(), evaluation->textPath());
}

QString CompareController::toJson(EvaluationController* evaluation) const {
    return QString::fromStdString(comparison_to_json(comparison(evaluation), 2));
}

QString CompareController::toMarkdown(EvaluationController* evaluation) const {
    return QString::fromStdString(comparison_to_markdown(comparison(evaluation)));
}

QString CompareController::exportTo(const QString& fileOrUrl, EvaluationController* evaluation) {
    const QString path = fileOrUrl.startsWith(QLatin1String("file:")) ? QUrl(fileOrUrl).toLocalFile() : fileOrUrl;
    if (path.isEmpty()) {
        setError(QStringLiteral("No file chosen for the export."));
        return lastError_;
    }
    if (prompt_.isEmpty()) {
        setError(QStringLiteral("Nothing to export yet: send a prompt to the panes first."));
        return lastError_;
    }
    const QString suffix = QFileInfo(path).suffix().toLower();
    const bool markdown = suffix == QLatin1String("md") || suffix == QLatin1String("markdown");
    const QString text = markdown ? toMarkdown(evaluation) : toJson(evaluation);
    // Written to a temporary file beside it and renamed over it on commit():
    // a full disk or a crash never leaves half an export (or half of the
    // file that was there before).
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Text) || f.write(text.toUtf8()) < 0 || !f.commit()) {
        setError(QStringLiteral("Could not write the comparison to %1 (%2). Choose a folder you can write to.")
                     .arg(QDir::toNativeSeparators(path), f.errorString()));
        return lastError_;
    }
    clearError();
    return {};
}

void CompareController::setError(const QString& message) {
    lastError_ = message;
    Q_EMIT errorChanged();
}

void CompareController::clearError() {
    if (lastError_.isEmpty()) return;
    lastError_.clear();
    Q_EMIT errorChanged();
}

}  // namespace waypoint::app
