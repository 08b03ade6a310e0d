// HistoryStore with its own thread on real SQLite files: what the GUI thread
// asks is written in order and read back after a restart; the chat list model
// sorts, renames, deletes with undo and searches; a streaming answer reaches
// the file within the save interval; alternatives are browsable.
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "history_database.h"
#include "history_store.h"

using namespace waypoint::history;

namespace {

QStringList titles(ChatListModel* m) {
    QStringList out;
    for (int r = 0; r < m->rowCount(); ++r) out << m->get(r).value(QStringLiteral("title")).toString();
    return out;
}

// The conversation the store reports for `chat` (waits for the answer).
QVector<MessageRecord> load(HistoryStore& store, qint64 chat, qint64 leaf = 0) {
    QSignalSpy spy(&store, &HistoryStore::conversationLoaded);
    store.loadConversation(chat, leaf);
    store.sync();
    if (spy.isEmpty() && !spy.wait(5000)) return {};
    return spy.takeLast().at(1).value<QVector<MessageRecord>>();
}

bool waitReady(HistoryStore& store) {
    if (!store.ready()) store.sync();
    return store.ready();
}

}  // namespace

class TestHistoryStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void chatsAndMessagesSurviveRestart();
    void defaultPathIsInAppData();
    void streamingAnswerReachesFileWithinInterval();
    void listSortsByLastUse();
    void renameDeleteUndo();
    void searchFiltersTheList();
    void regenerateKeepsAlternatives();
    void badFileGivesNotice();
    void exportsMarkdownAndJson();
};

void TestHistoryStore::chatsAndMessagesSurviveRestart() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("history.sqlite"));
    qint64 chat = 0, user = 0, answer = 0;
    {
        HistoryStore store;
        store.setPath(path);
        store.open();
        chat = store.newChat(QStringLiteral("Sums"), QStringLiteral("/m/arith"), QStringLiteral("Add."),
                             {{QStringLiteral("temperature"), 0.0}});
        QCOMPARE(store.chats()->rowCount(), 1);  // shown before it is written
        user = store.addMessage(chat, 0, QStringLiteral("user"), QStringLiteral("1+2="));
        answer = store.startAnswer(chat, user, QStringLiteral("/m/arith"));
        store.updateAnswer(answer, QStringLiteral("3"));
        store.finishAnswer(answer, QStringLiteral("3\n"), {{QStringLiteral("newTokens"), 2}}, QStringLiteral("eos"));
        // No sync: the destructor writes what was asked.
    }
    HistoryStore store;
    store.setPath(path);
    store.open();
    QVERIFY(waitReady(store));
    QCOMPARE(store.notice(), QString());
    QVERIFY(store.persistent());
    QCOMPARE(titles(store.chats()), QStringList{QStringLiteral("Sums")});
    const QVariantMap info = store.chat(chat);
    QCOMPARE(info.value(QStringLiteral("checkpoint")).toString(), QStringLiteral("/m/arith"));
    QCOMPARE(info.value(QStringLiteral("systemPrompt")).toString(), QStringLiteral("Add."));
    const QVector<MessageRecord> conv = load(store, chat);
    QCOMPARE(conv.size(), 2);
    QCOMPARE(conv[0].id, user);
    QCOMPARE(conv[1].id, answer);
    QCOMPARE(conv[1].text, QStringLiteral("3\n"));
    QCOMPARE(conv[1].finishReason, QStringLiteral("eos"));
    QCOMPARE(conv[1].stats.value(QStringLiteral("newTokens")).toInt(), 2);
    QVERIFY(conv[1].complete);
}

void TestHistoryStore::defaultPathIsInAppData() {
    // XDG_DATA_HOME points into the build tree (tests/app/history.cmake).
    QCoreApplication::setOrganizationName(QStringLiteral("Waypoint"));
    QCoreApplication::setApplicationName(QStringLiteral("Waypoint"));
    const QString path = HistoryStore::defaultPath();
    QVERIFY2(path.startsWith(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)), qPrintable(path));
    QVERIFY(path.endsWith(QStringLiteral("/history.sqlite")));
}

