#include "history_database.h"

#include <algorithm>

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>
#include <atomic>
#include <fcntl.h>
#include <unistd.h>

#include "history_ids.h"
#include "history_schema.h"

namespace waypoint::history {

namespace {

std::atomic<int> connections{0};

QString toJson(const QVariantMap& map) {
    return QString::fromUtf8(QJsonDocument(QJsonObject::fromVariantMap(map)).toJson(QJsonDocument::Compact));
}

QVariantMap fromJson(const QString& text) {
    return QJsonDocument::fromJson(text.toUtf8()).object().toVariantMap();
}

QVariant idOrNull(Id id) { return id ? QVariant(id) : QVariant(QMetaType::fromType<qint64>()); }

// LIKE pattern for a substring, with % _ and \ taken literally.
QString likePattern(const QString& text) {
    QString escaped = text;
    escaped.replace(QLatin1Char('\\'), QStringLiteral("\\\\"))
        .replace(QLatin1Char('%'), QStringLiteral("\\%"))
        .replace(QLatin1Char('_'), QStringLiteral("\\_"));
    return QLatin1Char('%') + escaped + QLatin1Char('%');
}

// FTS5 query: every word as a quoted prefix term ("hel"* "wor"*), so what the
// person typed is never read as FTS syntax.
QString ftsQuery(const QString& text) {
    QStringList terms;
    for (QString word : text.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts)) {
        word.replace(QLatin1Char('"'), QStringLiteral("\"\""));
        terms << QLatin1Char('"') + word + QStringLiteral("\"*");
    }
    return terms.join(QLatin1Char(' '));
}

ChatRecord chatFrom(const QSqlQuery& q) {
    ChatRecord c;
    c.id = q.value(0).toLongLong();
    c.title = q.value(1).toString();
    c.checkpoint = q.value(2).toString();
    c.systemPrompt = q.value(3).toString();
    c.sampling = fromJson(q.value(4).toString());
    c.createdMs = q.value(5).toLongLong();
    c.lastUsedMs = q.value(6).toLongLong();
    c.currentLeaf = q.value(7).toLongLong();
    return c;
}

const char* const kChatColumns =
    "id, title, checkpoint, system_prompt, sampling, created_at, last_used_at, current_leaf";

MessageRecord messageFrom(const QSqlQuery& q) {
    MessageRecord m;
    m.id = q.value(0).toLongLong();
    m.chatId = q.value(1).toLongLong();
    m.parentId = q.value(2).toLongLong();
    m.role = q.value(3).toString();
    m.text = q.value(4).toString();
    m.checkpoint = q.value(5).toString();
    m.stats = fromJson(q.value(6).toString());
    m.finishReason = q.value(7).toString();
    m.createdMs = q.value(8).toLongLong();
    m.complete = q.value(9).toInt() != 0;
    return m;
}

}  // namespace

HistoryDatabase::HistoryDatabase()
    : connection_(QStringLiteral("waypoint-history-%1").arg(connections.fetch_add(1))) {}

HistoryDatabase::~HistoryDatabase() { close(); }

bool HistoryDatabase::isOpen() const {
    return QSqlDatabase::contains(connection_) && QSqlDatabase::database(connection_, false).isOpen();
}

