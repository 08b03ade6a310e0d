// CompareController: panes over one shared backend, one prompt to
// all, Stop for all, divergence, layout in QSettings, export. The fake
// backend where timing matters; the demo arithmetic checkpoints for real
// answers (same seed -> same text; early vs final step -> a divergence).
#include <QAbstractItemModelTester>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>
#include <unistd.h>

#include "backend/inference_backend.h"
#include "compare/compare_controller.h"
#include "compare/compare_divergence.h"
#include "fake_backend.h"
#include "waypoint/compare.h"
#include "waypoint/report.h"

using namespace waypoint::app;
using namespace waypoint::app::test;

namespace {
const QString kDemo = QStringLiteral(WAYPOINT_SOURCE_DIR "/resources/demo");
int tokensIn(const QString& text) { return int(text.split(u' ', Qt::SkipEmptyParts).size()); }

bool allLoaded(const CompareController& c) {
    if (c.loading()) return false;
    for (int i = 0; i < c.rowCount(); ++i)
        if (!c.paneAt(i)->chat()->modelLoaded()) return false;
    return true;
}
bool waitLoaded(const CompareController& c, int ms = 60000) { return QTest::qWaitFor([&] { return allLoaded(c); }, ms); }
bool waitDone(const CompareController& c, int ms = 60000) { return QTest::qWaitFor([&] { return !c.generating(); }, ms); }
}  // namespace

