// One connection to the history database, used from one thread only (Qt SQL
// connections belong to the thread that made them): HistoryStore's worker
// thread in the app, the test or helper directly. Every call is synchronous
// and returns at once on a closed database; a failed write returns false and
// leaves lastError() for the person ("disk full", "read-only file system").
#pragma once

#include <QString>
#include <QVector>

#include "history_types.h"

class QSqlDatabase;

namespace waypoint::history {

class HistoryDatabase {
public:
    HistoryDatabase();
    ~HistoryDatabase();
    HistoryDatabase(const HistoryDatabase&) = delete;
    HistoryDatabase& operator=(const HistoryDatabase&) = delete;

    // Opens (creating with mode 0600, and its folder with 0700) the database
    // at `path`, migrates it, and turns on WAL. A file that cannot be opened,
    // fails SQLite's quick_check or comes from a newer version is renamed
    // beside itself ("<name>.unreadable-<time>", never over another file) and
    // a fresh database is started in its place. Where even that fails, the
    // history lives in memory for this run. Returns a sentence for the
    // person when anything of this happened, else "".
    QString open(const QString& path);
    void close();
    bool isOpen() const;
    bool persistent() const { return persistent_; }  // false: in memory only
    bool fullTextSearch() const { return fts_; }
    QString path() const { return path_; }
    QString setAsidePath() const { return asidePath_; }  // where a bad file went, or ""
    QString lastError() const { return lastError_; }
    // Test hook: open `path` as is and migrate it only up to `version`.
    bool openAtVersion(const QString& path, int version);

    // Chats not deleted, most recently used first.
    QVector<ChatRecord> chats();
    bool chat(Id id, ChatRecord* out);
    Id largestId();
    // Insert or update every field of the chat.
    bool saveChat(const ChatRecord& chat);
    bool renameChat(Id id, const QString& title);
    bool touchChat(Id id, qint64 lastUsedMs);
    bool setCurrentLeaf(Id chatId, Id leaf);
    // Deleted chats are hidden and purged at the next open, so delete can be
    // undone until then.
    bool setDeleted(Id id, bool deleted);
    int purgeDeleted();

    // Insert or update the message (all fields); a new message becomes its
    // chat's current leaf and the chat's last use.
    bool saveMessage(const MessageRecord& message);
    // The streaming answer's text so far (one UPDATE).
    bool updateText(Id messageId, const QString& text);
    bool message(Id id, MessageRecord* out);
    // The branch ending at `leaf` (the chat's current leaf when 0), first
    // message first, each with its alternative index and count.
    QVector<MessageRecord> conversation(Id chatId, Id leaf = 0);
    // The newest last message under `messageId` (following the newest child
    // each step), for showing an alternative with its own continuation.
    Id newestLeafUnder(Id messageId);
    // The sibling `step` places from `messageId` among the messages with the
    // same parent (oldest first), clamped to the first and last; 0 if unknown.
    Id siblingOf(Id messageId, int step);
    // Chats (not deleted, most recently used first) whose title or any
    // message holds `text` (FTS5 word-prefix match for messages where
    // available, else a substring match).
    QVector<Id> search(const QString& text);

private:
    bool openConnection(const QString& path);
    QString prepare();  // pragmas, migrations, FTS; "" or the error
    void setAside();
    bool exec(const QString& sql);

    QString connection_;
    QString path_, asidePath_, lastError_;
    bool persistent_ = false;
    bool fts_ = false;
};

}  // namespace waypoint::history
