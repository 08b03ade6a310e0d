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
    case NameRole: return r.name;
    case CheckpointRole: return r.checkpoint;
    // Unknown step / loss are invalid QVariants: `undefined` in QML.
    case StepRole: return r.step ? QVariant(*r.step) : QVariant();
    case ValidationLossRole: return r.validationLoss ? QVariant(*r.validationLoss) : QVariant();
    case TokensRole: return r.tokens;
    case MeanNllRole: return r.meanNll;
    case PerplexityRole: return r.perplexity;
    case WindowRole: return r.window;
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

QVariantMap EvaluationResults::get(int row) const {
    QVariantMap m;
    if (!valid(row)) return m;
    const auto roles = roleNames();
    for (auto it = roles.begin(); it != roles.end(); ++it)
        m.insert(QString::fromUtf8(it.value()), data(index(row), it.key()));
    return m;
}

void EvaluationResults::reset(const QStringList& checkpoints) {
    const int before = count();
    beginResetModel();
    rows_.clear();
    for (const QString& c : checkpoints) {
        Row r;
        r.checkpoint = c;
        r.name = QFileInfo(c).fileName();
        if (r.name.isEmpty()) r.name = QFileInfo(QFileInfo(c).path()).fileName();  // "folder/"
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

void EvaluationResults::setCard(int row, const QString& name, std::optional<qint64> step,
                                std::optional<double> valLoss) {
    if (!valid(row)) return;
    Row& r = rows_[size_t(row)];
    if (!name.isEmpty()) r.name = name;
    r.step = step;
    r.validationLoss = valLoss;
    changed(row);
}

void EvaluationResults::setProgress(int row, double fraction, int window) {
    if (!valid(row)) return;
    Row& r = rows_[size_t(row)];
    r.state = State::Running;
    r.message.clear();
    r.progress = fraction;
    r.window = window;
    changed(row);
}

void EvaluationResults::setResult(int row, qint64 tokens, double meanNll, double perplexity, int window,
                                  bool cancelled) {
    if (!valid(row)) return;
    Row& r = rows_[size_t(row)];
    r.tokens = tokens;
    r.meanNll = meanNll;
    r.perplexity = perplexity;
    r.window = window;
    r.state = cancelled ? State::Cancelled : State::Done;
    r.message = cancelled ? QStringLiteral("cancelled: partial result over the first %1 tokens").arg(tokens)
                          : QString();
    if (!cancelled) r.progress = 1.0;
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
    if (r.message.isEmpty() || r.tokens == 0) r.message = QStringLiteral("cancelled before it ran");
    changed(row);
}

}  // namespace waypoint::app
