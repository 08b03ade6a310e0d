// The settings file is readable by the user only, from its creation on and
// across QSettings' rewrites (which go through a temporary file and a rename).
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>

#include "private_files.h"

using waypoint::app::makePrivateFile;
using waypoint::app::protectSettingsFile;

namespace {
constexpr QFileDevice::Permissions kOwnerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;

// Owner, group and other bits only (ReadUser etc. mirror the owner's for the
// current user and are left out).
QFileDevice::Permissions modeOf(const QString& path) {
    return QFile::permissions(path) & ~(QFileDevice::ReadUser | QFileDevice::WriteUser | QFileDevice::ExeUser);
}
}  // namespace

class TstPrivateFiles : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QCoreApplication::setOrganizationName(QStringLiteral("WaypointPrivateFilesTest"));
        QCoreApplication::setApplicationName(QStringLiteral("WaypointPrivateFilesTest"));
    }

    void settingsFileIsPrivateAcrossWrites() {
        const QString path = QSettings().fileName();
        QFile::remove(path);
        QDir(QFileInfo(path).absolutePath()).removeRecursively();
        QCOMPARE(protectSettingsFile(), path);
        QVERIFY(QFile::exists(path));
        QCOMPARE(modeOf(path), kOwnerOnly);
        // The folder we made for it is the user's only too.
        QCOMPARE(modeOf(QFileInfo(path).absolutePath()),
                 QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        {
            QSettings s;
            s.setValue(QStringLiteral("checkpoints/recent"), QStringList{QStringLiteral("/home/me/secret-run")});
            s.sync();
            QCOMPARE(s.status(), QSettings::NoError);
        }
        QCOMPARE(modeOf(path), kOwnerOnly);
        QCOMPARE(QSettings().value(QStringLiteral("checkpoints/recent")).toStringList(),
                 QStringList{QStringLiteral("/home/me/secret-run")});
    }

    void widerFileIsNarrowed() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("old.conf"));
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("[General]\nkeep=1\n");
        }
        QVERIFY(QFile::setPermissions(path, kOwnerOnly | QFileDevice::ReadGroup | QFileDevice::ReadOther));
        QVERIFY(makePrivateFile(path));
        QCOMPARE(modeOf(path), kOwnerOnly);
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), QByteArray("[General]\nkeep=1\n"));  // content untouched
    }

    void newFileInNewFolder() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("a/b/history.sqlite"));
        QVERIFY(makePrivateFile(path));
        QCOMPARE(modeOf(path), kOwnerOnly);
        QCOMPARE(QFileInfo(path).size(), 0);
    }
};

QTEST_GUILESS_MAIN(TstPrivateFiles)
#include "tst_private_files.moc"
