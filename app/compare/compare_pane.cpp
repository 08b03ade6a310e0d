#include "compare_pane.h"

#include <QUrl>

namespace waypoint::app {

namespace {
constexpr int kAnswerRow = 1;  // the pane's conversation is always [prompt, answer]
}  // namespace

ComparePane::ComparePane(int uid, std::shared_ptr<InferenceBackend> backend, QObject* parent)
    : QObject(parent), uid_(uid), chat_(new ChatController(std::move(backend), this)) {
    // Its own QSettings scope: editing a pane never changes the chat's knobs.
    chat_->sampling()->setScope(QStringLiteral("compare/pane-%1").arg(uid));
    auto* m = chat_->messages();
    connect(m, &QAbstractItemModel::dataChanged, this, &ComparePane::refreshAnswer);
    connect(m, &QAbstractItemModel::rowsInserted, this, &ComparePane::refreshAnswer);
    connect(m, &QAbstractItemModel::rowsRemoved, this, &ComparePane::refreshAnswer);
    connect(m, &QAbstractItemModel::modelReset, this, &ComparePane::refreshAnswer);
}

void ComparePane::setCheckpoint(const QString& rawPath) {
    const QString path = rawPath.startsWith(QLatin1String("file:")) ? QUrl(rawPath).toLocalFile() : rawPath;
    if (path.isEmpty() || path == checkpoint_) return;
    checkpoint_ = path;
    Q_EMIT checkpointChanged();
    chat_->load(path);
}

void ComparePane::refreshAnswer() {
    const auto* m = chat_->messages();
    const QString text = m->rowCount() > kAnswerRow ? m->textAt(kAnswerRow) : QString();
    if (text == answer_) return;
    answer_ = text;
    Q_EMIT answerChanged();
}

void ComparePane::setDivergence(int index, int offset, const QString& label) {
    if (index == divergence_ && offset == divergenceOffset_ && label == divergenceLabel_) return;
    divergence_ = index;
    divergenceOffset_ = offset;
    divergenceLabel_ = label;
    Q_EMIT divergenceChanged();
}

std::vector<int> ComparePane::tokenIds() const {
    const QVector<int> ids = chat_->messages()->tokenIdsAt(kAnswerRow);
    return {ids.cbegin(), ids.cend()};
}

QVector<int> ComparePane::tokenStarts() const {
    QVector<int> out;
    if (chat_->messages()->rowCount() <= kAnswerRow) return out;
    for (const auto& t : chat_->messages()->tokensAt(kAnswerRow)) out << t.start;
    return out;
}

}  // namespace waypoint::app
