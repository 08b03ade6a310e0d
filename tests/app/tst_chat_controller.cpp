// ChatController over the fake backend, where token timing is under the
// test's control: streaming order and coalescing, Stop within one token, a
// failed load keeping the previous model, switching and quitting mid-stream.
#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QtTest>

#include "chat/chat_controller.h"
#include "fake_backend.h"

using namespace waypoint::app;
using namespace waypoint::app::test;

namespace {
QString expectedTokens(int n) {
    QString s;
    for (int i = 0; i < n; ++i) s += QStringLiteral("t%1 ").arg(i);
    return s;
}
int tokensIn(const QString& text) { return int(text.split(u' ', Qt::SkipEmptyParts).size()); }

std::unique_ptr<ChatController> loadedController(FakeBackendOptions o, const QString& path = QStringLiteral("/models/a")) {
    auto c = std::make_unique<ChatController>(makeFakeBackend(o));
    c->sampling()->setMaxNewTokens(4096);
    c->load(path);
    if (!QTest::qWaitFor([&] { return c->modelLoaded() && !c->loading(); }, 5000)) return nullptr;
    return c;
}
}  // namespace

class TstChatController : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QCoreApplication::setOrganizationName(QStringLiteral("waypoint-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_chat_controller"));
    }

    void streamsDeltasInOrder() {
        // No delay between tokens: they arrive faster than frames whatever the
        // machine's load, so batching shows as far fewer updates than tokens.
        auto c = loadedController({60, 0, 5, "broken"});
        QVERIFY(c);
        QAbstractItemModelTester tester(c->messages(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QStringList snapshots;
        connect(c->messages(), &QAbstractItemModel::dataChanged, this, [&](const QModelIndex& from, const QModelIndex&, const QList<int>& roles) {
            if (roles.contains(MessageModel::TextRole)) snapshots << c->messages()->textAt(from.row());
        });
        QSignalSpy done(c.get(), &ChatController::generationDone);
        QVERIFY(c->send(QStringLiteral("hello")));
        QVERIFY(c->generating());
        QVERIFY(done.wait(5000));
        QCOMPARE(c->messages()->rowCount(), 2);
        QCOMPARE(c->messages()->textAt(0), QStringLiteral("hello"));
        QCOMPARE(c->messages()->textAt(1), expectedTokens(60));
        // Every update extends the previous text (append, in order, nothing lost)...
        QVERIFY(!snapshots.isEmpty());
        for (int i = 1; i < snapshots.size(); ++i) QVERIFY(snapshots[i].startsWith(snapshots[i - 1]));
        QCOMPARE(snapshots.last(), expectedTokens(60));
        // ...and updates are batched per frame, not one per token.
        QVERIFY2(snapshots.size() < 30, qPrintable(QStringLiteral("%1 updates").arg(snapshots.size())));
        QCOMPARE(c->lastNewTokens(), 60);
        QCOMPARE(c->lastFinish(), QStringLiteral("length"));
        QVERIFY(!c->messages()->at(1).streaming);
    }

    void stopStopsWithinOneToken() {
        auto c = loadedController({1000, 25, 5, "broken"});
        QVERIFY(c);
        QSignalSpy stats(c.get(), &ChatController::statsChanged);
        QVERIFY(c->send(QStringLiteral("go")));
        QVERIFY(QTest::qWaitFor([&] { return tokensIn(c->messages()->textAt(1)) >= 3; }, 5000));
        const int seen = tokensIn(c->messages()->textAt(1));
        c->stop();
        QVERIFY(!c->generating());
        const QString atStop = c->messages()->textAt(1);
        QVERIFY(stats.wait(2000));  // the worker's summary of the stopped run
        QCOMPARE(c->lastFinish(), QStringLiteral("stopped"));
        // The worker had produced `seen` tokens when Stop was pressed (25 ms apart,
        // so at most one more was in flight): it computed at most one more.
        QVERIFY2(c->lastNewTokens() <= seen + 1,
                 qPrintable(QStringLiteral("seen %1, generated %2").arg(seen).arg(c->lastNewTokens())));
        QTest::qWait(100);
        QCOMPARE(c->messages()->textAt(1), atStop);  // nothing arrives after Stop
        QCOMPARE(c->messages()->at(1).stats, QStringLiteral("stopped"));
    }

    void failedLoadKeepsPreviousModel() {
        auto c = loadedController({5, 1, 5, "broken"}, QStringLiteral("/models/good"));
        QVERIFY(c);
        QSignalSpy failed(c.get(), &ChatController::loadFailedFor);
        QSignalSpy error(c.get(), &ChatController::errorChanged);
        c->load(QStringLiteral("/models/broken-one"));
        QVERIFY(c->loading());
        QVERIFY(failed.wait(5000));
        QCOMPARE(failed.first().at(0).toString(), QStringLiteral("/models/broken-one"));
        QVERIFY(!c->loading());
        QCOMPARE(c->lastError(), QStringLiteral("fake: cannot load /models/broken-one"));
        QVERIFY(error.count() >= 1);
        QCOMPARE(c->checkpointPath(), QStringLiteral("/models/good"));
        QCOMPARE(c->modelName(), QStringLiteral("good"));
        // The previous model still answers.
        QSignalSpy done(c.get(), &ChatController::generationDone);
        QVERIFY(c->send(QStringLiteral("still there?")));
        QVERIFY(done.wait(5000));
        QCOMPARE(c->messages()->textAt(1), expectedTokens(5));
    }

    void switchingCheckpointMidGenerationIsSafe() {
        auto c = loadedController({1000, 10, 50, "broken"}, QStringLiteral("/models/a"));
        QVERIFY(c);
        QAbstractItemModelTester tester(c->messages(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(c->send(QStringLiteral("long answer")));
        QVERIFY(QTest::qWaitFor([&] { return tokensIn(c->messages()->textAt(1)) >= 3; }, 5000));
        c->load(QStringLiteral("/models/b"));
        QVERIFY(!c->generating());  // the answer ended at the switch
        QVERIFY(c->loading());
        QVERIFY(QTest::qWaitFor([&] { return !c->loading(); }, 5000));
        QCOMPARE(c->checkpointPath(), QStringLiteral("/models/b"));
        const QString oldAnswer = c->messages()->textAt(1);
        QVERIFY(oldAnswer.startsWith(QStringLiteral("t0 t1 t2 ")));
        c->sampling()->setMaxNewTokens(4);
        QSignalSpy done(c.get(), &ChatController::generationDone);
        QVERIFY(c->send(QStringLiteral("again")));
        QVERIFY(done.wait(5000));
        QCOMPARE(c->messages()->textAt(3), expectedTokens(4));  // no stray tokens of the old run
        QCOMPARE(c->messages()->textAt(1), oldAnswer);
    }

    void destroyingMidGenerationJoinsTheThread() {
        auto c = loadedController({100000, 5, 5, "broken"});
        QVERIFY(c);
        QVERIFY(c->send(QStringLiteral("forever")));
        QVERIFY(QTest::qWaitFor([&] { return tokensIn(c->messages()->textAt(1)) >= 2; }, 5000));
        QElapsedTimer t;
        t.start();
        c.reset();  // stop, quit, wait
        QVERIFY2(t.elapsed() < 1000, qPrintable(QString::number(t.elapsed())));
    }

    void destroyingWhileLoadingWaitsForTheLoad() {
        auto counting = std::make_shared<CountingBackend>(makeFakeBackend({10, 1, 200, "broken"}));
        auto c = std::make_unique<ChatController>(counting);
        c->load(QStringLiteral("/models/slow"));
        QVERIFY(c->loading());
        QVERIFY(QTest::qWaitFor([&] { return counting->loads.load() == 1; }, 5000));  // the worker is in load()
        QCOMPARE(counting->loadsDone.load(), 0);
        QElapsedTimer t;
        t.start();
        c.reset();
        // The destructor returned only after the load it could not interrupt had finished.
        QCOMPARE(counting->loadsDone.load(), 1);
        QVERIFY(t.elapsed() < 2000);
    }

    void regenerateReplacesTheLastAnswer() {
        auto c = loadedController({6, 1, 5, "broken"});
        QVERIFY(c);
        QSignalSpy done(c.get(), &ChatController::generationDone);
        QVERIFY(c->send(QStringLiteral("one")));
        QVERIFY(done.wait(5000));
        c->regenerate();
        QVERIFY(c->generating());
        QVERIFY(done.wait(5000));
        QCOMPARE(c->messages()->rowCount(), 2);
        QCOMPARE(c->messages()->textAt(0), QStringLiteral("one"));
        QCOMPARE(c->messages()->textAt(1), expectedTokens(6));
        c->clear();
        QCOMPARE(c->messages()->rowCount(), 0);
    }

    void sendWithoutModelExplains() {
        ChatController c(makeFakeBackend());
        QVERIFY(!c.send(QStringLiteral("hi")));
        QVERIFY(c.lastError().contains(QStringLiteral("No checkpoint")));
        QCOMPARE(c.messages()->rowCount(), 0);
    }

    void exampleRunsOnTheWorker() {
        auto c = loadedController({7, 1, 5, "broken"});
        QVERIFY(c);
        QSignalSpy example(c.get(), &ChatController::exampleChanged);
        c->requestExample();
        QVERIFY(c->exampleBusy());
        QVERIFY(QTest::qWaitFor([&] { return !c->exampleBusy(); }, 5000));
        QCOMPARE(c->exampleAnswer(), expectedTokens(7));
        QCOMPARE(c->examplePrompt(), QStringLiteral("Once upon a time"));
        QCOMPARE(c->messages()->rowCount(), 0);  // the chat is untouched
    }

    // A chat that spans a checkpoint switch: each answer names its model, and
    // the status bar's speed is not the previous model's.
    void answersNameTheirModelAcrossASwitch() {
        auto c = loadedController({5, 1, 5, "broken"}, QStringLiteral("/models/first"));
        QVERIFY(c);
        QSignalSpy done(c.get(), &ChatController::generationDone);
        QVERIFY(c->send(QStringLiteral("one")));
        QVERIFY(done.wait(5000));
        QVERIFY(c->lastNewTokens() > 0);
        QVERIFY(c->tokensPerSecond() > 0);
        c->load(QStringLiteral("/models/second"));
        QVERIFY(QTest::qWaitFor([&] { return !c->loading(); }, 5000));
        QCOMPARE(c->modelName(), QStringLiteral("second"));
        QCOMPARE(c->lastNewTokens(), 0);       // nothing measured on this model yet
        QCOMPARE(c->tokensPerSecond(), 0.0);
        QVERIFY(c->lastFinish().isEmpty());
        QVERIFY(c->send(QStringLiteral("two")));
        QVERIFY(done.wait(5000));
        const auto author = [&](int row) {
            return c->messages()->data(c->messages()->index(row), MessageModel::AuthorRole).toString();
        };
        QCOMPARE(c->messages()->rowCount(), 4);
        QCOMPARE(author(0), QString());  // the user's turn
        // The fake's card has a training step (4000) its name does not say: the title adds it.
        QCOMPARE(author(1), QStringLiteral("first · step 4000"));
        QCOMPARE(author(3), QStringLiteral("second · step 4000"));
        QVERIFY(c->messages()->roleNames().values().contains("author"));
        // A name that says its step already is left as it is.
        c->load(QStringLiteral("/models/arith-step000500"));
        QVERIFY(QTest::qWaitFor([&] { return !c->loading(); }, 5000));
        QCOMPARE(c->modelTitle(), QStringLiteral("arith-step000500"));
    }

    // An answer that ran past the context (the engine slid the window) says so.
    void contextSlideIsSaid() {
        auto c = loadedController({600, 0, 5, "broken"});  // the fake's context is 512 tokens
        QVERIFY(c);
        QSignalSpy done(c.get(), &ChatController::generationDone);
        QVERIFY(c->send(QStringLiteral("a prompt")));
        QVERIFY(done.wait(10000));
        const QString stats = c->messages()->data(c->messages()->index(1), MessageModel::StatsRole).toString();
        QVERIFY2(stats.contains(QStringLiteral("context full (512 tokens)")), qPrintable(stats));
        // A short answer does not.
        c->sampling()->setMaxNewTokens(20);
        QVERIFY(c->send(QStringLiteral("again")));
        QVERIFY(done.wait(5000));
        const QString shortStats = c->messages()->data(c->messages()->index(3), MessageModel::StatsRole).toString();
        QVERIFY2(!shortStats.contains(QStringLiteral("context")), qPrintable(shortStats));
    }
};

QTEST_MAIN(TstChatController)
#include "tst_chat_controller.moc"
