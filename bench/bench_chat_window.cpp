// Responsiveness of the real window with a long saved chat: frame times and
// event-loop stalls while an answer streams into a 200-message chat (100
// turns, Markdown answers with code blocks), beside the same stream into an
// empty chat in the same run. Prints JSON (no timed assertions).
//   bench_chat_window [--checkpoint PATH] [--tokens 600] [--messages 200]
// Run under Xvfb (xvfb-run -a -s "-screen 0 1600x1000x24"). The history and
// settings live in a temporary XDG_DATA_HOME / XDG_CONFIG_HOME: the user's own
// are never read or written.
#include <QGuiApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QTemporaryDir>
#include <QtQml/qqmlextensionplugin.h>
#include <algorithm>
#include <cstdio>

#include "app_options.h"
#include "chat/chat_controller.h"
#include "history_store.h"
#include "stall_meter.h"

Q_IMPORT_QML_PLUGIN(WaypointPlugin)

using waypoint::app::ChatController;
using waypoint::bench::StallMeter;
using waypoint::bench::waitUntil;
using waypoint::history::HistoryStore;

namespace {

QString answerText(int turn) {
    return QStringLiteral("Here is **step %1** of the story, with a list:\n\n- the dog ran\n- the bird sang\n\n"
                          "```python\nfor i in range(%1):\n    print(\"turn\", i)\n```\n\nAnd then they played in "
                          "the sun until the evening came and everyone went home happy.")
        .arg(turn);
}

// Frame intervals (ms) between frameSwapped signals of the window.
struct FrameMeter {
    QElapsedTimer clock;
    qint64 last = -1;
    QVector<double> gaps;
    void reset() { gaps.clear(); last = -1; }
    void frame() {
        const qint64 now = clock.nsecsElapsed();
        if (last >= 0) gaps << (now - last) / 1e6;
        last = now;
    }
    QJsonObject json() const {
        QVector<double> s = gaps;
        std::sort(s.begin(), s.end());
        const auto at = [&](double q) { return s.isEmpty() ? 0.0 : s[std::min<int>(int(s.size()) - 1, int(q * s.size()))]; };
        return {{"frames", int(s.size())}, {"median_frame_ms", at(0.5)}, {"p95_frame_ms", at(0.95)},
                {"max_frame_ms", s.isEmpty() ? 0.0 : s.last()}};
    }
};

}  // namespace

int main(int argc, char* argv[]) {
    QTemporaryDir home;
    qputenv("XDG_DATA_HOME", home.filePath(QStringLiteral("data")).toUtf8());
    qputenv("XDG_CONFIG_HOME", home.filePath(QStringLiteral("config")).toUtf8());
    QGuiApplication app(argc, argv);
    app.setOrganizationName(QStringLiteral("waypoint-bench"));
    app.setApplicationName(QStringLiteral("bench_chat_window"));
    QString checkpoint = QStringLiteral(WAYPOINT_SHARED_DIR "/models/stories260K/stories260K.bin");
    int tokens = 600, messages = 200;
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); ++i) {
        if (args[i] == QLatin1String("--checkpoint")) checkpoint = args[i + 1];
        if (args[i] == QLatin1String("--tokens")) tokens = args[i + 1].toInt();
        if (args[i] == QLatin1String("--messages")) messages = args[i + 1].toInt();
    }
    int code = 0;
    if (!waypoint::app::AppOptions::parse({args[0]}, &code)) return code;
    QQuickStyle::setStyle(QStringLiteral("Fusion"));

    // The long chat, written before the window opens: it shows the most recent chat.
    {
        HistoryStore store;
        store.open();
        const qint64 chat = store.newChat(QStringLiteral("A long chat"), checkpoint);
        qint64 parent = 0;
        for (int i = 0; i < messages / 2; ++i) {
            parent = store.addMessage(chat, parent, QStringLiteral("user"), QStringLiteral("Go on with part %1, please.").arg(i));
            parent = store.addMessage(chat, parent, QStringLiteral("assistant"), answerText(i), checkpoint, {},
                                      QStringLiteral("eos"));
        }
        store.sync();
    }

    QQmlApplicationEngine engine;
    QObject* root = waypoint::bench::loadMainWindow(engine);
    auto* window = qobject_cast<QQuickWindow*>(root);
    auto* chat = root ? root->findChild<ChatController*>() : nullptr;
    if (!window || !chat) {
        std::fprintf(stderr, "bench_chat_window: the main window did not load\n");
        return 1;
    }
    FrameMeter frames;
    frames.clock.start();
    QObject::connect(window, &QQuickWindow::frameSwapped, window, [&] { frames.frame(); }, Qt::DirectConnection);
    StallMeter meter;
    meter.start();
    if (!waitUntil([&] { return chat->messages()->rowCount() == messages; }, 30000)) {
        std::fprintf(stderr, "bench_chat_window: the saved chat did not open (%d rows)\n", chat->messages()->rowCount());
        return 1;
    }
    waitUntil([&] { return !chat->loading(); }, 120000);  // the start-up load (the demo, first start)
    chat->load(checkpoint);
    if (!waitUntil([&] { return !chat->loading() && chat->checkpointPath() == checkpoint; }, 120000)) {
        std::fprintf(stderr, "bench_chat_window: %s\n", qPrintable(chat->lastError()));
        return 1;
    }
    chat->sampling()->setMaxNewTokens(tokens);
    chat->sampling()->setStopAtEos(false);
    chat->sampling()->setTemperature(0.8);

    const auto stream = [&](const char* what) {
        waitUntil([] { return false; }, 500);  // settle
        meter.reset();
        frames.reset();
        QElapsedTimer t;
        t.start();
        chat->send(QStringLiteral("Once upon a time"));
        waitUntil([&] { return !chat->generating(); }, 600000);
        QJsonObject o = meter.json(t.elapsed());
        const QJsonObject f = frames.json();
        for (auto it = f.begin(); it != f.end(); ++it) o[it.key()] = it.value();
        o[QStringLiteral("rows")] = chat->messages()->rowCount();
        o[QStringLiteral("tokens")] = chat->lastNewTokens();
        o[QStringLiteral("tokens_per_s")] = chat->tokensPerSecond();
        o[QStringLiteral("chat")] = QString::fromLatin1(what);
        return o;
    };
    const QJsonObject longChat = stream("200-message chat");
    QMetaObject::invokeMethod(root, "newChat");
    waitUntil([&] { return chat->messages()->rowCount() == 0; }, 5000);
    const QJsonObject emptyChat = stream("empty chat (reference)");
    meter.stop();

    const QJsonObject out{{"checkpoint", checkpoint},
                          {"platform", QGuiApplication::platformName()},
                          {"messages", messages},
                          {"stream_into_long_chat", longChat},
                          {"stream_into_empty_chat", emptyChat},
                          {"target_max_stall_ms", 50}};
    std::printf("%s\n", QJsonDocument(out).toJson(QJsonDocument::Indented).constData());
    return 0;
}
