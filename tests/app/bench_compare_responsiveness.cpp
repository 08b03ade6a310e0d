// Responsiveness of the real window's compare view: the longest gap between
// ticks of a 1 ms timer on the GUI thread (an event-loop stall) while the
// panes load and while all of them stream at once (same method as
// bench_responsiveness). Prints JSON; target: stalls < 50 ms.
//   bench_compare_responsiveness [--compare PATH]... [--tokens 450] [--threads N]
// Default: three panes on ../shared's stories260K (one shared model); 450
// tokens stay inside its 512-token context (past it the engine slides the
// window, which is the engine's cost, not the window's).
// Run under Xvfb (xvfb-run -s "-screen 0 1400x900x24") or -platform offscreen.
#include <QElapsedTimer>
#include <QEventLoop>
#include <QGuiApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QQmlApplicationEngine>
#include <QThread>
#include <QTimer>
#include <QtQml/qqmlextensionplugin.h>
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <functional>

#include "waypoint/model.h"
#include "compare/compare_controller.h"
#include "bench_window.h"
#include "stall_meter.h"

Q_IMPORT_QML_PLUGIN(WaypointPlugin)

using waypoint::app::CompareController;
using waypoint::bench::StallMeter;
using waypoint::bench::threadCpuMs;
using waypoint::bench::waitUntil;

namespace {
bool allLoaded(const CompareController& c) {
    if (c.loading()) return false;
    for (int i = 0; i < c.rowCount(); ++i)
        if (!c.paneAt(i)->chat()->modelLoaded()) return false;
    return c.rowCount() > 0;
}
}  // namespace

int main(int argc, char* argv[]) {
    // The window's history and settings in a temporary folder, not the
    // user's app-data and config folders.
    waypoint::bench::BenchWindowSetup setup;
    QGuiApplication app(argc, argv);
    int code = 0;
    if (!setup.start(QStringLiteral("bench_compare_responsiveness"), {}, &code)) return code;
    QStringList checkpoints;
    int tokens = 450;
    int threads = 0;  // engine compute threads; 0: the engine's default (all cores)
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); ++i) {
        if (args[i] == QLatin1String("--compare")) checkpoints << args[i + 1];
        if (args[i] == QLatin1String("--tokens")) tokens = args[i + 1].toInt();
        if (args[i] == QLatin1String("--threads")) threads = args[i + 1].toInt();
    }
    if (threads > 0) waypoint::set_cpu_threads(threads);  // before any load
    if (checkpoints.isEmpty()) {
        const QString s = QStringLiteral(WAYPOINT_SHARED_DIR "/models/stories260K/stories260K.bin");
        checkpoints = {s, s, s};
    }

    StallMeter meter;

    QQmlApplicationEngine engine;
    QElapsedTimer phase;
    phase.start();
    QObject* window = waypoint::bench::loadMainWindow(engine);
    if (!window) return 1;
    auto* compare = window->findChild<CompareController*>();
    if (!compare) {
        std::fprintf(stderr, "no CompareController in Main.qml\n");
        return 1;
    }
    // Start-up as a user sees it: the chat's checkpoint, then Ctrl+2 (the
    // compare view on its default panes); neither is measured.
    meter.start();
    QMetaObject::invokeMethod(window, "showView", Q_ARG(QVariant, 1));
    waitUntil([&] { return allLoaded(*compare); }, 120000);
    waitUntil([] { return false; }, 500);  // first frames
    const double startupMs = phase.elapsed();
    // Measured: the panes switch to `checkpoints` (loads on the workers).
    meter.reset();
    phase.restart();
    double cpu0 = threadCpuMs();
    compare->openCheckpoints(checkpoints);
    if (!waitUntil([&] { return allLoaded(*compare); }, 120000)) {
        std::fprintf(stderr, "panes did not load: %s\n", qPrintable(compare->lastError()));
        return 1;
    }
    meter.tick();  // the gap up to the end counts too
    QJsonObject load = meter.json(phase.elapsed());
    load[QStringLiteral("gui_thread_cpu_ms")] = threadCpuMs() - cpu0;

    for (int i = 0; i < compare->rowCount(); ++i) {
        auto* s = compare->paneAt(i)->sampling();
        s->setMaxNewTokens(tokens);
        s->setStopAtEos(false);
        s->setTemperature(0.8);
        s->setTopK(40);
    }
    waitUntil([] { return false; }, 300);  // let the window settle
    meter.reset();
    phase.restart();
    cpu0 = threadCpuMs();
    if (!compare->send(QStringLiteral("Once upon a time"))) return 1;
    if (!waitUntil([&] { return !compare->generating(); }, 600000)) return 1;
    meter.tick();
    QJsonObject stream = meter.json(phase.elapsed());
    stream[QStringLiteral("gui_thread_cpu_ms")] = threadCpuMs() - cpu0;
    QJsonArray panes;
    for (int i = 0; i < compare->rowCount(); ++i) {
        const auto* chat = compare->paneAt(i)->chat();
        panes.append(QJsonObject{{"checkpoint", compare->paneAt(i)->checkpoint()},
                                 {"tokens", chat->lastNewTokens()},
                                 {"tokens_per_s", chat->tokensPerSecond()},
                                 {"finish", chat->lastFinish()},
                                 {"answer_chars", compare->paneAt(i)->answer().size()}});
    }
    stream[QStringLiteral("panes")] = panes;
    meter.stop();

    const QJsonObject out{{"platform", QGuiApplication::platformName()},
                          {"startup_ms", startupMs},
                          {"load_average_1min", waypoint::bench::loadAverage()},
                          {"cpu_cores", QThread::idealThreadCount()},
                          {"engine_threads", threads},
                          {"panes", compare->rowCount()},
                          {"load", load},
                          {"stream", stream},
                          {"target_max_stall_ms", 50},
                          {"ok", load[QStringLiteral("max_stall_ms")].toDouble() < 50 &&
                                     stream[QStringLiteral("max_stall_ms")].toDouble() < 50}};
    std::printf("%s\n", QJsonDocument(out).toJson(QJsonDocument::Indented).constData());
    return 0;
}
