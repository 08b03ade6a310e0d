// The waypoint executable: everything else lives in the waypoint_app library.
#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QtQml/qqmlextensionplugin.h>
#include <cstdio>

#include "app_options.h"
#include "private_files.h"
#include "rendering/scene_renderer.h"
#include "waypoint/startup.h"
#ifdef WAYPOINT_SCREENSHOT_HOOKS
#include "screenshots/token_delay_backend.h"
#endif

Q_IMPORT_QML_PLUGIN(WaypointPlugin)

int main(int argc, char* argv[]) {
    waypoint::prefer_fast_blas(argc, argv);
    if (waypoint::app::asksForHelp(argc, argv)) {  // needs no display: no GUI application
        QCoreApplication app(argc, argv);
        int code = 0;
        waypoint::app::AppOptions::parse(app.arguments(), &code);
        return code;
    }
    if (!waypoint::app::checkDisplay(argc, argv)) return 1;
    QGuiApplication app(argc, argv);
    app.setOrganizationName(QStringLiteral("Waypoint"));
    app.setApplicationName(QStringLiteral("Waypoint"));
    // Recent checkpoints, folders and presets are the user's business only.
    waypoint::app::protectSettingsFile();
    int code = 0;
    if (!waypoint::app::AppOptions::parse(app.arguments(), &code)) return code;
    waypoint::app::applyTheme(app, waypoint::app::AppOptions::values().theme);
    const auto renderer = waypoint::app::chooseSceneRenderer(waypoint::app::AppOptions::values().renderer);
    if (renderer.software)
        std::fprintf(stderr, "waypoint: drawing with Qt Quick's software renderer (%s; --renderer gpu to change)\n",
                     qPrintable(renderer.reason));
#ifdef WAYPOINT_SCREENSHOT_HOOKS
    waypoint::app::installScreenshotHooks();
#endif
    QQuickStyle::setStyle(QStringLiteral("Fusion"));
    QQmlApplicationEngine engine;
    engine.addImportPath(QStringLiteral("qrc:/qt/qml"));
    engine.load(QUrl(QStringLiteral("qrc:/qt/qml/Waypoint/qml/Main.qml")));
    if (engine.rootObjects().isEmpty()) return 1;
    return app.exec();
}
