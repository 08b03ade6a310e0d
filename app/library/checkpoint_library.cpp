#include "checkpoint_library.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QSet>
#include <QSettings>
#include <algorithm>
#include <cmath>

#include "files/file_paths.h"

namespace waypoint::app {

namespace {
constexpr int kMaxRecent = 6;
constexpr int kMaxWatchedDirs = 256;

QString statusKey(const QString& path) {
    return QStringLiteral("checkpoints/status/") + QString::fromLatin1(path.toUtf8().toBase64(QByteArray::Base64UrlEncoding));
}
QString localPath(const QString& p) { return FilePaths::localPath(p); }
const QString kCollapsedKey = QStringLiteral("checkpoints/collapsedRuns");
}  // namespace

CheckpointLibrary::CheckpointLibrary(QObject* parent) : QAbstractListModel(parent) {
    qRegisterMetaType<ScanRequest>();
    qRegisterMetaType<ScanResult>();
    demoFolders_ = findDemoFolders();
    demoFolder_ = demoFolders_.value(0);
    const QStringList collapsed = settings_.value(kCollapsedKey).toStringList();
    collapsed_ = QSet<QString>(collapsed.begin(), collapsed.end());
    modelsFolder_ = settings_.value(QStringLiteral("checkpoints/modelsFolder")).toString();
    debounce_.setSingleShot(true);
    debounce_.setInterval(300);  // a copy in progress fires many change events
    connect(&debounce_, &QTimer::timeout, this, &CheckpointLibrary::rescan);
    connect(&watcher_, &QFileSystemWatcher::directoryChanged, this, [this] { scheduleRescan(); });

    scanner_ = new CheckpointScanner(latestFolderScan_);  // no parent: it moves to the thread
    scanner_->moveToThread(&scanThread_);
    scanThread_.setObjectName(QStringLiteral("waypoint-checkpoints"));
    connect(&scanThread_, &QThread::finished, scanner_, &QObject::deleteLater);
    connect(this, &CheckpointLibrary::requestScan, scanner_, &CheckpointScanner::scan);
    connect(scanner_, &CheckpointScanner::scanned, this, &CheckpointLibrary::onScanned);
    scanThread_.start();

    // The demo checkpoints are probed here, on the GUI thread: a few small
    // folders shipped with the app, and the first start opens one of them.
    for (const QString& d : demoFolders_) {
        const FolderScan scan = scanFolder(d, kMaxScanDepth);
        demoFound_ += scan.found;
        demoWalked_ += scan.folders;
    }
    regroup();
    watch();
    if (!modelsFolder_.isEmpty()) startScan(false);  // and the Recent paths
    rebuild();
}

CheckpointLibrary::~CheckpointLibrary() {
    // A folder scan stops at its next probe; the join waits for that one.
    latestFolderScan_->store(-1, std::memory_order_release);
    scanThread_.quit();
    scanThread_.wait();
}

QString CheckpointLibrary::findDemoFolder() {
    const QByteArray env = qgetenv("WAYPOINT_DEMO_DIR");
    QStringList candidates;
    if (!env.isEmpty()) candidates << QString::fromLocal8Bit(env);
    const QString appDir = QCoreApplication::applicationDirPath();
    // Installed: <prefix>/bin/../share/waypoint/demo; macOS: Waypoint.app/Contents/Resources/demo.
    candidates << appDir + QStringLiteral("/demo") << appDir + QStringLiteral("/../share/waypoint/demo")
               << appDir + QStringLiteral("/../Resources/demo");
#ifdef WAYPOINT_SOURCE_DIR
    candidates << QStringLiteral(WAYPOINT_SOURCE_DIR "/resources/demo");
#endif
    for (const QString& c : candidates)
        if (QFileInfo(c).isDir()) return QDir(c).canonicalPath();
    return {};
}

QStringList CheckpointLibrary::findDemoFolders() {
    const QString demo = findDemoFolder();
    if (demo.isEmpty()) return {};
    QStringList out{demo};
    // resources/demo-nanochat: the same run in nanochat's step-folder layout.
    if (QFileInfo(demo + QStringLiteral("-nanochat")).isDir()) out << QDir(demo + QStringLiteral("-nanochat")).canonicalPath();
    return out;
}

void CheckpointLibrary::setModelsFolder(const QString& folder) {
    const QString f = localPath(folder);
    if (f == modelsFolder_) return;
    modelsFolder_ = f;
    settings_.setValue(QStringLiteral("checkpoints/modelsFolder"), f);
    Q_EMIT modelsFolderChanged();
    rescan();
}

void CheckpointLibrary::rescan() { startScan(true); }

void CheckpointLibrary::startScan(bool demoToo) {
    ScanRequest r;
    r.id = nextScanId_++;
    latestFolderScan_->store(r.id, std::memory_order_release);
    if (demoToo)
        for (const QString& d : demoFolders_) r.roots.append({QStringLiteral("Demo"), d});
    r.demoToo = demoToo;
    if (!modelsFolder_.isEmpty()) r.roots.append({QStringLiteral("Models folder"), modelsFolder_});
    // The Recent paths are probed again too: a checkpoint may have been rewritten.
    r.opened = settings_.value(QStringLiteral("checkpoints/recent")).toStringList();
    for (const QString& p : r.opened) openedAsked_.insert(p);
    send(r);
}

void CheckpointLibrary::send(const ScanRequest& request) {
    if (pendingScans_++ == 0) Q_EMIT scanningChanged();
    Q_EMIT requestScan(request);
}

void CheckpointLibrary::onScanned(const ScanResult& result) {
    for (const QString& p : result.asked) openedAsked_.remove(p);
    for (const CheckpointInfo& c : result.opened) opened_.insert(c.path, c);
    if (result.foldersToo && !result.cancelled) {
        if (result.demoToo) {
            demoFound_.clear();
            demoWalked_.clear();
        }
        modelsFound_.clear();
        modelsWalked_.clear();
        for (const auto& [section, c] : result.found)
            (section == QLatin1String("Demo") ? demoFound_ : modelsFound_).append(c);
        for (const auto& [section, folder] : result.walked)
            (section == QLatin1String("Demo") ? demoWalked_ : modelsWalked_).append(folder);
        regroup();
        watch();
    }
    rebuild();
    if (--pendingScans_ == 0) Q_EMIT scanningChanged();
    Q_EMIT scanFinished();
}

void CheckpointLibrary::watch() {
    if (!watcher_.directories().isEmpty()) watcher_.removePaths(watcher_.directories());
    QStringList folders = demoWalked_ + modelsWalked_;
    if (folders.size() > kMaxWatchedDirs) folders.resize(kMaxWatchedDirs);
    if (!folders.isEmpty()) watcher_.addPaths(folders);
}

void CheckpointLibrary::regroup() {
    scanned_.clear();
    QSet<QString> seen;  // a models folder may hold the demo folder
    for (const auto& [section, found] : {std::pair{QStringLiteral("Demo"), &demoFound_},
                                          std::pair{QStringLiteral("Models folder"), &modelsFound_}}) {
        QVector<Entry> fresh;
        for (const CheckpointInfo& c : *found) {
            if (seen.contains(c.path)) continue;
            seen.insert(c.path);
            fresh.append(Entry::of(c, section));
        }
        scanned_ += groupRuns(fresh);
    }
}

const CheckpointInfo* CheckpointLibrary::known(const QString& path) const {
    for (const Entry& e : scanned_)
        if (e.c.path == path) return &e.c;
    const auto it = opened_.constFind(path);
    return it == opened_.constEnd() ? nullptr : &*it;
}

void CheckpointLibrary::rebuild() {
    QVector<Entry> next;
    QSet<QString> recentPaths;
    ScanRequest ask;
    const QStringList recent = settings_.value(QStringLiteral("checkpoints/recent")).toStringList();
    for (const QString& p : recent) {
        const CheckpointInfo* c = known(p);
        if (!c) {
            // Not probed yet: the worker answers, then the row appears.
            if (!openedAsked_.contains(p) && QFileInfo::exists(p)) ask.opened << p;
            continue;
        }
        next.append(Entry::of(*c, QStringLiteral("Recent")));
        recentPaths.insert(p);
    }
    // Recent rows stay in the order of use; a recent checkpoint is not listed
    // again below, unless it is a step of a run: a run shows all its steps.
    for (const Entry& e : scanned_)
        if (!e.group.isEmpty() || !recentPaths.contains(e.c.path)) next.append(e);
    applyEntries(next);
    if (!ask.opened.isEmpty()) {
        ask.id = nextScanId_++;
        ask.foldersToo = false;
        for (const QString& p : ask.opened) openedAsked_.insert(p);
        send(ask);
    }
}

CheckpointLibrary::Entry CheckpointLibrary::Entry::of(const CheckpointInfo& c, const QString& section) {
    Entry e;
    e.c = c;
    e.section = section;
    e.step = c.hasStep() ? c.step : stepInName(c.name);
    return e;
}

bool CheckpointLibrary::Entry::operator==(const Entry& o) const {
    return c == o.c && section == o.section && step == o.step && run == o.run && group == o.group &&
           runSize == o.runSize && firstInRun == o.firstInRun;
}

void CheckpointLibrary::applyEntries(const QVector<Entry>& next) {
    // Only the rows that changed are removed and inserted (usually the Recent
    // section after a load), so the view keeps its other delegates instead of
    // rebuilding the whole list on the GUI thread.
    const int oldCount = int(entries_.size()), newCount = int(next.size());
    int head = 0;
    while (head < oldCount && head < newCount && entries_[head] == next[head]) ++head;
    int tail = 0;
    while (tail < oldCount - head && tail < newCount - head && entries_[oldCount - 1 - tail] == next[newCount - 1 - tail]) ++tail;
    if (oldCount - tail > head) {
        beginRemoveRows({}, head, oldCount - tail - 1);
        entries_.remove(head, oldCount - tail - head);
        endRemoveRows();
    }
    if (newCount - tail > head) {
        beginInsertRows({}, head, newCount - tail - 1);
        for (int i = head; i < newCount - tail; ++i) entries_.insert(i, next[i]);
        endInsertRows();
    }
    if (oldCount != newCount) Q_EMIT countChanged();
}

QVector<CheckpointLibrary::Entry> CheckpointLibrary::groupRuns(const QVector<Entry>& scanned) {
    // Which run each checkpoint belongs to; a run needs two steps, unless the
    // folder layout says so (a nanochat step_XXXXXX folder).
    QVector<RunInfo> runs;
    QHash<QString, QVector<int>> members;
    for (int i = 0; i < scanned.size(); ++i) {
        runs.append(runOf(scanned[i].c));
        if (!runs[i].key.isEmpty()) members[runs[i].key].append(i);
    }
    QVector<Entry> out;
    QSet<QString> emitted;
    for (int i = 0; i < scanned.size(); ++i) {
        const RunInfo& run = runs[i];
        const Entry& e = scanned[i];
        const bool grouped = !run.key.isEmpty() && (members[run.key].size() > 1 || run.stepFolder);
        if (!grouped) {
            out.append(e);
            continue;
        }
        if (emitted.contains(run.key)) continue;
        emitted.insert(run.key);
        // The whole run here, at the place of its first member, by step.
        QVector<Entry> group;
        for (int m : members[run.key]) {
            Entry g = scanned[m];
            g.run = run.name;
            g.group = g.section + QLatin1Char('|') + run.key;
            g.runSize = int(members[run.key].size());
            group.append(g);
        }
        std::stable_sort(group.begin(), group.end(), [](const Entry& a, const Entry& b) {
            if (a.step != b.step) return a.step < b.step;
            return a.c.name < b.c.name;
        });
        group.first().firstInRun = true;
        out += group;
    }
    return out;
}

void CheckpointLibrary::setRunCollapsed(const QString& group, bool collapsed) {
    if (group.isEmpty() || collapsed_.contains(group) == collapsed) return;
    if (collapsed) collapsed_.insert(group);
    else collapsed_.remove(group);
    const QStringList list(collapsed_.begin(), collapsed_.end());
    settings_.setValue(kCollapsedKey, list);
    for (int row = 0; row < entries_.size(); ++row) {
        if (entries_[row].group == group) {
            const QModelIndex i = index(row);
            Q_EMIT dataChanged(i, i, {CollapsedRole});
        }
    }
}

void CheckpointLibrary::addRecent(const QString& rawPath) {
    const QString path = localPath(rawPath);
    QSettings& s = settings_;
    QStringList recent = s.value(QStringLiteral("checkpoints/recent")).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecent) recent.removeLast();
    s.setValue(QStringLiteral("checkpoints/recent"), recent);
    rebuild();  // the folders did not change: no disk scan
}

