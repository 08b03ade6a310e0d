// Responsiveness of the real window with a long saved chat: frame times and
// event-loop stalls while an answer streams into a 200-message chat (100
// turns, Markdown answers with code blocks), beside the same stream into an
// empty chat in the same run. Prints JSON on stdout and the two side by side
// on stderr (no timed assertions): the longest event-loop stall, the 99th
// percentile and median frame interval, and the GUI thread's CPU time per
// streamed token (what the long chat costs, whatever the machine's load).
//   bench_chat_window [--checkpoint PATH] [--tokens 600] [--messages 200] [--screenshots PREFIX]
//                     [--theme light|dark] [--reopen 1] [--renderer auto|gpu|software]
// Last, it opens the long chat again from the empty one (reopen_long_chat),
// --reopen times (back to the empty one in between; every run in its JSON).
// --screenshots: the window while the answer streams into the long chat,
// once it is whole, and a second after the long chat was opened again
// (PREFIX-streaming.png, PREFIX-done.png, PREFIX-reopened.png), to look at;
// the grabs stall the window, so the numbers of such a run do not count.
// Run under Xvfb (xvfb-run -a -s "-screen 0 1600x1000x24"). The history and
// settings live in a temporary XDG_DATA_HOME / XDG_CONFIG_HOME: the user's own
// are never read or written.
#include <QGuiApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QQmlApplicationEngine>
#include <QQuickWindow>
#include <QSGRendererInterface>
#include <QtQml/qqmlextensionplugin.h>
#include <algorithm>
#include <cstdio>

#include "app_options.h"
#include "chat/chat_controller.h"
#include "chat_recorder.h"
#include "history_store.h"
#include "bench_window.h"
#include "stall_meter.h"

Q_IMPORT_QML_PLUGIN(WaypointPlugin)

using waypoint::app::ChatController;
using waypoint::app::ChatRecorder;
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

// Frame intervals (ms) between frameSwapped signals of the window. With a
// threaded render loop the signal comes from the render thread, directly
// (the GUI thread may be the one stalled): the mutex guards the intervals
// against the GUI thread's reset() and json().
struct FrameMeter {
    QElapsedTimer clock;
    mutable QMutex mutex;
    qint64 last = -1;
    QVector<double> gaps;
    void reset() {
        QMutexLocker lock(&mutex);
        gaps.clear();
        last = -1;
    }
    void frame() {
        QMutexLocker lock(&mutex);
        const qint64 now = clock.nsecsElapsed();
        if (last >= 0) gaps << (now - last) / 1e6;
        last = now;
    }
    QJsonObject json() const {
        QVector<double> s;
        {
            QMutexLocker lock(&mutex);
            s = gaps;
        }
        std::sort(s.begin(), s.end());
        const auto at = [&](double q) { return s.isEmpty() ? 0.0 : s[std::min<int>(int(s.size()) - 1, int(q * s.size()))]; };
        return {{"frames", int(s.size())}, {"median_frame_ms", at(0.5)}, {"p95_frame_ms", at(0.95)},
                {"p99_frame_ms", at(0.99)}, {"max_frame_ms", s.isEmpty() ? 0.0 : s.last()}};
    }
};

}  // namespace

