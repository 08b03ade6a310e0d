// The command line, parsed once in main() and read by QML as a singleton.
//   waypoint [--checkpoint PATH [--tokenizer PATH]] [--device DEV] [--theme system|light|dark]
//            [--screenshot DIR] [--compare PATH]... [--renderer auto|gpu|software]
// --compare (repeatable, 2-4 times) opens the compare view with those panes.
// --screenshot exists only in builds with WAYPOINT_SCREENSHOT_HOOKS.
#pragma once

#include <QObject>
#include <QStringList>
#include <QtQml/qqmlregistration.h>

class QGuiApplication;
class QJSEngine;
class QQmlEngine;

namespace waypoint::app {

struct AppOptionValues {
    QString checkpoint, tokenizer, device = QStringLiteral("auto"), theme = QStringLiteral("system"), screenshotDir;
    QString renderer = QStringLiteral("auto");  // scene_renderer.h
    QStringList compare;
};

class AppOptions : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON
    Q_PROPERTY(QString checkpoint READ checkpoint CONSTANT)
    Q_PROPERTY(QString tokenizer READ tokenizer CONSTANT)
    Q_PROPERTY(QString device READ device CONSTANT)
    Q_PROPERTY(QString theme READ theme CONSTANT)
    Q_PROPERTY(QString screenshotDir READ screenshotDir CONSTANT)
    Q_PROPERTY(QStringList compare READ compare CONSTANT)
public:
    explicit AppOptions(QObject* parent = nullptr);
    static AppOptions* create(QQmlEngine*, QJSEngine*) { return new AppOptions; }

    // Returns false (after printing help or the error) when the app should not start.
    static bool parse(const QStringList& arguments, int* exitCode);
    static const AppOptionValues& values();

    QString checkpoint() const { return v_.checkpoint; }
    QString tokenizer() const { return v_.tokenizer; }
    QString device() const { return v_.device; }
    QString theme() const { return v_.theme; }
    QString screenshotDir() const { return v_.screenshotDir; }
    QStringList compare() const { return v_.compare; }

    Q_INVOKABLE void quit(int code = 0);

private:
    AppOptionValues v_;
};

// --help / -h / -? anywhere on the command line: print the help (through a
// QCoreApplication, which needs no display) instead of starting the window.
bool asksForHelp(int argc, char** argv);
// Without a display (no DISPLAY/WAYLAND_DISPLAY, no -platform), say how to run
// headless instead of letting the platform plugin abort. True: go on.
bool checkDisplay(int argc, char** argv);
// Light or dark palette for --theme; "system" keeps the platform's palette.
void applyTheme(QGuiApplication& app, const QString& theme);

}  // namespace waypoint::app
