// `waypoint-cli chat` as a script drives it (QProcess, stdin a pipe): on the
// demo checkpoint, a two-turn chat answers both sums, and with a template that
// keeps the history turn 2's prompt holds turn 1 (taken from the KV cache, not
// computed again); the slash commands
// (/system, /reset, /save, /prompt, the sampling ones); the notice when the
// context is full and old turns are left out; a template that raises leaves
// the chat as it was; and clear errors for bad arguments.
#include <QtTest/QtTest>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>

#include "cli_runner.h"

namespace {

using cli_runner::cli;

const QString kDemo = QStringLiteral(WAYPOINT_SOURCE_DIR) + "/resources/demo/arith-step004000";
const QString kStories = QStringLiteral(WAYPOINT_SHARED_DIR) + "/models/stories260K/stories260K.bin";

// Every question after BOS, every answer after it, as the demo was trained,
// but the whole conversation in the prompt (the demo's own template keeps
// only the latest question).
const QByteArray kHistoryTemplate =
    "{% for m in messages %}{% if m.role == 'assistant' %}{{ m.content | trim }}\n{{ eos_token }}"
    "{% elif m.role == 'user' %}{{ bos_token }}{{ m.content }}{% endif %}{% endfor %}";

QString write(const QTemporaryDir& dir, const QString& name, const QByteArray& bytes) {
    QFile f(dir.filePath(name));
    if (!f.open(QIODevice::WriteOnly)) return {};
    f.write(bytes);
    return f.fileName();
}

struct Turn {
    int prompt = -1, cached = -1, fresh = -1;
};
// The stats lines on stderr: "[N prompt tokens (M from the cache) + K new, ...]".
QList<Turn> turns(const QByteArray& err) {
    QList<Turn> out;
    static const QRegularExpression re(QStringLiteral("\\[(\\d+) prompt tokens \\((\\d+) from the cache\\) \\+ (\\d+) new,"));
    auto it = re.globalMatch(QString::fromUtf8(err));
    while (it.hasNext()) {
        const auto m = it.next();
        out.append({m.captured(1).toInt(), m.captured(2).toInt(), m.captured(3).toInt()});
    }
    return out;
}

QJsonArray readMessages(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QJsonDocument::fromJson(f.readAll()).array();
}

}  // namespace

