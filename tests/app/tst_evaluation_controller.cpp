// EvaluationController over the real engine: results equal waypoint-cli
// --perplexity and the engine function for the same text and window, and the
// golden stories260K perplexity; the demo's loss falls with the training step
// on resources/demo/heldout.txt; cancel marks results cancelled and the
// thread ends; a missing text and a broken checkpoint give messages naming
// the file while the other checkpoints still run; the results model passes
// QAbstractItemModelTester. Over the fake backend (tests/support): rows,
// progress and cancel follow the worker step by step, and a checkpoint a
// chat already holds is not loaded again.
#include <QAbstractItemModelTester>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <atomic>

#include "chat/chat_controller.h"
#include "evaluate/evaluation_controller.h"
#include "fake_backend.h"
#include "cli_runner.h"
#include "sanitizer_slowdown.h"
#include "waypoint/model.h"
#include "waypoint/perplexity.h"

using namespace waypoint::app;
using namespace waypoint::app::test;

namespace {
const QString kShared = QStringLiteral(WAYPOINT_SHARED_DIR);
const QString kBin = kShared + QStringLiteral("/models/stories260K/stories260K.bin");
const QString kStories = kShared + QStringLiteral("/text/tinystories_train_head_Niklas6.txt");
const QString kGolden = kShared + QStringLiteral("/golden/stories260K_perplexity.json");
const QString kDemo = QStringLiteral(WAYPOINT_SOURCE_DIR "/resources/demo");
const QString kCli = QStringLiteral(WAYPOINT_BINARY_DIR "/cli/waypoint-cli");
constexpr int kRunTimeoutMs = 240000 * test_support::sanitizer_slowdown();

QByteArray readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Starts a run and waits for its end.
bool runToEnd(EvaluationController& c) {
    QSignalSpy done(&c, &EvaluationController::finished);
    if (!c.start()) return false;
    return done.wait(kRunTimeoutMs) && !c.running();
}

QString rowState(EvaluationController& c, int row) {
    return c.results()->rowAt(row).state();
}
}  // namespace

