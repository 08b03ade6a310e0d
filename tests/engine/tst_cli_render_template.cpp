// `waypoint-cli render-template` as a user runs it (QProcess on the built
// binary): the exact text Python's jinja2 gives (tests/data/chat_templates/
// expected.json) with no newline added, the template's raise_exception message
// and exit 1, a checkpoint's own template and BOS/EOS texts, a base model
// without a template, and bad arguments (exit 2).
#include <QtTest/QtTest>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

namespace {

const QString kShared = QStringLiteral(WAYPOINT_SHARED_DIR);
const QString kCli = QStringLiteral(WAYPOINT_CLI);
const QString kTemplates = kShared + "/chat-templates";
const QString kData = QStringLiteral(WAYPOINT_SOURCE_DIR) + "/tests/data/chat_templates";
const QString kDemo = QStringLiteral(WAYPOINT_SOURCE_DIR) + "/resources/demo/arith-step004000";

struct Result {
    int code = -1;
    QByteArray out, err;
};

Result cli(const QStringList& args) {
    QProcess p;
    p.start(kCli, args);
    if (!p.waitForStarted()) return {};
    p.closeWriteChannel();
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished();
    }
    Result r;
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QString write(const QTemporaryDir& dir, const QString& name, const QByteArray& bytes) {
    QFile f(dir.filePath(name));
    if (!f.open(QIODevice::WriteOnly)) return {};
    f.write(bytes);
    return f.fileName();
}

// Python's text for (template, conversation, add_generation_prompt).
QByteArray expected(const QString& tpl, const QString& conversation, bool prompt) {
    QFile f(kData + "/expected.json");
    if (!f.open(QIODevice::ReadOnly)) return {};
    for (const auto& v : QJsonDocument::fromJson(f.readAll()).object()["cases"].toArray()) {
        QJsonObject c = v.toObject();
        if (c["template"].toString() == tpl && c["conversation"].toString() == conversation &&
            c["add_generation_prompt"].toBool() == prompt)
            return c["output"].toString().toUtf8();
    }
    return {};
}

// The "unicode" conversation of conversations.json, as a messages file.
const QByteArray kUnicode = "[\n {\"role\": \"system\", \"content\": \"Réponds en français — «toujours».\"},\n {\"role\": \"user\", \"content\": \"Grüße! 你好 🌍 \\\"quotes\\\", <tags> & \\\\backslash\\\\\\nsecond line\\ttab\"},\n {\"role\": \"assistant\", \"content\": \"Bonjour ! ✓ <think>hmm</think> voilà\"},\n {\"role\": \"user\", \"content\": \"Ünïcödé ok? 🙂\"}]";

bool one_error_line(const Result& r) {
    return r.out.isEmpty() && r.err.startsWith("waypoint-cli: error: ") && r.err.count('\n') == 1;
}

}  // namespace

