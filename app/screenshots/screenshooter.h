// Saves what the window shows (the whole window or one item's rectangle of
// it) as a PNG, for the --screenshot mode and the docs. Built only with
// WAYPOINT_SCREENSHOT_HOOKS.
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
    // Which shots to take: $WAYPOINT_SCREENSHOTS ("picker,sampling,chat,card,failed";
    // unset: all but "failed"), so tools/screenshots/take.sh can take the chat
    // with a story model and the card with the demo checkpoint.
    Q_INVOKABLE static bool wanted(const QString& shot);
    // $WAYPOINT_SCREENSHOT_BAD_CHECKPOINT: a file that fails to load, for the
    // "failed" shot (the engine's message in the window, the model still there).
    Q_INVOKABLE static QString badCheckpoint();
};

}  // namespace waypoint::app