class TstEvaluationController : public QObject {
    Q_OBJECT
    QTemporaryDir tmp;
    QString shortText;  // the first ~6 KB of the TinyStories text

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(tmp.isValid());
        if (!QFileInfo::exists(kBin) || !QFileInfo::exists(kStories))
            QSKIP("../shared/models/stories260K or ../shared/text is not there (WAYPOINT_SHARED_DIR)");
        shortText = tmp.filePath(QStringLiteral("short.txt"));
        QFile f(shortText);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(readAll(kStories).left(6000));
    }

    // The fake: every row gets the card's name, step and validation loss and
    // the fake's numbers; the default window is 255 (the fake's context is 512).
    void fakeBackendFillsEveryRow() {
        EvaluationController c(makeFakeBackend({5, 1, 1, "broken"}));
        c.setCheckpoints({QStringLiteral("/m/a"), QStringLiteral("/m/broken"), QStringLiteral("/m/b")});
        c.setTextPath(shortText);
        QAbstractItemModelTester tester(c.results(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy progress(&c, &EvaluationController::progressChanged);
        QVERIFY(runToEnd(c));
        QCOMPARE(c.usedWindow(), 255);
        QCOMPARE(c.progress(), 1.0);
        QVERIFY(progress.count() >= 2);  // moved before it reached the end
        for (int row : {0, 2}) {
            const EvaluationRowValue r = c.results()->rowAt(row);
            const std::string path = c.checkpoints().at(row).toStdString();
            QCOMPARE(r.state(), QStringLiteral("done"));
            QCOMPARE(r.name(), QFileInfo(c.checkpoints().at(row)).fileName());
            QVERIFY(r.valid() && r.hasStep());
            QCOMPARE(r.step(), qint64(4000));
            QCOMPARE(r.validationLoss(), 1.25);
            QCOMPARE(r.tokens(), QFileInfo(shortText).size());
            QCOMPARE(r.meanNll(), fakeMeanNll(path));
            QCOMPARE(r.window(), 255);
        }
        QCOMPARE(rowState(c, 1), QStringLiteral("failed"));
        QVERIFY(c.results()->rowAt(1).message().contains(QStringLiteral("/m/broken")));
        QVERIFY(!c.results()->rowAt(1).hasResult());
        QVERIFY(!c.results()->rowAt(3).valid());  // past the end: an invalid value, no crash
        QCOMPARE(c.resultsForExport().size(), size_t(2));
    }

    // Cancel with the fake (a window of 8 bytes every 5 ms): the first row
    // stops part-way with its numbers so far, the second never runs.
    void fakeBackendCancelStopsBetweenWindows() {
        EvaluationController c(makeFakeBackend({5, 5, 1, "broken"}));
        c.setCheckpoints({QStringLiteral("/m/a"), QStringLiteral("/m/b")});
        c.setTextPath(shortText);
        c.setWindow(8);
        QSignalSpy done(&c, &EvaluationController::finished);
        QVERIFY(c.start());
        QVERIFY(QTest::qWaitFor([&] { return c.results()->rowAt(0).progress() > 0; }, 10000));
        c.cancel();
        QVERIFY(done.wait(10000));
        QVERIFY(c.cancelled());
        const qint64 tokens = c.results()->rowAt(0).tokens();
        QCOMPARE(rowState(c, 0), QStringLiteral("cancelled"));
        QVERIFY(tokens > 0);
        QVERIFY(tokens < QFileInfo(shortText).size());
        QCOMPARE(tokens % 8, 0);  // whole windows only
        QCOMPARE(rowState(c, 1), QStringLiteral("cancelled"));
        QCOMPARE(c.resultsForExport().size(), size_t(1));
    }

    // One backend for the chat (or a compare pane) and the evaluation: the
    // checkpoint the chat holds is evaluated on the same loaded model.
    void sharesTheModelAChatHolds() {
        auto counting = std::make_shared<CountingBackend>(makeFakeBackend({5, 1, 1, "broken"}));
        const auto shared = makeSharingBackend(counting);
        ChatController chat(shared);
        chat.load(QStringLiteral("/m/a"));
        QVERIFY(QTest::qWaitFor([&] { return chat.modelLoaded() && !chat.loading(); }, 10000));
        QCOMPARE(counting->loads.load(), 1);
        EvaluationController c(shared);
        c.setCheckpoints({QStringLiteral("/m/a"), QStringLiteral("/m/b")});
        c.setTextPath(shortText);
        QVERIFY(runToEnd(c));
        QCOMPARE(rowState(c, 0), QStringLiteral("done"));
        QCOMPARE(rowState(c, 1), QStringLiteral("done"));
        QCOMPARE(counting->loads.load(), 2);  // only /m/b was loaded for the evaluation
    }

    void defaults() {
        EvaluationController c;
        QCOMPARE(c.window(), 0);  // the CLI's default rule
        QCOMPARE(c.device(), QStringLiteral("auto"));
        QVERIFY(!c.running());
        QVERIFY(!c.start());  // no checkpoints: nothing runs
        QVERIFY(!c.running());
    }

    void fileUrlsAccepted() {
        EvaluationController c;
        c.setTextPath(QUrl::fromLocalFile(shortText).toString());
        QCOMPARE(c.textPath(), shortText);
        c.setCheckpoints({QUrl::fromLocalFile(kBin).toString()});
        QCOMPARE(c.checkpoints(), QStringList{kBin});
    }

    void equalsEngineAndCli() {
        EvaluationController c;
        c.setDevice(QStringLiteral("cpu"));
        c.setCheckpoints({kBin});
        c.setTextPath(shortText);
        c.setWindow(64);
        QVERIFY(runToEnd(c));
        QCOMPARE(rowState(c, 0), QStringLiteral("done"));
        QCOMPARE(c.usedWindow(), 64);
        QCOMPARE(c.progress(), 1.0);
        const std::vector<waypoint::EvaluationResult> exported = c.resultsForExport();
        QCOMPARE(exported.size(), size_t(1));
        const waypoint::EvaluationResult& r = exported[0];
        QCOMPARE(QString::fromStdString(r.checkpoint), kBin);
        QCOMPARE(r.model, std::string("stories260K"));
        QCOMPARE(r.window, 64);
        QCOMPARE(r.result.cancelled, false);

        // The engine function directly, same text and window.
        waypoint::LoadOptions o;
        o.checkpoint = kBin.toStdString();
        o.device = "cpu";
        const QByteArray text = readAll(shortText);
        const auto direct = waypoint::evaluate_perplexity(waypoint::Model::load(o),
                                                          std::string(text.constData(), size_t(text.size())), 64);
        QCOMPARE(r.result.tokens, direct.tokens);
        QCOMPARE(r.result.mean_nll, direct.mean_nll);
        QCOMPARE(r.result.perplexity, direct.perplexity);

        // And the CLI, as a user would run it.
        if (!QFileInfo(kCli).isExecutable()) QSKIP("waypoint-cli is not built in this build tree (target waypoint-cli)");
#ifdef CLI_RUNNER_CANNOT_START_PROCESSES
        QSKIP("ThreadSanitizer build: starting waypoint-cli aborts clang-14's TSan runtime (cli_runner.h)");
#endif
        const auto run = cli_runner::cli(
            {QStringLiteral("--checkpoint"), kBin, QStringLiteral("--device"), QStringLiteral("cpu"),
                   QStringLiteral("--perplexity"), shortText, QStringLiteral("--window"), QStringLiteral("64"),
                   QStringLiteral("--json")},
            {}, kRunTimeoutMs);
        QCOMPARE(run.code, 0);
        const QJsonObject j = cli_runner::json_of(run.out);
        QCOMPARE(qint64(j.value(QStringLiteral("tokens")).toDouble()), qint64(r.result.tokens));
        // The CLI prints JSON doubles with round-trip precision.
        QVERIFY(qAbs(j.value(QStringLiteral("mean_nll")).toDouble() - r.result.mean_nll) < 1e-12);
        QVERIFY(qAbs(j.value(QStringLiteral("perplexity")).toDouble() - r.result.perplexity) < 1e-9);
    }

    void sameCheckpointTwiceGetsTheSameNumbers() {
        EvaluationController c;
        c.setDevice(QStringLiteral("cpu"));
        c.setCheckpoints({kBin, QString(), kBin});  // the empty entry: a pane with no checkpoint yet
        QCOMPARE(c.checkpoints().size(), 2);
        c.setTextPath(shortText);
        QVERIFY(runToEnd(c));
        const EvaluationRowValue a = c.results()->rowAt(0), b = c.results()->rowAt(1);
        QCOMPARE(b.state(), QStringLiteral("done"));
        QCOMPARE(b.name(), QStringLiteral("stories260K"));
        QCOMPARE(b.tokens(), a.tokens());
        QCOMPARE(b.meanNll(), a.meanNll());
        QCOMPARE(c.resultsForExport().size(), size_t(2));
    }

    void goldenStories260K() {
        const QJsonObject g = QJsonDocument::fromJson(readAll(kGolden)).object();
        QVERIFY(!g.isEmpty());
        EvaluationController c;
        c.setDevice(QStringLiteral("cpu"));
        c.setCheckpoints({kShared + QLatin1Char('/') + g.value(QStringLiteral("model")).toString()});
        c.setTextPath(kShared + QLatin1Char('/') + g.value(QStringLiteral("text")).toString());
        // Window 0: the CLI's default, which is the golden's 255 for this context.
        QElapsedTimer clock;
        clock.start();
        QVERIFY(runToEnd(c));
        qInfo("stories260K on the golden text: %lld ms (load + evaluate, measured, not asserted)", clock.elapsed());
        QCOMPARE(rowState(c, 0), QStringLiteral("done"));
        QCOMPARE(c.usedWindow(), g.value(QStringLiteral("window")).toInt());
        const EvaluationRowValue r = c.results()->rowAt(0);
        QCOMPARE(r.tokens(), qint64(g.value(QStringLiteral("tokens")).toDouble()));
        QVERIFY2(qAbs(r.meanNll() - g.value(QStringLiteral("mean_nll_nats")).toDouble()) < 1e-3,
                 qPrintable(QString::number(r.meanNll(), 'f', 6)));
        QVERIFY(qAbs(r.perplexity() - g.value(QStringLiteral("perplexity")).toDouble()) < 1e-2);
    }

    void demoLossFallsWithStep() {
        const QStringList steps{kDemo + QStringLiteral("/arith-step000500"), kDemo + QStringLiteral("/arith-step002000"),
                                kDemo + QStringLiteral("/arith-step004000")};
        EvaluationController c;
        c.setDevice(QStringLiteral("cpu"));
        c.setCheckpoints(steps);
        c.setTextPath(kDemo + QStringLiteral("/heldout.txt"));
        // Every line of heldout.txt is 12 ids: window 12 scores BOS + one
        // whole problem, as trained (tools/demo/heldout_text.py says why).
        c.setWindow(12);
        QAbstractItemModelTester tester(c.results(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(runToEnd(c));
        QCOMPARE(c.usedWindow(), 12);
        QCOMPARE(c.results()->count(), 3);
        const qint64 expectedSteps[] = {500, 2000, 4000};
        double previous = 1e9;
        for (int i = 0; i < 3; ++i) {
            const EvaluationRowValue r = c.results()->rowAt(i);
            QCOMPARE(r.state(), QStringLiteral("done"));
            QCOMPARE(r.step(), expectedSteps[i]);
            QVERIFY(r.hasValidationLoss());
            const double loss = r.meanNll();
            qInfo("step %lld: mean loss %.4f, perplexity %.3f over %lld tokens", expectedSteps[i], loss,
                  r.perplexity(), r.tokens());
            QVERIFY2(loss < previous, "the loss on held-out problems should fall with the training step");
            previous = loss;
        }
        QCOMPARE(c.resultsForExport().size(), size_t(3));
        QCOMPARE(c.resultsForExport()[0].window, 12);
        QCOMPARE(c.resultsForExport()[2].training_step.value_or(-1), int64_t(4000));
    }

    void cancelMarksCancelledAndThreadEnds() {
        auto c = std::make_unique<EvaluationController>();
        c->setDevice(QStringLiteral("cpu"));
        c->setCheckpoints({kBin, kBin});
        c->setTextPath(kStories);
        c->setWindow(8);  // many short windows: the cancel lands mid-text
        QSignalSpy done(c.get(), &EvaluationController::finished);
        std::atomic<int> threadEnded{0};
        QVERIFY(c->start());
        QVERIFY(c->running());
        QVERIFY(QTest::qWaitFor([&] { return c->results()->rowAt(0).progress() > 0; },
                                kRunTimeoutMs));
        QElapsedTimer clock;
        clock.start();
        c->cancel();
        QVERIFY(done.wait(kRunTimeoutMs));
        qInfo("cancel -> finished: %lld ms (measured, not asserted)", clock.elapsed());
        QVERIFY(!c->running());
        QVERIFY(c->cancelled());
        const EvaluationRowValue first = c->results()->rowAt(0);
        QCOMPARE(first.state(), QStringLiteral("cancelled"));
        QVERIFY(first.tokens() > 0);
        QVERIFY(first.tokens() < 100702);  // stopped part-way
        QCOMPARE(rowState(*c, 1), QStringLiteral("cancelled"));  // never ran
        const std::vector<waypoint::EvaluationResult> exported = c->resultsForExport();
        QCOMPARE(exported.size(), size_t(1));
        QCOMPARE(exported[0].result.cancelled, true);
        QVERIFY(c->progress() < 1.0);

        // The worker thread is the controller's; deleting it joins the thread.
        // Counted with an atomic made before the thread started, not a
        // QSignalSpy made now: `finished` is emitted on the worker thread,
        // and the spy's own setup would be ordered with it only through
        // Qt's event-loop wake-up, which ThreadSanitizer does not see.
        QThread* thread = c->findChild<QThread*>();
        QVERIFY(thread);
        QVERIFY(thread->isRunning());
        connect(thread, &QThread::finished, thread, [&threadEnded] { threadEnded.fetch_add(1); }, Qt::DirectConnection);
        c.reset();
        QCOMPARE(threadEnded.load(), 1);
    }

    void destroyWhileRunningJoins() {
        auto c = std::make_unique<EvaluationController>();
        c->setDevice(QStringLiteral("cpu"));
        c->setCheckpoints({kBin});
        c->setTextPath(kStories);
        c->setWindow(8);
        QVERIFY(c->start());
        QVERIFY(QTest::qWaitFor([&] { return c->progress() > 0; }, kRunTimeoutMs));
        QThread* thread = c->findChild<QThread*>();
        QVERIFY(thread);
        QSignalSpy threadEnded(thread, &QThread::finished);
        c.reset();  // cancels, quits and joins
        QCOMPARE(threadEnded.count(), 1);
    }

    void missingTextNamesTheFile() {
        EvaluationController c;
        c.setCheckpoints({kBin});
        const QString missing = tmp.filePath(QStringLiteral("no-such-text.txt"));
        c.setTextPath(missing);
        QVERIFY(runToEnd(c));
        QVERIFY2(c.error().contains(missing), qPrintable(c.error()));
        QCOMPARE(rowState(c, 0), QStringLiteral("failed"));
        QVERIFY(c.resultsForExport().empty());
        // A run that works afterwards clears the message.
        c.setTextPath(shortText);
        c.setWindow(64);
        QVERIFY(runToEnd(c));
        QVERIFY(c.error().isEmpty());
        QCOMPARE(rowState(c, 0), QStringLiteral("done"));
    }

    void emptyTextIsAnError() {
        const QString empty = tmp.filePath(QStringLiteral("empty.txt"));
        QFile f(empty);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        EvaluationController c;
        c.setCheckpoints({kBin});
        c.setTextPath(empty);
        QVERIFY(runToEnd(c));
        QVERIFY2(c.error().contains(empty) && c.error().contains(QStringLiteral("empty")), qPrintable(c.error()));
    }

    void brokenCheckpointFailsOthersRun() {
        const QString broken = tmp.filePath(QStringLiteral("broken.bin"));
        QFile f(broken);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(100, 'x'));
        f.close();
        EvaluationController c;
        c.setDevice(QStringLiteral("cpu"));
        c.setCheckpoints({broken, kBin});
        c.setTextPath(shortText);
        QAbstractItemModelTester tester(c.results(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(runToEnd(c));
        const EvaluationRowValue bad = c.results()->rowAt(0);
        QCOMPARE(bad.state(), QStringLiteral("failed"));
        QVERIFY2(bad.message().contains(broken),
                 qPrintable(bad.message()));
        QCOMPARE(rowState(c, 1), QStringLiteral("done"));
        QCOMPARE(c.usedWindow(), 255);  // the default over the checkpoint that loaded
        QCOMPARE(c.resultsForExport().size(), size_t(1));
        QCOMPARE(c.progress(), 1.0);
        QVERIFY(c.error().isEmpty());
    }

    void defaultWindowFitsTheSmallestContext() {
        EvaluationController c;
        c.setDevice(QStringLiteral("cpu"));
        c.setCheckpoints({kDemo + QStringLiteral("/arith-step000500"), kBin});
        c.setTextPath(kDemo + QStringLiteral("/heldout.txt"));
        QVERIFY(runToEnd(c));
        QCOMPARE(c.usedWindow(), 63);  // min(255, context 64 - 1 for BOS), as waypoint-cli
        QCOMPARE(rowState(c, 0), QStringLiteral("done"));
        QCOMPARE(rowState(c, 1), QStringLiteral("done"));
    }

    void windowTooLargeFailsThatCheckpoint() {
        EvaluationController c;
        c.setDevice(QStringLiteral("cpu"));
        c.setCheckpoints({kDemo + QStringLiteral("/arith-step000500"), kBin});
        c.setTextPath(shortText);
        c.setWindow(200);  // fits stories260K (context 512), not the demo (64)
        QVERIFY(runToEnd(c));
        QCOMPARE(rowState(c, 0), QStringLiteral("failed"));
        QVERIFY(c.results()->rowAt(0).message().contains(QStringLiteral("at most 63")));
        QCOMPARE(rowState(c, 1), QStringLiteral("done"));
    }

    void startWhileRunningIsRefused() {
        EvaluationController c;
        c.setDevice(QStringLiteral("cpu"));
        c.setCheckpoints({kBin});
        c.setTextPath(kStories);
        c.setWindow(8);
        QSignalSpy done(&c, &EvaluationController::finished);
        QVERIFY(c.start());
        QVERIFY(!c.start());
        c.cancel();
        QVERIFY(done.wait(kRunTimeoutMs));
        QCOMPARE(done.count(), 1);
    }
};

QTEST_GUILESS_MAIN(TstEvaluationController)
#include "tst_evaluation_controller.moc"
