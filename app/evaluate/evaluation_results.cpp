#include "evaluation_results.h"

#include <QFileInfo>

namespace waypoint::app {

EvaluationResults::EvaluationResults(QObject* parent) : QAbstractListModel(parent) {}

int EvaluationResults::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : count();
}

QString EvaluationResults::stateName(State s) {
    switch (s) {
    case State::Waiting: return QStringLiteral("waiting");
    case State::Running: return QStringLiteral("running");
    case State::Done: return QStringLiteral("done");
    case State::Cancelled: return QStringLiteral("cancelled");
    case State::Failed: return QStringLiteral("failed");
    }
    return {};
}

QVariant EvaluationResults::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const Row& r = rows_[size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
    case NameRole: return QString::fromStdString(r.value.model);
    case CheckpointRole: return QString::fromStdString(r.value.checkpoint);
    // Unknown step / loss are invalid QVariants: `undefined` in QML.
    case StepRole: return r.value.training_step ? QVariant(qint64(*r.value.training_step)) : QVariant();
    case ValidationLossRole: return r.value.validation_loss ? QVariant(*r.value.validation_loss) : QVariant();
    case TokensRole: return qint64(r.value.result.tokens);
    case MeanNllRole: return r.value.result.mean_nll;
    case PerplexityRole: return r.value.result.perplexity;
    case WindowRole: return r.value.window;
    case StateRole: return stateName(r.state);
    case MessageRole: return r.message;
    case ProgressRole: return r.progress;
    case HasResultRole: return r.hasResult();
    default: return {};
    }
}

QHash<int, QByteArray> EvaluationResults::roleNames() const {
    return {{NameRole, "name"},           {CheckpointRole, "checkpoint"}, {StepRole, "step"},
            {ValidationLossRole, "validationLoss"}, {TokensRole, "tokens"}, {MeanNllRole, "meanNll"},
            {PerplexityRole, "perplexity"}, {WindowRole, "window"},       {StateRole, "state"},
            {MessageRole, "message"},     {ProgressRole, "progress"},     {HasResultRole, "hasResult"}};
}

EvaluationRowValue EvaluationResults::rowAt(int row) const {
    return valid(row) ? EvaluationRowValue(rows_[size_t(row)]) : EvaluationRowValue();
}

void EvaluationResults::reset(const QStringList& checkpoints) {
    const int before = count();
    beginResetModel();
    rows_.clear();
    for (const QString& c : checkpoints) {
        Row r;
        r.value.checkpoint = c.toStdString();
        QString name = QFileInfo(c).fileName();
        if (name.isEmpty()) name = QFileInfo(QFileInfo(c).path()).fileName();  // "folder/"
        r.value.model = name.toStdString();
        rows_.push_back(r);
    }
    endResetModel();
    if (before != count()) Q_EMIT countChanged();
}

void EvaluationResults::changed(int row) {
    Q_EMIT dataChanged(index(row), index(row));
}

void EvaluationResults::setRunning(int row, const QString& message) {
    if (!valid(row)) return;
    rows_[size_t(row)].state = State::Running;
    rows_[size_t(row)].message = message;
    changed(row);
}

void EvaluationResults::setCard(int row, const waypoint::ModelCard& card) {
    if (!valid(row)) return;
    Row& r = rows_[size_t(row)];
    if (!card.name.empty()) r.value.model = card.name;
    r.value.training_step = card.training_step;
    r.value.validation_loss = card.validation_loss;
    changed(row);
}

void EvaluationResults::setProgress(int row, double fraction, int window) {
    if (!valid(row)) return;
    Row& r = rows_[size_t(row)];
    r.state = State::Running;
    r.message.clear();
    r.progress = fraction;
    r.value.window = window;
    changed(row);
}

void EvaluationResults::setResult(int row, const waypoint::PerplexityResult& result, int window) {
    if (!valid(row)) return;
    Row& r = rows_[size_t(row)];
    r.value.result = result;
    r.value.window = window;
    r.state = result.cancelled ? State::Cancelled : State::Done;
    r.message = result.cancelled
                    ? QStringLiteral("cancelled: partial result over the first %1 tokens").arg(qint64(result.tokens))
                    : QString();
    if (!result.cancelled) r.progress = 1.0;
    changed(row);
}

void EvaluationResults::setFailed(int row, const QString& message) {
    if (!valid(row)) return;
    rows_[size_t(row)].state = State::Failed;
    rows_[size_t(row)].message = message;
    changed(row);
}

void EvaluationResults::setCancelled(int row) {
    if (!valid(row)) return;
    Row& r = rows_[size_t(row)];
    if (r.state == State::Done || r.state == State::Failed) return;
    r.state = State::Cancelled;
    if (r.message.isEmpty() || r.value.result.tokens == 0) r.message = QStringLiteral("cancelled before it ran");
    changed(row);
}

}  // namespace waypoint::app
