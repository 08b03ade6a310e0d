#include "message_model.h"

#include <QVariantList>
#include <algorithm>

#include "markdown_blocks.h"

namespace waypoint::app {

MessageModel::MessageModel(QObject* parent) : QAbstractListModel(parent) {}

int MessageModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(messages_.size());
}

QVariant MessageModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const Message& m = messages_.at(index.row());
    switch (role) {
    case RoleRole: return m.role;
    case Qt::DisplayRole:
    case TextRole: return m.text;
    case StreamingRole: return m.streaming;
    case StatsRole: return m.stats;
    case TokenCountRole: return int(m.tokens.size());
    case AuthorRole: return m.author;
    case FinishRole: return m.finish;
    case AlternativeRole: return m.alternative;
    case AlternativesRole: return m.alternatives;
    case NoticeRole: return m.notice;
    case CheckpointRole: return m.checkpoint;
    // Parsed when asked: the view asks once an answer is whole, not per token.
    case BlocksRole: return markdownBlocksForQml(m.text);
    default: return {};
    }
}

QHash<int, QByteArray> MessageModel::roleNames() const {
    return {{RoleRole, "role"}, {TextRole, "text"}, {StreamingRole, "streaming"}, {StatsRole, "stats"},
            {TokenCountRole, "tokenCount"}, {AuthorRole, "author"}, {FinishRole, "finish"},
            {AlternativeRole, "alternative"}, {AlternativesRole, "alternatives"}, {NoticeRole, "notice"},
            {CheckpointRole, "checkpoint"}, {BlocksRole, "blocks"}};
}

int MessageModel::append(const QString& role, const QString& text, bool streaming, const QString& author) {
    const int row = int(messages_.size());
    beginInsertRows({}, row, row);
    Message m;
    m.role = role;
    m.text = text;
    m.streaming = streaming;
    m.author = author;
    messages_.append(m);
    endInsertRows();
    Q_EMIT countChanged();
    return row;
}

int MessageModel::appendMessage(const Message& message) {
    const int row = int(messages_.size());
    beginInsertRows({}, row, row);
    messages_.append(message);
    endInsertRows();
    Q_EMIT countChanged();
    return row;
}

void MessageModel::appendText(int row, const QString& delta) {
    if (row < 0 || row >= messages_.size() || delta.isEmpty()) return;
    messages_[row].text += delta;
    const QModelIndex i = index(row);
    Q_EMIT dataChanged(i, i, {TextRole, Qt::DisplayRole});
}

void MessageModel::appendTokens(int row, const QVector<waypoint::TokenEvent>& tokens) {
    if (!validRow(row) || tokens.isEmpty()) return;
    Message& m = messages_[row];
    bool textGrew = false;
    for (const waypoint::TokenEvent& t : tokens) {
        const QString delta = QString::fromStdString(t.delta);
        if (t.id >= 0) m.tokens.append({int(m.text.size()), int(delta.size()), t});
        m.text += delta;
        textGrew = textGrew || !delta.isEmpty();
    }
    const QModelIndex i = index(row);
    if (textGrew) Q_EMIT dataChanged(i, i, {TextRole, Qt::DisplayRole, TokenCountRole});
    else Q_EMIT dataChanged(i, i, {TokenCountRole});
}

void MessageModel::finish(int row, const QString& stats) {
    if (row < 0 || row >= messages_.size()) return;
    messages_[row].streaming = false;
    messages_[row].stats = stats;
    const QModelIndex i = index(row);
    Q_EMIT dataChanged(i, i, {StreamingRole, StatsRole, BlocksRole});
}

void MessageModel::setMessages(const QVector<Message>& messages) {
    Q_EMIT aboutToReplace();
    beginResetModel();
    messages_ = messages;
    endResetModel();
    Q_EMIT countChanged();
    Q_EMIT replaced();
}

