// How long the picker's probe takes per checkpoint (the engine's
// probe_checkpoint through probeCheckpoint), beside reading the same bytes
// whole from the page cache: the probe should cost a header read plus the
// tokenizer, never the weights. Warm cache, median of 5; prints JSON.
// Usage: bench_checkpoint_probe [PATH...] (default: ../shared/models/* and
// the project's demo checkpoints).
#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <algorithm>
#include <cstdio>
#include <vector>

#include "library/checkpoint_info.h"
#include "library/checkpoint_scanner.h"

using namespace waypoint::app;

namespace {
template <typename F>
double medianMs(F&& f, int runs = 5) {
    std::vector<double> ms;
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer t;
        t.start();
        f();
        ms.push_back(double(t.nsecsElapsed()) / 1e6);
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
}

qint64 readAllBytes(const QString& path) {
    qint64 n = 0;
    QDirIterator it(path, QDir::Files, QDirIterator::Subdirectories);
    const auto one = [&](const QString& f) {
        QFile file(f);
        if (file.open(QIODevice::ReadOnly)) n += file.readAll().size();
    };
    if (QFileInfo(path).isFile()) one(path);
    while (it.hasNext()) one(it.next());
    return n;
}
}  // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    QStringList paths = app.arguments().mid(1);
    const QString shared = QStringLiteral(WAYPOINT_SHARED_DIR "/models");
    const QString source = QStringLiteral(WAYPOINT_SOURCE_DIR);
    if (paths.isEmpty()) {
        for (const QString& d : QDir(shared).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
            const QString dir = shared + QLatin1Char('/') + d;
            if (probeCheckpoint(dir)) paths << dir;
            else
                for (const QFileInfo& f : QDir(dir).entryInfoList(QDir::Files, QDir::Name))
                    if (probeCheckpoint(f.filePath())) paths << f.filePath();
        }
        paths << source + QStringLiteral("/resources/demo/arith-step004000")
              << source + QStringLiteral("/resources/demo-nanochat/checkpoints/step_004000");
    }
    QJsonArray rows;
    for (const QString& p : paths) {
        std::optional<CheckpointInfo> info;
        const double probe = medianMs([&] { info = probeCheckpoint(p); });
        qint64 bytes = 0;
        const double read = medianMs([&] { bytes = readAllBytes(p); });
        rows.append(QJsonObject{{"path", p},
                                {"format", info ? info->format : QStringLiteral("(none)")},
                                {"tokenizer_found", info && info->tokenizerFound},
                                {"probe_ms", probe},
                                {"read_whole_ms", read},
                                {"bytes", bytes}});
    }
    // What the picker's worker does for a models folder: the walk and every probe.
    const double demoScan = medianMs([&] {
        scanFolder(source + QStringLiteral("/resources/demo"), kMaxScanDepth);
        scanFolder(source + QStringLiteral("/resources/demo-nanochat"), kMaxScanDepth);
    });
    const double sharedScan = medianMs([&] { scanFolder(shared, kMaxScanDepth); });
    const QJsonObject out{{"checkpoints", rows},
                          {"scan_demo_folders_ms", demoScan},
                          {"scan_shared_models_ms", sharedScan},
                          {"note", "warm page cache; a cold or network disk adds its latency per file opened"}};
    std::printf("%s\n", QJsonDocument(out).toJson(QJsonDocument::Indented).constData());
    return 0;
}