void CheckpointLibrary::markLoaded(const QString& rawPath, bool ok, const QString& message) {
    const QString path = localPath(rawPath);
    settings_.setValue(statusKey(path), ok ? QStringLiteral("ok") : QStringLiteral("failed:") + message);
    for (int row = 0; row < entries_.size(); ++row) {
        if (entries_[row].c.path == path) {
            const QModelIndex i = index(row);
            Q_EMIT dataChanged(i, i, {StatusRole, StatusTextRole});
        }
    }
}

QString CheckpointLibrary::demoCheckpoint() const {
    // Rows of a run are sorted by step: the last row of the first demo
    // folder is its final checkpoint.
    QString last;
    for (const Entry& e : entries_)
        if (e.section == QLatin1String("Demo") && e.c.path.startsWith(demoFolder_ + QLatin1Char('/'))) last = e.c.path;
    return last;
}

QString CheckpointLibrary::startCheckpoint() const {
    for (const QString& p : settings_.value(QStringLiteral("checkpoints/recent")).toStringList())
        if (QFileInfo::exists(p) && !settings_.value(statusKey(p)).toString().startsWith(QLatin1String("failed")))
            return p;
    return demoCheckpoint();
}

QString CheckpointLibrary::formatBytes(qint64 bytes) {
    if (bytes < 1024) return QStringLiteral("%1 B").arg(bytes);
    if (bytes < 1024 * 1024) return QStringLiteral("%1 KB").arg(bytes / 1024.0, 0, 'f', 1);
    if (bytes < 1024LL * 1024 * 1024) return QStringLiteral("%1 MB").arg(bytes / (1024.0 * 1024), 0, 'f', 1);
    return QStringLiteral("%1 GB").arg(bytes / (1024.0 * 1024 * 1024), 0, 'f', 2);
}

