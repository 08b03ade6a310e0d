// Streams answers into a chat history until it is killed (tst_history_crash).
//   history_crash_writer DB RUN SAVE_INTERVAL_MS
// Opens DB through HistoryStore, finds (or makes) the chat "crash test", adds
// the user message "question RUN" after the chat's last message, then streams
// the answer "RUN:0 RUN:1 RUN:2 ..." one word every 2 ms. Prints
//   user ID / answer ID      when the message is made
//   saved ID LENGTH          each time the answer's text up to LENGTH is in the file
// so the test knows what must have survived the kill.
#include <QCoreApplication>
#include <QTimer>
#include <cstdio>

#include "history_store.h"

using waypoint::history::HistoryStore;
using waypoint::history::MessageRecord;

int main(int argc, char* argv[]) {
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() != 4) {
        std::fprintf(stderr, "usage: history_crash_writer DB RUN SAVE_INTERVAL_MS\n");
        return 2;
    }
    const QString run = args.at(2);
    HistoryStore store;
    store.setPath(args.at(1));
    store.setSaveIntervalMs(args.at(3).toInt());
    QString text;
    qint64 answer = 0;
    int word = 0;
    QTimer ticker;
    ticker.setInterval(2);
    QObject::connect(&ticker, &QTimer::timeout, [&] {
        text += QStringLiteral("%1:%2 ").arg(run).arg(word++);
        store.updateAnswer(answer, text);
    });
    QObject::connect(&store, &HistoryStore::answerSaved, [&](qint64 id, int length) {
        std::printf("saved %lld %d\n", static_cast<long long>(id), length);
        std::fflush(stdout);
    });
    QObject::connect(&store, &HistoryStore::conversationLoaded,
                     [&](qint64 chatId, const QVector<MessageRecord>& messages) {
                         const qint64 parent = messages.isEmpty() ? 0 : messages.last().id;
                         const qint64 user = store.addMessage(chatId, parent, QStringLiteral("user"),
                                                              QStringLiteral("question %1").arg(run));
                         answer = store.startAnswer(chatId, user, QStringLiteral("crash-writer"));
                         std::printf("user %lld\nanswer %lld\n", static_cast<long long>(user),
                                     static_cast<long long>(answer));
                         std::fflush(stdout);
                         ticker.start();
                     });
    QObject::connect(&store, &HistoryStore::readyChanged, [&] {
        const auto* chats = store.chats();
        const int row = chats->rowCount() > 0 ? 0 : -1;
        const qint64 chat = row >= 0 ? chats->get(row).value(QStringLiteral("chatId")).toLongLong()
                                     : store.newChat(QStringLiteral("crash test"));
        store.loadConversation(chat);
    });
    store.open();
    return app.exec();
}
