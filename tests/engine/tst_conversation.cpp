// Conversations over one Session (waypoint/conversation.h): turn 2 computes
// only the tokens after what the cache already holds (counted through the
// engine's token counter, so the test fails if the prefix were recomputed); a
// 2-turn greedy chat answers as one greedy generation over the same prompt;
// a full context drops the oldest turns and keeps the system prompt; a base
// model without a template is one running text.
#include <QtTest>

#include "model/session_counters.h"
#include "waypoint/conversation.h"
#include "waypoint/model.h"

namespace {

const QString kStories = QStringLiteral(WAYPOINT_SHARED_DIR "/models/stories260K/stories260K.bin");
const QString kDemo = QStringLiteral(WAYPOINT_SOURCE_DIR "/resources/demo/arith-step004000");

waypoint::ChatFormat transcript_format() {
    waypoint::ChatFormat f;
    f.chat_template.emplace(
        "{{ bos_token }}{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}"
        "{% if add_generation_prompt %}assistant:{% endif %}",
        "transcript");
    f.bos_token = "<s>";
    f.stop_strings = {"\n"};
    return f;
}

waypoint::GenerateOptions greedy(int n) {
    waypoint::GenerateOptions o;
    o.sampling.temperature = 0;
    o.max_new_tokens = n;
    return o;
}

}  // namespace

class TstConversation : public QObject {
    Q_OBJECT

private:
    std::shared_ptr<const waypoint::Model> stories_;

private Q_SLOTS:
    void initTestCase() {
        if (QFile::exists(kStories)) stories_ = waypoint::Model::load({kStories.toStdString()});
    }

    void turnTwoPrefillsOnlyTheNewTokens() {
        if (!stories_) QSKIP("../shared/models/stories260K is not there");
        waypoint::Conversation conv(stories_, transcript_format());
        conv.set_system("You tell short stories.");
        const auto s1 = conv.reply("Lily had a red ball.", greedy(12), {});
        QVERIFY(s1.new_tokens > 0);
        const int64_t before = waypoint::detail::tokens_computed();
        int64_t at_first_token = -1;
        const auto s2 = conv.reply("What did she do then?", greedy(12), [&](const waypoint::TokenEvent& e) {
            if (e.index == 0 && at_first_token < 0) at_first_token = waypoint::detail::tokens_computed();
        });
        QVERIFY(at_first_token > 0);
        const int prefilled = int(at_first_token - before);  // forward positions before the first token
        QCOMPARE(prefilled, conv.last_prefill_tokens());
        // Only what follows turn 1's prompt: its answer and the new message.
        QVERIFY2(prefilled <= s2.prompt_tokens - s1.prompt_tokens + 1,
                 qPrintable(QString("prefilled %1 of %2 (turn 1 prompt %3)").arg(prefilled).arg(s2.prompt_tokens).arg(s1.prompt_tokens)));
        QVERIFY(s1.prompt_tokens > 10);  // so recomputing the prefix could not pass the bound above
        QCOMPARE(int(conv.messages().size()), 5);  // system, user, assistant, user, assistant
    }

    void twoTurnChatEqualsOneGeneration() {
        if (!stories_) QSKIP("../shared/models/stories260K is not there");
        waypoint::Conversation conv(stories_, transcript_format());
        conv.reply("Tom saw a big dog.", greedy(10), {});
        conv.reply("Was the dog friendly?", greedy(10), {});
        const auto msgs = conv.messages();

        waypoint::Conversation fresh(stories_, transcript_format());
        for (size_t k = 0; k + 1 < msgs.size(); ++k) fresh.add(msgs[k].role, msgs[k].content);
        const std::vector<int> ids = fresh.prompt_ids(10);
        auto options = greedy(10);
        options.stop_strings = {"\n"};
        std::string text;
        waypoint::generate_ids(fresh.session(), ids, options, [&](const waypoint::TokenEvent& e) { text += e.delta; });
        QCOMPARE(QString::fromStdString(text), QString::fromStdString(msgs.back().content));
    }

    // The demo's context is 64 tokens: a few turns of a transcript that keeps
    // history fill it; the oldest turns go, the system prompt stays.
    void fullContextDropsOldTurnsKeepsSystem() {
        auto demo = waypoint::Model::load({kDemo.toStdString()});
        waypoint::ChatFormat f;
        f.chat_template.emplace(
            "{% for m in messages %}{% if m.role == 'assistant' %}{{ m.content }}\n{{ eos_token }}"
            "{% else %}{{ bos_token }}{{ m.content }}{% if m.role == 'system' %}\n{{ eos_token }}{% endif %}{% endif %}{% endfor %}",
            "history");
        f.bos_token = "<s>";
        f.eos_token = "</s>";
        f.stop_strings = {"\n"};
        waypoint::Conversation conv(demo, f);
        conv.set_system("1+1=2");
        for (const char* q : {"111+222=", "123+456=", "200+300=", "321+123=", "400+400=", "500+100="}) {
            const auto s = conv.reply(q, greedy(8), {});
            QVERIFY(s.prompt_tokens + 8 <= demo->context_length());
        }
        QVERIFY(conv.dropped_turns() > 0);
        QCOMPARE(int(conv.messages().size()), 13);  // nothing is deleted from the conversation
        const std::string prompt = conv.prompt_text();
        QVERIFY2(prompt.rfind("<s>1+1=2</s><s>", 0) == 0, prompt.c_str());  // system first (trim_blocks ate its newline)
        QVERIFY2(prompt.find("111+222=") == std::string::npos, prompt.c_str());  // oldest turn gone
        QVERIFY2(prompt.find("500+100=") != std::string::npos, prompt.c_str());
    }

    // No template (a base model): the messages are one running text.
    void completionModeWithoutTemplate() {
        if (!stories_) QSKIP("../shared/models/stories260K is not there");
        waypoint::Conversation conv(stories_);
        QVERIFY(!conv.uses_template());
        conv.reply("Once upon a time", greedy(6), {});
        const std::string answer = conv.messages().back().content;
        conv.add("user", " The end.");
        QCOMPARE(QString::fromStdString(conv.prompt_text()),
                 QString::fromStdString("Once upon a time" + answer + " The end."));
    }
};

QTEST_GUILESS_MAIN(TstConversation)
#include "tst_conversation.moc"
