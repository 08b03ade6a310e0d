#include "app_options.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QGuiApplication>
#include <QPalette>
#include <QTimer>
#include <cstdio>
#include <cstring>

namespace waypoint::app {

namespace {
AppOptionValues& store() {
    static AppOptionValues v;
    return v;
}

// A path typed on the command line is relative to the folder it was typed
// in; the app keeps paths (Recent, per-checkpoint settings, saved chats)
// long after, so they are made absolute, without "." or "..", here.
QString absolutePath(const QString& typed) {
    if (typed.isEmpty() || typed.startsWith(QLatin1String("file:"))) return typed;
    return QDir::cleanPath(QFileInfo(typed).absoluteFilePath());
}
}  // namespace

AppOptions::AppOptions(QObject* parent) : QObject(parent), v_(store()) {}

const AppOptionValues& AppOptions::values() { return store(); }

bool AppOptions::parse(const QStringList& arguments, int* exitCode) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Waypoint: chat with, inspect and compare language-model checkpoints."));
    const QCommandLineOption help = p.addHelpOption();
    const QCommandLineOption checkpoint(QStringLiteral("checkpoint"), QStringLiteral("Checkpoint file or folder to open."), QStringLiteral("path"));
    const QCommandLineOption tokenizer(QStringLiteral("tokenizer"),
                                       QStringLiteral("Tokenizer file or folder for --checkpoint, when none is beside it (remembered)."),
                                       QStringLiteral("path"));
    const QCommandLineOption device(QStringLiteral("device"), QStringLiteral("cpu, cuda, cuda:N, mps or auto."), QStringLiteral("device"), QStringLiteral("auto"));
    const QCommandLineOption theme(QStringLiteral("theme"), QStringLiteral("system, light or dark."), QStringLiteral("theme"), QStringLiteral("system"));
    const QCommandLineOption compare(QStringList{QStringLiteral("compare")},
                                     QStringLiteral("Open the compare view with a pane on this checkpoint (repeat: 2-4 panes)."),
                                     QStringLiteral("path"));
    const QCommandLineOption renderer(
        QStringLiteral("renderer"),
        QStringLiteral("How the window is drawn: auto (Qt Quick's software renderer where OpenGL is itself software, "
                       "such as llvmpipe; else the GPU), gpu or software."),
        QStringLiteral("renderer"), QStringLiteral("auto"));
    p.addOptions({checkpoint, tokenizer, device, theme, compare, renderer});
#ifdef WAYPOINT_SCREENSHOT_HOOKS
    const QCommandLineOption shots(QStringLiteral("screenshot"), QStringLiteral("Take the screenshots into this folder and quit."), QStringLiteral("dir"));
    p.addOption(shots);
#endif
    p.addPositionalArgument(QStringLiteral("checkpoint"), QStringLiteral("Same as --checkpoint."), QStringLiteral("[checkpoint]"));
    *exitCode = 0;
    if (!p.parse(arguments)) {
        std::fprintf(stderr, "%s\n", qPrintable(p.errorText()));
        *exitCode = 2;
        return false;
    }
    if (p.isSet(help)) {
        std::printf("%s", qPrintable(p.helpText()));
        return false;
    }
    AppOptionValues& v = store();
    v.checkpoint = p.value(checkpoint);
    if (v.checkpoint.isEmpty() && !p.positionalArguments().isEmpty()) v.checkpoint = p.positionalArguments().first();
    v.checkpoint = absolutePath(v.checkpoint);
    v.tokenizer = absolutePath(p.value(tokenizer));
    if (!v.tokenizer.isEmpty() && v.checkpoint.isEmpty()) {
        std::fprintf(stderr, "--tokenizer goes with a checkpoint: waypoint --checkpoint PATH --tokenizer PATH\n");
        *exitCode = 2;
        return false;
    }
    v.device = p.value(device);
    v.theme = p.value(theme);
    v.renderer = p.value(renderer);
    if (v.renderer != QLatin1String("auto") && v.renderer != QLatin1String("gpu") && v.renderer != QLatin1String("software")) {
        std::fprintf(stderr, "--renderer: auto, gpu or software (got %s)\n", qPrintable(v.renderer));
        *exitCode = 2;
        return false;
    }
#ifdef WAYPOINT_SCREENSHOT_HOOKS
    v.screenshotDir = p.value(shots);
#endif
    v.compare.clear();
    for (const QString& c : p.values(compare)) v.compare << absolutePath(c);
    if (v.compare.size() > 4) {
        std::fprintf(stderr, "--compare: at most 4 panes (got %d)\n", int(v.compare.size()));
        *exitCode = 2;
        return false;
    }
    return true;
}