int main(int argc, char* argv[]) {
    waypoint::bench::BenchWindowSetup setup;
    QGuiApplication app(argc, argv);
    int code = 0;
    QStringList appOptions;  // --renderer auto|gpu|software goes to the app's own choice
    const int rendererAt = app.arguments().indexOf(QStringLiteral("--renderer"));
    if (rendererAt > 0) appOptions << QStringLiteral("--renderer") << app.arguments().value(rendererAt + 1);
    if (!setup.start(QStringLiteral("bench_chat_window"), appOptions, &code)) return code;
    QString checkpoint = QStringLiteral(WAYPOINT_SHARED_DIR "/models/stories260K/stories260K.bin");
    int tokens = 600, messages = 200, reopens = 1;
    QString screenshots;
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); ++i) {
        if (args[i] == QLatin1String("--checkpoint")) checkpoint = args[i + 1];
        if (args[i] == QLatin1String("--tokens")) tokens = args[i + 1].toInt();
        if (args[i] == QLatin1String("--messages")) messages = args[i + 1].toInt();
        if (args[i] == QLatin1String("--screenshots")) screenshots = args[i + 1];
        if (args[i] == QLatin1String("--reopen")) reopens = std::max(1, args[i + 1].toInt());
        if (args[i] == QLatin1String("--theme")) waypoint::app::applyTheme(app, args[i + 1]);
    }

    // The long chat, written before the window opens: it shows the most recent chat.
    qint64 longChatId = 0;
    {
        HistoryStore store;
        store.open();
        const qint64 chat = longChatId = store.newChat(QStringLiteral("A long chat"), checkpoint);
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

    // One answer streamed into the chat on show. gui_cpu_ms is the CPU time
    // of the GUI thread alone (not the engine's thread, not the render
    // thread): per token it is what the window costs, whatever the load.
    const auto shoot = [&](const char* suffix) {
        if (!screenshots.isEmpty()) window->grabWindow().save(screenshots + QString::fromLatin1(suffix));
    };
    const auto stream = [&](const QString& what, bool shots) {
        waitUntil([] { return false; }, 500);  // settle
        meter.reset();
        frames.reset();
        const double load = waypoint::bench::loadAverage();
        const double cpu0 = waypoint::bench::threadCpuMs();
        const QHash<QString, double> threads0 = waypoint::bench::cpuMsByThreadName();
        QElapsedTimer t;
        t.start();
        chat->send(QStringLiteral("Once upon a time"));
        if (shots) {
            waitUntil([&] { return chat->messages()->tokenCountAt(chat->messages()->rowCount() - 1) > tokens / 2; }, 600000);
            shoot("-streaming.png");
        }
        waitUntil([&] { return !chat->generating(); }, 600000);
        const QJsonObject f = frames.json();  // frames while it streamed (then the window may idle)
        const int tokenCount = chat->lastNewTokens();
        // The second after the end belongs to the stream (stalls, CPU): the
        // answer turns into Markdown then.
        waitUntil([] { return false; }, 1000);
        if (shots) shoot("-done.png");
        QJsonObject o = meter.json(t.elapsed());
        const double cpu = waypoint::bench::threadCpuMs() - cpu0;
        QJsonObject threads;
        const QHash<QString, double> threads1 = waypoint::bench::cpuMsByThreadName();
        for (auto it = threads1.begin(); it != threads1.end(); ++it)
            if (it.value() - threads0.value(it.key()) > 0) threads[it.key()] = it.value() - threads0.value(it.key());
        for (auto it = f.begin(); it != f.end(); ++it) o[it.key()] = it.value();
        o[QStringLiteral("rows")] = chat->messages()->rowCount();
        o[QStringLiteral("tokens")] = tokenCount;
        o[QStringLiteral("tokens_per_s")] = chat->tokensPerSecond();
        o[QStringLiteral("gui_cpu_ms")] = cpu;
        o[QStringLiteral("gui_cpu_ms_per_token")] = tokenCount > 0 ? cpu / tokenCount : 0.0;
        o[QStringLiteral("load_average_1min")] = load;
        o[QStringLiteral("cpu_ms_by_thread")] = threads;
        o[QStringLiteral("chat")] = what;
        return o;
    };
    const QJsonObject longChat = stream(QStringLiteral("%1-message chat").arg(messages), true);
    QMetaObject::invokeMethod(root, "newChat");
    waitUntil([&] { return chat->messages()->rowCount() == 0; }, 5000);
    const QJsonObject emptyChat = stream(QStringLiteral("empty chat (reference)"), false);

    // Going back to the long chat from the chat list (what a click does): the
    // saved branch is read on the history's thread, then shown.
    auto* recorder = root->findChild<ChatRecorder*>();
    QJsonObject reopen;
    if (recorder) {
        const qint64 otherChatId = recorder->chatId();
        QJsonArray runs;
        QVector<double> stalls;
        for (int run = 0; run < reopens; ++run) {
            if (run > 0) {  // back to the short chat, then the long one again
                recorder->openChat(otherChatId);
                waitUntil([&] { return chat->messages()->rowCount() == 2; }, 30000);
            }
            waitUntil([] { return false; }, 500);
            meter.reset();
            const double cpu0 = waypoint::bench::threadCpuMs();
            QElapsedTimer t;
            t.start();
            recorder->openChat(longChatId);
            waitUntil([&] { return chat->messages()->rowCount() == messages + 2; }, 30000);
            const double shownMs = t.elapsed();
            waitUntil([] { return false; }, 1000);
            QJsonObject one = meter.json(t.elapsed());
            one[QStringLiteral("shown_ms")] = shownMs;
            one[QStringLiteral("gui_cpu_ms")] = waypoint::bench::threadCpuMs() - cpu0;
            one[QStringLiteral("load_average_1min")] = waypoint::bench::loadAverage();
            stalls << one[QStringLiteral("max_stall_ms")].toDouble();
            if (run == 0) {
                reopen = one;
                shoot("-reopened.png");
            }
            runs.append(one);
        }
        // The first opening stays the headline (what a click does once);
        // the others show the spread on this machine.
        std::sort(stalls.begin(), stalls.end());
        reopen[QStringLiteral("runs")] = runs;
        reopen[QStringLiteral("max_stall_ms_median_of_runs")] = stalls[stalls.size() / 2];
        reopen[QStringLiteral("max_stall_ms_worst_of_runs")] = stalls.last();
    }
    meter.stop();

    // The long chat beside the empty one of the same run: what the long chat
    // itself costs, apart from the machine's load.
    const auto row = [](const QJsonObject& o) {
        return QStringLiteral("%1 %2 %3 %4 %5 %6")
            .arg(o[QStringLiteral("chat")].toString(), -26)
            .arg(o[QStringLiteral("max_stall_ms")].toDouble(), 15, 'f', 1)
            .arg(o[QStringLiteral("p99_frame_ms")].toDouble(), 13, 'f', 1)
            .arg(o[QStringLiteral("median_frame_ms")].toDouble(), 16, 'f', 1)
            .arg(o[QStringLiteral("gui_cpu_ms_per_token")].toDouble(), 17, 'f', 3)
            .arg(o[QStringLiteral("load_average_1min")].toDouble(), 9, 'f', 2);
    };
    std::fprintf(stderr, "%-26s %15s %13s %16s %17s %9s\n%s\n%s\n", "chat", "max stall (ms)", "p99 frame (ms)",
                 "median frame (ms)", "GUI ms per token", "load avg", qPrintable(row(longChat)),
                 qPrintable(row(emptyChat)));
    if (!reopen.isEmpty()) {
        QStringList stalls;
        for (const auto& run : reopen[QStringLiteral("runs")].toArray())
            stalls << QString::number(run.toObject()[QStringLiteral("max_stall_ms")].toDouble(), 'f', 1);
        std::fprintf(stderr, "opening the long chat again: max stall %s ms, GUI thread CPU %.0f ms (first run)\n",
                     qPrintable(stalls.join(QStringLiteral(", "))), reopen[QStringLiteral("gui_cpu_ms")].toDouble());
    }
    const double emptyPerToken = emptyChat[QStringLiteral("gui_cpu_ms_per_token")].toDouble();
    const QJsonObject out{{"checkpoint", checkpoint},
                          {"platform", QGuiApplication::platformName()},
                          {"scene_graph", window->rendererInterface()->graphicsApi() == QSGRendererInterface::Software
                                              ? QStringLiteral("software") : QStringLiteral("rhi")},
                          {"scene_graph_reason", setup.renderer.reason},
                          {"messages", messages},
                          {"stream_into_long_chat", longChat},
                          {"stream_into_empty_chat", emptyChat},
                          {"reopen_long_chat", reopen},
                          {"gui_cpu_per_token_long_over_empty",
                           emptyPerToken > 0 ? longChat[QStringLiteral("gui_cpu_ms_per_token")].toDouble() / emptyPerToken : 0.0},
                          {"target_max_stall_ms", 50}};
    std::printf("%s\n", QJsonDocument(out).toJson(QJsonDocument::Indented).constData());
    return 0;
}
