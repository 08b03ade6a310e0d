// What the responsiveness benchmarks share: the longest gap between ticks of a
// 1 ms timer on the GUI thread (an event-loop stall), and a wait that runs the
// real event loop. Header-only; each benchmark is one program.
#pragma once

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonObject>
#include <QQmlApplicationEngine>
#include <QUrl>
#include <QTimer>
#include <algorithm>
#include <ctime>
#include <functional>

namespace waypoint::bench {

// Gaps between ticks of a 1 ms precise timer on the GUI thread, per phase
// (reset() starts a phase; start()/stop() run the timer).
struct StallMeter {
    StallMeter() {
        clock.start();
        ticker.setTimerType(Qt::PreciseTimer);
        ticker.setInterval(1);
        QObject::connect(&ticker, &QTimer::timeout, [this] { tick(); });
    }
    void start() { ticker.start(); }
    void stop() { ticker.stop(); }

    QElapsedTimer clock;
    QTimer ticker;
    qint64 last = 0;
    double maxGap = 0;
    int over16 = 0, over50 = 0, ticks = 0;
    void reset() { maxGap = 0; over16 = over50 = ticks = 0; last = clock.nsecsElapsed(); }
    void tick() {
        const qint64 now = clock.nsecsElapsed();
        const double gap = (now - last) / 1e6;
        last = now;
        ++ticks;
        maxGap = std::max(maxGap, gap);
        over16 += gap > 16;
        over50 += gap > 50;
    }
    QJsonObject json(double ms) const {
        return {{"ms", ms}, {"max_stall_ms", maxGap}, {"gaps_over_16ms", over16}, {"gaps_over_50ms", over50}, {"ticks", ticks}};
    }
};

// Loads the app's window (Main.qml from the Waypoint module) as the waypoint
// executable does; its root object, or nullptr when it did not load.
inline QObject* loadMainWindow(QQmlApplicationEngine& engine) {
    engine.addImportPath(QStringLiteral("qrc:/qt/qml"));
    engine.load(QUrl(QStringLiteral("qrc:/qt/qml/Waypoint/qml/Main.qml")));
    return engine.rootObjects().isEmpty() ? nullptr : engine.rootObjects().first();
}

// Runs the real event loop (timers included) until `done` or the timeout.
inline bool waitUntil(const std::function<bool()>& done, int timeoutMs) {
    QEventLoop loop;
    QTimer poll, deadline;
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] { if (done()) loop.quit(); });
    QObject::connect(&deadline, &QTimer::timeout, &loop, &QEventLoop::quit);
    poll.start(5);
    deadline.setSingleShot(true);
    deadline.start(timeoutMs);
    if (!done()) loop.exec();
    return done();
}

// CPU time the calling (GUI) thread used: tells a busy GUI from a starved one
// (on a loaded machine a stall can be time spent waiting for a core).
inline double threadCpuMs() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

}  // namespace waypoint::bench
