#include "message_model.h"

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
    default: return {};
    }
}

QHash<int, QByteArray> MessageModel::roleNames() const {
    return {{RoleRole, "role"}, {TextRole, "text"}, {StreamingRole, "streaming"}, {StatsRole, "stats"}};
}

int MessageModel::append(const QString& role, const QString& text, bool streaming) {
    const int row = int(messages_.size());
    beginInsertRows({}, row, row);
    messages_.append({role, text, streaming, {}});
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

void MessageModel::finish(int row, const QString& stats) {
    if (row < 0 || row >= messages_.size()) return;
    messages_[row].streaming = false;
    messages_[row].stats = stats;
    const QModelIndex i = index(row);
    Q_EMIT dataChanged(i, i, {StreamingRole, StatsRole});
}

void MessageModel::removeLast() {
    if (messages_.isEmpty()) return;
    const int row = int(messages_.size()) - 1;
    beginRemoveRows({}, row, row);
    messages_.removeLast();
    endRemoveRows();
    Q_EMIT countChanged();
}

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

QString MessageModel::transcript() const {
    QStringList parts;
    for (const Message& m : messages_)
        parts << (m.role == QLatin1String("user") ? QStringLiteral("You: ") : QStringLiteral("Model: ")) + m.text;
    return parts.join(QStringLiteral("\n\n"));
}

}  // namespace waypoint::app
