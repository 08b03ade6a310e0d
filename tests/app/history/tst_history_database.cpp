// HistoryDatabase on real SQLite files in a temporary folder: round trips,
// branches, the migration from version 1, bad files set aside, search,
// delete/undo/purge, file modes.
#include <QFile>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>
#include <sys/stat.h>

#include "history_database.h"
#include "history_ids.h"
#include "history_schema.h"

using namespace waypoint::history;

namespace {

MessageRecord message(Id chat, Id parent, const QString& role, const QString& text) {
    MessageRecord m;
    m.id = nextId();
    m.chatId = chat;
    m.parentId = parent;
    m.role = role;
    m.text = text;
    m.createdMs = QDateTime::currentMSecsSinceEpoch();
    return m;
}

ChatRecord chatRecord(const QString& title, qint64 lastUsed = QDateTime::currentMSecsSinceEpoch()) {
    ChatRecord c;
    c.id = nextId();
    c.title = title;
    c.createdMs = c.lastUsedMs = lastUsed;
    return c;
}

int mode(const QString& path) {
    struct stat st {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0) return -1;
    return int(st.st_mode & 0777);
}

// Runs SQL on the file directly (a second connection, as another program would).
QVariant scalar(const QString& path, const QString& sql) {
    QVariant out;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
        db.setDatabaseName(path);
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(sql) && q.next()) out = q.value(0);
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("raw"));
    return out;
}

QByteArray readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

}  // namespace

class TestHistoryDatabase : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTrip();
    void filesArePrivateAndWal();
    void branchesKeepAlternatives();
    void migratesFromVersionOne();
    void garbageFileIsSetAside();
    void damagedDatabaseIsSetAside();
    void newerSchemaIsSetAsideNotDowngraded();
    void unusablePlaceFallsBackToMemory();
    void searchFindsTitlesAndText();
    void deleteUndoAndPurge();
};

void TestHistoryDatabase::roundTrip() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("history.sqlite"));
    ChatRecord c = chatRecord(QStringLiteral("Sums — «test» 🧮"));
    c.checkpoint = QStringLiteral("/models/arith-step3000");
    c.systemPrompt = QStringLiteral("You add numbers.\nOnly digits.");
    c.sampling = {{QStringLiteral("temperature"), 0.7}, {QStringLiteral("topK"), 40}, {QStringLiteral("greedy"), false}};
    MessageRecord u = message(c.id, 0, QStringLiteral("user"), QStringLiteral("12+34=\n\tand ünïcödé 中文"));
    MessageRecord a = message(c.id, u.id, QStringLiteral("assistant"), QStringLiteral("46"));
    a.checkpoint = QStringLiteral("/models/arith-step2000");
    a.stats = {{QStringLiteral("newTokens"), 3}, {QStringLiteral("tokensPerSecond"), 812.5}};
    a.finishReason = QStringLiteral("eos");
    {
        HistoryDatabase db;
        QCOMPARE(db.open(path), QString());
        QVERIFY(db.persistent());
        QVERIFY(db.saveChat(c));
        QVERIFY(db.saveMessage(u));
        QVERIFY(db.saveMessage(a));
    }
    HistoryDatabase db;
    QCOMPARE(db.open(path), QString());
    const QVector<ChatRecord> chats = db.chats();
    QCOMPARE(chats.size(), 1);
    QCOMPARE(chats[0].id, c.id);
    QCOMPARE(chats[0].title, c.title);
    QCOMPARE(chats[0].checkpoint, c.checkpoint);
    QCOMPARE(chats[0].systemPrompt, c.systemPrompt);
    QCOMPARE(chats[0].sampling.value(QStringLiteral("temperature")).toDouble(), 0.7);
    QCOMPARE(chats[0].sampling.value(QStringLiteral("topK")).toInt(), 40);
    QCOMPARE(chats[0].sampling.value(QStringLiteral("greedy")).toBool(), false);
    QCOMPARE(chats[0].createdMs, c.createdMs);
    QCOMPARE(chats[0].currentLeaf, a.id);
    const QVector<MessageRecord> conv = db.conversation(c.id);
    QCOMPARE(conv.size(), 2);
    QCOMPARE(conv[0].id, u.id);
    QCOMPARE(conv[0].role, QStringLiteral("user"));
    QCOMPARE(conv[0].text, u.text);
    QCOMPARE(conv[0].parentId, Id(0));
    QCOMPARE(conv[1].text, QStringLiteral("46"));
    QCOMPARE(conv[1].parentId, u.id);
    QCOMPARE(conv[1].checkpoint, a.checkpoint);
    QCOMPARE(conv[1].finishReason, QStringLiteral("eos"));
    QCOMPARE(conv[1].stats.value(QStringLiteral("newTokens")).toInt(), 3);
    QCOMPARE(conv[1].stats.value(QStringLiteral("tokensPerSecond")).toDouble(), 812.5);
    QVERIFY(conv[1].complete);
    QCOMPARE(conv[1].alternatives, 1);
}

