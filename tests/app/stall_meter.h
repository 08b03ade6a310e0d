// What the responsiveness benchmarks share: the longest gap between ticks of a
// 1 ms timer on the GUI thread (an event-loop stall), and a wait that runs the
// real event loop. Header-only; each benchmark is one program.
#pragma once

#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QHash>
#include <QJsonObject>
#include <QQmlApplicationEngine>
#include <QUrl>
#include <QTimer>
#include <QVector>
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <unistd.h>
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
    qint64 last = 0, phaseStart = 0;
    double maxGap = 0, maxGapAt = 0;  // the longest gap, and when it ended (ms into the phase)
    int over16 = 0, over50 = 0, ticks = 0;
    QVector<double> gaps;  // every gap of the phase, for its percentiles
    void reset() {
        maxGap = maxGapAt = 0;
        over16 = over50 = ticks = 0;
        gaps.clear();
        last = phaseStart = clock.nsecsElapsed();
    }
    void tick() {
        const qint64 now = clock.nsecsElapsed();
        const double gap = (now - last) / 1e6;
        last = now;
        ++ticks;
        gaps << gap;
        if (gap > maxGap) {
            maxGap = gap;
            maxGapAt = (now - phaseStart) / 1e6;
        }
        over16 += gap > 16;
        over50 += gap > 50;
    }
    // The gap below which a fraction q of the phase's gaps lie.
    double percentile(double q) const {
        if (gaps.isEmpty()) return 0;
        QVector<double> s = gaps;
        const int k = std::min<int>(int(s.size()) - 1, int(q * s.size()));
        std::nth_element(s.begin(), s.begin() + k, s.end());
        return s[k];
    }
    QJsonObject json(double ms) const {
        return {{"ms", ms}, {"max_stall_ms", maxGap}, {"max_stall_at_ms", maxGapAt}, {"p99_stall_ms", percentile(0.99)}, {"gaps_over_16ms", over16},
                {"gaps_over_50ms", over50}, {"ticks", ticks}};
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

// CPU time (ms) of each of the process's threads so far, summed by thread
// name ("QSGRenderThread", "llvmpipe-0", "waypoint-engine", the GUI thread's
// program name; Linux, 10 ms steps): where a frame's time goes besides the GUI
// thread (the threaded render loop's GUI thread waits for the render thread).
inline QHash<QString, double> cpuMsByThreadName() {
    QHash<QString, double> out;
    const QDir tasks(QStringLiteral("/proc/self/task"));
    const double msPerTick = 1000.0 / double(sysconf(_SC_CLK_TCK));
    for (const QString& tid : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile comm(tasks.filePath(tid + QStringLiteral("/comm"))), stat(tasks.filePath(tid + QStringLiteral("/stat")));
        if (!comm.open(QIODevice::ReadOnly) || !stat.open(QIODevice::ReadOnly)) continue;
        // Group numbered threads ("llvmpipe-3") under one name.
        QString name = QString::fromUtf8(comm.readAll()).trimmed();
        if (name.startsWith(QLatin1String("llvmpipe"))) name = QStringLiteral("llvmpipe");
        // Fields after the ")" that ends the name: utime and stime are the 12th and 13th.
        const QByteArray line = stat.readAll();
        const QList<QByteArray> f = line.mid(line.lastIndexOf(')') + 2).split(' ');
        if (f.size() > 12) out[name] += (f[11].toDouble() + f[12].toDouble()) * msPerTick;
    }
    return out;
}

// The 1-minute load average (Linux), -1 where unknown: printed beside the
// numbers, since on a shared machine a stall can be a wait for a core.
inline double loadAverage() {
    double load = -1;
    if (FILE* f = std::fopen("/proc/loadavg", "r")) {
        if (std::fscanf(f, "%lf", &load) != 1) load = -1;
        std::fclose(f);
    }
    return load;
}

}  // namespace waypoint::bench