void AppOptions::quit(int code) {
    QTimer::singleShot(0, qApp, [code] { QCoreApplication::exit(code); });
}

bool asksForHelp(int argc, char** argv) {
    for (int i = 1; i < argc; ++i)
        for (const char* h : {"--help", "-h", "-?", "--help-all"})
            if (std::strcmp(argv[i], h) == 0) return true;
    return false;
}

bool checkDisplay(int argc, char** argv) {
#if defined(Q_OS_LINUX)
    for (int i = 1; i < argc; ++i)
        if (std::strcmp(argv[i], "-platform") == 0 || std::strcmp(argv[i], "--platform") == 0) return true;
    if (!qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") || !qEnvironmentVariableIsEmpty("DISPLAY") ||
        !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
        return true;
    std::fprintf(stderr,
                 "waypoint: no display found (DISPLAY and WAYLAND_DISPLAY are unset).\n"
                 "  Run it headless:   waypoint -platform offscreen --checkpoint PATH\n"
                 "  or under Xvfb:     xvfb-run -s '-screen 0 1400x900x24' waypoint --checkpoint PATH\n"
                 "  or use the CLI:    waypoint-cli --checkpoint PATH --prompt 'Once upon a time'\n");
    return false;
#else
    Q_UNUSED(argc); Q_UNUSED(argv);
    return true;
#endif
}

void applyTheme(QGuiApplication& app, const QString& theme) {
    if (theme == QLatin1String("dark")) {
        QPalette p;
        const QColor window(0x20, 0x22, 0x27), base(0x17, 0x19, 0x1d), text(0xe6, 0xe8, 0xeb);
        p.setColor(QPalette::Window, window);
        p.setColor(QPalette::WindowText, text);
        p.setColor(QPalette::Base, base);
        p.setColor(QPalette::AlternateBase, QColor(0x26, 0x29, 0x2f));
        p.setColor(QPalette::Text, text);
        p.setColor(QPalette::Button, QColor(0x2c, 0x2f, 0x36));
        p.setColor(QPalette::ButtonText, text);
        p.setColor(QPalette::Highlight, QColor(0x4c, 0x8d, 0xf6));
        p.setColor(QPalette::HighlightedText, Qt::white);
        p.setColor(QPalette::ToolTipBase, base);
        p.setColor(QPalette::ToolTipText, text);
        p.setColor(QPalette::PlaceholderText, QColor(0x8a, 0x90, 0x99));
        p.setColor(QPalette::Mid, QColor(0x3a, 0x3e, 0x46));
        p.setColor(QPalette::Dark, QColor(0x12, 0x13, 0x16));
        p.setColor(QPalette::Light, QColor(0x45, 0x49, 0x52));
        p.setColor(QPalette::Midlight, QColor(0x38, 0x3c, 0x44));
        p.setColor(QPalette::Shadow, Qt::black);
        p.setColor(QPalette::Link, QColor(0x6a, 0xa8, 0xff));
        p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x70, 0x75, 0x7d));
        p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x70, 0x75, 0x7d));
        p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x70, 0x75, 0x7d));
        app.setPalette(p);
    } else if (theme == QLatin1String("light")) {
        QPalette p(QColor(0xf6, 0xf7, 0xf9));
        p.setColor(QPalette::Base, Qt::white);
        p.setColor(QPalette::Highlight, QColor(0x2f, 0x6f, 0xde));
        p.setColor(QPalette::HighlightedText, Qt::white);
        p.setColor(QPalette::PlaceholderText, QColor(0x8a, 0x90, 0x99));
        // QPalette(button) leaves disabled text black: a disabled button would look enabled.
        p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x9a, 0xa0, 0xa8));
        p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x9a, 0xa0, 0xa8));
        p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x9a, 0xa0, 0xa8));
        app.setPalette(p);
    }
}

}  // namespace waypoint::app
