// The Evaluate panel's table: one row per checkpoint, in the order given.
// Only the GUI thread touches it; EvaluationController applies the worker's
// queued updates through the setters below.
#pragma once

#include <QAbstractListModel>
#include <QStringList>
#include <QtQml/qqmlregistration.h>
#include <limits>
#include <vector>

#include "backend/metatypes.h"
#include "waypoint/compare.h"

namespace waypoint::app {

class EvaluationRowValue;

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
    // A row as one value (the charts read these); invalid for a bad row.
    Q_INVOKABLE waypoint::app::EvaluationRowValue rowAt(int row) const;

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

// One row of the table as QML and tests read it: a value type (Q_GADGET)
// over EvaluationResults::Row, the same fields the model's roles give.
class EvaluationRowValue {
    Q_GADGET
    QML_VALUE_TYPE(evaluationRow)
    Q_PROPERTY(bool valid READ valid CONSTANT)
    Q_PROPERTY(QString name READ name CONSTANT)
    Q_PROPERTY(QString checkpoint READ checkpoint CONSTANT)
    Q_PROPERTY(bool hasStep READ hasStep CONSTANT)
    Q_PROPERTY(qint64 step READ step CONSTANT)  // -1 when the checkpoint records none
    Q_PROPERTY(bool hasValidationLoss READ hasValidationLoss CONSTANT)
    Q_PROPERTY(double validationLoss READ validationLoss CONSTANT)  // NaN when not recorded
    Q_PROPERTY(qint64 tokens READ tokens CONSTANT)
    Q_PROPERTY(double meanNll READ meanNll CONSTANT)
    Q_PROPERTY(double perplexity READ perplexity CONSTANT)
    Q_PROPERTY(int window READ window CONSTANT)
    Q_PROPERTY(QString state READ state CONSTANT)  // EvaluationResults::stateName
    Q_PROPERTY(QString message READ message CONSTANT)
    Q_PROPERTY(double progress READ progress CONSTANT)
    Q_PROPERTY(bool hasResult READ hasResult CONSTANT)
public:
    EvaluationRowValue() = default;
    explicit EvaluationRowValue(const EvaluationResults::Row& row) : valid_(true), r_(row) {}

    const EvaluationResults::Row& row() const { return r_; }
    bool valid() const { return valid_; }
    QString name() const { return QString::fromStdString(r_.value.model); }
    QString checkpoint() const { return QString::fromStdString(r_.value.checkpoint); }
    bool hasStep() const { return r_.value.training_step.has_value(); }
    qint64 step() const { return r_.value.training_step.value_or(-1); }
    bool hasValidationLoss() const { return r_.value.validation_loss.has_value(); }
    double validationLoss() const { return r_.value.validation_loss.value_or(std::numeric_limits<double>::quiet_NaN()); }
    qint64 tokens() const { return qint64(r_.value.result.tokens); }
    double meanNll() const { return r_.value.result.mean_nll; }
    double perplexity() const { return r_.value.result.perplexity; }
    int window() const { return r_.value.window; }
    QString state() const { return EvaluationResults::stateName(r_.state); }
    QString message() const { return r_.message; }
    double progress() const { return r_.progress; }
    bool hasResult() const { return r_.hasResult(); }

private:
    bool valid_ = false;
    EvaluationResults::Row r_;
};

}  // namespace waypoint::app
