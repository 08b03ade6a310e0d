// waypoint-cli as a user runs it (QProcess on the built binary, path from
// the WAYPOINT_CLI define): --json keys and the golden greedy ids of
// stories260K, streaming text, --card, --perplexity --json, the interactive
// loop, and bad arguments / bad files: one error line, non-zero exit.
#include <QtTest/QtTest>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringDecoder>
#include <QTemporaryDir>

#include "cli_runner.h"

using namespace cli_runner;

namespace {

const QString kShared = QStringLiteral(WAYPOINT_SHARED_DIR);
const QString kCli = QStringLiteral(WAYPOINT_CLI);  // for the checks that it is there
const QString kModel = kShared + "/models/stories260K/stories260K.bin";


}  // namespace

class TestCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void helpAndVersion();
    void jsonGreedyMatchesGolden();
    void emptyPromptStartsFromBos();
    void textStreamsToStdout();
    void seedMakesItRepeatable();
    void stopString();
    void card();
    void perplexityJson();
    void interactiveLoop();
    void badArguments_data();
    void badArguments();
    void missingCheckpoint();
    void badCheckpointFile();
    void badBytesInErrorsAreEscaped();

private:
    QJsonArray golden_;
    bool have_model_ = false;
};

void TestCli::initTestCase() {
    QVERIFY2(QFile::exists(kCli), qPrintable("no waypoint-cli at " + kCli));
    have_model_ = QFile::exists(kModel);
    QFile f(kShared + "/golden/stories260K_greedy.json");
    if (f.open(QIODevice::ReadOnly)) golden_ = QJsonDocument::fromJson(f.readAll()).object().value("cases").toArray();
}

#define REQUIRE_MODEL() \
    if (!have_model_) QSKIP("../shared/models/stories260K/stories260K.bin is not there")

void TestCli::helpAndVersion() {
    const Result h = cli({"--help"});
    QCOMPARE(h.code, 0);
    for (const char* flag : {"--checkpoint", "--tokenizer", "--prompt", "--max-tokens", "--temperature", "--greedy",
                             "--top-k", "--top-p", "--min-p", "--repeat-penalty", "--seed", "--device", "--threads",
                             "--dtype", "--interactive", "--card", "--perplexity", "--window", "--json", "--stop"})
        QVERIFY2(h.out.contains(flag), flag);
    const Result v = cli({"--version"});
    QCOMPARE(v.code, 0);
    QVERIFY(v.out.startsWith("waypoint-cli "));
}

void TestCli::jsonGreedyMatchesGolden() {
    REQUIRE_MODEL();
    QCOMPARE(golden_.size(), 3);
    for (const auto& c : golden_) {
        const QJsonObject g = c.toObject();
        const QString prompt = g.value("prompt").toString();
        const QList<int> want = ints(g.value("greedy_ids"));
        const Result r = cli({"--checkpoint", kModel, "--prompt", prompt, "--greedy", "--max-tokens",
                              QString::number(want.size()), "--json"});
        QCOMPARE(r.code, 0);
        const QJsonObject o = json_of(r.out);
        for (const char* key : {"prompt_ids", "generated_ids", "text", "stats"}) QVERIFY2(o.contains(key), key);
        QCOMPARE(ints(o.value("prompt_ids")), ints(g.value("prompt_ids")));  // BOS included
        QCOMPARE(ints(o.value("generated_ids")), want);
        QCOMPARE(prompt + o.value("text").toString(), g.value("text").toString());  // continuation only
        const QJsonObject stats = o.value("stats").toObject();
        QCOMPARE(stats.value("new_tokens").toInt(), want.size());
        QCOMPARE(stats.value("prompt_tokens").toInt(), ints(g.value("prompt_ids")).size());
        QCOMPARE(stats.value("finish_reason").toString(), QString("length"));
        for (const char* key : {"time_to_first_token_ms", "decode_tokens_per_s", "prefill_tokens_per_s", "total_ms", "seed"})
            QVERIFY2(stats.contains(key), key);
        QVERIFY(r.out.count('\n') == 1);  // one object, nothing streamed besides it
    }
}

