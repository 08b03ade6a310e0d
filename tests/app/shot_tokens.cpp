// Screenshot harness for token probabilities (a program to look at,
// not a test). Opens the real window (Main.qml) on a checkpoint, generates an
// answer with a fixed seed, turns on "Colour by probability", hovers the
// least likely token of the first line and saves the window as a PNG.
// Run it under Xvfb:
//   xvfb-run -a -s "-screen 0 1400x900x24" shot_tokens --theme dark \
//       --out docs/screenshots/token-probabilities-dark.png [--checkpoint PATH] [--prompt TEXT]
#include <QCommandLineParser>
#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTest>
#include <QtQml/qqmlextensionplugin.h>
#include <cstdio>

#include "app_options.h"
#include "bench_window.h"
#include "chat/chat_controller.h"

Q_IMPORT_QML_PLUGIN(WaypointPlugin)

using namespace waypoint::app;

namespace {
// Delegates are visual children only, not QObject children: walk the item tree.
void collect(QQuickItem* item, const QString& name, QList<QQuickItem*>& out) {
    if (item->objectName() == name) out << item;
    for (QQuickItem* child : item->childItems()) collect(child, name, out);
}

int fail(const char* what) {
    std::fprintf(stderr, "shot_tokens: %s\n", what);
    return 1;
}
}  // namespace

int main(int argc, char* argv[]) {
    // A first start in a temporary home: the person's own history and
    // settings are neither shown in the picture nor written.
    waypoint::bench::BenchWindowSetup setup;
    QGuiApplication app(argc, argv);
    QCommandLineParser p;
    p.addHelpOption();
    const QCommandLineOption theme(QStringLiteral("theme"), QStringLiteral("light or dark"), QStringLiteral("theme"),
                                   QStringLiteral("light"));
    const QCommandLineOption out(QStringLiteral("out"), QStringLiteral("PNG to write"), QStringLiteral("file"));
    const QCommandLineOption checkpoint(QStringLiteral("checkpoint"), QStringLiteral("checkpoint"), QStringLiteral("path"),
                                        QStringLiteral(WAYPOINT_SHARED_DIR "/models/stories260K/stories260K.bin"));
    const QCommandLineOption prompt(QStringLiteral("prompt"), QStringLiteral("prompt"), QStringLiteral("text"),
                                    QStringLiteral("Once upon a time"));
    p.addOptions({theme, out, checkpoint, prompt});
    p.process(app);

    int code = 0;
    if (!setup.start(QStringLiteral("shot_tokens"),
                     {QStringLiteral("--checkpoint"), p.value(checkpoint), QStringLiteral("--theme"), p.value(theme)}, &code))
        return code;
    applyTheme(app, p.value(theme));
    QQmlApplicationEngine engine;
    engine.addImportPath(QStringLiteral("qrc:/qt/qml"));
    engine.load(QUrl(QStringLiteral("qrc:/qt/qml/Waypoint/qml/Main.qml")));
    if (engine.rootObjects().isEmpty()) return fail("Main.qml did not load");
    auto* window = qobject_cast<QQuickWindow*>(engine.rootObjects().first());
    auto* chat = window ? window->findChild<ChatController*>() : nullptr;
    if (!chat) return fail("no ChatController in the window");
    if (!QTest::qWaitFor([&] { return chat->modelLoaded() && !chat->loading(); }, 60000))
        return fail("the checkpoint did not load");

    chat->sampling()->setTemperature(0.8);
    chat->sampling()->setRandomSeed(false);
    chat->sampling()->setSeedText(QStringLiteral("7"));
    chat->sampling()->setMaxNewTokens(90);
    chat->clear();
    if (!chat->send(p.value(prompt))) return fail("send failed");
    if (!QTest::qWaitFor([&] { return !chat->generating(); }, 60000)) return fail("the answer did not finish");

    if (auto* toggle = window->findChild<QObject*>(QStringLiteral("colorTokensSwitch")))
        toggle->setProperty("checked", true);
    else
        return fail("no colorTokensSwitch");
    QTest::qWait(300);

    // The answer's TokenText (row 1), and its least likely token among the first 25.
    QQuickItem* text = nullptr;
    QList<QQuickItem*> texts;
    collect(window->contentItem(), QStringLiteral("messageText"), texts);
    for (auto* item : texts)
        if (item->property("row").toInt() == 1 && item->property("messages").value<QObject*>()) text = item;
    if (!text) return fail("no answer text");
    const auto& tokens = chat->messages()->tokensAt(1);
    int pick = -1;
    for (int i = 0; i < tokens.size() && i < 25; ++i)
        if (tokens[i].length > 1 && (pick < 0 || tokens[i].event.probability < tokens[pick].event.probability)) pick = i;
    if (pick < 0) return fail("no token to hover");
    QRectF r;
    QMetaObject::invokeMethod(text, "positionToRectangle", Q_RETURN_ARG(QRectF, r), Q_ARG(int, tokens[pick].start + 1));
    const QPoint at = text->mapToScene(QPointF(r.x(), r.center().y())).toPoint();
    QTest::mouseMove(window, at - QPoint(1, 0));
    QTest::mouseMove(window, at);
    QTest::qWait(400);
    std::printf("hovered token %d (\"%s\", p = %.3f), shown %d\n", pick, tokens[pick].event.piece.c_str(),
                double(tokens[pick].event.probability), text->property("shownToken").toInt());

    const QImage image = window->grabWindow();
    const QString file = p.value(out);
    if (file.isEmpty() || !image.save(file)) return fail("could not save the screenshot (--out FILE.png)");
    std::printf("%s\n", qPrintable(file));
    return 0;
}