void TestHistoryDatabase::filesArePrivateAndWal() {
    QTemporaryDir dir;
    const QString folder = dir.filePath(QStringLiteral("new/Waypoint"));
    const QString path = folder + QStringLiteral("/history.sqlite");
    HistoryDatabase db;
    QCOMPARE(db.open(path), QString());
    QVERIFY(db.saveChat(chatRecord(QStringLiteral("x"))));
    QCOMPARE(mode(path), 0600);
    QVERIFY(QFileInfo::exists(path + QStringLiteral("-wal")));
    QCOMPARE(mode(path + QStringLiteral("-wal")), 0600);
    QCOMPARE(mode(folder), 0700);
    QCOMPARE(scalar(path, QStringLiteral("PRAGMA journal_mode")).toString(), QStringLiteral("wal"));
    QCOMPARE(scalar(path, QStringLiteral("PRAGMA user_version")).toInt(), kSchemaVersion);
}

void TestHistoryDatabase::branchesKeepAlternatives() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("h.sqlite"));
    HistoryDatabase db;
    QCOMPARE(db.open(path), QString());
    const ChatRecord c = chatRecord(QStringLiteral("branches"));
    QVERIFY(db.saveChat(c));
    const MessageRecord u1 = message(c.id, 0, QStringLiteral("user"), QStringLiteral("first"));
    const MessageRecord a1 = message(c.id, u1.id, QStringLiteral("assistant"), QStringLiteral("answer one"));
    const MessageRecord u2 = message(c.id, a1.id, QStringLiteral("user"), QStringLiteral("second"));
    const MessageRecord a2 = message(c.id, u2.id, QStringLiteral("assistant"), QStringLiteral("answer two"));
    // Regenerate the first answer: a sibling of a1, with its own follow-up.
    const MessageRecord a1b = message(c.id, u1.id, QStringLiteral("assistant"), QStringLiteral("answer one, again"));
    for (const MessageRecord& m : {u1, a1, u2, a2, a1b}) QVERIFY(db.saveMessage(m));

    QVector<MessageRecord> conv = db.conversation(c.id);  // the newest branch: u1, a1b
    QCOMPARE(conv.size(), 2);
    QCOMPARE(conv[1].id, a1b.id);
    QCOMPARE(conv[1].alternative, 1);
    QCOMPARE(conv[1].alternatives, 2);
    QCOMPARE(conv[0].alternatives, 1);

    // Back to alternative 1/2: its newest continuation comes with it.
    const Id leaf = db.newestLeafUnder(a1.id);
    QCOMPARE(leaf, a2.id);
    QVERIFY(db.setCurrentLeaf(c.id, leaf));
    conv = db.conversation(c.id);
    QCOMPARE(conv.size(), 4);
    QCOMPARE(conv[1].id, a1.id);
    QCOMPARE(conv[1].alternative, 0);
    QCOMPARE(conv[1].alternatives, 2);
    QCOMPARE(conv[3].text, QStringLiteral("answer two"));
    QCOMPARE(db.newestLeafUnder(a1b.id), a1b.id);
}