void TestCli::emptyPromptStartsFromBos() {
    REQUIRE_MODEL();
    const Result r = cli({"--checkpoint", kModel, "--prompt", "", "--greedy", "--max-tokens", "12", "--json"});
    QCOMPARE(r.code, 0);
    const QJsonObject o = json_of(r.out);
    QCOMPARE(ints(o.value("prompt_ids")), QList<int>{1});
    QCOMPARE(ints(o.value("generated_ids")), ints(golden_[0].toObject().value("greedy_ids")).mid(0, 12));
    // No --prompt at all: the same.
    const Result none = cli({"--checkpoint", kModel, "--greedy", "--max-tokens", "12", "--json"});
    QCOMPARE(ints(json_of(none.out).value("generated_ids")), ints(o.value("generated_ids")));
}

void TestCli::textStreamsToStdout() {
    REQUIRE_MODEL();
    const Result r = cli({"--checkpoint", kModel, "--prompt", "Once upon a time", "--greedy", "--max-tokens", "20"});
    QCOMPARE(r.code, 0);
    const Result j = cli({"--checkpoint", kModel, "--prompt", "Once upon a time", "--greedy", "--max-tokens", "20", "--json"});
    // The prompt echoed, then the continuation, then a newline.
    QCOMPARE(QString::fromUtf8(r.out), "Once upon a time" + json_of(j.out).value("text").toString() + "\n");
    QVERIFY(r.err.contains("20 new tokens"));  // the stats line
}

void TestCli::seedMakesItRepeatable() {
    REQUIRE_MODEL();
    const QStringList args{"--checkpoint", kModel, "--prompt", "Tom", "--max-tokens", "40", "--json", "--temperature", "1.0"};
    const Result a = cli(args + QStringList{"--seed", "77"}), b = cli(args + QStringList{"--seed", "77"}),
                 c = cli(args + QStringList{"--seed", "78"});
    QCOMPARE(ints(json_of(a.out).value("generated_ids")), ints(json_of(b.out).value("generated_ids")));
    QVERIFY(ints(json_of(a.out).value("generated_ids")) != ints(json_of(c.out).value("generated_ids")));
    QCOMPARE(json_of(a.out).value("stats").toObject().value("seed").toInt(), 77);
    // Without --seed a random one is chosen and reported.
    QVERIFY(json_of(cli(args).out).value("stats").toObject().contains("seed"));
}

void TestCli::stopString() {
    REQUIRE_MODEL();
    const Result r = cli({"--checkpoint", kModel, "--prompt", "Once upon a time", "--greedy", "--max-tokens", "60",
                          "--stop", "XYZ", "--stop", "Lily", "--json"});
    QCOMPARE(r.code, 0);
    const QJsonObject o = json_of(r.out);
    QCOMPARE(o.value("text").toString(), QString(", there was a little girl named "));
    QCOMPARE(o.value("stats").toObject().value("finish_reason").toString(), QString("stop_string"));
}

void TestCli::card() {
    REQUIRE_MODEL();
    const Result j = cli({"--checkpoint", kModel, "--card", "--json"});
    QCOMPARE(j.code, 0);
    const QJsonObject o = json_of(j.out);
    QCOMPARE(o.value("layers").toInt(), 5);
    QCOMPARE(o.value("heads").toInt(), 8);
    QCOMPARE(o.value("kv_heads").toInt(), 4);
    QCOMPARE(o.value("width").toInt(), 64);
    QCOMPARE(o.value("vocabulary").toInt(), 512);
    QCOMPARE(o.value("context").toInt(), 512);
    QCOMPARE(o.value("architecture").toString(), QString("llama"));
    QVERIFY(o.value("parameters").toDouble() > 200000);
    const Result t = cli({"--checkpoint", kModel, "--card"});
    QCOMPARE(t.code, 0);
    QVERIFY(t.out.contains("layers: 5\n"));
    QVERIFY(t.out.contains("vocabulary: 512\n"));
}

