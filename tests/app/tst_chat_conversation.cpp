// The chat as a conversation: each answer's prompt holds the turns before it
// (in the chosen prompt mode, with the system prompt), the session's cache is
// reused across turns, and edit / regenerate / continue keep the earlier
// branch in the history, browsable as "1/2". The fake backend renders prompts
// as the engine backend does (one id per byte); the last test runs the real
// engine on the arithmetic demo checkpoint.
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "backend/inference_backend.h"
#include "chat/chat_controller.h"
#include "chat/markdown_blocks.h"
#include "fake_backend.h"
#include "history/chat_recorder.h"
#include "history_store.h"

using namespace waypoint::app;
using namespace waypoint::app::test;
using waypoint::history::HistoryStore;

namespace {
QString tokens(int from, int to) {
    QString s;
    for (int i = from; i < to; ++i) s += QStringLiteral("t%1 ").arg(i);
    return s;
}
QString prompt() { return QString::fromStdString(fakeLastPrompt()); }
}  // namespace

class TstChatConversation : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    // A checkpoint "file" for the fake (a chat reopens only a checkpoint that exists).
    QString checkpointFile(const QString& name) {
        const QString path = dir_.filePath(name);
        QFile f(path);
        f.open(QIODevice::WriteOnly);
        return path;
    }
    std::unique_ptr<ChatController> controller(FakeBackendOptions o, const QString& path) {
        auto c = std::make_unique<ChatController>(makeFakeBackend(o));
        c->load(path);
        if (!QTest::qWaitFor([&] { return c->modelLoaded() && !c->loading(); }, 5000)) return nullptr;
        c->sampling()->setMaxNewTokens(64);
        return c;
    }
    bool answer(ChatController* c, const QString& text) {
        QSignalSpy done(c, &ChatController::generationDone);
        return c->send(text) && done.wait(5000);
    }