void TestHistoryDatabase::migratesFromVersionOne() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("old.sqlite"));
    // Version 1 as it was written (frozen here, not taken from the code).
    {
        QSqlDatabase raw = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("v1"));
        raw.setDatabaseName(path);
        QVERIFY(raw.open());
        QSqlQuery q(raw);
        const QStringList sql{
            "CREATE TABLE chats(id INTEGER PRIMARY KEY, title TEXT NOT NULL, checkpoint TEXT NOT NULL DEFAULT '',"
            " created_at INTEGER NOT NULL, last_used_at INTEGER NOT NULL)",
            "CREATE TABLE messages(id INTEGER PRIMARY KEY, chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE,"
            " role TEXT NOT NULL, text TEXT NOT NULL, checkpoint TEXT NOT NULL DEFAULT '', created_at INTEGER NOT NULL)",
            "CREATE INDEX messages_chat ON messages(chat_id, id)",
            "INSERT INTO chats VALUES (100, 'old sums', '/m/arith', 1000, 5000)",
            "INSERT INTO chats VALUES (200, 'old story', '/m/stories', 2000, 3000)",
            "INSERT INTO messages VALUES (101, 100, 'user', '1+1=', '', 1001)",
            "INSERT INTO messages VALUES (102, 100, 'assistant', '2', '/m/arith', 1002)",
            "INSERT INTO messages VALUES (103, 100, 'user', '2+2=', '', 1003)",
            "INSERT INTO messages VALUES (104, 100, 'assistant', '4', '/m/arith', 1004)",
            "INSERT INTO messages VALUES (201, 200, 'user', 'Once upon a time', '', 2001)",
            "PRAGMA user_version = 1",
        };
        for (const QString& s : sql) QVERIFY2(q.exec(s), qPrintable(s));
        raw.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("v1"));

    HistoryDatabase db;
    QCOMPARE(db.open(path), QString());
    QVERIFY(db.setAsidePath().isEmpty());
    QCOMPARE(scalar(path, QStringLiteral("PRAGMA user_version")).toInt(), kSchemaVersion);
    const QVector<ChatRecord> chats = db.chats();
    QCOMPARE(chats.size(), 2);
    QCOMPARE(chats[0].title, QStringLiteral("old sums"));  // last used 5000
    QCOMPARE(chats[0].currentLeaf, Id(104));
    QCOMPARE(chats[0].systemPrompt, QString());
    QVector<MessageRecord> conv = db.conversation(100);
    QCOMPARE(conv.size(), 4);
    QStringList texts;
    for (const MessageRecord& m : conv) texts << m.text;
    QCOMPARE(texts, (QStringList{"1+1=", "2", "2+2=", "4"}));
    QCOMPARE(conv[2].parentId, Id(102));
    QCOMPARE(conv[3].checkpoint, QStringLiteral("/m/arith"));
    QVERIFY(conv[3].complete);
    QCOMPARE(db.conversation(200).size(), 1);
    // The old text is in the search index, and the chat goes on in version 2.
    if (db.fullTextSearch()) QCOMPARE(db.search(QStringLiteral("upon")), (QVector<Id>{200}));
    QVERIFY(db.saveMessage(message(100, 104, QStringLiteral("user"), QStringLiteral("3+3="))));
    conv = db.conversation(100);
    QCOMPARE(conv.size(), 5);
    QCOMPARE(conv.last().text, QStringLiteral("3+3="));
}