void TestHistoryStore::streamingAnswerReachesFileWithinInterval() {
    QVERIFY(HistoryStore().saveIntervalMs() <= 1000);  // the promise: on disk within a second
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("history.sqlite"));
    HistoryStore store;
    store.setPath(path);
    store.setSaveIntervalMs(200);
    const qint64 chat = store.newChat();
    const qint64 user = store.addMessage(chat, 0, QStringLiteral("user"), QStringLiteral("tell"));
    const qint64 answer = store.startAnswer(chat, user);
    QSignalSpy saved(&store, &HistoryStore::answerSaved);
    store.updateAnswer(answer, QStringLiteral("Once"));
    store.updateAnswer(answer, QStringLiteral("Once upon"));  // coalesced with the one before
    // Written by the store's timer alone (nothing else is asked), once for both.
    QVERIFY(saved.wait(5000));
    QCOMPARE(saved.size(), 1);
    QCOMPARE(saved.at(0).at(0).toLongLong(), answer);
    QCOMPARE(saved.at(0).at(1).toInt(), 9);
    // Another connection (as after a crash) reads it from the file.
    HistoryDatabase reader;
    QVERIFY(reader.open(path).isEmpty());
    MessageRecord m;
    QVERIFY(reader.message(answer, &m));
    QCOMPARE(m.text, QStringLiteral("Once upon"));
    QVERIFY(!m.complete);
}

void TestHistoryStore::listSortsByLastUse() {
    QTemporaryDir dir;
    HistoryStore store;
    store.setPath(dir.filePath(QStringLiteral("h.sqlite")));
    const qint64 a = store.newChat(QStringLiteral("a"));
    QTest::qWait(3);
    const qint64 b = store.newChat(QStringLiteral("b"));
    QTest::qWait(3);
    store.newChat(QStringLiteral("c"));
    QCOMPARE(titles(store.chats()), (QStringList{"c", "b", "a"}));
    QSignalSpy moved(store.chats(), &QAbstractItemModel::rowsMoved);
    QTest::qWait(3);
    store.addMessage(a, 0, QStringLiteral("user"), QStringLiteral("hi"));
    QCOMPARE(titles(store.chats()), (QStringList{"a", "c", "b"}));
    QCOMPARE(moved.size(), 1);
    QCOMPARE(store.chats()->rowOf(b), 2);
    store.sync();
    // The same order from the file.
    HistoryStore again;
    again.setPath(store.path());
    again.open();
    QVERIFY(waitReady(again));
    QCOMPARE(titles(again.chats()), (QStringList{"a", "c", "b"}));
}

void TestHistoryStore::renameDeleteUndo() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("h.sqlite"));
    qint64 one = 0;
    {
        HistoryStore store;
        store.setPath(path);
        one = store.newChat(QStringLiteral("one"));
        const qint64 two = store.newChat(QStringLiteral("two"));
        const qint64 three = store.newChat(QStringLiteral("three"));
        QSignalSpy changed(store.chats(), &QAbstractItemModel::dataChanged);
        store.renameChat(one, QStringLiteral("  first  "));
        QCOMPARE(changed.size(), 1);
        QCOMPARE(store.chat(one).value(QStringLiteral("title")).toString(), QStringLiteral("first"));
        store.renameChat(one, QStringLiteral("   "));  // blank names are refused
        QCOMPARE(store.chat(one).value(QStringLiteral("title")).toString(), QStringLiteral("first"));

        QVERIFY(!store.canUndoDelete());
        store.deleteChat(two);
        store.deleteChat(three);
        QCOMPARE(store.chats()->rowCount(), 1);
        QVERIFY(store.canUndoDelete());
        QCOMPARE(store.undoTitle(), QStringLiteral("three"));
        store.undoDelete();
        QCOMPARE(titles(store.chats()), (QStringList{"three", "first"}));
        QCOMPARE(store.undoTitle(), QStringLiteral("two"));
    }
    // "two" stayed deleted; the rename was kept.
    HistoryStore store;
    store.setPath(path);
    store.open();
    QVERIFY(waitReady(store));
    QCOMPARE(titles(store.chats()), (QStringList{"three", "first"}));
    QVERIFY(!store.canUndoDelete());
}

