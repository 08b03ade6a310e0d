// The compare view's controller: a list model of 2-4 panes (ComparePane),
// each with its own ChatController (own worker thread and session) over ONE
// backend shared by all panes, so that panes on the same checkpoint share the
// loaded weights (makeSharingBackend). One prompt goes to every pane; Stop
// stops all; settings may be linked across panes and one seed used by all;
// when the answers are in, each pane learns where it parts from pane 1. The
// layout (panes, order, checkpoints, switches) is kept in QSettings.
#pragma once

#include <QAbstractListModel>
#include <QStringList>
#include <QtQml/qqmlregistration.h>
#include <memory>
#include <vector>

#include "backend/inference_backend.h"
#include "compare/compare_pane.h"
#include "evaluate/evaluation_controller.h"
#include "waypoint/compare.h"

namespace waypoint::app {

class CompareController : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
    Q_PROPERTY(int maxPanes READ maxPanes CONSTANT)
    // A backend name (backend_registry.h), "engine" by default; read when the
    // first pane is made.
    Q_PROPERTY(QString backend READ backendName WRITE setBackendName NOTIFY backendChanged)
    Q_PROPERTY(bool linked READ linked WRITE setLinked NOTIFY linkedChanged)
    Q_PROPERTY(bool sameSeed READ sameSeed WRITE setSameSeed NOTIFY sameSeedChanged)
    Q_PROPERTY(bool generating READ generating NOTIFY stateChanged)
    Q_PROPERTY(bool loading READ loading NOTIFY stateChanged)
    Q_PROPERTY(QString prompt READ prompt NOTIFY promptChanged)
    Q_PROPERTY(QStringList checkpoints READ checkpoints NOTIFY checkpointsChanged)
    Q_PROPERTY(QString lastError READ lastError NOTIFY errorChanged)
public:
    enum Role { PaneRole = Qt::UserRole + 1, CheckpointRole };
    static constexpr int kMaxPanes = 4;

    explicit CompareController(QObject* parent = nullptr);
    // For tests: a given backend (wrapped in the sharing decorator here).
    explicit CompareController(std::shared_ptr<InferenceBackend> backend, QObject* parent = nullptr);
    ~CompareController() override;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    int maxPanes() const { return kMaxPanes; }
    QString backendName() const { return backendName_; }
    void setBackendName(const QString& name);
    bool linked() const { return linked_; }
    void setLinked(bool on);
    bool sameSeed() const { return sameSeed_; }
    void setSameSeed(bool on);
    bool generating() const;
    bool loading() const;
    QString prompt() const { return prompt_; }
    QStringList checkpoints() const;
    QString lastError() const { return lastError_; }

    Q_INVOKABLE waypoint::app::ComparePane* paneAt(int row) const;
    // Adds a pane (on `checkpoint`, else on the last pane's); -1 when full.
    Q_INVOKABLE int addPane(const QString& checkpoint = {});
    Q_INVOKABLE bool removePane(int row);
    Q_INVOKABLE bool movePane(int from, int to);
    Q_INVOKABLE void setCheckpoint(int row, const QString& checkpoint);
    // Replaces the panes by one per checkpoint (--compare A --compare B).
    Q_INVOKABLE void openCheckpoints(const QStringList& checkpoints);
    // The remembered layout, or `fallback` (one pane each) when there is none.
    Q_INVOKABLE void restoreLayout(const QStringList& fallback = {});
    // Sends to every pane; false (with lastError) when no pane can take it.
    Q_INVOKABLE bool send(const QString& prompt);
    Q_INVOKABLE void stop();
    // The comparison as JSON / Markdown, with the results of `evaluation`
    // (the evaluation panel's controller; null: none) as the engine's values.
    Q_INVOKABLE QString toJson(waypoint::app::EvaluationController* evaluation = nullptr) const;
    Q_INVOKABLE QString toMarkdown(waypoint::app::EvaluationController* evaluation = nullptr) const;
    // Writes Markdown (*.md) or JSON (anything else); "" on success, else a
    // message naming the file (also in lastError).
    Q_INVOKABLE QString exportTo(const QString& fileOrUrl,
                                 waypoint::app::EvaluationController* evaluation = nullptr);
    Q_INVOKABLE void clearError();

Q_SIGNALS:
    void countChanged();
    void backendChanged();
    void linkedChanged();
    void sameSeedChanged();
    void stateChanged();
    void promptChanged();
    void checkpointsChanged();
    void errorChanged();
    // Every pane that was sent the prompt has finished (or stopped).
    void allFinished();

private:
    std::shared_ptr<InferenceBackend> ensureBackend();
    ComparePane* makePane(int uid, const QString& checkpoint);
    void insertPane(int row, ComparePane* pane);
    void clearPanes();
    void retirePane(ComparePane* pane);
    void onPaneSamplingChanged(ComparePane* source);
    void onPaneStateChanged();
    void updateDivergences();
    void saveLayout() const;
    void setError(const QString& message);
    std::vector<const ComparePane*> constPanes() const;
    waypoint::Comparison comparison(const EvaluationController* evaluation) const;

    std::shared_ptr<InferenceBackend> backend_;
    QString backendName_ = QStringLiteral("engine");
    QVector<ComparePane*> panes_;
    bool linked_ = false, sameSeed_ = true, propagating_ = false, restoring_ = false;
    bool wasGenerating_ = false;
    int nextUid_ = 1;
    QString prompt_, lastError_;
};

}  // namespace waypoint::app
