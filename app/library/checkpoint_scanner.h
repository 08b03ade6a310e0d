// Finding checkpoints on disk for the picker, with the engine's probe (a
// folder that is a checkpoint is one entry; else its files the engine
// recognises, then its subfolders). Probing reads headers and tokenizers,
// which on a large or slow models folder takes long, so CheckpointLibrary
// runs it here, on a worker thread of its own (Qt's threadedfetchmore
// shape): requests go down and results come up as queued value signals.
#pragma once

#include <QObject>
#include <QPair>
#include <QStringList>
#include <QVector>
#include <atomic>
#include <functional>
#include <memory>

#include "library/checkpoint_info.h"

namespace waypoint::app {

// The checkpoints under `root` (to `maxDepth` folders down) in name order,
// and the folders walked (to watch for changes). `cancelled` is asked
// between probes.
constexpr int kMaxScanDepth = 6;
struct FolderScan {
    QVector<CheckpointInfo> found;
    QStringList folders;
};
FolderScan scanFolder(const QString& root, int maxDepth, const std::function<bool()>& cancelled = {});

struct ScanRequest {
    int id = 0;
    bool foldersToo = true;                  // false: only `opened`
    bool demoToo = false;                    // `roots` include the demo folders
    QVector<QPair<QString, QString>> roots;  // (section, folder)
    QStringList opened;                      // Recent paths, probed with probeOpened()
};

struct ScanResult {
    int id = 0;
    bool foldersToo = true;
    bool demoToo = false;
    bool cancelled = false;                         // a newer folder scan superseded it
    QVector<QPair<QString, CheckpointInfo>> found;  // (section, checkpoint), by root then name
    QVector<QPair<QString, QString>> walked;        // (section, folder) walked, to watch
    QStringList asked;                              // the request's `opened`
    QVector<CheckpointInfo> opened;                 // one per opened path that exists
};

class CheckpointScanner : public QObject {
    Q_OBJECT
public:
    // `latestFolderScan`: the id of the newest folder scan asked for; an
    // older one stops early.
    explicit CheckpointScanner(std::shared_ptr<std::atomic<int>> latestFolderScan)
        : latest_(std::move(latestFolderScan)) {}

public Q_SLOTS:
    void scan(const waypoint::app::ScanRequest& request);

Q_SIGNALS:
    void scanned(const waypoint::app::ScanResult& result);

private:
    std::shared_ptr<std::atomic<int>> latest_;
};

}  // namespace waypoint::app

Q_DECLARE_METATYPE(waypoint::app::ScanRequest)
Q_DECLARE_METATYPE(waypoint::app::ScanResult)
