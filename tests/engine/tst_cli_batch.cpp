// `waypoint-cli --prompts-file FILE` as a user runs it: one JSON object per
// non-empty line in file order (--json), each equal to what `--prompt LINE`
// alone answers with the same options (greedy and seeded, any --parallel),
// plain text otherwise, and clear errors for a missing or empty file and for
// options that do not go with it.
#include <QtTest/QtTest>

#include <QFile>
#include <QTemporaryDir>

#include "cli_runner.h"

using namespace cli_runner;

namespace {

const QString kShared = QStringLiteral(WAYPOINT_SHARED_DIR);
const QString kModel = kShared + "/models/stories260K/stories260K.bin";

// Lines of stdout as JSON objects.
QList<QJsonObject> json_lines(const QByteArray& out) {
    QList<QJsonObject> objs;
    for (const QByteArray& line : out.split('\n'))
        if (!line.isEmpty()) objs.append(json_of(line));
    return objs;
}

}  // namespace

class TestCliBatch : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void jsonLinesEqualEachPromptAlone_data();
    void jsonLinesEqualEachPromptAlone();
    void plainText();
    void badInput();

private:
    QTemporaryDir dir_;
    QString file_;
    const QStringList prompts_ = {"Once upon a time", "The little dog", "Lily and Ben were friends. One day they",
                                  "Tom"};
};

void TestCliBatch::initTestCase() {
    if (!QFile::exists(kModel)) QSKIP("../shared/models/stories260K/stories260K.bin is not there");
    QVERIFY(dir_.isValid());
    file_ = dir_.filePath("prompts.txt");
    QFile f(file_);
    QVERIFY(f.open(QIODevice::WriteOnly));
    // An empty line (skipped) and Windows line ends on one line.
    f.write(prompts_[0].toUtf8() + "\n" + prompts_[1].toUtf8() + "\r\n\n" + prompts_[2].toUtf8() + "\n" +
            prompts_[3].toUtf8());
}

void TestCliBatch::jsonLinesEqualEachPromptAlone_data() {
    QTest::addColumn<QStringList>("sampling");
    QTest::newRow("greedy, all at once") << QStringList{"--greedy", "--max-tokens", "40"};
    QTest::newRow("greedy, 2 at once") << QStringList{"--greedy", "--max-tokens", "40", "--parallel", "2"};
    QTest::newRow("seeded, stop string")
        << QStringList{"--temperature", "0.9", "--seed", "42", "--max-tokens", "60", "--stop", "."};
}

void TestCliBatch::jsonLinesEqualEachPromptAlone() {
    QFETCH(QStringList, sampling);
    const Result r = cli(QStringList{"--checkpoint", kModel, "--prompts-file", file_, "--json"} + sampling);
    QVERIFY2(r.code == 0, r.err.constData());
    const QList<QJsonObject> objs = json_lines(r.out);
    QCOMPARE(objs.size(), prompts_.size());
    const int lines[] = {1, 2, 4, 5};
    QStringList alone_opts = sampling;
    const int p = alone_opts.indexOf("--parallel");
    if (p >= 0) alone_opts.remove(p, 2);
    for (int i = 0; i < prompts_.size(); ++i) {
        const QJsonObject& o = objs[i];
        QCOMPARE(o.value("line").toInt(), lines[i]);
        QCOMPARE(o.value("prompt").toString(), prompts_[i]);
        for (const char* key : {"prompt_ids", "text", "generated_ids", "stats"}) QVERIFY2(o.contains(key), key);
        QVERIFY(o.value("stats").toObject().contains("finish_reason"));
        const Result a = cli(QStringList{"--checkpoint", kModel, "--prompt", prompts_[i], "--json"} + alone_opts);
        QCOMPARE(a.code, 0);
        const QJsonObject want = json_of(a.out);
        QCOMPARE(ints(o.value("generated_ids")), ints(want.value("generated_ids")));
        QCOMPARE(o.value("text").toString(), want.value("text").toString());
        QCOMPARE(ints(o.value("prompt_ids")), ints(want.value("prompt_ids")));
        QCOMPARE(o.value("stats").toObject().value("finish_reason"), want.value("stats").toObject().value("finish_reason"));
    }
}

void TestCliBatch::plainText() {
    const Result r = cli({"--checkpoint", kModel, "--prompts-file", file_, "--greedy", "--max-tokens", "10"});
    QVERIFY2(r.code == 0, r.err.constData());
    const QList<QByteArray> lines = r.out.trimmed().split('\n');
    QCOMPARE(lines.size(), prompts_.size());
    for (int i = 0; i < prompts_.size(); ++i) QVERIFY(lines[i].startsWith(prompts_[i].toUtf8()));
    QVERIFY2(r.err.contains("4 prompts"), r.err.constData());
}

void TestCliBatch::badInput() {
    const Result missing = cli({"--checkpoint", kModel, "--prompts-file", dir_.filePath("nope.txt")});
    QVERIFY2(one_error_line(missing) && missing.err.contains("nope.txt"), missing.err.constData());

    const QString empty = dir_.filePath("empty.txt");
    QFile f(empty);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("\n\n");
    f.close();
    const Result none = cli({"--checkpoint", kModel, "--prompts-file", empty});
    QVERIFY2(one_error_line(none) && none.err.contains("no prompts"), none.err.constData());

    const Result both = cli({"--checkpoint", kModel, "--prompts-file", file_, "--prompt", "x"});
    QVERIFY2(one_error_line(both) && both.code == 2, both.err.constData());
    const Result parallel = cli({"--checkpoint", kModel, "--prompt", "x", "--parallel", "2"});
    QVERIFY2(one_error_line(parallel) && parallel.err.contains("--parallel"), parallel.err.constData());
    const Result zero = cli({"--checkpoint", kModel, "--prompts-file", file_, "--parallel", "0"});
    QVERIFY2(one_error_line(zero) && zero.err.contains("--parallel"), zero.err.constData());
}

QTEST_GUILESS_MAIN(TestCliBatch)
#include "tst_cli_batch.moc"
