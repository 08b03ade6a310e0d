// Screenshot harness for the Evaluate panel (not a test: a program to look
// at). Shows EvaluatePanel alone in a window, runs it on the demo's three
// checkpoints and resources/demo/heldout.txt (or the given ones), waits for
// the run to end and saves the window as a PNG. Run it under Xvfb:
//   xvfb-run -a -s "-screen 0 1400x900x24" shot_evaluate_panel --theme dark \
//       --out docs/screenshots/evaluate-dark.png [--window 12] [--text FILE] [--size WxH]
//       [--during MS] [CHECKPOINT...]
#include <QCommandLineParser>
#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQmlComponent>
#include <QQuickItem>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QTimer>
#include <QtQml/qqmlextensionplugin.h>
#include <cstdio>

#include "app_options.h"

Q_IMPORT_QML_PLUGIN(WaypointPlugin)

namespace {
const char* kWindowQml = R"(
import QtQuick
import QtQuick.Controls
import Waypoint
ApplicationWindow {
    width: 900; height: 640; visible: true
    color: Theme.window
    property alias panel: evaluatePanel
    EvaluatePanel { id: evaluatePanel; anchors.fill: parent }
}
)";
}

int main(int argc, char* argv[]) {
    QGuiApplication app(argc, argv);
    QCommandLineParser p;
    p.addHelpOption();
    const QCommandLineOption theme(QStringLiteral("theme"), QStringLiteral("light or dark"), QStringLiteral("theme"),
                                   QStringLiteral("light"));
    const QCommandLineOption out(QStringLiteral("out"), QStringLiteral("PNG to write"), QStringLiteral("file"));
    const QCommandLineOption text(QStringLiteral("text"), QStringLiteral("text to evaluate on"), QStringLiteral("file"),
                                  QStringLiteral(WAYPOINT_SOURCE_DIR "/resources/demo/heldout.txt"));
    const QCommandLineOption windowOption(QStringLiteral("window"), QStringLiteral("ids per window (0: auto)"),
                                    QStringLiteral("n"), QStringLiteral("0"));
    const QCommandLineOption size(QStringLiteral("size"), QStringLiteral("window size"), QStringLiteral("WxH"),
                                  QStringLiteral("900x640"));
    const QCommandLineOption during(QStringLiteral("during"), QStringLiteral("grab N ms after the start, mid-run"),
                                    QStringLiteral("ms"));
    p.addOptions({theme, out, text, windowOption, size, during});
    p.addPositionalArgument(QStringLiteral("checkpoints"), QStringLiteral("default: the demo's three steps"));
    p.process(app);
    QStringList checkpoints = p.positionalArguments();
    if (checkpoints.isEmpty())
        for (const char* step : {"000500", "002000", "004000"})
            checkpoints << QStringLiteral(WAYPOINT_SOURCE_DIR "/resources/demo/arith-step") + QLatin1String(step);

    waypoint::app::applyTheme(app, p.value(theme));
    QQuickStyle::setStyle(QStringLiteral("Fusion"));
    QQmlApplicationEngine engine;
    engine.addImportPath(QStringLiteral("qrc:/qt/qml"));
    engine.loadData(kWindowQml);
    if (engine.rootObjects().isEmpty()) return 1;
    auto* window = qobject_cast<QQuickWindow*>(engine.rootObjects().first());
    const QStringList wh = p.value(size).split(QLatin1Char('x'));
    if (wh.size() == 2) window->resize(wh[0].toInt(), wh[1].toInt());
    auto* panel = window->property("panel").value<QObject*>();
    panel->setProperty("checkpoints", checkpoints);
    panel->setProperty("textPath", p.value(text));
    auto* controller = panel->property("controller").value<QObject*>();
    controller->setProperty("window", p.value(windowOption).toInt());

    const QString file = p.value(out);
    int code = 1;
    // After the run, let the charts lay out and paint, then grab (inside the
    // one event loop: the scene graph stays alive) and quit.
    QTimer grabTimer;
    grabTimer.setSingleShot(true);
    grabTimer.setInterval(800);
    QObject::connect(&grabTimer, &QTimer::timeout, &app, [&] {
        const QImage image = window->grabWindow();
        if (file.isEmpty() || image.isNull() || !image.save(file))
            std::fprintf(stderr, "could not save the screenshot to '%s'\n", qPrintable(file));
        else
            code = 0, std::printf("%s\n", qPrintable(file));
        app.quit();
    });
    if (p.isSet(during)) {  // the running state: progress bar and Cancel
        grabTimer.setInterval(p.value(during).toInt());
        QTimer::singleShot(300, &grabTimer, SLOT(start()));
    } else {
        QObject::connect(controller, SIGNAL(finished()), &grabTimer, SLOT(start()));
    }
    QTimer::singleShot(300, controller, [controller] { QMetaObject::invokeMethod(controller, "start"); });
    app.exec();
    return code;
}
