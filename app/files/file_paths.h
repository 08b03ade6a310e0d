// File-system questions QML cannot answer itself, for dialogs: does a file
// exist, the documents folder, a folder and a typed name joined into a path.
// Paths may be given as local paths or file: URLs; local paths come back.
#pragma once

#include <QObject>
#include <QString>
#include <QtQml/qqmlregistration.h>

namespace waypoint::app {

class FilePaths : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON
public:
    explicit FilePaths(QObject* parent = nullptr) : QObject(parent) {}

    Q_INVOKABLE static QString localPath(const QString& pathOrUrl);
    Q_INVOKABLE static QString toUrl(const QString& path);
    Q_INVOKABLE static bool exists(const QString& pathOrUrl);
    Q_INVOKABLE static bool isFolder(const QString& pathOrUrl);
    // `name` inside `folder`; a name that is already an absolute path wins,
    // and a leading "~/" means the home folder.
    Q_INVOKABLE static QString join(const QString& folder, const QString& name);
    // `name` ending in ".suffix" (added unless it is there already; "" suffix:
    // as is), so that the file's type matches the format chosen.
    Q_INVOKABLE static QString withSuffix(const QString& name, const QString& suffix);
    // The user's documents folder when it exists, else the home folder.
    Q_INVOKABLE static QString documentsFolder();
};

}  // namespace waypoint::app
