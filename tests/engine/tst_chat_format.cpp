// Where a checkpoint keeps its chat template (waypoint/chat_format.h): GGUF
// metadata, tokenizer_config.json, chat_template.jinja; the end-of-turn stop
// strings found by rendering; special-token texts becoming their ids; and the
// demo checkpoint answering sums turn after turn through its own template.
#include <QtTest>

#include <QTemporaryDir>

#include "waypoint/chat_format.h"
#include "waypoint/generate.h"
#include "waypoint/model.h"
#include "waypoint/session.h"

namespace {

const QString kShared = QStringLiteral(WAYPOINT_SHARED_DIR);
const QString kDemo = QStringLiteral(WAYPOINT_SOURCE_DIR) + "/resources/demo/arith-step004000";

QByteArray slurp(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void write(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
}

// A folder whose tokenizer_config.json carries `tpl` (a shared template).
waypoint::ChatFormat format_with(const QTemporaryDir& dir, const QString& tpl, const char* bos, const char* eos) {
    QJsonObject cfg{{"chat_template", QString::fromUtf8(slurp(kShared + "/chat-templates/" + tpl))},
                    {"bos_token", bos}, {"eos_token", QJsonObject{{"content", eos}, {"special", true}}}};
    write(dir.filePath("tokenizer_config.json"), QJsonDocument(cfg).toJson());
    return waypoint::find_chat_format(dir.path().toStdString());
}

}  // namespace

class TstChatFormat : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void endOfTurnStopStrings_data() {
        QTest::addColumn<QString>("tpl");
        QTest::addColumn<QString>("marker");
        QTest::newRow("qwen2.5") << "Qwen-Qwen2.5-7B-Instruct.jinja" << "<|im_end|>";
        QTest::newRow("llama-3.1") << "meta-llama-Llama-3.1-8B-Instruct.jinja" << "<|eot_id|>";
        QTest::newRow("phi-3.5") << "microsoft-Phi-3.5-mini-instruct.jinja" << "<|end|>";
        QTest::newRow("mistral-nemo (EOS)") << "mistralai-Mistral-Nemo-Instruct-2407.jinja" << "</s>";
    }
    void endOfTurnStopStrings() {
        QFETCH(QString, tpl);
        QFETCH(QString, marker);
        if (!QFile::exists(kShared + "/chat-templates/" + tpl)) QSKIP("../shared/chat-templates is not there");
        QTemporaryDir dir;
        const waypoint::ChatFormat f = format_with(dir, tpl, "<s>", "</s>");
        QVERIFY2(f.chat_template.has_value(), f.problem.c_str());
        QCOMPARE(QString::fromStdString(f.origin), QStringLiteral("tokenizer_config.json"));
        QCOMPARE(QString::fromStdString(f.bos_token), QStringLiteral("<s>"));
        QCOMPARE(QString::fromStdString(f.eos_token), QStringLiteral("</s>"));
        QVERIFY(!f.stop_strings.empty());
        QCOMPARE(QString::fromStdString(f.stop_strings.front()), marker);
        QCOMPARE(QString::fromStdString(f.stop_strings.back()), QStringLiteral("</s>"));
    }

    // llama.cpp's phi-3 vocabulary GGUF carries tokenizer.chat_template.
    void ggufMetadata() {
        const QString gguf = kShared + "/tokenizers/llamacpp-vocab/ggml-vocab-phi-3.gguf";
        if (!QFile::exists(gguf)) QSKIP("../shared/tokenizers is not there");
        const waypoint::ChatFormat f = waypoint::find_chat_format(gguf.toStdString());
        QVERIFY2(f.chat_template.has_value(), f.problem.c_str());
        QVERIFY2(QString::fromStdString(f.origin).contains("tokenizer.chat_template"), f.origin.c_str());
        QCOMPARE(QString::fromStdString(f.bos_token), QStringLiteral("<s>"));
        QVERIFY(!f.eos_token.empty());
        const std::string text = f.chat_template->render({{"user", "hi"}}, f.options());
        QVERIFY2(text.find("<|user|>") != std::string::npos && text.find("hi") != std::string::npos, text.c_str());
    }

