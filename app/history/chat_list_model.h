// The saved chats as a list for QML, most recently used first. Only the GUI
// thread touches it; HistoryStore fills it from the database thread's results
// and keeps it in step with what it writes. A search shows only the chats the
// database matched (searchText -> searchRequested -> setMatches).
#pragma once

#include <QAbstractListModel>
#include <QSet>
#include <QVector>
#include <optional>

#include "history_types.h"

namespace waypoint::history {

class ChatListModel : public QAbstractListModel {
    Q_OBJECT
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
    Q_PROPERTY(QString searchText READ searchText WRITE setSearchText NOTIFY searchTextChanged)
    // True while a search is out with the database.
    Q_PROPERTY(bool searching READ searching NOTIFY searchingChanged)
public:
    enum Role { ChatIdRole = Qt::UserRole + 1, TitleRole, CheckpointRole, SystemPromptRole, LastUsedRole, CreatedRole };
    Q_ENUM(Role)

    explicit ChatListModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    QString searchText() const { return searchText_; }
    void setSearchText(const QString& text);
    bool searching() const { return searching_; }

    // {chatId, title, checkpoint, systemPrompt, lastUsed, created}; empty for a bad row.
    Q_INVOKABLE QVariantMap get(int row) const;
    Q_INVOKABLE int rowOf(qint64 chatId) const;

    // For HistoryStore.
    void setChats(const QVector<ChatRecord>& chats);
    // Inserts or replaces a chat, moving it to its place by last use.
    void upsert(const ChatRecord& chat);
    void remove(Id chatId);
    bool find(Id chatId, ChatRecord* out) const;
    // The database's answer for `text` (ignored when the text changed since).
    void setMatches(const QString& text, const QVector<Id>& ids);

Q_SIGNALS:
    void countChanged();
    void searchTextChanged();
    void searchingChanged();
    void searchRequested(const QString& text);

private:
    bool visible(const ChatRecord& c) const;
    int shownRowFor(const ChatRecord& c) const;  // where it belongs among rows_
    void reset();

    QVector<ChatRecord> all_;   // every chat, most recently used first
    QVector<ChatRecord> rows_;  // what is shown: all_ filtered by the search
    std::optional<QSet<Id>> matches_;
    QString searchText_;
    bool searching_ = false;
};

}  // namespace waypoint::history