void HistoryDatabase::close() {
    if (!QSqlDatabase::contains(connection_)) return;
    {
        QSqlDatabase db = QSqlDatabase::database(connection_, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(connection_);
}

bool HistoryDatabase::exec(const QString& sql) {
    QSqlQuery q(QSqlDatabase::database(connection_, false));
    if (q.exec(sql)) return true;
    lastError_ = q.lastError().text();
    return false;
}

bool HistoryDatabase::openConnection(const QString& path) {
    close();
    if (path != QLatin1String(":memory:")) {
        // Created by us with mode 0600 (chats are private); an existing file
        // of ours is brought back to 0600. SQLite gives the -wal and -shm
        // files the database file's mode.
        const QByteArray native = QFile::encodeName(path);
        const int fd = ::open(native.constData(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0)
            ::close(fd);
        else if (QFileInfo(path).isFile())
            QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    }
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection_);
    db.setDatabaseName(path);
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    if (!db.open()) {
        lastError_ = db.lastError().text();
        return false;
    }
    return true;
}

QString HistoryDatabase::prepare() {
    QSqlDatabase db = QSqlDatabase::database(connection_, false);
    {
        // A file that is not a database, or a damaged one, fails here.
        QSqlQuery q(db);
        if (!q.exec(QStringLiteral("PRAGMA quick_check")) || !q.next())
            return q.lastError().text().isEmpty() ? QStringLiteral("quick_check gave no answer") : q.lastError().text();
        if (q.value(0).toString() != QLatin1String("ok"))
            return QStringLiteral("SQLite's quick_check found damage: %1").arg(q.value(0).toString());
        // WAL: the GUI never waits on a writer, and a killed process loses at
        // most the transaction it was in. synchronous=NORMAL keeps every
        // commit across a crash of the app (only a power cut may take the last ones).
        if (!q.exec(QStringLiteral("PRAGMA journal_mode=WAL")) || !q.next()) return q.lastError().text();
        const QString mode = q.value(0).toString();
        if (mode != QLatin1String("wal") && mode != QLatin1String("memory"))
            return QStringLiteral("SQLite refused WAL mode (journal mode is %1)").arg(mode);
    }
    if (!exec(QStringLiteral("PRAGMA synchronous=NORMAL")) || !exec(QStringLiteral("PRAGMA foreign_keys=ON")))
        return lastError_;
    const QString err = migrate(db);
    if (!err.isEmpty()) return err;
    fts_ = ensureFullTextIndex(db);
    purgeDeleted();
    seenId(largestId());
    return {};
}

void HistoryDatabase::setAside() {
    asidePath_.clear();
    const QString stamp = QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    QString target = QStringLiteral("%1.unreadable-%2").arg(path_, stamp);
    for (int n = 2; QFileInfo::exists(target) || QFileInfo::exists(target + QStringLiteral("-wal")); ++n)
        target = QStringLiteral("%1.unreadable-%2-%3").arg(path_, stamp).arg(n);
    // QFile::rename never replaces an existing file.
    if (!QFile::rename(path_, target)) return;
    asidePath_ = target;
    for (const char* suffix : {"-wal", "-shm"}) {
        const QString side = path_ + QLatin1String(suffix);
        if (QFileInfo::exists(side)) QFile::rename(side, target + QLatin1String(suffix));
    }
}

QString HistoryDatabase::open(const QString& path) {
    close();
    path_ = path;
    asidePath_.clear();
    persistent_ = false;
    fts_ = false;
    const QFileInfo info(path);
    if (!info.dir().exists()) {
        QDir().mkpath(info.absolutePath());
        QFile::setPermissions(info.absolutePath(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    }
    QString problem = openConnection(path) ? prepare() : lastError_;
    if (problem.isEmpty()) {
        persistent_ = path != QLatin1String(":memory:");
        return {};
    }
    close();
    QString notice;
    const bool busy = problem.contains(QLatin1String("locked"), Qt::CaseInsensitive) ||
                      problem.contains(QLatin1String("busy"), Qt::CaseInsensitive);
    if (!busy) {
        setAside();
        if (!asidePath_.isEmpty()) {
            notice = QStringLiteral("The chat history %1 could not be read (%2). It was moved to %3 and a new, empty history was started.")
                         .arg(QDir::toNativeSeparators(path), problem, QDir::toNativeSeparators(asidePath_));
            problem = openConnection(path) ? prepare() : lastError_;
            if (problem.isEmpty()) {
                persistent_ = true;
                return notice;
            }
            close();
        }
    }
    // Nothing on disk works: keep this run's chats in memory and say so.
    openConnection(QStringLiteral(":memory:"));
    prepare();
    return QStringLiteral("%1Chats will not be kept after Waypoint closes: the history %2 cannot be used (%3). "
                          "Check that the folder is writable and that no other program holds the file.")
        .arg(notice.isEmpty() ? QString() : notice + QLatin1Char(' '), QDir::toNativeSeparators(path), problem);
}

bool HistoryDatabase::openAtVersion(const QString& path, int version) {
    path_ = path;
    if (!openConnection(path)) return false;
    QSqlDatabase db = QSqlDatabase::database(connection_, false);
    lastError_ = migrate(db, version);
    persistent_ = lastError_.isEmpty();
    return persistent_;
}

Id HistoryDatabase::largestId() {
    QSqlQuery q(QSqlDatabase::database(connection_, false));
    if (!q.exec(QStringLiteral("SELECT max((SELECT coalesce(max(id), 0) FROM chats), (SELECT coalesce(max(id), 0) FROM messages))")) || !q.next())
        return 0;
    return q.value(0).toLongLong();
}

QVector<ChatRecord> HistoryDatabase::chats() {
    QVector<ChatRecord> out;
    QSqlQuery q(QSqlDatabase::database(connection_, false));
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT %1 FROM chats WHERE deleted_at IS NULL ORDER BY last_used_at DESC, id DESC")
                    .arg(QLatin1String(kChatColumns)))) {
        lastError_ = q.lastError().text();
        return out;
    }
    while (q.next()) out << chatFrom(q);
    return out;
}

bool HistoryDatabase::chat(Id id, ChatRecord* out) {
    QSqlQuery q(QSqlDatabase::database(connection_, false));
    q.prepare(QStringLiteral("SELECT %1 FROM chats WHERE id = ?").arg(QLatin1String(kChatColumns)));
    q.addBindValue(id);
    if (!q.exec() || !q.next()) return false;
    *out = chatFrom(q);
    return true;
}

namespace {
bool runBound(const QString& connection, const QString& sql, const QVariantList& values, QString* error) {
    QSqlQuery q(QSqlDatabase::database(connection, false));
    q.prepare(sql);
    // Qt SQL binds a null QString as NULL; the text columns are NOT NULL.
    for (const QVariant& v : values)
        q.addBindValue(v.metaType().id() == QMetaType::QString && v.toString().isNull() ? QVariant(QStringLiteral("")) : v);
    if (q.exec()) return true;
    *error = q.lastError().text();
    return false;
}
}  // namespace

bool HistoryDatabase::saveChat(const ChatRecord& c) {
    return runBound(connection_,
                    QStringLiteral("INSERT INTO chats(id, title, checkpoint, system_prompt, sampling, created_at,"
                                   " last_used_at, current_leaf) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE"
                                   " SET title = excluded.title, checkpoint = excluded.checkpoint,"
                                   " system_prompt = excluded.system_prompt, sampling = excluded.sampling,"
                                   " last_used_at = excluded.last_used_at,"
                                   " current_leaf = coalesce(excluded.current_leaf, current_leaf)"),
                    {c.id, c.title, c.checkpoint, c.systemPrompt, toJson(c.sampling), c.createdMs, c.lastUsedMs,
                     idOrNull(c.currentLeaf)},
                    &lastError_);
}


bool HistoryDatabase::renameChat(Id id, const QString& title) {
    return runBound(connection_, QStringLiteral("UPDATE chats SET title = ? WHERE id = ?"), {title, id}, &lastError_);
}

bool HistoryDatabase::touchChat(Id id, qint64 lastUsedMs) {
    return runBound(connection_, QStringLiteral("UPDATE chats SET last_used_at = ? WHERE id = ?"), {lastUsedMs, id},
                    &lastError_);
}

bool HistoryDatabase::setCurrentLeaf(Id chatId, Id leaf) {
    return runBound(connection_, QStringLiteral("UPDATE chats SET current_leaf = ? WHERE id = ?"), {idOrNull(leaf), chatId},
                    &lastError_);
}

bool HistoryDatabase::setDeleted(Id id, bool deleted) {
    return runBound(connection_, QStringLiteral("UPDATE chats SET deleted_at = ? WHERE id = ?"),
                    {deleted ? QVariant(QDateTime::currentMSecsSinceEpoch()) : QVariant(QMetaType::fromType<qint64>()), id},
                    &lastError_);
}

int HistoryDatabase::purgeDeleted() {
    QSqlQuery q(QSqlDatabase::database(connection_, false));
    if (!q.exec(QStringLiteral("DELETE FROM chats WHERE deleted_at IS NOT NULL"))) return 0;
    return q.numRowsAffected();
}

bool HistoryDatabase::saveMessage(const MessageRecord& m) {
    QSqlDatabase db = QSqlDatabase::database(connection_, false);
    if (!db.transaction()) {
        lastError_ = db.lastError().text();
        return false;
    }
    const bool ok =
        runBound(connection_,
                 QStringLiteral("INSERT INTO messages(id, chat_id, parent_id, role, text, checkpoint, stats, finish_reason,"
                                " created_at, complete) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET"
                                " text = excluded.text, checkpoint = excluded.checkpoint, stats = excluded.stats,"
                                " finish_reason = excluded.finish_reason, complete = excluded.complete"),
                 {m.id, m.chatId, idOrNull(m.parentId), m.role, m.text, m.checkpoint, toJson(m.stats), m.finishReason,
                  m.createdMs, m.complete ? 1 : 0},
                 &lastError_) &&
        runBound(connection_,
                 QStringLiteral("UPDATE chats SET current_leaf = ?, last_used_at = max(last_used_at, ?) WHERE id = ?"),
                 {m.id, m.createdMs, m.chatId}, &lastError_);
    if (ok && db.commit()) return true;
    if (ok) lastError_ = db.lastError().text();
    db.rollback();
    return false;
}

bool HistoryDatabase::updateText(Id messageId, const QString& text) {
    return runBound(connection_, QStringLiteral("UPDATE messages SET text = ? WHERE id = ?"), {text, messageId},
                    &lastError_);
}

bool HistoryDatabase::message(Id id, MessageRecord* out) {
    QSqlQuery q(QSqlDatabase::database(connection_, false));
    q.prepare(QStringLiteral("SELECT id, chat_id, parent_id, role, text, checkpoint, stats, finish_reason, created_at,"
                             " complete FROM messages WHERE id = ?"));
    q.addBindValue(id);
    if (!q.exec() || !q.next()) return false;
    *out = messageFrom(q);
    return true;
}

QVector<MessageRecord> HistoryDatabase::conversation(Id chatId, Id leaf) {
    QVector<MessageRecord> out;
    QSqlQuery q(QSqlDatabase::database(connection_, false));
    if (!leaf) {
        q.prepare(QStringLiteral("SELECT coalesce(current_leaf, (SELECT max(id) FROM messages WHERE chat_id = ?))"
                                 " FROM chats WHERE id = ?"));
        q.addBindValue(chatId);
        q.addBindValue(chatId);
        if (!q.exec() || !q.next()) return out;
        leaf = q.value(0).toLongLong();
        if (!leaf) return out;
    }
    // Walk up from the leaf (parents always have smaller ids; the depth bound
    // only guards against a damaged file).
    q.prepare(QStringLiteral(
        "WITH RECURSIVE path(id, depth) AS (SELECT ?, 0 UNION ALL SELECT m.parent_id, path.depth + 1"
        " FROM messages m JOIN path ON m.id = path.id WHERE m.parent_id IS NOT NULL AND path.depth < 1000000)"
        " SELECT m.id, m.chat_id, m.parent_id, m.role, m.text, m.checkpoint, m.stats, m.finish_reason, m.created_at,"
        " m.complete,"
        " (SELECT count(*) FROM messages s WHERE s.chat_id = m.chat_id AND s.parent_id IS m.parent_id AND s.id < m.id),"
        " (SELECT count(*) FROM messages s WHERE s.chat_id = m.chat_id AND s.parent_id IS m.parent_id)"
        " FROM path JOIN messages m ON m.id = path.id WHERE m.chat_id = ? ORDER BY path.depth DESC"));
    q.addBindValue(leaf);
    q.addBindValue(chatId);
    if (!q.exec()) {
        lastError_ = q.lastError().text();
        return out;
    }
    while (q.next()) {
        MessageRecord m = messageFrom(q);
        m.alternative = q.value(10).toInt();
        m.alternatives = q.value(11).toInt();
        out << m;
    }
    return out;
}

Id HistoryDatabase::newestLeafUnder(Id messageId) {
    MessageRecord m;
    if (!message(messageId, &m)) return 0;
    QSqlQuery q(QSqlDatabase::database(connection_, false));
    q.prepare(QStringLiteral("SELECT max(id) FROM messages WHERE chat_id = ? AND parent_id = ?"));
    Id at = messageId;
    for (;;) {
        q.bindValue(0, m.chatId);
        q.bindValue(1, at);
        if (!q.exec() || !q.next() || q.value(0).isNull()) return at;
        at = q.value(0).toLongLong();
    }
}

Id HistoryDatabase::siblingOf(Id messageId, int step) {
    MessageRecord m;
    if (!message(messageId, &m)) return 0;
    QSqlQuery q(QSqlDatabase::database(connection_, false));
    q.prepare(QStringLiteral("SELECT id FROM messages WHERE chat_id = ? AND parent_id IS ? ORDER BY id"));
    q.addBindValue(m.chatId);
    q.addBindValue(idOrNull(m.parentId));
    if (!q.exec()) return 0;
    QVector<Id> siblings;
    while (q.next()) siblings << q.value(0).toLongLong();
    const int at = int(siblings.indexOf(messageId));
    if (at < 0) return 0;
    return siblings.at(std::clamp(at + step, 0, int(siblings.size()) - 1));
}

QVector<Id> HistoryDatabase::search(const QString& text) {
    QVector<Id> out;
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty()) {
        for (const ChatRecord& c : chats()) out << c.id;
        return out;
    }
    const QString like = likePattern(trimmed);
    const QString fts = ftsQuery(trimmed);
    QSqlQuery q(QSqlDatabase::database(connection_, false));
    q.setForwardOnly(true);
    bool ok = false;
    if (fts_ && !fts.isEmpty()) {
        q.prepare(QStringLiteral(
            "SELECT id FROM chats WHERE deleted_at IS NULL AND (title LIKE ? ESCAPE '\\' OR id IN"
            " (SELECT m.chat_id FROM messages_fts f JOIN messages m ON m.id = f.rowid WHERE messages_fts MATCH ?))"
            " ORDER BY last_used_at DESC, id DESC"));
        q.addBindValue(like);
        q.addBindValue(fts);
        ok = q.exec();
    }
    if (!ok) {  // no FTS5, or a query FTS5 cannot take (only punctuation): substring match
        q.prepare(QStringLiteral(
            "SELECT id FROM chats WHERE deleted_at IS NULL AND (title LIKE ? ESCAPE '\\' OR id IN"
            " (SELECT chat_id FROM messages WHERE text LIKE ? ESCAPE '\\')) ORDER BY last_used_at DESC, id DESC"));
        q.addBindValue(like);
        q.addBindValue(like);
        if (!q.exec()) {
            lastError_ = q.lastError().text();
            return out;
        }
    }
    while (q.next()) out << q.value(0).toLongLong();
    return out;
}

}  // namespace waypoint::history