    void baseModelHasNone() {
        QTemporaryDir dir;
        const waypoint::ChatFormat f = waypoint::find_chat_format(dir.path().toStdString());
        QVERIFY(!f.chat_template);
        QVERIFY(f.origin.empty() && f.problem.empty() && f.stop_strings.empty());
    }

    // chat_template.jinja wins over tokenizer_config.json, as in transformers;
    // a broken one is reported (not thrown), a broken JSON file is an Error.
    void jinjaFileWinsAndProblemsAreReported() {
        QTemporaryDir dir;
        write(dir.filePath("tokenizer_config.json"), R"({"chat_template": "json", "eos_token": "E"})");
        write(dir.filePath("chat_template.jinja"), "jinja{{ eos_token }}");
        waypoint::ChatFormat f = waypoint::find_chat_format(dir.path().toStdString());
        QCOMPARE(QString::fromStdString(f.chat_template->render({}, f.options())), QStringLiteral("jinjaE"));
        write(dir.filePath("chat_template.jinja"), "{% for %}");
        f = waypoint::find_chat_format(dir.path().toStdString());
        QVERIFY(!f.chat_template);
        QVERIFY2(QString::fromStdString(f.problem).contains("chat_template.jinja"), f.problem.c_str());
        write(dir.filePath("tokenizer_config.json"), "{oops");
        QVERIFY_THROWS_EXCEPTION(waypoint::Error, waypoint::find_chat_format(dir.path().toStdString()));
    }

    // The demo was trained on BOS "a+b=c\n" EOS, one problem per sequence; its
    // template keeps that shape (the latest question after BOS), so a greedy
    // multi-turn chat keeps answering sums. (With earlier turns in the prompt
    // it answers 200+300 with 891: a shape it never saw in training.)
    void demoAnswersSumsTurnAfterTurn() {
        auto model = waypoint::Model::load({kDemo.toStdString()});
        const waypoint::ChatFormat& f = waypoint::chat_format(*model);
        QVERIFY2(f.chat_template.has_value(), f.problem.c_str());
        QCOMPARE(QString::fromStdString(f.origin), QStringLiteral("chat_template.jinja"));
        QCOMPARE(QString::fromStdString(f.bos_token), QStringLiteral("<s>"));
        QCOMPARE(QString::fromStdString(f.eos_token), QStringLiteral("</s>"));
        QCOMPARE(QString::fromStdString(f.stop_strings.front()), QStringLiteral("</s>"));

        waypoint::Session session(model);
        waypoint::GenerateOptions options;
        options.sampling.temperature = 0;
        options.max_new_tokens = 8;
        options.stop_strings = {"\n"};
        std::vector<waypoint::ChatMessage> chat{{"system", "You add numbers."}};
        const std::vector<std::pair<std::string, std::string>> turns{
            {"123+456=", "579"}, {"200+300=", "500"}, {"321+123", "444"}};
        for (const auto& [question, answer] : turns) {
            chat.push_back({"user", question});
            const std::string prompt = f.chat_template->render(chat, f.options());
            std::vector<int> ids = waypoint::encode_rendered(model->tokenizer(), prompt, f);
            QCOMPARE(ids.front(), model->tokenizer().bos());  // the latest question alone, after BOS
            QCOMPARE(int(std::count(ids.begin(), ids.end(), model->tokenizer().bos())), 1);
            std::string text;
            waypoint::generate_ids(session, ids, options, [&](const waypoint::TokenEvent& e) { text += e.delta; });
            QCOMPARE(QString::fromStdString(text), QString::fromStdString(answer));
            chat.push_back({"assistant", text});
        }
    }
};

QTEST_GUILESS_MAIN(TstChatFormat)
#include "tst_chat_format.moc"
