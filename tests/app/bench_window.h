// The window setup the responsiveness benchmarks share (bench_chat_window,
// bench_responsiveness, bench_compare_responsiveness, bench_token_stream).
#pragma once

#include <QCoreApplication>
#include <QQuickStyle>
#include <QStringList>
#include <QTemporaryDir>

#include "app_options.h"
#include "rendering/scene_renderer.h"

namespace waypoint::bench {

// A benchmark's window set up as the waypoint executable sets up its own, but
// in a temporary home: XDG_DATA_HOME and XDG_CONFIG_HOME point into a
// temporary folder, so the history and settings are never the user's. Make
// it before the QGuiApplication (the variables must be set first), then call
// start() with the benchmark's name and the app's own command-line options
// (AppOptions, e.g. --checkpoint PATH).
class BenchWindowSetup {
public:
    BenchWindowSetup() {
        qputenv("XDG_DATA_HOME", home_.filePath(QStringLiteral("data")).toUtf8());
        qputenv("XDG_CONFIG_HOME", home_.filePath(QStringLiteral("config")).toUtf8());
    }
    // The names (settings scope), AppOptions, the scene renderer the app
    // would choose (--renderer among the options) and the Fusion style; false
    // when AppOptions says not to start (exit with *exitCode).
    bool start(const QString& name, const QStringList& appOptions, int* exitCode) {
        QCoreApplication::setOrganizationName(QStringLiteral("waypoint-bench"));
        QCoreApplication::setApplicationName(name);
        if (!waypoint::app::AppOptions::parse(QStringList{QCoreApplication::arguments().value(0)} + appOptions, exitCode))
            return false;
        renderer = waypoint::app::chooseSceneRenderer(waypoint::app::AppOptions::values().renderer);
        QQuickStyle::setStyle(QStringLiteral("Fusion"));
        return true;
    }

    waypoint::app::SceneRendererChoice renderer;

private:
    QTemporaryDir home_;
};

}  // namespace waypoint::bench
