#include "private_files.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSettings>
#include <QtDebug>

namespace waypoint::app {

namespace {
constexpr QFileDevice::Permissions kOwnerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
constexpr QFileDevice::Permissions kOwnerOnlyDir =
    QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner;
}  // namespace

bool makePrivateFile(const QString& path) {
    const QFileInfo info(path);
    QDir dir = info.absoluteDir();
    if (!dir.exists()) {
        if (!dir.mkpath(QStringLiteral("."))) return false;
        // Only the folder we just made (~/.config itself stays as it is).
        QFile::setPermissions(dir.absolutePath(), kOwnerOnlyDir);
    }
    QFile f(path);
    if (!f.exists()) {
        // Created with 0600 from the start: no moment where it is readable.
        return f.open(QIODevice::WriteOnly | QIODevice::NewOnly, kOwnerOnly) || f.exists();
    }
    if ((f.permissions() & ~(kOwnerOnly | QFileDevice::ReadUser | QFileDevice::WriteUser)) == 0) return true;
    return f.setPermissions(kOwnerOnly);
}

QString protectSettingsFile() {
    const QString path = QSettings().fileName();
    if (!makePrivateFile(path)) {
        qWarning("Waypoint: could not make the settings file %s readable by you only; check its folder's owner",
                 qPrintable(QDir::toNativeSeparators(path)));
        return {};
    }
    return path;
}

}  // namespace waypoint::app
