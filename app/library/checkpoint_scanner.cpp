#include "checkpoint_scanner.h"

#include <QDir>
#include <QFileInfo>

namespace waypoint::app {
namespace {

// A folder the engine loads by picking one of its subfolders (nanochat's
// checkpoints/ opens its latest step_XXXXXX) is a run, not one checkpoint:
// the picker lists each subfolder the probe recognises instead.
bool holdsCheckpointFolders(const QDir& d) {
    for (const QFileInfo& sub : d.entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name))
        if (probeCheckpoint(sub.filePath())) return true;
    return false;
}

void walk(const QString& dir, int depth, int maxDepth, FolderScan& out, const std::function<bool()>& cancelled) {
    if (depth > maxDepth || (cancelled && cancelled())) return;
    const QDir d(dir);
    if (auto c = probeCheckpoint(dir)) {  // an HF folder, a nanochat step folder
        if (!holdsCheckpointFolders(d)) {
            out.found.append(*c);
            return;
        }
    }
    out.folders.append(dir);
    out.folders.append(dir);
    for (const QFileInfo& f : d.entryInfoList(QDir::Files, QDir::Name)) {
        if (cancelled && cancelled()) return;
        if (auto c = probeCheckpoint(f.filePath())) out.found.append(*c);
    }
    for (const QFileInfo& sub : d.entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name))
        walk(sub.filePath(), depth + 1, maxDepth, out, cancelled);
}

}  // namespace

FolderScan scanFolder(const QString& root, int maxDepth, const std::function<bool()>& cancelled) {
    FolderScan out;
    if (QFileInfo(root).isDir()) walk(root, 0, maxDepth, out, cancelled);
    return out;
}

void CheckpointScanner::scan(const ScanRequest& request) {
    ScanResult result;
    result.id = request.id;
    result.foldersToo = request.foldersToo;
    result.demoToo = request.demoToo;
    result.asked = request.opened;
    if (request.foldersToo) {
        const auto superseded = [&] { return latest_->load(std::memory_order_acquire) != request.id; };
        for (const auto& [section, root] : request.roots) {
            const FolderScan s = scanFolder(root, kMaxScanDepth, superseded);
            for (const CheckpointInfo& c : s.found) result.found.append({section, c});
            for (const QString& f : s.folders) result.walked.append({section, f});
        }
        result.cancelled = superseded();
    }
    for (const QString& p : request.opened)
        if (auto c = probeOpened(p)) result.opened.append(*c);
    Q_EMIT scanned(result);
}

}  // namespace waypoint::app
