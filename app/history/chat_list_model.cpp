#include "chat_list_model.h"

#include <QDateTime>
#include <algorithm>

namespace waypoint::history {

namespace {
// Most recently used first; ties by newest id.
bool before(const ChatRecord& a, const ChatRecord& b) {
    return a.lastUsedMs != b.lastUsedMs ? a.lastUsedMs > b.lastUsedMs : a.id > b.id;
}
}  // namespace

ChatListModel::ChatListModel(QObject* parent) : QAbstractListModel(parent) {}

int ChatListModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(rows_.size()); }

QVariant ChatListModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rows_.size()) return {};
    const ChatRecord& c = rows_.at(index.row());
    switch (role) {
    case ChatIdRole: return c.id;
    case Qt::DisplayRole:
    case TitleRole: return c.title;
    case CheckpointRole: return c.checkpoint;
    case SystemPromptRole: return c.systemPrompt;
    case LastUsedRole: return QDateTime::fromMSecsSinceEpoch(c.lastUsedMs);
    case CreatedRole: return QDateTime::fromMSecsSinceEpoch(c.createdMs);
    default: return {};
    }
}

QHash<int, QByteArray> ChatListModel::roleNames() const {
    return {{ChatIdRole, "chatId"},           {TitleRole, "title"},       {CheckpointRole, "checkpoint"},
            {SystemPromptRole, "systemPrompt"}, {LastUsedRole, "lastUsed"}, {CreatedRole, "created"}};
}

QVariantMap ChatListModel::get(int row) const {
    if (row < 0 || row >= rows_.size()) return {};
    QVariantMap out;
    const QHash<int, QByteArray> names = roleNames();
    for (auto it = names.begin(); it != names.end(); ++it)
        out.insert(QString::fromLatin1(it.value()), data(index(row), it.key()));
    return out;
}

int ChatListModel::rowOf(qint64 chatId) const {
    for (int i = 0; i < rows_.size(); ++i)
        if (rows_.at(i).id == chatId) return i;
    return -1;
}

bool ChatListModel::find(Id chatId, ChatRecord* out) const {
    for (const ChatRecord& c : all_)
        if (c.id == chatId) {
            *out = c;
            return true;
        }
    return false;
}

bool ChatListModel::visible(const ChatRecord& c) const { return !matches_ || matches_->contains(c.id); }

int ChatListModel::shownRowFor(const ChatRecord& c) const {
    return int(std::lower_bound(rows_.begin(), rows_.end(), c, before) - rows_.begin());
}

void ChatListModel::reset() {
    beginResetModel();
    rows_.clear();
    for (const ChatRecord& c : all_)
        if (visible(c)) rows_ << c;
    endResetModel();
    Q_EMIT countChanged();
}

void ChatListModel::setChats(const QVector<ChatRecord>& chats) {
    all_ = chats;
    std::stable_sort(all_.begin(), all_.end(), before);
    reset();
    if (!searchText_.trimmed().isEmpty()) Q_EMIT searchRequested(searchText_);
}

void ChatListModel::upsert(const ChatRecord& chat) {
    // The master list.
    auto it = std::find_if(all_.begin(), all_.end(), [&](const ChatRecord& c) { return c.id == chat.id; });
    const bool isNew = it == all_.end();
    if (!isNew) all_.erase(it);
    all_.insert(std::lower_bound(all_.begin(), all_.end(), chat, before), chat);
    // A chat made during a search is shown: the person just asked for it.
    if (isNew && matches_) matches_->insert(chat.id);
    // The rows on show: change in place, move, insert or drop.
    const int old = rowOf(chat.id);
    if (!visible(chat)) {
        if (old >= 0) {
            beginRemoveRows({}, old, old);
            rows_.remove(old);
            endRemoveRows();
            Q_EMIT countChanged();
        }
        return;
    }
    if (old < 0) {
        const int row = shownRowFor(chat);
        beginInsertRows({}, row, row);
        rows_.insert(row, chat);
        endInsertRows();
        Q_EMIT countChanged();
        return;
    }
    // Where it belongs once taken out of its old row.
    QVector<ChatRecord> others = rows_;
    others.remove(old);
    const int row = int(std::lower_bound(others.begin(), others.end(), chat, before) - others.begin());
    if (row != old) {
        beginMoveRows({}, old, old, {}, row > old ? row + 1 : row);
        rows_ = others;
        rows_.insert(row, chat);
        endMoveRows();
    } else {
        rows_[row] = chat;
    }
    Q_EMIT dataChanged(index(row), index(row));
}

void ChatListModel::remove(Id chatId) {
    all_.erase(std::remove_if(all_.begin(), all_.end(), [&](const ChatRecord& c) { return c.id == chatId; }), all_.end());
    const int row = rowOf(chatId);
    if (row < 0) return;
    beginRemoveRows({}, row, row);
    rows_.remove(row);
    endRemoveRows();
    Q_EMIT countChanged();
}

void ChatListModel::setSearchText(const QString& text) {
    if (text == searchText_) return;
    searchText_ = text;
    Q_EMIT searchTextChanged();
    if (text.trimmed().isEmpty()) {
        matches_.reset();
        if (searching_) {
            searching_ = false;
            Q_EMIT searchingChanged();
        }
        reset();
        return;
    }
    if (!searching_) {
        searching_ = true;
        Q_EMIT searchingChanged();
    }
    Q_EMIT searchRequested(text);
}

void ChatListModel::setMatches(const QString& text, const QVector<Id>& ids) {
    if (text != searchText_ || text.trimmed().isEmpty()) return;
    matches_ = QSet<Id>(ids.begin(), ids.end());
    searching_ = false;
    Q_EMIT searchingChanged();
    reset();
}

}  // namespace waypoint::history
