// ChatRecorder between the chat's MessageModel and a real history file: the
// first message starts a saved chat, answers are saved with the controller's
// stats, regenerate keeps the old answer as an alternative, clear starts a new
// chat, error rows are not kept, and openChat puts a saved chat back.
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "chat/message_model.h"
#include "history/chat_recorder.h"
#include "history_database.h"
#include "history_store.h"

using namespace waypoint::app;
using namespace waypoint::history;

// Stands in for ChatController: the properties the recorder reads.
class StatsSource : public QObject {
    Q_OBJECT
    Q_PROPERTY(QString checkpointPath MEMBER checkpointPath)
    Q_PROPERTY(QString lastFinish MEMBER lastFinish)
    Q_PROPERTY(int lastNewTokens MEMBER lastNewTokens)
    Q_PROPERTY(int lastPromptTokens MEMBER lastPromptTokens)
    Q_PROPERTY(double tokensPerSecond MEMBER tokensPerSecond)
    Q_PROPERTY(double timeToFirstTokenMs MEMBER timeToFirstTokenMs)
public:
    QString checkpointPath = QStringLiteral("/models/arith-step4000");
    QString lastFinish = QStringLiteral("eos");
    int lastNewTokens = 3;
    int lastPromptTokens = 7;
    double tokensPerSecond = 250.0;
    double timeToFirstTokenMs = 12.0;
};

class TestChatRecorder : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    QString path_;
    std::unique_ptr<HistoryStore> store_;
    MessageModel model_;
    StatsSource controller_;
    std::unique_ptr<ChatRecorder> recorder_;

    // A streamed answer as ChatController makes one.
    void answer(const QStringList& deltas, const QString& stats = QStringLiteral("3 tokens · 250 tok/s")) {
        const int row = model_.append(QStringLiteral("model"), QString(), true);
        for (const QString& d : deltas) model_.appendText(row, d);
        model_.finish(row, stats);
    }
    QVector<MessageRecord> saved(qint64 chat) {
        store_->sync();
        HistoryDatabase db;
        db.open(path_);
        return db.conversation(chat);
    }

    void setUpAt(const QString& path) {
        path_ = path;
        store_ = std::make_unique<HistoryStore>();
        store_->setPath(path_);
        store_->open();
        model_.clear();
        recorder_ = std::make_unique<ChatRecorder>();
        recorder_->setHistory(store_.get());
        recorder_->setMessages(&model_);
        recorder_->setController(&controller_);
    }

