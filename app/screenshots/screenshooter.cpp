#include "screenshooter.h"

#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QQuickItem>
#include <QQuickWindow>
#include <cstdio>

namespace waypoint::app {

bool Screenshooter::save(QQuickItem* item, const QString& path, bool wholeWindow) {
    QQuickWindow* window = item ? item->window() : nullptr;
    if (!window) {
        std::fprintf(stderr, "screenshot %s: the item has no window\n", qPrintable(path));
        return false;
    }
    QImage image = window->grabWindow();
    if (image.isNull()) {
        std::fprintf(stderr, "screenshot %s: grabbing the window failed\n", qPrintable(path));
        return false;
    }
    if (!wholeWindow) {
        const qreal dpr = image.devicePixelRatio();
        const QRectF r = item->mapRectToScene(QRectF(0, 0, item->width(), item->height()));
        image = image.copy(QRectF(r.x() * dpr, r.y() * dpr, r.width() * dpr, r.height() * dpr).toAlignedRect());
    }
    QDir().mkpath(QFileInfo(path).absolutePath());
    if (!image.save(path)) {
        std::fprintf(stderr, "screenshot %s: cannot write the file\n", qPrintable(path));
        return false;
    }
    std::printf("saved %s (%dx%d)\n", qPrintable(path), image.width(), image.height());
    std::fflush(stdout);
    return true;
}

bool Screenshooter::wanted(const QString& shot) {
    const QString list = qEnvironmentVariable("WAYPOINT_SCREENSHOTS");
    if (list.isEmpty()) return shot != QLatin1String("failed");
    return list.split(QLatin1Char(','), Qt::SkipEmptyParts).contains(shot);
}

QString Screenshooter::badCheckpoint() { return qEnvironmentVariable("WAYPOINT_SCREENSHOT_BAD_CHECKPOINT"); }

}  // namespace waypoint::app