void TestCli::perplexityJson() {
    REQUIRE_MODEL();
    QFile g(kShared + "/golden/stories260K_perplexity.json");
    QVERIFY(g.open(QIODevice::ReadOnly));
    const QJsonObject golden = QJsonDocument::fromJson(g.readAll()).object();
    const Result r = cli({"--checkpoint", kModel, "--tokenizer", kShared + "/" + golden.value("tokenizer").toString(),
                          "--perplexity", kShared + "/" + golden.value("text").toString(), "--window",
                          QString::number(golden.value("window").toInt()), "--json"});
    QCOMPARE(r.code, 0);
    const QJsonObject o = json_of(r.out);
    QCOMPARE(o.value("tokens").toInt(), golden.value("tokens").toInt());
    QVERIFY(std::abs(o.value("mean_nll").toDouble() - golden.value("mean_nll_nats").toDouble()) < 1e-3);
    QVERIFY(std::abs(o.value("perplexity").toDouble() - golden.value("perplexity").toDouble()) < 1e-2);
    QCOMPARE(o.value("window").toInt(), golden.value("window").toInt());  // the window used, stated
    // Without --window the default is stated too.
    const Result d = cli({"--checkpoint", kModel, "--tokenizer", kShared + "/" + golden.value("tokenizer").toString(),
                          "--perplexity", kShared + "/text/cs336_tinystories_sample.txt", "--json"});
    QCOMPARE(d.code, 0);
    QVERIFY2(json_of(d.out).value("window").toInt() > 0, d.out.constData());
}

void TestCli::interactiveLoop() {
    REQUIRE_MODEL();
    const Result r = cli({"--checkpoint", kModel, "--interactive"},
                         "/temp 0\n/tokens 8\n/bogus\nOnce upon a time\n/topk 10\n/topp 0.9\n/seed 7\n/card\n/quit\n");
    QCOMPARE(r.code, 0);
    QVERIFY2(r.out.contains("Once upon a time, there was a little girl"), r.out.constData());
    QVERIFY(r.out.contains("tokens 8"));
    QVERIFY(r.out.contains("top-k 10"));
    QVERIFY(r.out.contains("seed 7"));
    QVERIFY(r.out.contains("layers: 5"));
    QVERIFY(r.err.contains("waypoint-cli: error: unknown command '/bogus'"));  // and the loop went on
    // End of input ends the loop too.
    QCOMPARE(cli({"--checkpoint", kModel, "--interactive"}, "/help\n").code, 0);
}

void TestCli::badArguments_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("mentions");
    const QString m = kModel;
    QTest::newRow("unknown option") << QStringList{"--checkpoint", m, "--frobnicate"} << "--frobnicate";
    QTest::newRow("missing value") << QStringList{"--checkpoint", m, "--max-tokens"} << "--max-tokens";
    QTest::newRow("not a number") << QStringList{"--checkpoint", m, "--max-tokens", "many"} << "--max-tokens";
    QTest::newRow("negative tokens") << QStringList{"--checkpoint", m, "--max-tokens", "-3"} << "--max-tokens";
    QTest::newRow("top-p above 1") << QStringList{"--checkpoint", m, "--top-p", "1.5"} << "--top-p";
    QTest::newRow("negative temperature") << QStringList{"--checkpoint", m, "--temperature", "-1"} << "--temperature";
    QTest::newRow("nan temperature") << QStringList{"--checkpoint", m, "--temperature", "nan"} << "--temperature";
    QTest::newRow("zero penalty") << QStringList{"--checkpoint", m, "--repeat-penalty", "0"} << "--repeat-penalty";
    QTest::newRow("bad seed") << QStringList{"--checkpoint", m, "--seed", "-5"} << "--seed";
    QTest::newRow("bad dtype") << QStringList{"--checkpoint", m, "--dtype", "int3"} << "--dtype";
    QTest::newRow("no checkpoint") << QStringList{"--prompt", "hi"} << "--checkpoint";
    QTest::newRow("stray argument") << QStringList{"--checkpoint", m, "hello"} << "hello";
    QTest::newRow("unknown command") << QStringList{"frobnicate"} << "frobnicate";
    QTest::newRow("two modes") << QStringList{"--checkpoint", m, "--card", "--interactive"} << "--card";
    QTest::newRow("window alone") << QStringList{"--checkpoint", m, "--window", "10"} << "--window";
    QTest::newRow("flag with a value") << QStringList{"--checkpoint", m, "--greedy=yes"} << "--greedy";
    QTest::newRow("missing perplexity file")
        << QStringList{"--checkpoint", m, "--perplexity", "/nonexistent/text.txt"} << "/nonexistent/text.txt";
    QTest::newRow("window too big")
        << QStringList{"--checkpoint", m, "--perplexity", kShared + "/text/cs336_tinystories_sample.txt", "--window", "4096"}
        << "window";
    QTest::newRow("no such device") << QStringList{"--checkpoint", m, "--device", "tpu"} << "tpu";
}

