// The app's command line parsed in-process (AppOptions): checkpoint,
// tokenizer and compare paths typed relative to the current folder are kept
// absolute and clean, since Recent, per-checkpoint settings and saved chats
// keep them after the program moved on.
#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include "app_options.h"

using waypoint::app::AppOptions;

class TstAppOptions : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void relativePathsBecomeAbsolute() {
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("runs/tiny")));
        const QString before = QDir::currentPath();
        QVERIFY(QDir::setCurrent(dir.path() + QStringLiteral("/runs")));
        int code = -1;
        const bool ok = AppOptions::parse({QStringLiteral("waypoint"), QStringLiteral("--checkpoint"), QStringLiteral("./tiny/../tiny"),
                                           QStringLiteral("--tokenizer"), QStringLiteral("../tok.model"),
                                           QStringLiteral("--compare"), QStringLiteral("tiny"),
                                           QStringLiteral("--compare"), QStringLiteral("/abs/other.bin")},
                                          &code);
        QDir::setCurrent(before);
        QVERIFY(ok);
        const QString root = QFileInfo(dir.path()).canonicalFilePath();  // as getcwd() gives it
        QCOMPARE(AppOptions::values().checkpoint, root + QStringLiteral("/runs/tiny"));
        QCOMPARE(AppOptions::values().tokenizer, root + QStringLiteral("/tok.model"));
        QCOMPARE(AppOptions::values().compare,
                 QStringList({root + QStringLiteral("/runs/tiny"), QStringLiteral("/abs/other.bin")}));
    }

    void positionalCheckpointToo() {
        int code = -1;
        QVERIFY(AppOptions::parse({QStringLiteral("waypoint"), QStringLiteral("model.bin")}, &code));
        QCOMPARE(AppOptions::values().checkpoint, QDir::current().absoluteFilePath(QStringLiteral("model.bin")));
    }

    void urlsStayAsGiven() {
        int code = -1;
        QVERIFY(AppOptions::parse({QStringLiteral("waypoint"), QStringLiteral("--checkpoint"), QStringLiteral("file:///m/x.bin")}, &code));
        QCOMPARE(AppOptions::values().checkpoint, QStringLiteral("file:///m/x.bin"));
    }
};

QTEST_GUILESS_MAIN(TstAppOptions)
#include "tst_app_options.moc"
