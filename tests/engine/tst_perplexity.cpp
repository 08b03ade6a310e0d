// evaluate_perplexity against ../shared/golden/stories260K_perplexity.json:
// stories260K on the TinyStories head, window 255, [BOS] + window per
// window; plus the window limits, progress and cancelling.
#include <QtTest/QtTest>

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

#include "waypoint/error.h"
#include "waypoint/perplexity.h"

using namespace waypoint;

namespace {
const QString kShared = QStringLiteral(WAYPOINT_SHARED_DIR);
}

class TestPerplexity : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void reproducesTheGoldenMeanNll();
    void windowMustFitTheContext();
    void progressCountsEveryScoredId();
    void stopFlagCancels();

private:
    std::shared_ptr<const Model> model_;
    std::string text_;
    QJsonObject golden_;
};

void TestPerplexity::initTestCase() {
    QFile g(kShared + "/golden/stories260K_perplexity.json");
    QFile t(kShared + "/text/tinystories_train_head_Niklas6.txt");
    if (!g.open(QIODevice::ReadOnly) || !t.open(QIODevice::ReadOnly))
        QSKIP("../shared golden perplexity data is not there");
    golden_ = QJsonDocument::fromJson(g.readAll()).object();
    text_ = t.readAll().toStdString();
    LoadOptions load;
    load.checkpoint = (kShared + "/" + golden_.value("model").toString()).toStdString();
    load.tokenizer = (kShared + "/" + golden_.value("tokenizer").toString()).toStdString();
    load.device = "cpu";
    model_ = Model::load(load);
}

void TestPerplexity::reproducesTheGoldenMeanNll() {
    const int window = golden_.value("window").toInt();
    QCOMPARE(window, 255);
    const PerplexityResult r = evaluate_perplexity(model_, text_, window);
    qInfo("tokens %ld, mean NLL %.6f (golden %.5f), perplexity %.4f", r.tokens, r.mean_nll,
          golden_.value("mean_nll_nats").toDouble(), r.perplexity);
    QCOMPARE(r.tokens, long(golden_.value("tokens").toInt()));
    QVERIFY(std::abs(r.mean_nll - golden_.value("mean_nll_nats").toDouble()) < 1e-3);
    QVERIFY(std::abs(r.perplexity - golden_.value("perplexity").toDouble()) < 1e-2);
    QVERIFY(!r.cancelled);
}

void TestPerplexity::windowMustFitTheContext() {
    const std::string text = text_.substr(0, 500);
    const int context = model_->context_length();
    QVERIFY_THROWS_EXCEPTION(Error, evaluate_perplexity(model_, text, context));  // + BOS > context
    QVERIFY_THROWS_EXCEPTION(Error, evaluate_perplexity(model_, text, 0));
    QVERIFY_THROWS_EXCEPTION(Error, evaluate_perplexity(model_, "", 64));  // nothing to score
    const auto r = evaluate_perplexity(model_, text, context - 1);  // the largest that fits
    QVERIFY(r.tokens > 0 && std::isfinite(r.mean_nll));
}

void TestPerplexity::progressCountsEveryScoredId() {
    const std::string text = text_.substr(0, 3000);
    std::vector<std::pair<long, long>> calls;
    const auto r = evaluate_perplexity(model_, text, 100, [&](long done, long total) { calls.push_back({done, total}); });
    const long ids = long(model_->tokenizer().encode(text, false).size());
    QCOMPARE(r.tokens, ids);  // with BOS every id is scored
    QCOMPARE(long(calls.size()), (ids + 99) / 100);
    for (size_t i = 0; i < calls.size(); ++i) {
        QCOMPARE(calls[i].second, ids);
        QCOMPARE(calls[i].first, std::min(ids, long(i + 1) * 100));
    }
    // Windows of 1 id: each predicted from BOS alone, a valid (worse) score.
    const auto one = evaluate_perplexity(model_, text_.substr(0, 200), 1);
    QVERIFY(one.mean_nll > r.mean_nll);
}

void TestPerplexity::stopFlagCancels() {
    std::atomic<bool> stop{false};
    int windows = 0;
    const auto r = evaluate_perplexity(
        model_, text_.substr(0, 5000), 50,
        [&](long, long) {
            if (++windows == 2) stop.store(true);
        },
        &stop);
    QVERIFY(r.cancelled);
    QCOMPARE(windows, 2);
    QCOMPARE(r.tokens, 100L);
    QVERIFY(std::isfinite(r.mean_nll) && r.mean_nll > 0);
}

QTEST_GUILESS_MAIN(TestPerplexity)
#include "tst_perplexity.moc"
