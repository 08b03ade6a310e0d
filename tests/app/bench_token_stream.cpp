// Responsiveness of token colouring: the real window streams N
// tokens (default 2000) into the chat, with "Colour by probability" off, then
// on, then on with the pointer hovering a token (popup open) while it streams.
// Per run: the longest GUI event-loop stall (gaps between ticks of a 1 ms
// timer), gaps over 16/50 ms, frames swapped, tokens/s. Prints JSON; target:
// stalls < 50 ms. Run under Xvfb:
//   xvfb-run -a -s "-screen 0 1400x900x24" bench_token_stream [--checkpoint PATH] [--tokens 2000]
#include <QElapsedTimer>
#include <QGuiApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTest>
#include <QTimer>
#include <QtQml/qqmlextensionplugin.h>
#include <algorithm>
#include <atomic>
#include <cstdio>

#include "chat/chat_controller.h"
#include "bench_window.h"
#include "stall_meter.h"

Q_IMPORT_QML_PLUGIN(WaypointPlugin)

using waypoint::app::ChatController;
using waypoint::bench::StallMeter;

namespace {

int fail(const char* what) {
    std::fprintf(stderr, "bench_token_stream: %s\n", what);
    return 1;
}

QQuickItem* answerText(QQuickItem* item) {
    if (item->objectName() == QLatin1String("messageText") && item->property("row").toInt() == 1) return item;
    for (QQuickItem* child : item->childItems())
        if (QQuickItem* found = answerText(child)) return found;
    return nullptr;
}
}  // namespace

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
    if (!setup.start(QStringLiteral("bench_token_stream"), {QStringLiteral("--checkpoint"), checkpoint}, &code)) return code;
    QQmlApplicationEngine engine;
    QObject* root = waypoint::bench::loadMainWindow(engine);
    if (!root) return fail("Main.qml did not load");
    auto* window = qobject_cast<QQuickWindow*>(root);
    auto* chat = window->findChild<ChatController*>();
    auto* toggle = window->findChild<QObject*>(QStringLiteral("colorTokensSwitch"));
    if (!chat || !toggle) return fail("no ChatController or colorTokensSwitch in the window");
    if (!QTest::qWaitFor([&] { return chat->modelLoaded() && !chat->loading(); }, 120000))
        return fail("the checkpoint did not load");
    chat->sampling()->setMaxNewTokens(tokens);
    chat->sampling()->setStopAtEos(false);
    chat->sampling()->setTemperature(0.8);
    chat->sampling()->setRandomSeed(false);
    chat->sampling()->setSeedText(QStringLiteral("42"));

    StallMeter meter;
    std::atomic<int> frames{0};  // frameSwapped comes from the render thread where there is one
    QObject::connect(window, &QQuickWindow::frameSwapped, [&] { ++frames; });

    QJsonArray runs;
    for (const QString mode : {QStringLiteral("colour off"), QStringLiteral("colour on"), QStringLiteral("colour on, popup open")}) {
        chat->clear();
        toggle->setProperty("checked", mode != QLatin1String("colour off"));
        const bool hover = mode.contains(QLatin1String("popup"));
        QTest::qWait(300);
        meter.start();
        meter.reset();
        frames = 0;
        QElapsedTimer t;
        t.start();
        chat->send(QStringLiteral("Once upon a time"));
        int popupToken = -1;
        if (hover && QTest::qWaitFor([&] { return chat->messages()->tokenCountAt(1) > 3 || !chat->generating(); }, 60000)) {
            // Pointer on the answer's first token: the popup stays open while the rest streams.
            if (QQuickItem* text = answerText(window->contentItem())) {
                const QPoint at = text->mapToScene(QPointF(3, 8)).toPoint();
                QTest::mouseMove(window, at);
                QTest::mouseMove(window, at + QPoint(1, 0));
                popupToken = text->property("shownToken").toInt();
            }
        }
        if (!QTest::qWaitFor([&] { return !chat->generating(); }, 600000))
            return fail(qPrintable(QStringLiteral("the answer did not finish (%1)").arg(mode)));
        const double ms = t.elapsed();
        meter.stop();
        QJsonObject run{{"mode", mode},
                        {"tokens", chat->messages()->tokenCountAt(1)},
                        {"answer_chars", chat->messages()->textAt(1).size()},
                        {"ms", ms},
                        {"tokens_per_s", chat->tokensPerSecond()},
                        {"max_stall_ms", meter.maxGap},
                        {"gaps_over_16ms", meter.over16},
                        {"gaps_over_50ms", meter.over50},
                        {"frames", frames.load()}};
        if (hover) run[QStringLiteral("popup_token_while_streaming")] = popupToken;
        runs.append(run);
    }
    bool ok = true;
    for (const auto& r : runs) ok = ok && r.toObject().value(QStringLiteral("max_stall_ms")).toDouble() < 50;
    const QJsonObject out{{"checkpoint", checkpoint}, {"platform", QGuiApplication::platformName()},
                          {"runs", runs}, {"target_max_stall_ms", 50}, {"ok", ok}};
    std::printf("%s\n", QJsonDocument(out).toJson(QJsonDocument::Indented).constData());
    return 0;
}
