// Kills a process that streams an answer into the history (SIGKILL, at a
// random moment, several times over), reopens the file after each kill and
// checks that every message written before is intact and the answer in flight
// is either absent or present at least up to its last reported save — a prefix
// of what was streamed, never anything else.
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>
#include <signal.h>

#include "history_database.h"

using namespace waypoint::history;

namespace {
// The answer run `run` streams: "run:0 run:1 run:2 ...".
QString streamedText(int run, int words) {
    QString out;
    for (int i = 0; i < words; ++i) out += QStringLiteral("%1:%2 ").arg(run).arg(i);
    return out;
}
}  // namespace

class TestHistoryCrash : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void killedWhileStreamingLosesNothingSaved();
};

void TestHistoryCrash::killedWhileStreamingLosesNothingSaved() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("history.sqlite"));
    constexpr int kRuns = 8;
    QHash<Id, QString> survived;  // every message seen after a kill, as it was
    QRandomGenerator rng(20261130);
    for (int run = 0; run < kRuns; ++run) {
        QProcess writer;
        writer.setProcessChannelMode(QProcess::SeparateChannels);
        writer.start(QStringLiteral(HISTORY_CRASH_WRITER),
                     {path, QString::number(run), QStringLiteral("20")});
        QVERIFY2(writer.waitForStarted(10000), qPrintable(writer.errorString()));
        // Read its reports until it has saved a random number of times.
        const int savesBeforeKill = 1 + int(rng.bounded(8));
        Id user = 0, answer = 0;
        int saves = 0, lastSaved = 0;
        QByteArray buffer;
        QElapsedTimer clock;
        clock.start();
        while (saves < savesBeforeKill && clock.elapsed() < 60000) {
            if (!writer.waitForReadyRead(100)) {
                QVERIFY2(writer.state() == QProcess::Running, writer.readAllStandardError().constData());
                continue;
            }
            buffer += writer.readAllStandardOutput();
            int nl;
            while ((nl = buffer.indexOf('\n')) >= 0) {
                const QList<QByteArray> parts = buffer.left(nl).split(' ');
                buffer.remove(0, nl + 1);
                if (parts.value(0) == "user") user = parts.value(1).toLongLong();
                if (parts.value(0) == "answer") answer = parts.value(1).toLongLong();
                if (parts.value(0) == "saved" && parts.value(1).toLongLong() == answer) {
                    ++saves;
                    lastSaved = parts.value(2).toInt();
                }
            }
        }
        QVERIFY2(saves == savesBeforeKill, "the writer did not report its saves in time");
        QTest::qWait(int(rng.bounded(30)));  // land somewhere between two saves, or in one
        ::kill(pid_t(writer.processId()), SIGKILL);
        QVERIFY(writer.waitForFinished(10000));
        QCOMPARE(writer.exitStatus(), QProcess::CrashExit);

        // Reopen as the app would after the crash.
        HistoryDatabase db;
        QCOMPARE(db.open(path), QString());
        const QVector<ChatRecord> chats = db.chats();
        QCOMPARE(chats.size(), 1);
        const QVector<MessageRecord> conv = db.conversation(chats[0].id);
        QHash<Id, QString> now;
        for (const MessageRecord& m : conv) now.insert(m.id, m.text);
        // Everything from earlier runs, unchanged.
        for (auto it = survived.begin(); it != survived.end(); ++it) {
            QVERIFY2(now.contains(it.key()), "a message saved before an earlier kill is gone");
            QCOMPARE(now.value(it.key()), it.value());
        }
        // This run's question, whole.
        QVERIFY(now.contains(user));
        QCOMPARE(now.value(user), QStringLiteral("question %1").arg(run));
        // Its answer: at least what was reported saved, and only what was streamed.
        QVERIFY2(now.contains(answer), "the answer was reported saved, so its row must be there");
        const QString text = now.value(answer);
        QVERIFY2(text.size() >= lastSaved, qPrintable(QStringLiteral("%1 < %2").arg(text.size()).arg(lastSaved)));
        QVERIFY(streamedText(run, 100000).startsWith(text));
        MessageRecord m;
        QVERIFY(db.message(answer, &m));
        QVERIFY(!m.complete);  // still marked as cut off
        // Nothing else: earlier messages, plus this question and answer.
        QCOMPARE(now.size(), survived.size() + 2);
        QCOMPARE(conv.size(), 2 * (run + 1));
        survived = now;
    }
}

QTEST_GUILESS_MAIN(TestHistoryCrash)
#include "tst_history_crash.moc"