void TestCli::badArguments() {
    QFETCH(QStringList, args);
    QFETCH(QString, mentions);
    if (QString(QTest::currentDataTag()) == "window too big" && !have_model_)
        QSKIP("needs the model (its context decides the largest window)");
    const Result r = cli(args);
    QVERIFY2(one_error_line(r), qPrintable(QString("exit %1, stderr: %2").arg(r.code).arg(QString::fromUtf8(r.err))));
    QVERIFY2(r.err.contains(mentions.toUtf8()), r.err.constData());
    QVERIFY(!r.err.contains("Exception raised from"));  // no torch backtrace
}

void TestCli::missingCheckpoint() {
    const Result r = cli({"--checkpoint", "/nonexistent/model.bin", "--prompt", "hi"});
    QVERIFY2(one_error_line(r), r.err.constData());
    QVERIFY(r.err.contains("/nonexistent/model.bin"));
    QVERIFY(r.out.isEmpty());
}

void TestCli::badCheckpointFile() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // Garbage that is no known format.
    QFile junk(dir.filePath("junk.bin"));
    QVERIFY(junk.open(QIODevice::WriteOnly));
    junk.write(QByteArray(4096, 'x'));
    junk.close();
    Result r = cli({"--checkpoint", junk.fileName(), "--prompt", "hi"});
    QVERIFY2(one_error_line(r), r.err.constData());
    // A truncated copy of a real llama2.c checkpoint (with its tokenizer).
    if (have_model_) {
        QFile src(kModel);
        QVERIFY(src.open(QIODevice::ReadOnly));
        QFile cut(dir.filePath("cut.bin"));
        QVERIFY(cut.open(QIODevice::WriteOnly));
        cut.write(src.read(src.size() / 2));
        cut.close();
        r = cli({"--checkpoint", cut.fileName(), "--tokenizer", kShared + "/models/stories260K/tok512.model", "--prompt", "hi"});
        QVERIFY2(one_error_line(r), r.err.constData());
        // A real checkpoint without a tokenizer beside it.
        QVERIFY(QFile::copy(kModel, dir.filePath("alone.bin")));
        r = cli({"--checkpoint", dir.filePath("alone.bin"), "--prompt", "hi"});
        QVERIFY2(one_error_line(r), r.err.constData());
        QVERIFY(r.err.contains("tokenizer"));
    }
}

// A pickle whose class name holds bytes that are not UTF-8 (a mutated copy of
// bad/os_system.pt): the message quotes the name, escaped, and stderr stays
// valid UTF-8.
void TestCli::badBytesInErrorsAreEscaped() {
    QFile src(QStringLiteral(WAYPOINT_SOURCE_DIR) + "/tests/data/pytorch/bad/os_system.pt");
    QVERIFY(src.open(QIODevice::ReadOnly));
    QByteArray bytes = src.readAll();
    const qsizetype at = bytes.indexOf("\nsystem\n");
    QVERIFY(at > 0);
    bytes.replace(at + 1, 3, QByteArray("\xff\xfe\x01", 3));  // "system" -> "\xff\xfe\x01tem"
    QTemporaryDir dir;
    QFile bad(dir.filePath("mutated.pt"));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write(bytes);
    bad.close();
    const Result r = cli({"--checkpoint", bad.fileName(), "--prompt", "hi"});
    QVERIFY2(one_error_line(r), r.err.constData());
    QStringDecoder utf8(QStringDecoder::Utf8);
    const QString text = utf8(r.err);
    QVERIFY2(!utf8.hasError() && !text.contains(QChar::ReplacementCharacter), r.err.toHex().constData());
    QVERIFY2(r.err.contains("\\xff\\xfe\\x01tem"), r.err.constData());
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
