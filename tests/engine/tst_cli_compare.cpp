// `waypoint-cli compare` and `--perplexity` with several checkpoints, as a
// user runs them (QProcess on the built binary, path from the WAYPOINT_CLI
// define): the --json keys, one checkpoint twice with one seed answering
// alike, different checkpoints parting, the text report, multi-checkpoint
// perplexity equal to single runs, and bad arguments: one error line,
// non-zero exit.
#include <QtTest/QtTest>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "cli_runner.h"

using namespace cli_runner;

namespace {

const QString kShared = QStringLiteral(WAYPOINT_SHARED_DIR);
const QString kCli = QStringLiteral(WAYPOINT_CLI);  // for the checks that it is there
const QString kStories = kShared + "/models/stories260K/stories260K.bin";
const QString kDreams = kShared + "/models/aidreams260K/aidreams260K.bin";
const QString kDemo = QStringLiteral(WAYPOINT_SOURCE_DIR) + "/resources/demo";
const QString kEarly = kDemo + "/arith-step000500";
const QString kFinal = kDemo + "/arith-step004000";
const QString kText = kShared + "/text/cs336_tinystories_sample.txt";


bool have(const QString& path) { return QFile::exists(path); }

}  // namespace

class TestCliCompare : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void help();
    void jsonHasTheKeys();
    void sameCheckpointTwiceSameSeed();
    void randomSeedIsSharedAndReported();
    void differentCheckpointsDiffer();
    void demoCheckpointsDiffer();
    void textReport();
    void perplexitySeveralEqualsSingleRuns();
    void badArguments_data();
    void badArguments();
};

void TestCliCompare::initTestCase() { QVERIFY2(QFile::exists(kCli), qPrintable("no waypoint-cli at " + kCli)); }

#define REQUIRE(path) \
    if (!have(path)) QSKIP(qPrintable(path + " is not there"))

void TestCliCompare::help() {
    const Result h = cli({"compare", "--help"});
    QCOMPARE(h.code, 0);
    for (const char* flag : {"--checkpoint", "--tokenizer", "--prompt", "--seed", "--json", "--max-tokens",
                             "--temperature", "--greedy", "--top-k", "--top-p", "--min-p", "--repeat-penalty",
                             "--stop", "--device", "--dtype", "--threads"})
        QVERIFY2(h.out.contains(flag), flag);
    QVERIFY(cli({"--help"}).out.contains("compare"));  // the main help points to it
}

void TestCliCompare::jsonHasTheKeys() {
    REQUIRE(kStories);
    const Result r = cli({"compare", "--checkpoint", kStories, "--checkpoint", kStories, "--prompt", "Once upon a time",
                          "--greedy", "--max-tokens", "16", "--json"});
    QCOMPARE(r.code, 0);
    QCOMPARE(r.out.count('\n'), 1);  // one object, nothing streamed besides it
    const QJsonObject o = json_of(r.out);
    QVERIFY(o.contains("panes"));
    QVERIFY(o.contains("first_divergence"));
    const QJsonArray panes = o.value("panes").toArray();
    QCOMPARE(panes.size(), 2);
    for (const auto& p : panes) {
        const QJsonObject pane = p.toObject();
        for (const char* key : {"checkpoint", "generated_ids", "text", "stats", "sampling", "prompt_ids"})
            QVERIFY2(pane.contains(key), key);
        QCOMPARE(pane.value("checkpoint").toString(), kStories);
        QCOMPARE(ints(pane.value("generated_ids")).size(), 16);
        const QJsonObject stats = pane.value("stats").toObject();
        for (const char* key : {"prompt_tokens", "new_tokens", "time_to_first_token_ms", "decode_tokens_per_s",
                                "total_ms", "finish_reason", "seed"})
            QVERIFY2(stats.contains(key), key);
        QCOMPARE(stats.value("new_tokens").toInt(), 16);
    }
    // The golden greedy start of stories260K on this prompt.
    QVERIFY(panes[0].toObject().value("text").toString().startsWith(", there was a little girl"));
    QCOMPARE(o.value("first_divergence").toArray().size(), 2);
}