void TestHistoryStore::searchFiltersTheList() {
    QTemporaryDir dir;
    HistoryStore store;
    store.setPath(dir.filePath(QStringLiteral("h.sqlite")));
    const qint64 story = store.newChat(QStringLiteral("Bedtime story"));
    store.addMessage(story, 0, QStringLiteral("user"), QStringLiteral("A dragon who loved turnips"));
    store.newChat(QStringLiteral("Sums"));
    const qint64 dragon = store.newChat(QStringLiteral("Dragon facts"));
    QCOMPARE(store.chats()->rowCount(), 3);
    ChatListModel* list = store.chats();
    list->setSearchText(QStringLiteral("dragon"));
    QVERIFY(list->searching());
    QTRY_VERIFY_WITH_TIMEOUT(!list->searching(), 5000);
    QCOMPARE(list->rowCount(), 2);
    QVERIFY(list->rowOf(dragon) >= 0 && list->rowOf(story) >= 0);
    list->setSearchText(QStringLiteral("turnip"));  // words in messages, by prefix
    QTRY_VERIFY_WITH_TIMEOUT(!list->searching(), 5000);
    QCOMPARE(titles(list), QStringList{QStringLiteral("Bedtime story")});
    list->setSearchText(QString());
    QCOMPARE(list->rowCount(), 3);
}

void TestHistoryStore::regenerateKeepsAlternatives() {
    QTemporaryDir dir;
    HistoryStore store;
    store.setPath(dir.filePath(QStringLiteral("h.sqlite")));
    const qint64 chat = store.newChat();
    const qint64 user = store.addMessage(chat, 0, QStringLiteral("user"), QStringLiteral("2+2="));
    const qint64 first = store.addMessage(chat, user, QStringLiteral("assistant"), QStringLiteral("5"));
    const qint64 second = store.addMessage(chat, user, QStringLiteral("assistant"), QStringLiteral("4"));
    QVector<MessageRecord> conv = load(store, chat);
    QCOMPARE(conv.size(), 2);
    QCOMPARE(conv[1].id, second);
    QCOMPARE(conv[1].alternative, 1);
    QCOMPARE(conv[1].alternatives, 2);
    QSignalSpy spy(&store, &HistoryStore::conversationLoadedForQml);
    store.showAlternative(chat, first);
    store.sync();
    QCOMPARE(spy.size(), 1);
    const QVariantList forQml = spy.at(0).at(1).toList();
    QCOMPARE(forQml.size(), 2);
    QCOMPARE(forQml[1].toMap().value(QStringLiteral("text")).toString(), QStringLiteral("5"));
    QCOMPARE(forQml[1].toMap().value(QStringLiteral("alternative")).toInt(), 0);
    // The choice is remembered.
    conv = load(store, chat);
    QCOMPARE(conv[1].id, first);
}

void TestHistoryStore::badFileGivesNotice() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("history.sqlite"));
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(8192, '\x07'));
    }
    HistoryStore store;
    store.setPath(path);
    QSignalSpy notice(&store, &HistoryStore::noticeChanged);
    store.open();
    QVERIFY(waitReady(store));
    QCOMPARE(notice.size(), 1);
    QVERIFY2(store.notice().contains(QStringLiteral("moved to")), qPrintable(store.notice()));
    QVERIFY(store.persistent());
    store.newChat(QStringLiteral("works"));
    store.sync();
    QCOMPARE(store.lastError(), QString());
}