void TestHistoryDatabase::garbageFileIsSetAside() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("history.sqlite"));
    const QByteArray garbage = QByteArray("this is not an SQLite file\n").repeated(400);
    for (int round = 0; round < 2; ++round) {
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(garbage);
        }
        HistoryDatabase db;
        const QString notice = db.open(path);
        QVERIFY2(notice.contains(path) && notice.contains(db.setAsidePath()), qPrintable(notice));
        QVERIFY(db.persistent());
        QCOMPARE(readAll(db.setAsidePath()), garbage);  // moved, untouched
        // The fresh database works and keeps what is written.
        const ChatRecord c = chatRecord(QStringLiteral("after the bad file"));
        QVERIFY(db.saveChat(c));
        db.close();
        HistoryDatabase again;
        QCOMPARE(again.open(path), QString());
        QCOMPARE(again.chats().size(), 1);
        again.close();
        QFile::remove(path + QStringLiteral("-wal"));
        QFile::remove(path + QStringLiteral("-shm"));
    }
    // Two bad files, two names: the second did not overwrite the first.
    const QStringList aside = QDir(dir.path()).entryList({QStringLiteral("history.sqlite.unreadable-*")}, QDir::Files);
    QCOMPARE(aside.size(), 2);
}

void TestHistoryDatabase::damagedDatabaseIsSetAside() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("history.sqlite"));
    {
        HistoryDatabase db;
        QCOMPARE(db.open(path), QString());
        const ChatRecord c = chatRecord(QStringLiteral("long"));
        QVERIFY(db.saveChat(c));
        Id parent = 0;
        for (int i = 0; i < 200; ++i) {
            const MessageRecord m = message(c.id, parent, QStringLiteral("user"), QString(500, QLatin1Char('a' + i % 26)));
            QVERIFY(db.saveMessage(m));
            parent = m.id;
        }
    }  // closing checkpoints the WAL into the file
    QVERIFY(!QFileInfo::exists(path + QStringLiteral("-wal")) || QFileInfo(path + QStringLiteral("-wal")).size() == 0);
    QByteArray bytes = readAll(path);
    QVERIFY(bytes.size() > 16 * 4096);
    // Overwrite pages 3..8 (b-tree pages) with junk, as a bad disk would.
    for (int i = 2 * 4096; i < 8 * 4096; ++i) bytes[i] = char(0x5A);
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(bytes);
    }
    HistoryDatabase db;
    const QString notice = db.open(path);
    QVERIFY2(!notice.isEmpty(), "a damaged file must be noticed");
    QVERIFY(!db.setAsidePath().isEmpty());
    QCOMPARE(readAll(db.setAsidePath()), bytes);
    QVERIFY(db.persistent());
    QCOMPARE(db.chats().size(), 0);
    QVERIFY(db.saveChat(chatRecord(QStringLiteral("fresh"))));
}

void TestHistoryDatabase::newerSchemaIsSetAsideNotDowngraded() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("history.sqlite"));
    {
        HistoryDatabase db;
        QCOMPARE(db.open(path), QString());
        QVERIFY(db.saveChat(chatRecord(QStringLiteral("from the future"))));
    }
    scalar(path, QStringLiteral("PRAGMA user_version = 99"));
    QCOMPARE(scalar(path, QStringLiteral("PRAGMA user_version")).toInt(), 99);
    HistoryDatabase db;
    const QString notice = db.open(path);
    QVERIFY2(notice.contains(QStringLiteral("newer Waypoint")), qPrintable(notice));
    QCOMPARE(scalar(db.setAsidePath(), QStringLiteral("PRAGMA user_version")).toInt(), 99);
    QCOMPARE(scalar(db.setAsidePath(), QStringLiteral("SELECT title FROM chats")).toString(),
             QStringLiteral("from the future"));
}

void TestHistoryDatabase::unusablePlaceFallsBackToMemory() {
    QTemporaryDir dir;
    // The folder to hold the file is a file: nothing can be created there.
    const QString blocker = dir.filePath(QStringLiteral("not-a-folder"));
    {
        QFile f(blocker);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("x");
    }
    HistoryDatabase db;
    const QString notice = db.open(blocker + QStringLiteral("/history.sqlite"));
    QVERIFY2(notice.contains(QStringLiteral("will not be kept")), qPrintable(notice));
    QVERIFY(!db.persistent());
    QVERIFY(db.isOpen());
    const ChatRecord c = chatRecord(QStringLiteral("in memory"));
    QVERIFY(db.saveChat(c));
    QCOMPARE(db.chats().size(), 1);
    QCOMPARE(readAll(blocker), QByteArray("x"));
}