int CheckpointLibrary::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(entries_.size());
}

QVariant CheckpointLibrary::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const Entry& e = entries_.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case NameRole: return e.c.name;
    case PathRole: return e.c.path;
    case FormatRole: return e.c.format;
    case SizeRole: return formatBytes(e.c.bytes);
    case BytesRole: return e.c.bytes;
    case SectionRole: return e.section;
    case LabelRole:
        if (!e.run.isEmpty() && e.step >= 0) return QStringLiteral("step %1").arg(e.step);
        if (runOf(e.c).stepFolder) return runOf(e.c).name + QStringLiteral(" · ") + e.c.name;  // a recent step folder
        return e.c.modelName;
    case RunRole: return e.run;
    case GroupRole: return e.group;
    case RunSizeRole: return e.runSize;
    case FirstInRunRole: return e.firstInRun;
    case CollapsedRole: return !e.group.isEmpty() && collapsed_.contains(e.group);
    case StepRole: return e.step;
    case ValLossRole: return e.c.hasValLoss() ? QVariant(e.c.valLoss) : QVariant();
    case ModelNameRole: return e.c.modelName;
    case TokenizerFoundRole: return e.c.tokenizerFound;
    case ProblemRole: return e.c.problem;
    case StatusRole:
    case StatusTextRole: {
        const QString s = settings_.value(statusKey(e.c.path)).toString();
        const QString status = s.isEmpty() ? QStringLiteral("unknown") : s == QLatin1String("ok") ? s : QStringLiteral("failed");
        if (role == StatusRole) return status;
        if (status == QLatin1String("ok")) return QStringLiteral("loads");
        if (status == QLatin1String("failed")) return s.mid(7);
        return QStringLiteral("not tried yet");
    }
    default: return {};
    }
}

QHash<int, QByteArray> CheckpointLibrary::roleNames() const {
    return {{NameRole, "name"},       {PathRole, "path"},     {FormatRole, "format"},
            {SizeRole, "size"},       {BytesRole, "bytes"},   {SectionRole, "section"},
            {StatusRole, "status"},   {StatusTextRole, "statusText"}, {LabelRole, "label"},
            {RunRole, "run"},         {GroupRole, "group"},   {RunSizeRole, "runSize"},
            {FirstInRunRole, "firstInRun"}, {CollapsedRole, "collapsed"}, {StepRole, "step"},
            {ValLossRole, "valLoss"}, {ModelNameRole, "modelName"}, {TokenizerFoundRole, "tokenizerFound"},
            {ProblemRole, "problem"}};
}

}  // namespace waypoint::app