class TstCompareController : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QCoreApplication::setOrganizationName(QStringLiteral("waypoint-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_compare_controller"));
    }
    void init() { QSettings().clear(); }

    void divergenceOnConstructedCases() {
        // By token ids; the offset is where token 2 starts in B's text.
        Divergence d = findDivergence({5, 6, 7, 8}, QStringLiteral("abcd"), {5, 6, 9, 8}, {0, 1, 3, 4},
                                      QStringLiteral("abbxd"));
        QVERIFY(d.byTokens);
        QCOMPARE(d.index, 2);
        QCOMPARE(d.offset, 3);
        QCOMPARE(divergenceLabel(d, 1), QStringLiteral("differs from pane 1 at token 3"));  // counted from 1
        // Identical ids.
        d = findDivergence({1, 2}, QStringLiteral("ab"), {1, 2}, {0, 1}, QStringLiteral("ab"));
        QCOMPARE(d.index, -1);
        QCOMPARE(d.offset, -1);
        QCOMPARE(divergenceLabel(d, 1), QStringLiteral("same as pane 1"));
        // One a prefix of the other: the shorter length (first_divergence's rule).
        d = findDivergence({1, 2, 3}, QStringLiteral("abc"), {1, 2}, {0, 1}, QStringLiteral("ab"));
        QCOMPARE(d.index, 2);
        QCOMPARE(d.offset, 2);
        QCOMPARE(d.index, waypoint::first_divergence({1, 2, 3}, {1, 2}));
        // No ids: by characters.
        d = findDivergence({}, QStringLiteral("579\n"), {}, {}, QStringLiteral("589\n"));
        QVERIFY(!d.byTokens);
        QCOMPARE(d.index, 1);
        QCOMPARE(d.offset, 1);
        QCOMPARE(divergenceLabel(d, 1), QStringLiteral("differs from pane 1 at character 2"));
        d = findDivergence({}, QStringLiteral("same"), {}, {}, QStringLiteral("same"));
        QCOMPARE(d.index, -1);
    }

    void addRemoveMove() {
        CompareController c(makeFakeBackend({5, 1, 1, "broken"}));
        QAbstractItemModelTester tester(&c, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy count(&c, &CompareController::countChanged);
        QCOMPARE(c.addPane(QStringLiteral("/m/a")), 0);
        QCOMPARE(c.addPane(QStringLiteral("/m/b")), 1);
        QCOMPARE(c.addPane(QStringLiteral("/m/c")), 2);
        QCOMPARE(c.addPane(), 3);  // on the last pane's checkpoint
        QCOMPARE(c.paneAt(3)->checkpoint(), QStringLiteral("/m/c"));
        QCOMPARE(c.addPane(QStringLiteral("/m/e")), -1);  // at most 4
        QVERIFY(!c.lastError().isEmpty());
        QCOMPARE(c.rowCount(), 4);
        QCOMPARE(count.count(), 4);
        QVERIFY(c.movePane(0, 2));
        QCOMPARE(c.checkpoints(), (QStringList{"/m/b", "/m/c", "/m/a", "/m/c"}));
        QVERIFY(c.movePane(3, 0));
        QCOMPARE(c.checkpoints(), (QStringList{"/m/c", "/m/b", "/m/c", "/m/a"}));
        QVERIFY(!c.movePane(0, 4));
        QVERIFY(c.removePane(1));
        QCOMPARE(c.checkpoints(), (QStringList{"/m/c", "/m/c", "/m/a"}));
        QCOMPARE(c.data(c.index(2), CompareController::CheckpointRole).toString(), QStringLiteral("/m/a"));
        QVERIFY(!c.removePane(5));
        QVERIFY(waitLoaded(c));
    }

    void sameCheckpointSameSeedIdenticalAndShared() {
        const QString ckpt = kDemo + QStringLiteral("/arith-step002000");
        auto counting = std::make_shared<CountingBackend>(makeEngineBackend());
        CompareController c(counting);
        c.setSameSeed(true);
        c.addPane(ckpt);
        QVERIFY(waitLoaded(c));
        c.addPane(ckpt);
        QVERIFY(waitLoaded(c));
        QCOMPARE(counting->loads.load(), 1);  // the second pane got the first pane's weights
        for (int i = 0; i < 2; ++i) {  // sampled (not greedy): only the shared seed makes them equal
            c.paneAt(i)->sampling()->setTemperature(1.0);
            c.paneAt(i)->sampling()->setTopK(0);
            c.paneAt(i)->sampling()->setRandomSeed(true);
            c.paneAt(i)->sampling()->setMaxNewTokens(24);
        }
        QSignalSpy finished(&c, &CompareController::allFinished);
        QVERIFY(c.send(QStringLiteral("12+34=")));
        QVERIFY(finished.wait(60000));
        const QString a = c.paneAt(0)->answer(), b = c.paneAt(1)->answer();
        QVERIFY(!a.isEmpty());
        QCOMPARE(b, a);
        QCOMPARE(c.paneAt(1)->lastUsed().sampling.seed, c.paneAt(0)->lastUsed().sampling.seed);
        QCOMPARE(c.paneAt(1)->divergence(), -1);
        QVERIFY2(c.paneAt(1)->divergenceLabel().startsWith(QStringLiteral("same as pane 1")),
                 qPrintable(c.paneAt(1)->divergenceLabel()));
        // Without the shared seed, the two panes draw different seeds: not compared.
        c.setSameSeed(false);
        QVERIFY(c.send(QStringLiteral("12+34=")));
        QVERIFY(finished.wait(60000));
        QVERIFY(c.paneAt(1)->lastUsed().sampling.seed != c.paneAt(0)->lastUsed().sampling.seed);
        QVERIFY2(c.paneAt(1)->divergenceLabel().startsWith(QStringLiteral("not compared")),
                 qPrintable(c.paneAt(1)->divergenceLabel()));
    }

    void differentCheckpointsGreedyDivergence() {
        CompareController c(makeEngineBackend());
        c.openCheckpoints({kDemo + QStringLiteral("/arith-step000500"), kDemo + QStringLiteral("/arith-step004000")});
        QCOMPARE(c.rowCount(), 2);
        QVERIFY(waitLoaded(c));
        for (int i = 0; i < 2; ++i) {
            c.paneAt(i)->sampling()->setTemperature(0.0);
            c.paneAt(i)->sampling()->setMaxNewTokens(12);
        }
        // The first problem on which the early and final steps answer
        // differently (the early model is wrong on some sums).
        QSignalSpy finished(&c, &CompareController::allFinished);
        const QStringList prompts{"123+456=", "987-654=", "555+555=", "909+191=", "321-987=", "19+803=", "600-7="};
        QString a, b, used;
        for (const QString& p : prompts) {
            QVERIFY(c.send(p));
            QVERIFY(finished.wait(60000));
            a = c.paneAt(0)->answer();
            b = c.paneAt(1)->answer();
            QVERIFY(!a.isEmpty() && !b.isEmpty());
            QCOMPARE(c.paneAt(0)->chat()->lastFinish().isEmpty(), false);
            QCOMPARE(c.paneAt(1)->chat()->lastFinish().isEmpty(), false);
            if (a != b) { used = p; break; }
            QCOMPARE(c.paneAt(1)->divergence(), -1);
        }
        QVERIFY2(!used.isEmpty(), "the early and final demo steps agreed on every tried sum: no divergence to check");
        const ComparePane* p2 = c.paneAt(1);
        QVERIFY(p2->divergence() >= 0);
        QVERIFY2(p2->divergenceLabel().startsWith(QStringLiteral("differs from pane 1 at ")), qPrintable(p2->divergenceLabel()));
        // The highlight starts where the texts part.
        int common = 0;
        while (common < a.size() && common < b.size() && a[common] == b[common]) ++common;
        QVERIFY(p2->divergenceOffset() <= common);
        QVERIFY(b.left(p2->divergenceOffset()) == a.left(p2->divergenceOffset()));
        // By token ids (MessageModel's tokens), and the highlight starts at that token.
        const std::vector<int> ia = c.paneAt(0)->tokenIds(), ib = p2->tokenIds();
        QVERIFY(!ia.empty() && !ib.empty());
        QCOMPARE(p2->divergence(), waypoint::first_divergence(ia, ib));
        QVERIFY2(p2->divergenceLabel() == QStringLiteral("differs from pane 1 at token %1").arg(p2->divergence() + 1),
                 qPrintable(p2->divergenceLabel()));
        QCOMPARE(p2->divergenceOffset(), p2->tokenStarts().value(p2->divergence()));
        qInfo("%s pane 1 %s | pane 2 %s | %s", qPrintable(used), qPrintable(a.simplified()), qPrintable(b.simplified()),
              qPrintable(p2->divergenceLabel()));
    }

    void panesStreamConcurrently() {
        CompareController c(makeFakeBackend({30, 20, 5, "broken"}));
        c.openCheckpoints({QStringLiteral("/m/a"), QStringLiteral("/m/b"), QStringLiteral("/m/c")});
        QVERIFY(waitLoaded(c));
        // Both partial at once: every pane has some tokens while every pane still runs.
        bool overlapped = false;
        QTimer probe;
        connect(&probe, &QTimer::timeout, this, [&] {
            bool all = true;
            for (int i = 0; i < 3; ++i) {
                const int n = tokensIn(c.paneAt(i)->answer());
                all = all && c.paneAt(i)->chat()->generating() && n > 0 && n < 30;
            }
            overlapped = overlapped || all;
        });
        probe.start(5);
        QVERIFY(c.send(QStringLiteral("go")));
        QVERIFY(c.generating());
        QVERIFY(waitDone(c, 10000));
        probe.stop();
        QVERIFY(overlapped);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(tokensIn(c.paneAt(i)->answer()), 30);
            QCOMPARE(c.paneAt(i)->chat()->lastFinish(), QStringLiteral("length"));
            QCOMPARE(c.paneAt(i)->chat()->lastNewTokens(), 30);
        }
    }

    void stopAllStopsEveryPaneWithinAToken() {
        auto counting = std::make_shared<TokenCountingBackend>(makeFakeBackend({1000, 25, 5, "broken"}));
        CompareController c(counting);
        c.openCheckpoints({QStringLiteral("/m/0"), QStringLiteral("/m/1"), QStringLiteral("/m/2")});
        QVERIFY(waitLoaded(c));
        for (int i = 0; i < 3; ++i) c.paneAt(i)->sampling()->setMaxNewTokens(4096);
        QVERIFY(c.send(QStringLiteral("go")));
        QVERIFY(QTest::qWaitFor([&] {
            for (int i = 0; i < 3; ++i) if (tokensIn(c.paneAt(i)->answer()) < 3) return false;
            return true;
        }, 5000));
        QSignalSpy finished(&c, &CompareController::allFinished);
        int seen[3];  // produced by each worker when Stop is pressed
        for (int i = 0; i < 3; ++i) seen[i] = counting->produced[i].load();
        c.stop();
        QVERIFY(!c.generating());
        QCOMPARE(finished.count(), 1);
        // Each worker reports its stopped run; none computed more than one token past Stop.
        QVERIFY(QTest::qWaitFor([&] {
            for (int i = 0; i < 3; ++i) if (c.paneAt(i)->chat()->lastFinish() != QLatin1String("stopped")) return false;
            return true;
        }, 3000));
        for (int i = 0; i < 3; ++i)
            QVERIFY2(c.paneAt(i)->chat()->lastNewTokens() <= seen[i] + 1,
                     qPrintable(QStringLiteral("pane %1: seen %2, generated %3").arg(i).arg(seen[i]).arg(c.paneAt(i)->chat()->lastNewTokens())));
    }

    void linkedSettingsFollowAndStayOutOfTheChat() {
        CompareController c(makeFakeBackend({5, 1, 1, "broken"}));
        c.openCheckpoints({QStringLiteral("/m/a"), QStringLiteral("/m/b")});
        QVERIFY(waitLoaded(c));
        c.paneAt(1)->sampling()->setTemperature(1.3);
        QVERIFY(qAbs(c.paneAt(0)->sampling()->temperature() - 1.3) > 0.01);  // not linked yet
        c.setLinked(true);
        QCOMPARE(c.paneAt(1)->sampling()->temperature(), c.paneAt(0)->sampling()->temperature());
        c.paneAt(0)->sampling()->setTopK(7);
        c.paneAt(1)->sampling()->setTemperature(0.25);
        QCOMPARE(c.paneAt(1)->sampling()->topK(), 7);
        QVERIFY(qAbs(c.paneAt(0)->sampling()->temperature() - 0.25) < 1e-6);
        // The chat's own settings (no scope) never saw any of it.
        SamplingSettings chat;
        QVERIFY(!chat.stored(QStringLiteral("temperature")).isValid());
        QVERIFY(!chat.stored(QStringLiteral("topK")).isValid());
        QCOMPARE(chat.topK(), waypoint::SamplingParams{}.top_k);
    }

    void layoutRestoredFromSettings() {
        int uid1 = 0;
        {
            CompareController c(makeFakeBackend({5, 1, 1, "broken"}));
            c.openCheckpoints({QStringLiteral("/m/a"), QStringLiteral("/m/b"), QStringLiteral("/m/c")});
            QVERIFY(waitLoaded(c));
            c.paneAt(1)->sampling()->setTemperature(0.35);
            c.paneAt(1)->sampling()->setRandomSeed(false);
            c.paneAt(1)->sampling()->setSeedText(QStringLiteral("1234"));
            c.setSameSeed(false);
            QVERIFY(c.movePane(1, 0));  // b, a, c
            c.setCheckpoint(2, QStringLiteral("/m/d"));
            uid1 = c.paneAt(0)->uid();
        }
        CompareController c(makeFakeBackend({5, 1, 1, "broken"}));
        QSignalSpy reset(&c, &QAbstractItemModel::modelReset);
        c.restoreLayout({QStringLiteral("/unused")});
        QCOMPARE(c.checkpoints(), (QStringList{"/m/b", "/m/a", "/m/d"}));
        QCOMPARE(c.paneAt(0)->uid(), uid1);
        QVERIFY(qAbs(c.paneAt(0)->sampling()->temperature() - 0.35) < 1e-6);
        QCOMPARE(c.paneAt(0)->sampling()->randomSeed(), false);
        QCOMPARE(c.paneAt(0)->sampling()->seedText(), QStringLiteral("1234"));
        QVERIFY(qAbs(c.paneAt(1)->sampling()->temperature() - 0.35) > 0.01);
        QCOMPARE(c.sameSeed(), false);
        QCOMPARE(c.linked(), false);
        QVERIFY(waitLoaded(c));
        QCOMPARE(c.paneAt(2)->chat()->checkpointPath(), QStringLiteral("/m/d"));
        // A new pane gets a fresh scope: not pane 1's settings.
        const int row = c.addPane(QStringLiteral("/m/e"));
        QVERIFY(c.paneAt(row)->uid() != uid1);
        QVERIFY(qAbs(c.paneAt(row)->sampling()->temperature() - 0.35) > 0.01);
        // No layout stored: the fallback.
        QSettings().clear();
        CompareController fresh(makeFakeBackend({5, 1, 1, "broken"}));
        fresh.restoreLayout({QStringLiteral("/m/x"), QStringLiteral("/m/y")});
        QCOMPARE(fresh.checkpoints(), (QStringList{"/m/x", "/m/y"}));
        QVERIFY(waitLoaded(fresh));
        QVERIFY(waitLoaded(c));
    }

    // Every stat of a pane's run reaches the export unchanged: JSON parses
    // back to the run's GenerationStats, Markdown prints its total time.
    void exportCarriesTheRunsStats() {
        CompareController c(makeFakeBackend({6, 2, 1, "broken"}));
        c.openCheckpoints({QStringLiteral("/m/a"), QStringLiteral("/m/b")});
        QVERIFY(waitLoaded(c));
        QSignalSpy finished(&c, &CompareController::allFinished);
        QVERIFY(c.send(QStringLiteral("go")));
        QVERIFY(finished.wait(10000));
        const waypoint::Comparison back = waypoint::comparison_from_json(c.toJson().toStdString());
        QCOMPARE(int(back.panes.size()), 2);
        const QString md = c.toMarkdown();
        for (int i = 0; i < 2; ++i) {
            const waypoint::GenerationStats& run = c.paneAt(i)->chat()->lastStats();
            QVERIFY(run.total_ms > 0);
            QVERIFY(run.prefill_tokens_per_s > 0);
            const waypoint::GenerationStats& out = back.panes[size_t(i)].stats;
            QCOMPARE(out.total_ms, run.total_ms);
            QCOMPARE(out.prefill_tokens_per_s, run.prefill_tokens_per_s);
            QCOMPARE(out.time_to_first_token_ms, run.time_to_first_token_ms);
            QCOMPARE(out.decode_tokens_per_s, run.decode_tokens_per_s);
            QCOMPARE(out.prompt_tokens, run.prompt_tokens);
            QCOMPARE(out.new_tokens, run.new_tokens);
            QCOMPARE(out.finish, run.finish);
            const QString total = QString::number(run.total_ms, 'f', 1) + QStringLiteral(" ms total");
            QVERIFY2(md.contains(total), qPrintable(total));
        }
        QVERIFY(!md.contains(QStringLiteral(" 0.0 ms total")));
    }

    // The evaluation's results reach the export as the controller holds
    // them: every field of every row (the fake's card gives step 4000 and
    // validation loss 1.25), in JSON that reads back and in the Markdown table.
    void exportCarriesEveryEvaluationField() {
        CompareController c(makeFakeBackend({4, 1, 1, "broken"}));
        c.openCheckpoints({QStringLiteral("/m/a"), QStringLiteral("/m/b")});
        QVERIFY(waitLoaded(c));
        QSignalSpy finished(&c, &CompareController::allFinished);
        QVERIFY(c.send(QStringLiteral("go")));
        QVERIFY(finished.wait(10000));

        QTemporaryDir dir;
        const QString text = dir.filePath(QStringLiteral("heldout.txt"));
        QFile f(text);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(300, 'x'));
        f.close();
        EvaluationController evaluation(makeFakeBackend({4, 1, 1, "broken"}));
        evaluation.setCheckpoints(c.checkpoints());
        evaluation.setTextPath(text);
        evaluation.setWindow(64);
        QSignalSpy done(&evaluation, &EvaluationController::finished);
        QVERIFY(evaluation.start());
        QVERIFY(done.wait(10000));
        const std::vector<waypoint::EvaluationResult> held = evaluation.resultsForExport();
        QCOMPARE(held.size(), size_t(2));

        const waypoint::Comparison back = waypoint::comparison_from_json(c.toJson(&evaluation).toStdString());
        QCOMPARE(QString::fromStdString(back.evaluation_text), text);
        QCOMPARE(back.evaluations.size(), held.size());
        for (size_t i = 0; i < held.size(); ++i) {
            const waypoint::EvaluationResult& e = held[i];
            const waypoint::EvaluationResult& out = back.evaluations[i];
            // What the fake produced, so that a default value cannot pass for it.
            QCOMPARE(QString::fromStdString(e.checkpoint), c.checkpoints().at(int(i)));
            QCOMPARE(e.window, 64);
            QCOMPARE(e.result.tokens, 300L);
            QCOMPARE(e.result.mean_nll, fakeMeanNll(e.checkpoint));
            QVERIFY(e.result.perplexity > 1);
            QCOMPARE(e.training_step.value_or(-1), int64_t(4000));
            QCOMPARE(e.validation_loss.value_or(-1), 1.25);
            // ... and every field of it came through.
            QCOMPARE(out.checkpoint, e.checkpoint);
            QCOMPARE(out.model, e.model);
            QVERIFY(!out.model.empty());
            QCOMPARE(out.window, e.window);
            QCOMPARE(out.result.tokens, e.result.tokens);
            QCOMPARE(out.result.mean_nll, e.result.mean_nll);
            QCOMPARE(out.result.perplexity, e.result.perplexity);
            QCOMPARE(out.result.cancelled, e.result.cancelled);
            QCOMPARE(out.training_step, e.training_step);
            QCOMPARE(out.validation_loss, e.validation_loss);
        }
        const QString md = c.toMarkdown(&evaluation);
        QVERIFY(md.contains(QStringLiteral("| step | validation loss |")));
        QVERIFY2(md.contains(QStringLiteral(" | 4000 | 1.2500 |")), qPrintable(md));
        QVERIFY(md.contains(QStringLiteral("Text: `") + text));
        // The file the view writes holds them too.
        QCOMPARE(c.exportTo(dir.filePath(QStringLiteral("c.json")), &evaluation), QString());
        QFile js(dir.filePath(QStringLiteral("c.json")));
        QVERIFY(js.open(QIODevice::ReadOnly));
        QCOMPARE(waypoint::comparison_from_json(js.readAll().toStdString()).evaluations.size(), held.size());
    }

    void exportParsesBack() {
        CompareController c(makeEngineBackend());
        c.openCheckpoints({kDemo + QStringLiteral("/arith-step000500"), kDemo + QStringLiteral("/arith-step004000")});
        QVERIFY(waitLoaded(c));
        for (int i = 0; i < 2; ++i) {
            c.paneAt(i)->sampling()->setTemperature(0.0);
            c.paneAt(i)->sampling()->setMaxNewTokens(10);
        }
        QCOMPARE(c.exportTo(QStringLiteral("/tmp/never.json")).isEmpty(), false);  // nothing sent yet
        QSignalSpy finished(&c, &CompareController::allFinished);
        QVERIFY(c.send(QStringLiteral("123+456=")));
        QVERIFY(finished.wait(60000));
        const waypoint::Comparison back = waypoint::comparison_from_json(c.toJson().toStdString());
        QCOMPARE(QString::fromStdString(back.prompt), QStringLiteral("123+456="));
        QCOMPARE(int(back.panes.size()), 2);
        for (int i = 0; i < 2; ++i) {
            QCOMPARE(QString::fromStdString(back.panes[i].checkpoint), c.paneAt(i)->checkpoint());
            QCOMPARE(QString::fromStdString(back.panes[i].text), c.paneAt(i)->answer());
            QCOMPARE(back.panes[i].stats.new_tokens, c.paneAt(i)->chat()->lastNewTokens());
            QVERIFY(back.panes[i].stats.prompt_tokens > 0);
            QCOMPARE(back.panes[i].stats.prompt_tokens, c.paneAt(i)->chat()->lastPromptTokens());
            QVERIFY(back.panes[i].sampling.greedy());
            QCOMPARE(back.panes[i].max_new_tokens, 10);
            QCOMPARE(QString::fromStdString(back.panes[i].model), c.paneAt(i)->chat()->modelName());
            QCOMPARE(back.panes[i].generated_ids, c.paneAt(i)->tokenIds());
            QVERIFY(!back.panes[i].generated_ids.empty());
            // The run's own timings, as the engine measured them.
            const waypoint::GenerationStats& run = c.paneAt(i)->chat()->lastStats();
            QVERIFY(run.total_ms > 0);
            QCOMPARE(back.panes[i].stats.total_ms, run.total_ms);
            QCOMPARE(back.panes[i].stats.prefill_tokens_per_s, run.prefill_tokens_per_s);
            QCOMPARE(back.panes[i].stats.time_to_first_token_ms, run.time_to_first_token_ms);
            QCOMPARE(back.panes[i].stats.decode_tokens_per_s, run.decode_tokens_per_s);
        }
        // The exported divergence is the one the pane shows (step 500 answers 123+456= wrongly).
        const QJsonArray div = QJsonDocument::fromJson(c.toJson().toUtf8()).object().value(QStringLiteral("first_divergence")).toArray();
        QCOMPARE(div.size(), 2);
        QVERIFY(c.paneAt(1)->divergence() >= 0);
        QCOMPARE(div.at(1).toInt(-99), c.paneAt(1)->divergence());
        QVERIFY(back.evaluations.empty());  // no evaluation given
        // Files: Markdown by suffix, JSON otherwise; a clear message when it cannot write.
        QTemporaryDir dir;
        QCOMPARE(c.exportTo(QUrl::fromLocalFile(dir.filePath(QStringLiteral("c.md"))).toString()), QString());
        QFile md(dir.filePath(QStringLiteral("c.md")));
        QVERIFY(md.open(QIODevice::ReadOnly));
        const QString mdText = QString::fromUtf8(md.readAll());
        QVERIFY(mdText.startsWith(QStringLiteral("# Comparison")));
        QVERIFY(mdText.contains(QStringLiteral("123+456=")));
        QCOMPARE(c.exportTo(dir.filePath(QStringLiteral("c.json"))), QString());
        QFile js(dir.filePath(QStringLiteral("c.json")));
        QVERIFY(js.open(QIODevice::ReadOnly));
        QCOMPARE(int(waypoint::comparison_from_json(js.readAll().toStdString()).panes.size()), 2);
        // An export replaces the previous file whole (a temporary file renamed
        // over it): a hard link to the previous file still holds the previous
        // bytes, and no temporary file is left beside it.
        const QByteArray previous = QByteArray(100000, 'x');
        {
            QFile p(dir.filePath(QStringLiteral("c.json")));
            QVERIFY(p.open(QIODevice::WriteOnly | QIODevice::Truncate));
            p.write(previous);
        }
        QCOMPARE(::link(QFile::encodeName(dir.filePath(QStringLiteral("c.json"))).constData(),
                        QFile::encodeName(dir.filePath(QStringLiteral("previous.json"))).constData()), 0);
        QCOMPARE(c.exportTo(dir.filePath(QStringLiteral("c.json"))), QString());
        QFile kept(dir.filePath(QStringLiteral("previous.json")));
        QVERIFY(kept.open(QIODevice::ReadOnly));
        QCOMPARE(kept.readAll(), previous);
        QFile replaced(dir.filePath(QStringLiteral("c.json")));
        QVERIFY(replaced.open(QIODevice::ReadOnly));
        QCOMPARE(int(waypoint::comparison_from_json(replaced.readAll().toStdString()).panes.size()), 2);
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden, QDir::Name),
                 QStringList({QStringLiteral("c.json"), QStringLiteral("c.md"), QStringLiteral("previous.json")}));
        const QString err = c.exportTo(QStringLiteral("/nonexistent-dir/x.json"));
        QVERIFY(err.contains(QStringLiteral("/nonexistent-dir/x.json")));
        QCOMPARE(c.lastError(), err);
    }
};

QTEST_MAIN(TstCompareController)
#include "tst_compare_controller.moc"