class TstCliChat : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // The demo's own template: each sum answered, one per line on stdout
    // (from a pipe there is no prompt text), the mode said on stderr.
    void demoAnswersEachTurn() {
        const auto r = cli({"chat", "--checkpoint", kDemo, "--greedy", "--max-tokens", "8"}, "123+456=\n200+300=\n");
        QVERIFY2(r.code == 0, r.err.constData());
        QCOMPARE(r.out, QByteArray("579\n500\n"));
        QVERIFY2(r.err.contains("chat template from chat_template.jinja"), r.err.constData());
        QCOMPARE(turns(r.err).size(), 2);
    }

    // Turn 2 sees turn 1: its prompt holds turn 1's question and answer, and
    // those come from the cache (only the new tokens are computed).
    void turnTwoSeesTurnOne() {
        QTemporaryDir dir;
        const QString tpl = write(dir, "history.jinja", kHistoryTemplate);
        const QString saved = dir.filePath("chat.json");
        const auto r = cli({"chat", "--checkpoint", kDemo, "--template", tpl, "--greedy", "--max-tokens", "8"},
                           "123+456=\n200+300=\n/prompt\n/save " + saved.toUtf8() + "\n");
        QVERIFY2(r.code == 0, r.err.constData());
        // (The demo never saw two problems in one sequence, so turn 2's sum
        // may come out wrong: its own template shows only the latest one.)
        QVERIFY2(r.out.startsWith("579\n"), r.out.constData());
        // /prompt: the whole conversation as the model sees it next.
        QVERIFY2(r.out.contains("<s>123+456=579\n</s><s>200+300="), r.out.constData());
        const QList<Turn> t = turns(r.err);
        QCOMPARE(t.size(), 2);
        QCOMPARE(t[0].cached, 0);
        // Turn 1's 9 prompt tokens (BOS + "123+456=") and its answer are in turn 2's prompt...
        QVERIFY2(t[1].prompt > t[0].prompt + 3, r.err.constData());
        // ...and were not computed again.
        QVERIFY2(t[1].cached >= t[0].prompt, r.err.constData());
        const QJsonArray messages = readMessages(saved);
        QCOMPARE(messages.size(), 4);
        QCOMPARE(messages[0].toObject().value("role").toString(), QStringLiteral("user"));
        QCOMPARE(messages[1].toObject().value("content").toString(), QStringLiteral("579\n"));
        QCOMPARE(messages[2].toObject().value("content").toString(), QStringLiteral("200+300="));
        QCOMPARE(messages[3].toObject().value("role").toString(), QStringLiteral("assistant"));
        QVERIFY(!QFile::exists(saved + ".part"));
    }

    void systemResetAndSettings() {
        QTemporaryDir dir;
        const QString saved = dir.filePath("chat.json");
        const auto r = cli({"chat", "--checkpoint", kDemo, "--greedy", "--max-tokens", "8", "--system", "Digits only."},
                           "/system\n123+456=\n/reset\n/save " + saved.toUtf8() +
                               "\n/tokens lots\n/bogus\n/tokens 2\n/system off\n/system\n200+300=\n");
        QVERIFY2(r.code == 0, r.err.constData());
        // The demo's template leaves system messages out: said once, at the start.
        QVERIFY2(r.err.contains("leaves system messages out"), r.err.constData());
        QVERIFY2(r.out.startsWith("Digits only.\n579\n(a new conversation; the system prompt stays)\n"), r.out.constData());
        // After /reset only the system prompt is left.
        const QJsonArray messages = readMessages(saved);
        QCOMPARE(messages.size(), 1);
        QCOMPARE(messages[0].toObject().value("role").toString(), QStringLiteral("system"));
        // Bad commands: one error line each, the chat goes on.
        QVERIFY2(r.err.contains("waypoint-cli: error: /tokens"), r.err.constData());
        QVERIFY2(r.err.contains("unknown command '/bogus'"), r.err.constData());
        QVERIFY2(r.out.contains("tokens 2, seed"), r.out.constData());
        QVERIFY2(r.out.contains("(no system prompt)\n(no system prompt)\n"), r.out.constData());
        const QList<Turn> t = turns(r.err);
        QCOMPARE(t.size(), 2);
        QCOMPARE(t[1].fresh, 2);  // /tokens 2 took effect
    }

    // The demo's context is 64 tokens: with the whole history in the prompt a
    // few turns fill it; the oldest turns are left out, and it says so.
    void fullContextSaysOldTurnsAreLeftOut() {
        QTemporaryDir dir;
        const QString tpl = write(dir, "history.jinja", kHistoryTemplate);
        QByteArray input;
        for (const char* q : {"111+222=", "123+456=", "200+300=", "321+123=", "400+400=", "500+100=", "719+103="})
            input += QByteArray(q) + "\n";
        input += "/prompt\n";
        const auto r = cli({"chat", "--checkpoint", kDemo, "--template", tpl, "--greedy", "--max-tokens", "8"}, input);
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY2(r.err.contains("(the context of 64 tokens is full: the oldest"), r.err.constData());
        const QByteArray prompt = r.out.mid(r.out.indexOf("<s>"));
        QVERIFY2(!prompt.contains("111+222="), prompt.constData());
        QVERIFY2(prompt.contains("<s>719+103="), prompt.constData());
        for (const Turn& t : turns(r.err)) QVERIFY(t.prompt + 8 <= 64);  // room for the answer, always
    }

    // A base model without a template: completion mode, said at the start;
    // --mode template refuses it with a way out.
    void baseModelModes() {
        if (!QFile::exists(kStories)) QSKIP("../shared/models/stories260K is not there");
        auto r = cli({"chat", "--checkpoint", kStories, "--greedy", "--max-tokens", "5"}, "Once upon a time\n/prompt\n");
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY2(r.err.contains("has no chat template: completion mode"), r.err.constData());
        QVERIFY2(!r.out.startsWith("Once upon a time"), r.out.constData());  // the message is not echoed

        r = cli({"chat", "--checkpoint", kStories, "--greedy", "--max-tokens", "5", "--mode", "transcript"},
                "Tom saw a dog.\n/prompt\n");
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY2(r.err.contains("transcript mode"), r.err.constData());
        QVERIFY2(r.out.contains("<s>User: Tom saw a dog.\nAssistant:"), r.out.constData());
        const QList<Turn> t = turns(r.err);
        QCOMPARE(t.size(), 1);

        r = cli({"chat", "--checkpoint", kStories, "--mode", "template"});
        QVERIFY2(cli_runner::one_error_line(r), r.err.constData());
        QVERIFY2(r.err.contains("has no chat template") && r.err.contains("--template FILE"), r.err.constData());
    }

    // A template that raises on turn 2: one error line with its message; the
    // chat is as it was before the line (turn 1 only), and goes on.
    void raisingTemplateKeepsTheChat() {
        QTemporaryDir dir;
        const QString tpl = write(dir, "one.jinja",
                                  "{% if messages | length > 2 %}{{ raise_exception('one question at a time') }}{% endif %}"
                                  "{{ bos_token }}{{ messages[-1]['content'] }}");
        const QString saved = dir.filePath("chat.json");
        const auto r = cli({"chat", "--checkpoint", kDemo, "--template", tpl, "--greedy", "--max-tokens", "8"},
                           "123+456=\n200+300=\n/save " + saved.toUtf8() + "\n/save /proc/no-such-folder/x.json\n");
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY2(r.err.contains("waypoint-cli: error: chat template " + tpl.toUtf8() + ": one question at a time"),
                 r.err.constData());
        QCOMPARE(readMessages(saved).size(), 2);
        QVERIFY2(r.err.contains("cannot write '/proc/no-such-folder/x.json'"), r.err.constData());
    }

    void badArguments() {
        auto r = cli({"chat"});
        QVERIFY2(cli_runner::one_error_line(r) && r.code == 2, r.err.constData());
        QVERIFY(r.err.contains("--checkpoint"));
        r = cli({"chat", "--checkpoint", kDemo, "--mode", "poetry"});
        QVERIFY2(cli_runner::one_error_line(r) && r.code == 2, r.err.constData());
        r = cli({"chat", "--checkpoint", "/no/such/model"});
        QVERIFY2(cli_runner::one_error_line(r) && r.code == 1, r.err.constData());
        r = cli({"chat", "--help"});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains("/system TEXT") && r.out.contains("/save FILE") && r.out.contains("--mode"));
    }
};

QTEST_GUILESS_MAIN(TstCliChat)
#include "tst_cli_chat.moc"