void TestHistoryStore::exportsMarkdownAndJson() {
    QTemporaryDir dir;
    HistoryStore store;
    store.setPath(dir.filePath(QStringLiteral("h.sqlite")));
    const qint64 chat = store.newChat(QStringLiteral("Sums"), QStringLiteral("/m/arith-step3000"),
                                      QStringLiteral("Answer with digits.\nNothing else."));
    const qint64 user = store.addMessage(chat, 0, QStringLiteral("user"), QStringLiteral("12+34="));
    const qint64 a1 = store.addMessage(chat, user, QStringLiteral("assistant"), QStringLiteral("forty-seven"));
    store.addMessage(chat, user, QStringLiteral("assistant"), QStringLiteral("46\n\n```\ncode\n```"),
                     QStringLiteral("/m/arith-step3000"),
                     {{QStringLiteral("newTokens"), 3}, {QStringLiteral("tokensPerSecond"), 100.0}},
                     QStringLiteral("eos"));
    QSignalSpy done(&store, &HistoryStore::exportFinished);
    const QString md = dir.filePath(QStringLiteral("sums.md"));
    const QString json = dir.filePath(QStringLiteral("sums.json"));
    store.exportChat(chat, QUrl::fromLocalFile(md).toString());  // as a FileDialog gives it
    store.exportChat(chat, json);
    store.exportChat(chat, QStringLiteral("/proc/waypoint-no-such-folder/x.md"));  // cannot be made
    store.sync();
    QCOMPARE(done.size(), 3);
    QCOMPARE(done.at(0).at(2).toString(), QString());
    QCOMPARE(done.at(1).at(2).toString(), QString());
    QVERIFY2(done.at(2).at(2).toString().contains(QStringLiteral("/proc/waypoint-no-such-folder/x.md")), qPrintable(done.at(2).at(2).toString()));

    QFile mdFile(md);
    QVERIFY(mdFile.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(mdFile.readAll());
    QVERIFY2(text.startsWith(QStringLiteral("# Sums\n")), qPrintable(text));
    QVERIFY(text.contains(QStringLiteral("> Answer with digits.\n> Nothing else.\n")));
    QVERIFY(text.contains(QStringLiteral("## You\n\n12+34=\n")));
    QVERIFY(text.contains(QStringLiteral("## Assistant (arith-step3000)\n\n46\n\n```\ncode\n```\n")));
    QVERIFY(text.contains(QStringLiteral("*3 tokens · 100.0 tokens/s · finished: eos*")));
    QVERIFY(!text.contains(QStringLiteral("forty-seven")));  // only the branch on show

    QFile jsonFile(json);
    QVERIFY(jsonFile.open(QIODevice::ReadOnly));
    const QJsonObject root = QJsonDocument::fromJson(jsonFile.readAll()).object();
    QCOMPARE(root.value("title").toString(), QStringLiteral("Sums"));
    const QJsonArray messages = root.value("messages").toArray();
    QCOMPARE(messages.size(), 3);
    QCOMPARE(messages[0].toObject().value("role").toString(), QStringLiteral("system"));
    QCOMPARE(messages[1].toObject().value("content").toString(), QStringLiteral("12+34="));
    QCOMPARE(messages[2].toObject().value("finish_reason").toString(), QStringLiteral("eos"));
    QCOMPARE(messages[2].toObject().value("alternative").toString(), QStringLiteral("2/2"));
    QCOMPARE(messages[2].toObject().value("stats").toObject().value("newTokens").toInt(), 3);
    Q_UNUSED(a1);
    // A name for a new export file: the title and date, never an existing file
    // of the folder the dialog shows.
    const QString first = store.exportFileNameFor(chat, QStringLiteral("markdown"), dir.path());
    QVERIFY2(first.startsWith(QStringLiteral("Sums ")) && first.endsWith(QStringLiteral(".md")), qPrintable(first));
    QFile taken(dir.filePath(first));
    QVERIFY(taken.open(QIODevice::WriteOnly));
    taken.close();
    const QString second = store.exportFileNameFor(chat, QStringLiteral("markdown"), QUrl::fromLocalFile(dir.path()).toString());
    QVERIFY2(second != first && second.endsWith(QStringLiteral(" (2).md")), qPrintable(second));
    QVERIFY(store.exportFileNameFor(chat, QStringLiteral("json"), dir.path()).endsWith(QStringLiteral(".json")));
    // A title with a slash cannot name a folder.
    const qint64 slashed = store.newChat(QStringLiteral("a/b: c?"));
    QCOMPARE(store.exportFileNameFor(slashed, QStringLiteral("json"), dir.path()).left(7), QStringLiteral("a_b_ c_"));
    // The dialog's first folder: one that exists (nothing is created for
    // it), Documents/Waypoint chats once it does (HOME is the test's own).
    QVERIFY(QDir().mkpath(QDir::homePath()));
    QVERIFY(QFileInfo(HistoryStore::exportFolder()).isDir());
    const QString chats = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation) +
                          QStringLiteral("/Waypoint chats");
    QVERIFY(QDir().mkpath(chats));
    QCOMPARE(HistoryStore::exportFolder(), chats);
}

QTEST_GUILESS_MAIN(TestHistoryStore)
#include "tst_history_store.moc"
