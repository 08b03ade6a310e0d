// Responsiveness of the real window: the longest gap between ticks of a 1 ms
// timer on the GUI thread (an event-loop stall) while a checkpoint loads and
// while N tokens stream into the chat. Prints JSON; target: stalls < 50 ms.
//   bench_responsiveness [--checkpoint PATH] [--tokens 2000]
// Run under Xvfb (xvfb-run -s "-screen 0 1400x900x24") or -platform offscreen.
#include <QElapsedTimer>
#include <QEventLoop>
#include <QGuiApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QQmlApplicationEngine>
#include <QTimer>
#include <QtQml/qqmlextensionplugin.h>
#include <algorithm>
#include <cstdio>

#include "chat/chat_controller.h"
#include "bench_window.h"
#include "stall_meter.h"

Q_IMPORT_QML_PLUGIN(WaypointPlugin)

using waypoint::app::ChatController;
using waypoint::bench::StallMeter;
using waypoint::bench::waitUntil;

int main(int argc, char* argv[]) {
    // The window's history and settings in a temporary folder, not the
    // user's app-data and config folders.
    waypoint::bench::BenchWindowSetup setup;
    QGuiApplication app(argc, argv);
    QString checkpoint = QStringLiteral(WAYPOINT_SHARED_DIR "/models/stories260K/stories260K.bin");
    int tokens = 2000;
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); ++i) {
        if (args[i] == QLatin1String("--checkpoint")) checkpoint = args[i + 1];
        if (args[i] == QLatin1String("--tokens")) tokens = args[i + 1].toInt();
    }
    int code = 0;
    // The window starts as the app does (on the last or demo checkpoint, if
    // any); the measured load is the one of `checkpoint` once the window is up.
    if (!setup.start(QStringLiteral("bench_responsiveness"), {}, &code)) return code;

    StallMeter meter;

    QQmlApplicationEngine engine;
    QElapsedTimer phase;
    phase.start();
    QObject* root = waypoint::bench::loadMainWindow(engine);
    if (!root) return 1;
    auto* chat = root->findChild<ChatController*>();
    if (!chat) {
        std::fprintf(stderr, "no ChatController in Main.qml\n");
        return 1;
    }
    meter.start();
    waitUntil([&] { return !chat->loading(); }, 120000);  // a start-up load, if any
    waitUntil([] { return false; }, 500);                 // first frames
    const double startupMs = phase.elapsed();
    meter.reset();
    phase.restart();
    chat->load(checkpoint);
    if (!waitUntil([&] { return !chat->loading(); }, 120000) || !chat->modelLoaded()) {
        std::fprintf(stderr, "load failed: %s\n", qPrintable(chat->lastError()));
        return 1;
    }
    QJsonObject load = meter.json(phase.elapsed());
    load[QStringLiteral("parameters")] = double(chat->card().parameters());

    chat->sampling()->setMaxNewTokens(tokens);
    chat->sampling()->setStopAtEos(false);
    chat->sampling()->setTemperature(0.8);
    waitUntil([] { return false; }, 300);  // let the window settle
    meter.reset();
    phase.restart();
    chat->send(QStringLiteral("Once upon a time"));
    if (!waitUntil([&] { return !chat->generating(); }, 600000)) return 1;
    QJsonObject stream = meter.json(phase.elapsed());
    stream[QStringLiteral("tokens")] = chat->lastNewTokens();
    stream[QStringLiteral("tokens_per_s")] = chat->tokensPerSecond();
    stream[QStringLiteral("answer_chars")] = chat->messages()->textAt(1).size();
    meter.stop();

    const QJsonObject out{{"checkpoint", checkpoint},
                          {"platform", QGuiApplication::platformName()},
                          {"startup_ms", startupMs},
                          {"load", load},
                          {"stream", stream},
                          {"target_max_stall_ms", 50},
                          {"ok", load[QStringLiteral("max_stall_ms")].toDouble() < 50 &&
                                     stream[QStringLiteral("max_stall_ms")].toDouble() < 50}};
    std::printf("%s\n", QJsonDocument(out).toJson(QJsonDocument::Indented).constData());
    return 0;
}
