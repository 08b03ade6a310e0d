#include "file_paths.h"

#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>
#include <QUrl>

namespace waypoint::app {

QString FilePaths::localPath(const QString& pathOrUrl) {
    return pathOrUrl.startsWith(QLatin1String("file:")) ? QUrl(pathOrUrl).toLocalFile() : pathOrUrl;
}

QString FilePaths::toUrl(const QString& path) { return QUrl::fromLocalFile(localPath(path)).toString(); }

bool FilePaths::exists(const QString& pathOrUrl) {
    const QString p = localPath(pathOrUrl);
    return !p.isEmpty() && QFileInfo::exists(p);
}

bool FilePaths::isFolder(const QString& pathOrUrl) {
    const QString p = localPath(pathOrUrl);
    return !p.isEmpty() && QFileInfo(p).isDir();
}

QString FilePaths::join(const QString& folder, const QString& name) {
    QString n = name.trimmed();
    if (n.startsWith(QLatin1String("~/"))) n = QDir::home().filePath(n.mid(2));
    if (n.isEmpty()) return {};
    if (QDir::isAbsolutePath(n)) return QDir::cleanPath(n);
    QString f = localPath(folder.trimmed());
    if (f.startsWith(QLatin1String("~/")) || f == QLatin1String("~")) f = QDir::home().filePath(f.mid(2));
    return QDir::cleanPath(QDir(f.isEmpty() ? QDir::homePath() : f).filePath(n));
}

QString FilePaths::withSuffix(const QString& name, const QString& suffix) {
    const QString n = name.trimmed();
    if (n.isEmpty() || suffix.isEmpty() || QFileInfo(n).suffix().compare(suffix, Qt::CaseInsensitive) == 0) return n;
    return n + QLatin1Char('.') + suffix;
}

QString FilePaths::documentsFolder() {
    const QString docs = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    return !docs.isEmpty() && QFileInfo(docs).isDir() ? docs : QDir::homePath();
}

}  // namespace waypoint::app
