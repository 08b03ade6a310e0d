#include "history_schema.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>

namespace waypoint::history {

namespace {

// Step N brings a database from version N-1 to N. Never edit a step that has
// shipped: add one.
const QStringList& step(int version) {
    // 1: the first layout: chats and their messages as one straight line.
    static const QStringList v1{
        QStringLiteral("CREATE TABLE chats(id INTEGER PRIMARY KEY, title TEXT NOT NULL,"
                       " checkpoint TEXT NOT NULL DEFAULT '', created_at INTEGER NOT NULL,"
                       " last_used_at INTEGER NOT NULL)"),
        QStringLiteral("CREATE TABLE messages(id INTEGER PRIMARY KEY,"
                       " chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE,"
                       " role TEXT NOT NULL, text TEXT NOT NULL, checkpoint TEXT NOT NULL DEFAULT '',"
                       " created_at INTEGER NOT NULL)"),
        QStringLiteral("CREATE INDEX messages_chat ON messages(chat_id, id)"),
    };
    // 2: per-chat system prompt and sampling settings; per-message stats,
    // finish reason and completeness; messages form a tree (parent_id) so an
    // edited or regenerated turn keeps its alternatives; the chat remembers
    // the branch on show (current_leaf); deleted_at makes delete undoable.
    // A version-1 chat becomes one branch: each message's parent is the one
    // before it.
    static const QStringList v2{
        QStringLiteral("ALTER TABLE chats ADD COLUMN system_prompt TEXT NOT NULL DEFAULT ''"),
        QStringLiteral("ALTER TABLE chats ADD COLUMN sampling TEXT NOT NULL DEFAULT '{}'"),
        QStringLiteral("ALTER TABLE chats ADD COLUMN current_leaf INTEGER"),
        QStringLiteral("ALTER TABLE chats ADD COLUMN deleted_at INTEGER"),
        QStringLiteral("ALTER TABLE messages ADD COLUMN parent_id INTEGER"),
        QStringLiteral("ALTER TABLE messages ADD COLUMN stats TEXT NOT NULL DEFAULT '{}'"),
        QStringLiteral("ALTER TABLE messages ADD COLUMN finish_reason TEXT NOT NULL DEFAULT ''"),
        QStringLiteral("ALTER TABLE messages ADD COLUMN complete INTEGER NOT NULL DEFAULT 1"),
        QStringLiteral("UPDATE messages SET parent_id = (SELECT max(p.id) FROM messages p"
                       " WHERE p.chat_id = messages.chat_id AND p.id < messages.id)"),
        QStringLiteral("UPDATE chats SET current_leaf = (SELECT max(m.id) FROM messages m WHERE m.chat_id = chats.id)"),
        QStringLiteral("CREATE INDEX messages_parent ON messages(chat_id, parent_id, id)"),
        QStringLiteral("CREATE INDEX chats_last_used ON chats(last_used_at)"),
    };
    static const QStringList none;
    switch (version) {
    case 1: return v1;
    case 2: return v2;
    default: return none;
    }
}

QString exec(QSqlDatabase& db, const QString& sql) {
    QSqlQuery q(db);
    if (q.exec(sql)) return {};
    return q.lastError().text();
}

}  // namespace

int schemaVersionOf(QSqlDatabase& db) {
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next()) return -1;
    return q.value(0).toInt();
}

QString migrate(QSqlDatabase& db, int target) {
    const int from = schemaVersionOf(db);
    if (from < 0) return QStringLiteral("cannot read the schema version");
    if (from > kSchemaVersion)
        return QStringLiteral("it was written by a newer Waypoint (schema version %1; this one knows up to %2)")
            .arg(from)
            .arg(kSchemaVersion);
    for (int v = from + 1; v <= target; ++v) {
        if (!db.transaction()) return db.lastError().text();
        for (const QString& sql : step(v)) {
            const QString err = exec(db, sql);
            if (!err.isEmpty()) {
                db.rollback();
                return QStringLiteral("migration to version %1 failed: %2").arg(v).arg(err);
            }
        }
        const QString err = exec(db, QStringLiteral("PRAGMA user_version = %1").arg(v));
        if (!err.isEmpty() || !db.commit()) {
            db.rollback();
            return QStringLiteral("migration to version %1 failed: %2").arg(v).arg(err.isEmpty() ? db.lastError().text() : err);
        }
    }
    return {};
}

bool ensureFullTextIndex(QSqlDatabase& db) {
    static const QStringList triggers{QStringLiteral("messages_fts_ai"), QStringLiteral("messages_fts_ad"),
                                      QStringLiteral("messages_fts_au")};
    QSqlQuery q(db);
    const bool available = q.exec(QStringLiteral("SELECT sqlite_compileoption_used('ENABLE_FTS5')")) && q.next() &&
                           q.value(0).toInt() == 1;
    if (!available) {
        for (const QString& t : triggers) exec(db, QStringLiteral("DROP TRIGGER IF EXISTS %1").arg(t));
        return false;
    }
    // Already in step: the table and all three triggers exist.
    q.exec(QStringLiteral("SELECT count(*) FROM sqlite_master WHERE (type='table' AND name='messages_fts')"
                          " OR (type='trigger' AND name IN ('messages_fts_ai','messages_fts_ad','messages_fts_au'))"));
    if (q.next() && q.value(0).toInt() == 4) return true;
    // Otherwise (new, or the triggers were dropped by a build without FTS5):
    // (re)create and rebuild the index from the messages, in one transaction.
    const QStringList sql{
        QStringLiteral("CREATE VIRTUAL TABLE IF NOT EXISTS messages_fts USING fts5(text, content='messages',"
                       " content_rowid='id', tokenize='unicode61 remove_diacritics 2')"),
        QStringLiteral("CREATE TRIGGER IF NOT EXISTS messages_fts_ai AFTER INSERT ON messages BEGIN"
                       " INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text); END"),
        QStringLiteral("CREATE TRIGGER IF NOT EXISTS messages_fts_ad AFTER DELETE ON messages BEGIN"
                       " INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.id, old.text); END"),
        QStringLiteral("CREATE TRIGGER IF NOT EXISTS messages_fts_au AFTER UPDATE OF text ON messages BEGIN"
                       " INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.id, old.text);"
                       " INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text); END"),
        QStringLiteral("INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')"),
    };
    if (!db.transaction()) return false;
    for (const QString& s : sql) {
        if (!exec(db, s).isEmpty()) {
            db.rollback();
            return false;
        }
    }
    return db.commit();
}

}  // namespace waypoint::history