void TestCliCompare::sameCheckpointTwiceSameSeed() {
    REQUIRE(kStories);
    const Result r = cli({"compare", "--checkpoint", kStories, "--checkpoint", kStories, "--prompt", "Tom",
                          "--temperature", "1.0", "--seed", "77", "--max-tokens", "40", "--json"});
    QCOMPARE(r.code, 0);
    const QJsonObject o = json_of(r.out);
    const QJsonArray panes = o.value("panes").toArray();
    QCOMPARE(panes.size(), 2);
    const QList<int> a = ints(panes[0].toObject().value("generated_ids"));
    QVERIFY(!a.isEmpty());
    QCOMPARE(ints(panes[1].toObject().value("generated_ids")), a);
    QCOMPARE(panes[1].toObject().value("text"), panes[0].toObject().value("text"));
    QCOMPARE(ints(o.value("first_divergence")), (QList<int>{-1, -1}));
    QCOMPARE(panes[0].toObject().value("stats").toObject().value("seed").toInt(), 77);
    // The same as the default command with that seed.
    const Result single = cli({"--checkpoint", kStories, "--prompt", "Tom", "--temperature", "1.0", "--seed", "77",
                               "--max-tokens", "40", "--json"});
    QCOMPARE(ints(json_of(single.out).value("generated_ids")), a);
}

void TestCliCompare::randomSeedIsSharedAndReported() {
    REQUIRE(kStories);
    const Result r = cli({"compare", "--checkpoint", kStories, "--checkpoint", kStories, "--checkpoint", kStories,
                          "--prompt", "Tom", "--temperature", "1.0", "--max-tokens", "30", "--json"});
    QCOMPARE(r.code, 0);
    const QJsonArray panes = json_of(r.out).value("panes").toArray();
    QCOMPARE(panes.size(), 3);
    const QJsonValue seed = panes[0].toObject().value("stats").toObject().value("seed");
    QVERIFY(seed.isDouble());
    for (const auto& p : panes) {
        QCOMPARE(p.toObject().value("stats").toObject().value("seed"), seed);
        QCOMPARE(p.toObject().value("sampling").toObject().value("seed"), seed);
        QCOMPARE(ints(p.toObject().value("generated_ids")), ints(panes[0].toObject().value("generated_ids")));
    }
    QCOMPARE(ints(json_of(r.out).value("first_divergence")), (QList<int>{-1, -1, -1}));
}

void TestCliCompare::differentCheckpointsDiffer() {
    REQUIRE(kStories);
    REQUIRE(kDreams);
    const QStringList common{"--prompt", "Once upon a time", "--greedy", "--max-tokens", "30", "--json"};
    const Result r = cli(QStringList{"compare", "--checkpoint", kStories, "--checkpoint", kDreams} + common);
    QCOMPARE(r.code, 0);
    const QJsonObject o = json_of(r.out);
    const QJsonArray panes = o.value("panes").toArray();
    QCOMPARE(panes.size(), 2);
    const QList<int> s = ints(panes[0].toObject().value("generated_ids"));
    const QList<int> d = ints(panes[1].toObject().value("generated_ids"));
    QVERIFY(s != d);
    // The divergence index is where the id lists part.
    int want = -1;
    for (int i = 0; i < std::min(s.size(), d.size()) && want < 0; ++i)
        if (s[i] != d[i]) want = i;
    if (want < 0) want = std::min(s.size(), d.size());
    QCOMPARE(ints(o.value("first_divergence")), (QList<int>{-1, want}));
    // Each pane equals its checkpoint run alone.
    QCOMPARE(ints(json_of(cli(QStringList{"--checkpoint", kStories} + common).out).value("generated_ids")), s);
    QCOMPARE(ints(json_of(cli(QStringList{"--checkpoint", kDreams} + common).out).value("generated_ids")), d);
}

