#include "compare_pane.h"

#include <QMetaMethod>
#include <QUrl>

namespace waypoint::app {

namespace {
constexpr int kAnswerRow = 1;  // the pane's conversation is always [prompt, answer]

// Calls `name(int row)` on the message model when it has such an invokable
// and returns the result as a list; empty when it does not (older model).
QVariantList invokeRowList(const QObject* model, const char* name, int row) {
    const QMetaObject* mo = model->metaObject();
    const int index = mo->indexOfMethod(QByteArray(name).append("(int)").constData());
    if (index < 0) return {};
    const QMetaMethod m = mo->method(index);
    QVariant ret(m.returnMetaType());
    if (!m.invoke(const_cast<QObject*>(model), Qt::DirectConnection,
                  QGenericReturnArgument(m.typeName(), ret.data()), Q_ARG(int, row)))
        return {};
    return ret.value<QVariantList>();
}
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
    std::vector<int> out;
    if (chat_->messages()->rowCount() <= kAnswerRow) return out;
    for (const QVariant& v : invokeRowList(chat_->messages(), "tokenIdsAt", kAnswerRow)) out.push_back(v.toInt());
    return out;
}

QStringList ComparePane::tokenTexts() const {
    QStringList out;
    if (chat_->messages()->rowCount() <= kAnswerRow) return out;
    for (const QVariant& v : invokeRowList(chat_->messages(), "tokenTextsAt", kAnswerRow)) out << v.toString();
    return out;
}

}  // namespace waypoint::app
