// ChatController over the real engine with ../shared's stories260K: the
// streamed deltas make the answer, greedy is repeatable, Stop and a checkpoint
// switch mid-stream are safe, a failed load keeps the model.
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>

#include "backend/inference_backend.h"
#include "chat/chat_controller.h"
#include "screenshots/token_delay_backend.h"

using namespace waypoint::app;

namespace {
const QString kBin = QStringLiteral(WAYPOINT_SHARED_DIR "/models/stories260K/stories260K.bin");
const QString kHf = QStringLiteral(WAYPOINT_SHARED_DIR "/models/stories260K-hf");
}

class TstChatEngine : public QObject {
    Q_OBJECT
    std::unique_ptr<ChatController> c;
    std::atomic<int> tokenDelayMs{0};  // slows c's engine down where a test must act mid-stream

    bool loadInto(ChatController& ctl, const QString& path) {
        ctl.load(path);
        return QTest::qWaitFor([&] { return !ctl.loading(); }, 60000) && ctl.checkpointPath() == path;
    }

private Q_SLOTS:
    void initTestCase() {
        QCoreApplication::setOrganizationName(QStringLiteral("waypoint-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_chat_engine"));
        if (!QFileInfo::exists(kBin)) QSKIP("../shared/models/stories260K is not there");
        c = std::make_unique<ChatController>(
            makeTokenDelayBackend(makeEngineBackend(), [this] { return tokenDelayMs.load(); }));
        c->setDevice(QStringLiteral("cpu"));
        QVERIFY2(loadInto(*c, kBin), qPrintable(c->lastError()));
        QCOMPARE(c->card().layers(), 5);
        QCOMPARE(c->card().vocabulary(), 512);
        c->sampling()->setTemperature(0.0);
        c->sampling()->setRepeatPenalty(1.0);
        c->sampling()->setMaxNewTokens(60);
        c->sampling()->setStopAtEos(true);
    }

    void cleanupTestCase() { c.reset(); }

    void greedyAnswerStreamsAndRepeats() {
        QStringList snapshots;
        auto conn = connect(c->messages(), &QAbstractItemModel::dataChanged, this, [&](const QModelIndex& i) {
            snapshots << c->messages()->textAt(i.row());
        });
        QSignalSpy done(c.get(), &ChatController::generationDone);
        QVERIFY(c->send(QStringLiteral("Once upon a time")));
        QVERIFY(done.wait(60000));
        disconnect(conn);
        const QString first = c->messages()->textAt(1);
        QVERIFY2(first.size() > 20, qPrintable(first));
        QVERIFY(c->lastNewTokens() > 0);
        QVERIFY(c->tokensPerSecond() > 0);
        for (int i = 1; i < snapshots.size(); ++i) QVERIFY(snapshots[i].startsWith(snapshots[i - 1]));
        c->regenerate();
        QVERIFY(done.wait(60000));
        QCOMPARE(c->messages()->rowCount(), 2);
        QCOMPARE(c->messages()->textAt(1), first);  // greedy: the same text again
        c->clear();
    }

    void stopWithinOneToken() {
        tokenDelayMs = 20;  // slow enough to stop mid-way
        c->sampling()->setMaxNewTokens(400);
        c->sampling()->setStopAtEos(false);
        QSignalSpy stats(c.get(), &ChatController::statsChanged);
        QVERIFY(c->send(QStringLiteral("Once upon a time")));
        QVERIFY(QTest::qWaitFor([&] { return c->messages()->textAt(1).size() > 15; }, 30000));
        c->stop();
        const QString atStop = c->messages()->textAt(1);
        QVERIFY(stats.wait(10000));
        tokenDelayMs = 0;
        QCOMPARE(c->lastFinish(), QStringLiteral("stopped"));
        QVERIFY(c->lastNewTokens() < 400);
        QTest::qWait(100);
        QCOMPARE(c->messages()->textAt(1), atStop);
        c->clear();
    }

    void failedLoadKeepsTheModel() {
        QSignalSpy failed(c.get(), &ChatController::loadFailedFor);
        c->load(QStringLiteral("/nonexistent/waypoint-missing.bin"));
        QVERIFY(failed.wait(30000));
        QVERIFY2(c->lastError().contains(QStringLiteral("waypoint-missing.bin")), qPrintable(c->lastError()));
        QCOMPARE(c->checkpointPath(), kBin);
        c->sampling()->setMaxNewTokens(10);
        QSignalSpy done(c.get(), &ChatController::generationDone);
        QVERIFY(c->send(QStringLiteral("Lily")));
        QVERIFY(done.wait(60000));
        QVERIFY(!c->messages()->textAt(1).isEmpty());
        c->clear();
        c->clearError();
    }