class TstCliRenderTemplate : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void printsExactlyWhatPythonRenders_data() {
        QTest::addColumn<QString>("tpl");
        QTest::newRow("llama-3.1") << "meta-llama-Llama-3.1-8B-Instruct.jinja";
        QTest::newRow("qwen3") << "Qwen-Qwen3-0.6B.jinja";
        QTest::newRow("mistral-nemo") << "mistralai-Mistral-Nemo-Instruct-2407.jinja";
    }
    void printsExactlyWhatPythonRenders() {
        QFETCH(QString, tpl);
        if (!QFile::exists(kTemplates + "/" + tpl)) QSKIP("../shared/chat-templates is not there");
        QTemporaryDir dir;
        const QString messages = write(dir, "m.json", kUnicode);
        for (bool prompt : {true, false}) {
            QStringList args{"render-template", "--template", kTemplates + "/" + tpl, "--messages", messages,
                             "--bos", "<s>", "--eos", "</s>"};
            if (!prompt) args << "--no-generation-prompt";
            const Result r = cli(args);
            QCOMPARE(r.code, 0);
            QVERIFY2(r.err.isEmpty(), r.err.constData());
            const QByteArray want = expected(tpl, "unicode", prompt);
            QVERIFY(!want.isEmpty());
            QCOMPARE(r.out, want);  // no newline added
        }
    }

    void raiseExceptionExitsOneWithTheMessage() {
        const QString tpl = kTemplates + "/google-gemma-2-2b-it.jinja";
        if (!QFile::exists(tpl)) QSKIP("../shared/chat-templates is not there");
        QTemporaryDir dir;
        const Result r = cli({"render-template", "--template", tpl, "--messages", write(dir, "m.json", kUnicode)});
        QCOMPARE(r.code, 1);
        QVERIFY2(one_error_line(r), r.err.constData());
        QVERIFY2(r.err.contains("google-gemma-2-2b-it.jinja: System role not supported"), r.err.constData());
    }

    // The demo checkpoints' own template: the latest question after BOS (one
    // problem per sequence, as they were trained), BOS/EOS texts from
    // tokenizer_config.json; a continued answer ends with a newline and EOS.
    void demoCheckpointTemplate() {
        QTemporaryDir dir;
        const QString m = write(dir, "m.json", "[{\"role\":\"system\",\"content\":\"ignored\"},{\"role\":\"user\",\"content\":\"12+30=\"},\n            {\"role\":\"assistant\",\"content\":\"42\"},{\"role\":\"user\",\"content\":\" 100+1 \"}]");
        Result r = cli({"render-template", "--checkpoint", kDemo, "--messages", m});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out, QByteArray("<s>100+1="));
        r = cli({"render-template", "--checkpoint", kDemo + "/model.safetensors", "--messages", m, "--bos", "B", "--eos", "E"});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out, QByteArray("B100+1="));
        const QString cont = write(dir, "c.json", "[{\"role\":\"user\",\"content\":\"1+1\"},{\"role\":\"assistant\",\"content\":\"2\"}]");
        r = cli({"render-template", "--checkpoint", kDemo, "--messages", cont, "--no-generation-prompt"});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out, QByteArray("<s>1+1=2\n</s>"));
    }

    void checkpointWithoutTemplate() {
        const QString base = kShared + "/models/stories260K";
        if (!QFile::exists(base)) QSKIP("../shared/models is not there");
        QTemporaryDir dir;
        const Result r = cli({"render-template", "--checkpoint", base, "--messages", write(dir, "m.json", "[]")});
        QCOMPARE(r.code, 1);
        QVERIFY2(one_error_line(r) && r.err.contains("has no chat template"), r.err.constData());
    }

    // tokenizer_config.json with the named list (the "default" one is used)
    // and an AddedToken-style bos_token; a syntax error names the file and line.
    void tokenizerConfigNamedList() {
        QTemporaryDir dir;
        write(dir, "tokenizer_config.json", "{\"bos_token\": {\"content\": \"<|b|>\", \"lstrip\": false},\n            \"eos_token\": \"<|e|>\", \"chat_template\": [\n              {\"name\": \"tool_use\", \"template\": \"TOOLS\"},\n              {\"name\": \"default\", \"template\": \"{{ bos_token }}{% for m in messages %}[{{ m.role }}]{{ m.content }}{{ eos_token }}{% endfor %}\"}]}");
        const QString m = write(dir, "m.json", "[{\"role\":\"user\",\"content\":\"hi\"}]");
        Result r = cli({"render-template", "--checkpoint", dir.path(), "--messages", m});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out, QByteArray("<|b|>[user]hi<|e|>"));
        write(dir, "chat_template.jinja", "line 1\n{% if %}");
        r = cli({"render-template", "--checkpoint", dir.path(), "--messages", m});
        QCOMPARE(r.code, 1);
        QVERIFY2(one_error_line(r) && r.err.contains("chat_template.jinja") && r.err.contains("line 2"), r.err.constData());
    }

    void badArguments() {
        QTemporaryDir dir;
        const QString m = write(dir, "m.json", "[]");
        QCOMPARE(cli({"render-template", "--messages", m}).code, 2);
        QCOMPARE(cli({"render-template", "--template", m, "--checkpoint", kDemo, "--messages", m}).code, 2);
        QCOMPARE(cli({"render-template", "--template", m}).code, 2);
        Result r = cli({"render-template", "--template", dir.filePath("missing.jinja"), "--messages", m});
        QCOMPARE(r.code, 1);
        QVERIFY2(one_error_line(r) && r.err.contains("missing.jinja"), r.err.constData());
        r = cli({"render-template", "--checkpoint", kDemo, "--messages", write(dir, "bad.json", "{not json")});
        QCOMPARE(r.code, 1);
        QVERIFY2(one_error_line(r) && r.err.contains("not valid JSON"), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TstCliRenderTemplate)
#include "tst_cli_render_template.moc"