void TestCliCompare::demoCheckpointsDiffer() {
    REQUIRE(kEarly);
    REQUIRE(kFinal);
    const Result r = cli({"compare", "--checkpoint", kEarly, "--checkpoint", kFinal, "--prompt", "123+456=", "--greedy",
                          "--max-tokens", "8", "--json"});
    QCOMPARE(r.code, 0);
    const QJsonObject o = json_of(r.out);
    const QJsonArray panes = o.value("panes").toArray();
    QCOMPARE(panes.size(), 2);
    QVERIFY(panes[1].toObject().value("text").toString().startsWith("579"));  // the final one adds up
    QVERIFY(ints(panes[0].toObject().value("generated_ids")) != ints(panes[1].toObject().value("generated_ids")));
    const QJsonArray d = o.value("first_divergence").toArray();
    QCOMPARE(d[0].toInt(), -1);
    QVERIFY(d[1].toInt() >= 0);
}

void TestCliCompare::textReport() {
    REQUIRE(kStories);
    REQUIRE(kDreams);
    const Result r = cli({"compare", "--checkpoint", kStories, "--checkpoint", kDreams, "--checkpoint", kStories,
                          "--prompt", "Once upon a time", "--greedy", "--max-tokens", "12"});
    QCOMPARE(r.code, 0);
    const QString out = QString::fromUtf8(r.out);
    QVERIFY2(out.contains("== pane 1: " + kStories + " =="), r.out.constData());
    QVERIFY(out.contains("== pane 2: " + kDreams + " =="));
    QVERIFY(out.contains("== pane 3: " + kStories + " =="));
    QVERIFY(out.contains("Once upon a time, there was a little girl"));  // the prompt and the answer
    QCOMPARE(out.count("12 new tokens"), 3);                          // a stats line per pane
    QVERIFY(out.contains("first divergence from pane 1: token "));    // pane 2
    QVERIFY(out.contains("first divergence from pane 1: none (identical)"));  // pane 3
    // Counted from 1 in text: the JSON's index (from 0) plus one.
    const Result j = cli({"compare", "--checkpoint", kStories, "--checkpoint", kDreams, "--prompt", "Once upon a time",
                          "--greedy", "--max-tokens", "12", "--json"});
    const int index = json_of(j.out).value("first_divergence").toArray()[1].toInt();
    QVERIFY(index >= 0);
    QVERIFY2(out.contains(QStringLiteral("first divergence from pane 1: token %1\n").arg(index + 1)), r.out.constData());
}

void TestCliCompare::perplexitySeveralEqualsSingleRuns() {
    REQUIRE(kStories);
    REQUIRE(kDreams);
    REQUIRE(kText);
    const QStringList tail{"--perplexity", kText, "--window", "100", "--json"};
    const Result multi = cli(QStringList{"--checkpoint", kStories, "--checkpoint", kDreams, "--checkpoint", kStories} + tail);
    QCOMPARE(multi.code, 0);
    const QJsonObject o = json_of(multi.out);
    QCOMPARE(o.value("window").toInt(), 100);
    const QJsonArray results = o.value("results").toArray();
    QCOMPARE(results.size(), 3);
    const QStringList paths{kStories, kDreams, kStories};
    for (int i = 0; i < 3; ++i) {
        const QJsonObject r = results[i].toObject();
        for (const char* key : {"checkpoint", "tokens", "mean_nll", "perplexity"}) QVERIFY2(r.contains(key), key);
        QCOMPARE(r.value("checkpoint").toString(), paths[i]);
        // One checkpoint: the output it always had (no "results").
        const Result single = cli(QStringList{"--checkpoint", paths[i]} + tail);
        QCOMPARE(single.code, 0);
        const QJsonObject s = json_of(single.out);
        QVERIFY(!s.contains("results"));
        QCOMPARE(r.value("tokens").toInt(), s.value("tokens").toInt());
        QVERIFY(r.value("tokens").toInt() > 100);
        QCOMPARE(r.value("mean_nll").toDouble(), s.value("mean_nll").toDouble());
        QCOMPARE(r.value("perplexity").toDouble(), s.value("perplexity").toDouble());
    }
    QVERIFY(results[0].toObject().value("mean_nll") != results[1].toObject().value("mean_nll"));
    // Per-checkpoint tokenizers pair up in order.
    const Result paired = cli(QStringList{"--checkpoint", kStories, "--tokenizer", kShared + "/models/stories260K/tok512.bin",
                                          "--checkpoint", kDreams, "--tokenizer", kShared + "/models/aidreams260K/tok512.bin"} +
                              tail);
    QCOMPARE(paired.code, 0);
    const QJsonArray pr = json_of(paired.out).value("results").toArray();
    QCOMPARE(pr.size(), 2);
    QCOMPARE(pr[1].toObject().value("mean_nll").toDouble(), results[1].toObject().value("mean_nll").toDouble());
}