private Q_SLOTS:
    void init() { setUpAt(dir_.filePath(QStringLiteral("h%1.sqlite").arg(QRandomGenerator::global()->generate()))); }
    void cleanup() {
        recorder_.reset();
        store_.reset();
    }

    void firstMessageStartsASavedChat() {
        QCOMPARE(recorder_->chatId(), qint64(0));
        model_.append(QStringLiteral("user"), QStringLiteral("  12+34=\nand more"));
        const qint64 chat = recorder_->chatId();
        QVERIFY(chat != 0);
        QCOMPARE(store_->chat(chat).value(QStringLiteral("title")).toString(), QStringLiteral("12+34="));
        QCOMPARE(store_->chat(chat).value(QStringLiteral("checkpoint")).toString(), controller_.checkpointPath);
        answer({QStringLiteral("4"), QStringLiteral("6")});
        const QVector<MessageRecord> conv = saved(chat);
        QCOMPARE(conv.size(), 2);
        QCOMPARE(conv[0].role, QStringLiteral("user"));
        QCOMPARE(conv[0].text, QStringLiteral("  12+34=\nand more"));
        QCOMPARE(conv[1].role, QStringLiteral("assistant"));
        QCOMPARE(conv[1].text, QStringLiteral("46"));
        QCOMPARE(conv[1].checkpoint, controller_.checkpointPath);
        QCOMPARE(conv[1].finishReason, QStringLiteral("eos"));
        QCOMPARE(conv[1].stats.value(QStringLiteral("newTokens")).toInt(), 3);
        QCOMPARE(conv[1].stats.value(QStringLiteral("summary")).toString(), QStringLiteral("3 tokens · 250 tok/s"));
        QVERIFY(conv[1].complete);
    }

    void stoppedAnswerKeepsItsReason() {
        model_.append(QStringLiteral("user"), QStringLiteral("tell a story"));
        answer({QStringLiteral("Once")}, QStringLiteral("stopped"));
        const QVector<MessageRecord> conv = saved(recorder_->chatId());
        QCOMPARE(conv.size(), 2);
        QCOMPARE(conv[1].finishReason, QStringLiteral("stopped"));
        QCOMPARE(conv[1].text, QStringLiteral("Once"));
    }

    void regenerateKeepsTheOldAnswer() {
        model_.append(QStringLiteral("user"), QStringLiteral("2+2="));
        answer({QStringLiteral("5")});
        model_.removeLast();  // ChatController::regenerate
        answer({QStringLiteral("4")});
        const QVector<MessageRecord> conv = saved(recorder_->chatId());
        QCOMPARE(conv.size(), 2);
        QCOMPARE(conv[1].text, QStringLiteral("4"));
        QCOMPARE(conv[1].alternative, 1);
        QCOMPARE(conv[1].alternatives, 2);
        // A further turn follows the new answer.
        model_.append(QStringLiteral("user"), QStringLiteral("and 3+3="));
        QCOMPARE(saved(recorder_->chatId()).size(), 3);
    }

    void clearStartsANewChatAndErrorsAreNotKept() {
        model_.append(QStringLiteral("user"), QStringLiteral("first chat"));
        const qint64 first = recorder_->chatId();
        model_.clear();
        QCOMPARE(recorder_->chatId(), qint64(0));
        model_.append(QStringLiteral("user"), QStringLiteral("second chat"));
        model_.append(QStringLiteral("error"), QStringLiteral("No checkpoint is loaded"));
        const qint64 second = recorder_->chatId();
        QVERIFY(second != first && second != 0);
        QCOMPARE(store_->chats()->rowCount(), 2);
        QCOMPARE(saved(second).size(), 1);
        recorder_->startNewChat();
        QCOMPARE(recorder_->chatId(), qint64(0));
    }

    void openChatPutsItBackAndContinuesIt() {
        model_.append(QStringLiteral("user"), QStringLiteral("1+1="));
        answer({QStringLiteral("2")});
        const qint64 chat = recorder_->chatId();
        store_->sync();
        // As after a restart: a fresh store, model and recorder.
        recorder_.reset();
        store_.reset();
        model_.clear();
        setUpAt(path_);
        QVERIFY(!store_->ready());
        QSignalSpy opened(recorder_.get(), &ChatRecorder::chatIdChanged);
        store_->sync();
        QVERIFY(store_->ready());
        recorder_->openMostRecent();
        QVERIFY(opened.wait(5000));
        QCOMPARE(recorder_->chatId(), chat);
        QCOMPARE(model_.rowCount(), 2);
        QCOMPARE(model_.at(0).role, QStringLiteral("user"));
        QCOMPARE(model_.at(1).role, QStringLiteral("model"));
        QCOMPARE(model_.at(1).text, QStringLiteral("2"));
        QCOMPARE(model_.at(1).stats, QStringLiteral("3 tokens · 250 tok/s"));
        QVERIFY(!model_.at(1).streaming);
        // Restoring wrote nothing; the next turn continues the same chat.
        model_.append(QStringLiteral("user"), QStringLiteral("2+2="));
        QCOMPARE(recorder_->chatId(), chat);
        const QVector<MessageRecord> conv = saved(chat);
        QCOMPARE(conv.size(), 3);
        QCOMPARE(conv[2].text, QStringLiteral("2+2="));
        QCOMPARE(store_->chats()->rowCount(), 1);
    }

    void titles() {
        QCOMPARE(ChatRecorder::titleFor(QStringLiteral("\n  hello   world \nmore")), QStringLiteral("hello world"));
        QCOMPARE(ChatRecorder::titleFor(QString(100, QLatin1Char('a'))).size(), 60);
        QCOMPARE(ChatRecorder::titleFor(QStringLiteral("   ")), QStringLiteral("New chat"));
    }
};

QTEST_MAIN(TestChatRecorder)
#include "tst_chat_recorder.moc"
