// What the chat history costs the GUI thread (prints JSON; not a test).
// A 200-message chat (100 turns, each answer streamed as 20 growing texts,
// one every 2 ms) through HistoryStore, with a 1 ms ticker measuring the
// longest event-loop stall; beside it, the peer a simpler app would be: the
// same writes done synchronously on the GUI thread through HistoryDatabase.
// Then reading the whole 200-message chat back, both ways.
//   bench_history [folder for the database files]
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <algorithm>
#include <cstdio>

#include "../stall_meter.h"
#include "history_database.h"
#include "history_ids.h"
#include "history_store.h"

using namespace waypoint::history;

namespace {

struct Timings {
    QVector<double> us;
    void add(qint64 ns) { us << ns / 1000.0; }
    QJsonObject json() {
        std::sort(us.begin(), us.end());
        if (us.isEmpty()) return {};
        return {{"calls", int(us.size())},
                {"median_us", us[us.size() / 2]},
                {"p99_us", us[std::min<int>(us.size() - 1, int(us.size() * 0.99))]},
                {"max_us", us.last()}};
    }
};

constexpr int kTurns = 100;
constexpr int kUpdatesPerAnswer = 20;
QString answerText(int turn, int upTo) {
    QString s;
    for (int i = 0; i < upTo; ++i) s += QStringLiteral("word%1-%2 and some more text, ").arg(turn).arg(i);
    return s;
}

}  // namespace

int main(int argc, char* argv[]) {
    QCoreApplication app(argc, argv);
    QTemporaryDir tmp;
    const QString folder = argc > 1 ? QString::fromLocal8Bit(argv[1]) : tmp.path();
    QJsonObject out;

    // --- The store: calls from the GUI thread, writes on its own thread.
    {
        Timings call, update;
        waypoint::bench::StallMeter meter;
        HistoryStore store;
        store.setPath(folder + QStringLiteral("/bench-store.sqlite"));
        store.open();
        store.sync();
        meter.reset();
        meter.start();
        QElapsedTimer wall;
        wall.start();
        QElapsedTimer t;
        t.start();
        const qint64 chat = store.newChat(QStringLiteral("bench"));
        call.add(t.nsecsElapsed());
        qint64 parent = 0;
        for (int turn = 0; turn < kTurns; ++turn) {
            t.restart();
            const qint64 user = store.addMessage(chat, parent, QStringLiteral("user"), QStringLiteral("question %1").arg(turn));
            const qint64 answer = store.startAnswer(chat, user, QStringLiteral("/m/bench"));
            call.add(t.nsecsElapsed());
            for (int u = 1; u <= kUpdatesPerAnswer; ++u) {
                const QString text = answerText(turn, u);
                t.restart();
                store.updateAnswer(answer, text);
                update.add(t.nsecsElapsed());
                waypoint::bench::waitUntil([] { return false; }, 2);  // the next token, 2 ms later
            }
            t.restart();
            store.finishAnswer(answer, answerText(turn, kUpdatesPerAnswer), {{QStringLiteral("newTokens"), 200}},
                               QStringLiteral("length"));
            call.add(t.nsecsElapsed());
            parent = answer;
        }
        // Read the whole chat back (200 messages).
        QElapsedTimer load;
        load.start();
        bool loaded = false;
        int count = 0;
        QObject::connect(&store, &HistoryStore::conversationLoaded, [&](qint64, const QVector<MessageRecord>& m) {
            loaded = true;
            count = int(m.size());
        });
        t.restart();
        store.loadConversation(chat);
        const double loadCallUs = t.nsecsElapsed() / 1000.0;
        waypoint::bench::waitUntil([&] { return loaded; }, 10000);
        const double loadMs = load.nsecsElapsed() / 1e6;
        meter.stop();
        out.insert("store", QJsonObject{{"messages", 2 * kTurns},
                                        {"wall_ms", wall.nsecsElapsed() / 1e6},
                                        {"gui_thread_per_call", call.json()},
                                        {"gui_thread_per_update_answer", update.json()},
                                        {"event_loop", meter.json(wall.nsecsElapsed() / 1e6)},
                                        {"load_200_messages_gui_call_us", loadCallUs},
                                        {"load_200_messages_until_shown_ms", loadMs},
                                        {"loaded_messages", count}});
    }

    // --- The peer: every write synchronously on the calling (GUI) thread.
    {
        Timings save, update;
        HistoryDatabase db;
        db.open(folder + QStringLiteral("/bench-direct.sqlite"));
        ChatRecord c;
        c.id = nextId();
        c.title = QStringLiteral("bench");
        c.createdMs = c.lastUsedMs = QDateTime::currentMSecsSinceEpoch();
        db.saveChat(c);
        Id parent = 0;
        QElapsedTimer t;
        for (int turn = 0; turn < kTurns; ++turn) {
            MessageRecord u;
            u.id = nextId();
            u.chatId = c.id;
            u.parentId = parent;
            u.role = QStringLiteral("user");
            u.text = QStringLiteral("question %1").arg(turn);
            MessageRecord a = u;
            a.id = nextId();
            a.parentId = u.id;
            a.role = QStringLiteral("assistant");
            a.text.clear();
            a.complete = false;
            t.start();
            db.saveMessage(u);
            db.saveMessage(a);
            save.add(t.nsecsElapsed());
            // A naive app writes at every token.
            for (int k = 1; k <= kUpdatesPerAnswer; ++k) {
                const QString text = answerText(turn, k);
                t.restart();
                db.updateText(a.id, text);
                update.add(t.nsecsElapsed());
            }
            a.text = answerText(turn, kUpdatesPerAnswer);
            a.complete = true;
            t.restart();
            db.saveMessage(a);
            save.add(t.nsecsElapsed());
            parent = a.id;
        }
        t.restart();
        const int count = int(db.conversation(c.id).size());
        const double loadMs = t.nsecsElapsed() / 1e6;
        out.insert("peer_synchronous_on_gui_thread",
                   QJsonObject{{"per_message_save", save.json()},
                               {"per_update_text", update.json()},
                               {"load_200_messages_ms", loadMs},
                               {"loaded_messages", count}});
    }
    out.insert("budget_ms", QJsonObject{{"frame", 16.7}, {"stall_limit", 50}});
    std::printf("%s\n", QJsonDocument(out).toJson(QJsonDocument::Indented).constData());
    return 0;
}
