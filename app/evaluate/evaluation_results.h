// The Evaluate panel's table: one row per checkpoint, in the order given.
// Only the GUI thread touches it; EvaluationController applies the worker's
// queued updates through the setters below.
#pragma once

#include <QAbstractListModel>
#include <QStringList>
#include <QVariantMap>
#include <QtQml/qqmlregistration.h>
#include <vector>

#include "backend/metatypes.h"
#include "waypoint/compare.h"

namespace waypoint::app {

class EvaluationResults : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Owned by EvaluationController")
    Q_PROPERTY(int count READ count NOTIFY countChanged)
public:
    enum class State { Waiting, Running, Done, Cancelled, Failed };
    enum Role {
        NameRole = Qt::UserRole + 1, CheckpointRole, StepRole, ValidationLossRole, TokensRole,
        MeanNllRole, PerplexityRole, WindowRole, StateRole, MessageRole, ProgressRole, HasResultRole,
    };
    Q_ENUM(Role)

    struct Row {
        // The engine's value, as exported: checkpoint; model (the card's
        // name, else the file or folder name); window; result (tokens,
        // mean_nll, perplexity, cancelled); training_step and
        // validation_loss where the checkpoint's card carries them.
        waypoint::EvaluationResult value;
        State state = State::Waiting;
        QString message;                       // why it failed, or what it is doing
        double progress = 0;                   // 0..1 of this checkpoint's tokens
        bool hasResult() const { return state == State::Done || (state == State::Cancelled && value.result.tokens > 0); }
    };

    explicit EvaluationResults(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;
    int count() const { return int(rows_.size()); }
    // A row as a map with the role names as keys (for charts and export).
    Q_INVOKABLE QVariantMap get(int row) const;

    const Row& row(int i) const { return rows_[size_t(i)]; }
    static QString stateName(State s);

    void reset(const QStringList& checkpoints);
    void setRunning(int row, const QString& message);
    // The loaded checkpoint's name, training step and validation loss.
    void setCard(int row, const waypoint::ModelCard& card);
    void setProgress(int row, double fraction, int window);
    void setResult(int row, const waypoint::PerplexityResult& result, int window);
    void setFailed(int row, const QString& message);
    void setCancelled(int row);  // a row that never got to run

Q_SIGNALS:
    void countChanged();

private:
    bool valid(int row) const { return row >= 0 && row < count(); }
    void changed(int row);

    std::vector<Row> rows_;
};

}  // namespace waypoint::app
