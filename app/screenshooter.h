// Saves what the window shows (the whole window or one item's rectangle of
// it) as a PNG, for the --screenshot mode and the docs.
#pragma once

#include <QObject>
#include <QString>
#include <QtQml/qqmlregistration.h>

#include <QQuickItem>

namespace waypoint::app {

class Screenshooter : public QObject {
    Q_OBJECT
    QML_ELEMENT
public:
    using QObject::QObject;
    // Grabs the window `item` lives in, cropped to `item` unless it is the
    // window's content; returns false (and says why on stderr) on failure.
    Q_INVOKABLE bool save(QQuickItem* item, const QString& path, bool wholeWindow = false);
};

}  // namespace waypoint::app