    // A .bin alone (no tokenizer beside it): the window's message offers
    // "Choose tokenizer…" instead of a command-line flag; loading with the
    // chosen one works and is remembered for that checkpoint.
    void checkpointWithoutTokenizerTakesAChosenOne() {
        QTemporaryDir dir;
        const QString alone = dir.filePath(QStringLiteral("alone.bin"));
        QVERIFY(QFile::copy(kBin, alone));
        ChatController ctl(makeEngineBackend());
        ctl.setDevice(QStringLiteral("cpu"));
        QVERIFY(!loadInto(ctl, alone));
        QVERIFY(ctl.needsTokenizer());
        QCOMPARE(ctl.tokenizerWantedFor(), alone);
        QVERIFY2(!ctl.lastError().contains(QStringLiteral("--tokenizer")), qPrintable(ctl.lastError()));
        QVERIFY2(ctl.lastError().contains(QStringLiteral("Choose tokenizer")), qPrintable(ctl.lastError()));
        const QString tok = QStringLiteral(WAYPOINT_SHARED_DIR "/models/stories260K/tok512.model");
        ctl.loadWithTokenizer(alone, tok);
        QVERIFY(QTest::qWaitFor([&] { return !ctl.loading(); }, 60000));
        QVERIFY2(ctl.modelLoaded() && ctl.checkpointPath() == alone, qPrintable(ctl.lastError()));
        QVERIFY(!ctl.needsTokenizer());
        QCOMPARE(ctl.card().vocabulary(), 512);
        // Remembered: a plain load of the same checkpoint (Recent, the next start) finds it.
        ChatController again(makeEngineBackend());
        again.setDevice(QStringLiteral("cpu"));
        QVERIFY2(loadInto(again, alone), qPrintable(again.lastError()));
    }

    void switchMidGenerationToTheSameWeightsInAnotherFormat() {
        if (!QFileInfo::exists(kHf)) QSKIP("../shared/models/stories260K-hf is not there");
        tokenDelayMs = 10;
        c->sampling()->setMaxNewTokens(300);
        c->sampling()->setStopAtEos(false);
        QVERIFY(c->send(QStringLiteral("Once upon a time")));
        QVERIFY(QTest::qWaitFor([&] { return c->messages()->textAt(1).size() > 10; }, 30000));
        c->load(kHf);
        QVERIFY(!c->generating());
        QVERIFY(QTest::qWaitFor([&] { return !c->loading(); }, 60000));
        tokenDelayMs = 0;
        QCOMPARE(c->checkpointPath(), kHf);
        // Same weights, greedy: the HF container gives the .bin's answer.
        c->sampling()->setTemperature(0.0);
        c->sampling()->setMaxNewTokens(30);
        c->sampling()->setStopAtEos(true);
        QSignalSpy done(c.get(), &ChatController::generationDone);
        c->clear();
        QVERIFY(c->send(QStringLiteral("Once upon a time")));
        QVERIFY(done.wait(60000));
        const QString hfText = c->messages()->textAt(1);
        QVERIFY(loadInto(*c, kBin));
        // The .bin has no generation_config.json: its settings are the shared group's.
        c->sampling()->setTemperature(0.0);
        c->sampling()->setMaxNewTokens(30);
        c->sampling()->setStopAtEos(true);
        c->clear();
        QVERIFY(c->send(QStringLiteral("Once upon a time")));
        QVERIFY(done.wait(60000));
        QCOMPARE(c->messages()->textAt(1), hfText);
    }

    void quitDuringGenerationJoins() {
        ChatController local(makeEngineBackend());
        local.setDevice(QStringLiteral("cpu"));
        QVERIFY(loadInto(local, kBin));
        local.sampling()->setMaxNewTokens(100000);
        local.sampling()->setStopAtEos(false);
        QVERIFY(local.send(QStringLiteral("Once")));
        QVERIFY(QTest::qWaitFor([&] { return local.messages()->textAt(1).size() > 5; }, 30000));
        // ~ChatController at the end of scope: stop, quit, wait; a hang fails by timeout.
    }
};

QTEST_MAIN(TstChatEngine)
#include "tst_chat_engine.moc"