void TestCliCompare::badArguments_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("mentions");
    const QString m = kStories;
    QTest::newRow("one checkpoint") << QStringList{"compare", "--checkpoint", m, "--prompt", "hi"} << "--checkpoint";
    QTest::newRow("no checkpoint") << QStringList{"compare", "--prompt", "hi"} << "--checkpoint";
    QTest::newRow("unknown option") << QStringList{"compare", "--checkpoint", m, "--checkpoint", m, "--frob"} << "--frob";
    QTest::newRow("bad seed") << QStringList{"compare", "--checkpoint", m, "--checkpoint", m, "--seed", "x"} << "--seed";
    QTest::newRow("bad top-p") << QStringList{"compare", "--checkpoint", m, "--checkpoint", m, "--top-p", "2"} << "--top-p";
    QTest::newRow("stray argument") << QStringList{"compare", "--checkpoint", m, "--checkpoint", m, "extra"} << "extra";
    QTest::newRow("tokenizer count")
        << QStringList{"compare", "--checkpoint", m, "--checkpoint", m, "--checkpoint", m, "--tokenizer", "a",
                       "--tokenizer", "b"}
        << "--tokenizer";
    QTest::newRow("missing checkpoint")
        << QStringList{"compare", "--checkpoint", m, "--checkpoint", "/nonexistent/b.bin", "--prompt", "hi"}
        << "/nonexistent/b.bin";
    QTest::newRow("several checkpoints without --perplexity")
        << QStringList{"--checkpoint", m, "--checkpoint", m, "--prompt", "hi"} << "compare";
    QTest::newRow("several checkpoints, missing text")
        << QStringList{"--checkpoint", m, "--checkpoint", m, "--perplexity", "/nonexistent/t.txt"} << "/nonexistent/t.txt";
    QTest::newRow("window too big for one")
        << QStringList{"--checkpoint", m, "--checkpoint", kDreams, "--perplexity", kText, "--window", "300"} << "window";
}

void TestCliCompare::badArguments() {
    QFETCH(QStringList, args);
    QFETCH(QString, mentions);
    const QString tag = QTest::currentDataTag();
    if ((tag == "missing checkpoint" || tag == "window too big for one") && (!have(kStories) || !have(kDreams)))
        QSKIP("needs the models (a load or a context decides it)");
    const Result r = cli(args);
    QVERIFY2(one_error_line(r), qPrintable(QString("exit %1, stderr: %2").arg(r.code).arg(QString::fromUtf8(r.err))));
    QVERIFY2(r.err.contains(mentions.toUtf8()), r.err.constData());
    QVERIFY(!r.err.contains("Exception raised from"));
    QVERIFY(r.out.isEmpty());  // checked (and loaded) before anything is printed
}

QTEST_GUILESS_MAIN(TestCliCompare)
#include "tst_cli_compare.moc"
