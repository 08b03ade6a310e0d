// The Evaluate panel's table: one row per checkpoint, in the order given.
// Only the GUI thread touches it; EvaluationController applies the worker's
// queued updates through the setters below.
#pragma once

#include <QAbstractListModel>
#include <QStringList>
#include <QVariantMap>
#include <QtQml/qqmlregistration.h>
#include <optional>
#include <vector>

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
        QString checkpoint;
        QString name;                          // the card's name, else the file or folder name
        std::optional<qint64> step;            // where the checkpoint's card carries them
        std::optional<double> validationLoss;
        qint64 tokens = 0;
        double meanNll = 0;
        double perplexity = 0;
        int window = 0;
        State state = State::Waiting;
        QString message;                       // why it failed, or what it is doing
        double progress = 0;                   // 0..1 of this checkpoint's tokens
        bool hasResult() const { return state == State::Done || (state == State::Cancelled && tokens > 0); }
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
    void setCard(int row, const QString& name, std::optional<qint64> step, std::optional<double> valLoss);
    void setProgress(int row, double fraction, int window);
    void setResult(int row, qint64 tokens, double meanNll, double perplexity, int window, bool cancelled);
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
