// The `waypoint` executable's command line as a user meets it (QProcess on
// the built binary): --help answers without a display (and lists
// --tokenizer), and a bad option is one line and exit code 2, before any
// window is made.
#include <QProcess>
#include <QtTest>

namespace {

struct Result {
    int code = -1;
    QByteArray out, err;
};

Result runApp(const QStringList& args, const QProcessEnvironment& env) {
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(WAYPOINT_APP), args);
    if (!p.waitForStarted() || !p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished();
        return {};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(), p.readAllStandardError()};
}

// Runs waypoint with no display at all: no DISPLAY, WAYLAND_DISPLAY or QT_QPA_PLATFORM.
Result runWithoutDisplay(const QStringList& args) {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char* v : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}) env.remove(QString::fromLatin1(v));
    return runApp(args, env);
}

Result runOffscreen(const QStringList& args) {
    return runApp(QStringList{QStringLiteral("-platform"), QStringLiteral("offscreen")} + args,
                  QProcessEnvironment::systemEnvironment());
}

}  // namespace

class TstAppCommandLine : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void helpNeedsNoDisplay_data() {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("--help") << QStringList{QStringLiteral("--help")};
        QTest::newRow("-h") << QStringList{QStringLiteral("-h")};
        QTest::newRow("after other options") << QStringList{QStringLiteral("--theme"), QStringLiteral("dark"), QStringLiteral("--help")};
    }
    void helpNeedsNoDisplay() {
        QFETCH(QStringList, args);
        const Result r = runWithoutDisplay(args);
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("--checkpoint <path>"), r.out.constData());
        QVERIFY(r.out.contains("--compare <path>"));
        QVERIFY(r.out.contains("--tokenizer <path>"));
        QVERIFY(r.out.contains("--renderer <renderer>"));
        QVERIFY2(!r.err.contains("no display"), r.err.constData());
    }

    void tokenizerGoesWithACheckpoint() {
        const Result r = runOffscreen({QStringLiteral("--tokenizer"), QStringLiteral("/some/tokenizer.model")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("--checkpoint"), "says what it goes with");
    }

    void unknownRendererIsOneLine() {
        const Result r = runOffscreen({QStringLiteral("--renderer"), QStringLiteral("vulkan")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("--renderer: auto, gpu or software (got vulkan)"), r.err.constData());
    }

    void withoutDisplaySaysHowToRunHeadless() {
        const Result r = runWithoutDisplay({});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("-platform offscreen"), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TstAppCommandLine)
#include "tst_app_command_line.moc"