void TestHistoryDatabase::searchFindsTitlesAndText() {
    QTemporaryDir dir;
    HistoryDatabase db;
    QCOMPARE(db.open(dir.filePath(QStringLiteral("h.sqlite"))), QString());
    const ChatRecord a = chatRecord(QStringLiteral("Dragons"), 3000);
    const ChatRecord b = chatRecord(QStringLiteral("Arithmetic"), 2000);
    const ChatRecord c = chatRecord(QStringLiteral("100% sure_thing"), 1000);
    for (const ChatRecord& r : {a, b, c}) QVERIFY(db.saveChat(r));
    QVERIFY(db.saveMessage(message(b.id, 0, QStringLiteral("user"), QStringLiteral("The dragon counted sheep"))));
    QVERIFY(db.saveMessage(message(c.id, 0, QStringLiteral("user"), QStringLiteral("Café au lait"))));
    // Messages count as last use: put the order back as it was.
    QVERIFY(db.touchChat(a.id, 3000) && db.touchChat(b.id, 2000) && db.touchChat(c.id, 1000));

    QCOMPARE(db.search(QStringLiteral("drag")), (QVector<Id>{a.id, b.id}));  // title + word prefix in text
    QCOMPARE(db.search(QStringLiteral("sheep")), (QVector<Id>{b.id}));
    QCOMPARE(db.search(QStringLiteral("counted dragon")), (QVector<Id>{b.id}));  // all words, any order
    QCOMPARE(db.search(QStringLiteral("100%")), (QVector<Id>{c.id}));  // % is literal in titles
    QCOMPARE(db.search(QStringLiteral("r_t")), QVector<Id>());       // _ too (no "rit" in Arithmetic)
    QCOMPARE(db.search(QStringLiteral("\"quoted")), QVector<Id>());  // no FTS syntax error
    QCOMPARE(db.search(QStringLiteral("nothing")), QVector<Id>());
    QCOMPARE(db.search(QString()).size(), 3);
    qInfo("full-text search: %s", db.fullTextSearch() ? "FTS5" : "LIKE (this SQLite has no FTS5)");
    if (db.fullTextSearch()) QCOMPARE(db.search(QStringLiteral("cafe")), (QVector<Id>{c.id}));  // diacritics folded
    QVERIFY(db.setDeleted(b.id, true));
    QCOMPARE(db.search(QStringLiteral("sheep")), QVector<Id>());
}

void TestHistoryDatabase::deleteUndoAndPurge() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("h.sqlite"));
    Id keep = 0, gone = 0;
    {
        HistoryDatabase db;
        QCOMPARE(db.open(path), QString());
        const ChatRecord a = chatRecord(QStringLiteral("keep"));
        const ChatRecord b = chatRecord(QStringLiteral("gone"));
        keep = a.id;
        gone = b.id;
        QVERIFY(db.saveChat(a) && db.saveChat(b));
        QVERIFY(db.saveMessage(message(b.id, 0, QStringLiteral("user"), QStringLiteral("bye"))));
        QVERIFY(db.setDeleted(a.id, true));
        QCOMPARE(db.chats().size(), 1);
        QVERIFY(db.setDeleted(a.id, false));  // undo
        QCOMPARE(db.chats().size(), 2);
        QVERIFY(db.setDeleted(b.id, true));
    }
    HistoryDatabase db;
    QCOMPARE(db.open(path), QString());
    QCOMPARE(db.chats().size(), 1);
    QCOMPARE(db.chats()[0].id, keep);
    db.close();
    QCOMPARE(scalar(path, QStringLiteral("SELECT count(*) FROM chats WHERE id = %1").arg(gone)).toInt(), 0);
    QCOMPARE(scalar(path, QStringLiteral("SELECT count(*) FROM messages")).toInt(), 0);
}

QTEST_GUILESS_MAIN(TestHistoryDatabase)
#include "tst_history_database.moc"