private Q_SLOTS:
    void initTestCase() {
        QCoreApplication::setOrganizationName(QStringLiteral("waypoint-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_chat_conversation"));
        QVERIFY(dir_.isValid());
    }

    void markdownCodeBlocksAreSplitOut() {
        const auto blocks = splitMarkdownBlocks(QStringLiteral(
            "Intro **bold**\n\n```python\nprint(1)\n\nx = 2\n```\nAfter\n~~~\nraw ``` inside\n~~~\n\n```sh\nunclosed"));
        QCOMPARE(blocks.size(), 5);
        QVERIFY(!blocks[0].code);
        QCOMPARE(blocks[0].text, QStringLiteral("Intro **bold**\n"));
        QVERIFY(blocks[1].code);
        QCOMPARE(blocks[1].language, QStringLiteral("python"));
        QCOMPARE(blocks[1].text, QStringLiteral("print(1)\n\nx = 2"));
        QCOMPARE(blocks[2].text, QStringLiteral("After"));
        QCOMPARE(blocks[3].text, QStringLiteral("raw ``` inside"));  // a ~~~ fence ends only at ~~~
        QVERIFY(blocks[4].code);  // still streaming: runs to the end
        QCOMPARE(blocks[4].text, QStringLiteral("unclosed"));
        QCOMPARE(blocks[4].language, QStringLiteral("sh"));
        QVERIFY(splitMarkdownBlocks(QStringLiteral("plain")).size() == 1);
        QVERIFY(splitMarkdownBlocks(QString()).isEmpty());
    }

    // Long prose comes in pieces cut at paragraph breaks (each piece is laid
    // out in one go when an answer turns into Markdown); a list or an
    // indented continuation is never cut off from what it belongs to.
    void longProseIsCutAtParagraphs() {
        QString paragraph = QStringLiteral("A sentence of the story goes on. ").repeated(8).trimmed();  // ~260 chars
        QStringList parts;
        for (int i = 0; i < 8; ++i) parts << paragraph;
        const QString prose = parts.join(QStringLiteral("\n\n"));
        const auto pieces = splitMarkdownBlocks(prose);
        QVERIFY2(pieces.size() >= 3, qPrintable(QString::number(pieces.size())));
        QStringList joined;
        for (const MarkdownBlock& b : pieces) {
            QVERIFY(!b.code);
            QVERIFY(b.text.size() < kMarkdownProseChunk + paragraph.size() + 4);
            joined << b.text.trimmed();
        }
        QCOMPARE(joined.join(QStringLiteral("\n\n")), prose);  // nothing lost or moved

        // A loose list (blank lines between items) and an indented continuation stay whole.
        QStringList list;
        for (int i = 1; i <= 12; ++i) list << QStringLiteral("%1. %2").arg(i).arg(paragraph.left(80));
        list << QStringLiteral("    continued under item 12");
        const auto listPieces = splitMarkdownBlocks(list.join(QStringLiteral("\n\n")));
        QCOMPARE(listPieces.size(), 1);
    }

    // A long paragraph (small models write no breaks) is cut too: at a line
    // break in it, else between sentences; never inside an inline span, nor a
    // paragraph that is not plain text (a list item's).
    void longParagraphIsCutAtLinesAndSentences() {
        const QString sentences = QStringLiteral("The dog ran to the park and saw a bird. ").repeated(60).trimmed();
        const auto pieces = splitMarkdownBlocks(sentences);  // one line of ~2,400 characters
        QVERIFY2(pieces.size() >= 3, qPrintable(QString::number(pieces.size())));
        QStringList joined;
        for (const MarkdownBlock& b : pieces) {
            QVERIFY(b.text.size() < kMarkdownProseChunk + 45);
            QVERIFY(b.text.endsWith(QLatin1Char('.')));
            joined << b.text;
        }
        QCOMPARE(joined.join(QLatin1Char(' ')), sentences);
        // An answer that continues the prompt ("Once upon a time") starts with a comma.
        const QString continued = QStringLiteral(", there was a dog. ") + sentences;
        const auto continuedPieces = splitMarkdownBlocks(continued);
        QVERIFY2(continuedPieces.size() >= 3, qPrintable(QString::number(continuedPieces.size())));
        QVERIFY(continuedPieces.first().text.startsWith(QLatin1String(", there was a dog.")));

        QStringList lines;
        for (int i = 0; i < 30; ++i) lines << QStringLiteral("a line of the poem goes on and on here %1").arg(i);
        const auto linePieces = splitMarkdownBlocks(lines.join(QLatin1Char('\n')));
        QVERIFY2(linePieces.size() >= 2, qPrintable(QString::number(linePieces.size())));
        joined.clear();
        for (const MarkdownBlock& b : linePieces) joined << b.text;
        QCOMPARE(joined.join(QLatin1Char('\n')), lines.join(QLatin1Char('\n')));

        QCOMPARE(splitMarkdownBlocks(QStringLiteral("So *") + sentences + QStringLiteral("*")).size(), 1);
        QCOMPARE(splitMarkdownBlocks(QStringLiteral("- ") + sentences).size(), 1);
    }

    void turnTwoSeesTurnOne() {
        auto c = controller({4, 0, 5, "broken"}, checkpointFile(QStringLiteral("base")));
        QVERIFY(c);
        QVERIFY(!c->hasChatTemplate());
        QCOMPARE(c->effectivePromptMode(), QStringLiteral("completion"));  // a base model: one running text
        QVERIFY(answer(c.get(), QStringLiteral("Once. ")));
        QCOMPARE(prompt(), QStringLiteral("Once. "));
        QCOMPARE(c->lastReusedTokens(), 0);
        QVERIFY(answer(c.get(), QStringLiteral("Then. ")));
        // The second prompt holds the first turn and its answer...
        QCOMPARE(prompt(), QStringLiteral("Once. ") + tokens(0, 4) + QStringLiteral("Then. "));
        // ...which the session already held: only "Then. " is prefilled.
        QCOMPARE(c->lastReusedTokens(), int(QStringLiteral("Once. ").size() + tokens(0, 4).size()));
        QCOMPARE(c->lastPromptTokens() - c->lastReusedTokens(), int(QStringLiteral("Then. ").size()));
    }

    void transcriptModeUsesItsLabelsAndIsRemembered() {
        const QString path = checkpointFile(QStringLiteral("transcript"));
        {
            auto c = controller({2, 0, 5, "broken"}, path);
            QVERIFY(c);
            c->setPromptMode(QStringLiteral("transcript"));
            c->setUserLabel(QStringLiteral("Q"));
            c->setAssistantLabel(QStringLiteral("A"));
            c->setSystemPrompt(QStringLiteral("Be brief."));
            QVERIFY(answer(c.get(), QStringLiteral("hi")));
            QCOMPARE(prompt(), QStringLiteral("Be brief.\n\nQ: hi\nA:"));
            QVERIFY(answer(c.get(), QStringLiteral("more")));
            QCOMPARE(prompt(), QStringLiteral("Be brief.\n\nQ: hi\nA:t0 t1 \nQ: more\nA:"));
        }
        auto again = controller({2, 0, 5, "broken"}, path);
        QVERIFY(again);
        QCOMPARE(again->promptMode(), QStringLiteral("transcript"));
        QCOMPARE(again->userLabel(), QStringLiteral("Q"));
        QCOMPARE(again->assistantLabel(), QStringLiteral("A"));
    }

    void templateModeRendersTheCheckpointsTemplate() {
        FakeBackendOptions o{2, 0, 5, "broken"};
        o.chatTemplate = "{% for m in messages %}<{{ m.role }}>{{ m.content }}{% endfor %}"
                         "{% if add_generation_prompt %}<assistant>{% endif %}";
        auto c = controller(o, checkpointFile(QStringLiteral("instruct")));
        QVERIFY(c);
        QVERIFY(c->hasChatTemplate());
        QCOMPARE(c->chatTemplateOrigin(), QStringLiteral("chat_template.jinja"));
        QCOMPARE(c->effectivePromptMode(), QStringLiteral("template"));
        c->setSystemPrompt(QStringLiteral("S"));
        QVERIFY(answer(c.get(), QStringLiteral("a")));
        QVERIFY(answer(c.get(), QStringLiteral("b")));
        QCOMPARE(prompt(), QStringLiteral("<system>S<user>a<assistant>t0 t1 <user>b<assistant>"));
    }

    void oldTurnsLeftOutAreSaid() {
        // The fake's context is 512 bytes; with 256 kept for the answer, the
        // prompt may hold 256: a few turns of ~80 bytes.
        auto c = controller({20, 0, 5, "broken"}, checkpointFile(QStringLiteral("small")));
        QVERIFY(c);
        c->sampling()->setMaxNewTokens(256);
        // Each turn is 8 + 70 bytes: the fifth turn's prompt (4 * 78 + 8) no longer fits.
        for (int turn = 0; turn < 4; ++turn) {
            QVERIFY(answer(c.get(), QStringLiteral("turn %1. ").arg(turn)));
            QCOMPARE(c->lastDroppedTurns(), 0);
        }
        QVERIFY(answer(c.get(), QStringLiteral("turn 4. ")));
        QCOMPARE(c->lastDroppedTurns(), 1);
        QVERIFY(prompt().startsWith(QStringLiteral("turn 1. ")));
        QVERIFY(prompt().endsWith(QStringLiteral("turn 4. ")));
        const auto& last = c->messages()->at(c->messages()->rowCount() - 1);
        QVERIFY2(last.notice.contains(QStringLiteral("left out")), qPrintable(last.notice));
        QVERIFY(c->messages()->at(1).notice.isEmpty());
    }

    void editRegenerateAndContinueKeepBranches() {
        HistoryStore store;
        store.setPath(dir_.filePath(QStringLiteral("history.sqlite")));
        store.open();
        auto c = controller({3, 0, 5, "broken"}, checkpointFile(QStringLiteral("branches")));
        QVERIFY(c);
        ChatRecorder recorder;
        recorder.setHistory(&store);
        recorder.setMessages(c->messages());
        recorder.setController(c.get());
        MessageModel* m = c->messages();
        QVERIFY(answer(c.get(), QStringLiteral("a ")));
        QVERIFY(answer(c.get(), QStringLiteral("b ")));
        QCOMPARE(m->rowCount(), 4);

        // Edit the second question: its answer is replaced, the old branch kept.
        QSignalSpy done(c.get(), &ChatController::generationDone);
        QVERIFY(c->editAndResend(2, QStringLiteral("c ")));
        QVERIFY(done.wait(5000));
        QCOMPARE(m->rowCount(), 4);
        QCOMPARE(m->textAt(2), QStringLiteral("c "));
        QCOMPARE(m->at(2).alternative, 1);
        QCOMPARE(m->at(2).alternatives, 2);
        QCOMPARE(prompt(), QStringLiteral("a ") + tokens(0, 3) + QStringLiteral("c "));

        // Regenerate the answer to it: "2/2" there too.
        c->regenerate();
        QVERIFY(done.wait(5000));
        QCOMPARE(m->at(3).alternatives, 2);
        QCOMPARE(m->at(3).alternative, 1);

        // Back to the first branch of the question ("1/2"): "b " and its answer.
        const qint64 chat = recorder.chatId();
        QVERIFY(chat);
        QSignalSpy loaded(&store, &HistoryStore::conversationLoaded);
        recorder.showAlternative(2, -1);
        QVERIFY(loaded.wait(5000));
        QCOMPARE(m->rowCount(), 4);
        QCOMPARE(m->textAt(2), QStringLiteral("b "));
        QCOMPARE(m->at(2).alternative, 0);
        QCOMPARE(m->at(2).alternatives, 2);
        QCOMPARE(m->textAt(3), tokens(0, 3));
        recorder.showAlternative(2, +1);
        QVERIFY(loaded.wait(5000));
        QCOMPARE(m->textAt(2), QStringLiteral("c "));

        // Continue: an answer cut at the token limit goes on from its text.
        c->sampling()->setMaxNewTokens(2);
        QVERIFY(answer(c.get(), QStringLiteral("d ")));
        QCOMPARE(m->at(m->rowCount() - 1).finish, QStringLiteral("length"));
        QVERIFY(c->canContinue());
        const QString cut = m->textAt(m->rowCount() - 1);
        QVERIFY(c->continueAnswer());
        QVERIFY(done.wait(5000));
        QCOMPARE(m->rowCount(), 6);
        QCOMPARE(m->textAt(5), cut + tokens(0, 2));
        QVERIFY(prompt().endsWith(QStringLiteral("d ") + cut));  // the prompt ends with the cut answer
        QCOMPARE(m->at(5).alternatives, 2);  // the cut one is kept
    }

    // The system prompt last used with a checkpoint starts the next new chat
    // with it (and an empty chat follows the checkpoint loaded into it); one
    // the person typed, or a saved chat's, is never replaced.
    void newChatStartsWithTheCheckpointsLastSystemPrompt() {
        const QString sums = checkpointFile(QStringLiteral("system-sums"));
        const QString stories = checkpointFile(QStringLiteral("system-stories"));
        {
            auto c = controller({2, 0, 5, "broken"}, sums);
            QVERIFY(c);
            QCOMPARE(c->systemPrompt(), QString());  // never used: none
            c->setSystemPrompt(QStringLiteral("You add numbers."));
            QVERIFY(answer(c.get(), QStringLiteral("1+1=")));
            c->clear();
            c->useDefaultSystemPrompt();
            QCOMPARE(c->systemPrompt(), QStringLiteral("You add numbers."));

            c->load(stories);  // the new chat is still empty: the other checkpoint's (none)
            QVERIFY(QTest::qWaitFor([&] { return c->checkpointPath() == stories && !c->loading(); }, 5000));
            QCOMPARE(c->systemPrompt(), QString());
            c->setSystemPrompt(QStringLiteral("Tell stories."));
            QVERIFY(answer(c.get(), QStringLiteral("Once")));
            c->load(sums);  // mid-chat: the chat keeps its own
            QVERIFY(QTest::qWaitFor([&] { return c->checkpointPath() == sums && !c->loading(); }, 5000));
            QCOMPARE(c->systemPrompt(), QStringLiteral("Tell stories."));

            c->clear();
            c->useDefaultSystemPrompt();
            QCOMPARE(c->systemPrompt(), QStringLiteral("You add numbers."));
            c->setSystemPrompt(QStringLiteral("Typed."));  // edited before any message: kept
            c->load(stories);
            QVERIFY(QTest::qWaitFor([&] { return c->checkpointPath() == stories && !c->loading(); }, 5000));
            QCOMPARE(c->systemPrompt(), QStringLiteral("Typed."));
            c->clear();
            c->useDefaultSystemPrompt();
            QCOMPARE(c->systemPrompt(), QStringLiteral("Tell stories."));  // "Typed." was never sent
        }
        // After a restart, from the settings.
        auto again = controller({2, 0, 5, "broken"}, sums);
        QVERIFY(again);
        QCOMPARE(again->systemPrompt(), QStringLiteral("You add numbers."));
    }

    void openingASavedChatLoadsItsCheckpoint() {
        HistoryStore store;
        store.setPath(dir_.filePath(QStringLiteral("reopen.sqlite")));
        store.open();
        const QString first = checkpointFile(QStringLiteral("first"));
        const QString second = checkpointFile(QStringLiteral("second"));
        auto c = controller({2, 0, 5, "broken"}, first);
        QVERIFY(c);
        ChatRecorder recorder;
        recorder.setHistory(&store);
        recorder.setMessages(c->messages());
        recorder.setController(c.get());
        c->setSystemPrompt(QStringLiteral("You add numbers."));
        QVERIFY(answer(c.get(), QStringLiteral("x")));
        const qint64 chat = recorder.chatId();
        QCOMPARE(c->messages()->at(1).checkpoint, first);

        // Another chat on another checkpoint, then back.
        recorder.startNewChat();
        c->clear();
        c->setSystemPrompt(QString());
        c->load(second);
        QVERIFY(QTest::qWaitFor([&] { return c->checkpointPath() == second && !c->loading(); }, 5000));
        recorder.openChat(chat);
        QVERIFY(QTest::qWaitFor([&] { return c->checkpointPath() == first && !c->loading(); }, 5000));
        QCOMPARE(c->systemPrompt(), QStringLiteral("You add numbers."));
        QCOMPARE(c->messages()->rowCount(), 2);
        QCOMPARE(c->messages()->at(1).author, QStringLiteral("first"));

        // Its file is gone: a sentence naming it, and the loaded model stays.
        recorder.startNewChat();
        c->load(second);
        QVERIFY(QTest::qWaitFor([&] { return c->checkpointPath() == second && !c->loading(); }, 5000));
        QVERIFY(QFile::remove(first));
        recorder.openChat(chat);
        QVERIFY(QTest::qWaitFor([&] { return !c->lastError().isEmpty(); }, 5000));
        QVERIFY2(c->lastError().contains(first), qPrintable(c->lastError()));
        QCOMPARE(c->checkpointPath(), second);
    }

    // The real engine on the arithmetic demo (it ships a chat template that
    // puts each question after a BOS of its own, as it was trained).
    void demoCheckpointKeepsAnsweringSums() {
        const QString demo = QStringLiteral(WAYPOINT_SOURCE_DIR "/resources/demo/arith-step004000");
        // Part of the repository, not of ../shared: missing means a broken checkout.
        QVERIFY2(QFileInfo::exists(demo), qPrintable(demo + " is missing from this checkout"));
        ChatController c(makeEngineBackend());
        c.load(demo);
        QVERIFY(QTest::qWaitFor([&] { return !c.loading(); }, 60000));
        QVERIFY2(c.modelLoaded(), qPrintable(c.lastError()));
        QVERIFY(c.hasChatTemplate());
        QCOMPARE(c.effectivePromptMode(), QStringLiteral("template"));
        c.sampling()->setTemperature(0.0);
        c.sampling()->setRepeatPenalty(1.0);
        c.sampling()->setMaxNewTokens(8);
        // What the checkpoint answers to each alone (waypoint-cli --greedy):
        // the chat must give the same in its third turn as in its first.
        const QStringList questions{QStringLiteral("123+456="), QStringLiteral("5+7="), QStringLiteral("100+200=")};
        const QStringList sums{QStringLiteral("579"), QStringLiteral("12"), QStringLiteral("300")};
        for (int i = 0; i < questions.size(); ++i) {
            QVERIFY(answer(&c, questions[i]));
            QCOMPARE(c.messages()->textAt(2 * i + 1).trimmed(), sums[i]);
        }

        // Completion mode: turn 2's prompt is turn 1 plus the new question,
        // and only the new tokens are prefilled.
        c.clear();
        c.setPromptMode(QStringLiteral("completion"));
        QVERIFY(answer(&c, QStringLiteral("123+456=")));
        const int turnOne = c.lastPromptTokens() + c.lastNewTokens();
        QVERIFY(answer(&c, QStringLiteral("5+7=")));
        QVERIFY2(c.lastReusedTokens() >= turnOne - 2,
                 qPrintable(QStringLiteral("reused %1 of turn one's %2").arg(c.lastReusedTokens()).arg(turnOne)));
        QVERIFY(c.lastPromptTokens() - c.lastReusedTokens() <= 6);  // "5+7=" and what the cache lacked
        c.setPromptMode(QStringLiteral("template"));  // as it was, for the next run's settings
    }
};

QTEST_MAIN(TstChatConversation)
#include "tst_chat_conversation.moc"