void MessageModel::removeLast() {
    if (messages_.isEmpty()) return;
    const int row = int(messages_.size()) - 1;
    beginRemoveRows({}, row, row);
    messages_.removeLast();
    endRemoveRows();
    Q_EMIT countChanged();
}

void MessageModel::removeFrom(int row) {
    if (row < 0 || row >= messages_.size()) return;
    beginRemoveRows({}, row, int(messages_.size()) - 1);
    messages_.resize(row);
    endRemoveRows();
    Q_EMIT countChanged();
}

void MessageModel::setFinish(int row, const QString& finish) {
    if (!validRow(row)) return;
    messages_[row].finish = finish;
    const QModelIndex i = index(row);
    Q_EMIT dataChanged(i, i, {FinishRole});
}

void MessageModel::setAlternatives(int row, int alternative, int alternatives) {
    if (!validRow(row)) return;
    messages_[row].alternative = alternative;
    messages_[row].alternatives = std::max(1, alternatives);
    const QModelIndex i = index(row);
    Q_EMIT dataChanged(i, i, {AlternativeRole, AlternativesRole});
}

void MessageModel::setNotice(int row, const QString& notice) {
    if (!validRow(row)) return;
    messages_[row].notice = notice;
    const QModelIndex i = index(row);
    Q_EMIT dataChanged(i, i, {NoticeRole});
}

void MessageModel::setCheckpoint(int row, const QString& checkpoint, const QString& author) {
    if (!validRow(row)) return;
    messages_[row].checkpoint = checkpoint;
    messages_[row].author = author;
    const QModelIndex i = index(row);
    Q_EMIT dataChanged(i, i, {CheckpointRole, AuthorRole});
}

QString MessageModel::roleAt(int row) const { return validRow(row) ? messages_.at(row).role : QString(); }

void MessageModel::clear() {
    if (messages_.isEmpty()) return;
    beginResetModel();
    messages_.clear();
    endResetModel();
    Q_EMIT countChanged();
}

QString MessageModel::textAt(int row) const {
    return row >= 0 && row < messages_.size() ? messages_.at(row).text : QString();
}

QVector<int> MessageModel::tokenIdsAt(int row) const {
    QVector<int> ids;
    if (!validRow(row)) return ids;
    ids.reserve(messages_.at(row).tokens.size());
    for (const Token& t : messages_.at(row).tokens) ids.append(t.event.id);
    return ids;
}

const QVector<MessageModel::Token>& MessageModel::tokensAt(int row) const {
    static const QVector<Token> none;
    return validRow(row) ? messages_.at(row).tokens : none;
}

int MessageModel::tokenCountAt(int row) const { return validRow(row) ? int(messages_.at(row).tokens.size()) : 0; }

TokenValue MessageModel::tokenAt(int row, int index) const {
    if (!validRow(row) || index < 0 || index >= messages_.at(row).tokens.size()) return {};
    const Token& t = messages_.at(row).tokens.at(index);
    return TokenValue(index, t.start, t.length, t.event);
}

int MessageModel::tokenIndexAtCharacter(int row, int charPos) const {
    if (!validRow(row) || charPos < 0) return -1;
    const QVector<Token>& tokens = messages_.at(row).tokens;
    // The last token starting at or before charPos; tokens tile the text in
    // order, so if it does not cover charPos (empty, or the text past the last
    // token), no token does.
    const auto it = std::upper_bound(tokens.begin(), tokens.end(), charPos,
                                     [](int pos, const Token& t) { return pos < t.start; });
    if (it == tokens.begin()) return -1;
    const auto k = std::prev(it);
    return charPos < k->start + k->length ? int(k - tokens.begin()) : -1;
}

QString MessageModel::transcript() const {
    QStringList parts;
    for (const Message& m : messages_)
        parts << (m.role == QLatin1String("user") ? QStringLiteral("You: ") : QStringLiteral("Model: ")) + m.text;
    return parts.join(QStringLiteral("\n\n"));
}

}  // namespace waypoint::app
