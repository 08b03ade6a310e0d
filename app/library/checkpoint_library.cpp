#include "checkpoint_library.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QSet>
#include <QSettings>
#include <QUrl>
#include <algorithm>
#include <cmath>

namespace waypoint::app {

namespace {
constexpr int kMaxRecent = 6;
constexpr int kMaxDepth = 6;
constexpr int kMaxWatchedDirs = 256;

QString statusKey(const QString& path) {
    return QStringLiteral("checkpoints/status/") + QString::fromLatin1(path.toUtf8().toBase64(QByteArray::Base64UrlEncoding));
}
QString localPath(const QString& p) { return p.startsWith(QLatin1String("file:")) ? QUrl(p).toLocalFile() : p; }
const QString kCollapsedKey = QStringLiteral("checkpoints/collapsedRuns");
}  // namespace

CheckpointLibrary::CheckpointLibrary(QObject* parent) : QAbstractListModel(parent) {
    demoFolders_ = findDemoFolders();
    demoFolder_ = demoFolders_.value(0);
    const QStringList collapsed = settings_.value(kCollapsedKey).toStringList();
    collapsed_ = QSet<QString>(collapsed.begin(), collapsed.end());
    modelsFolder_ = settings_.value(QStringLiteral("checkpoints/modelsFolder")).toString();
    debounce_.setSingleShot(true);
    debounce_.setInterval(300);  // a copy in progress fires many change events
    connect(&debounce_, &QTimer::timeout, this, &CheckpointLibrary::rescan);
    connect(&watcher_, &QFileSystemWatcher::directoryChanged, this, [this] { scheduleRescan(); });
    rescan();
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

void CheckpointLibrary::scanTree(const QString& root, const QString& section, QVector<Entry>& out, int depth) {
    if (depth > kMaxDepth) return;
    if (auto c = sniffFolder(root)) {
        out.append(Entry::of(*c, section));
        return;
    }
    if (watcher_.directories().size() < kMaxWatchedDirs) watcher_.addPath(root);
    const QDir dir(root);
    for (const QFileInfo& f : dir.entryInfoList(QDir::Files, QDir::Name))
        if (auto c = sniffFile(f.filePath())) out.append(Entry::of(*c, section));
    for (const QFileInfo& d : dir.entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name))
        scanTree(d.filePath(), section, out, depth + 1);
}

void CheckpointLibrary::rescan() {
    if (!watcher_.directories().isEmpty()) watcher_.removePaths(watcher_.directories());
    QVector<Entry> demo, models;
    for (const QString& d : demoFolders_) scanTree(d, QStringLiteral("Demo"), demo, 0);
    if (!modelsFolder_.isEmpty() && QFileInfo(modelsFolder_).isDir())
        scanTree(modelsFolder_, QStringLiteral("Models folder"), models, 0);
    scanned_.clear();
    QSet<QString> scannedSeen;  // a models folder may hold the demo folder
    for (const QVector<Entry>* section : {&demo, &models}) {
        QVector<Entry> fresh;
        for (const Entry& e : *section) {
            if (scannedSeen.contains(e.c.path)) continue;
            scannedSeen.insert(e.c.path);
            fresh.append(e);
        }
        scanned_ += groupRuns(fresh);
    }
    rebuild();
}

void CheckpointLibrary::rebuild() {
    QVector<Entry> next;
    QSet<QString> recentPaths;
    const QStringList recent = settings_.value(QStringLiteral("checkpoints/recent")).toStringList();
    for (const QString& p : recent) {
        const QFileInfo info(p);
        auto c = info.isDir() ? sniffFolder(p) : sniffFile(p);
        // A folder the user opened that holds a checkpoint file (it loaded from there).
        if (!c && info.isDir()) c = sniffFolderContents(p);
        if (!c && info.exists()) c = SniffedCheckpoint{p, info.fileName(), QStringLiteral("unrecognised"), info.size()};
        if (c) {
            Entry e = Entry::of(*c, QStringLiteral("Recent"));
            e.steps = readStepInfo(e.c);
            next.append(e);
            recentPaths.insert(p);
        }
    }
    // Recent rows stay in the order of use; a recent checkpoint is not listed
    // again below, unless it is a step of a run: a run shows all its steps.
    for (const Entry& e : scanned_)
        if (!e.group.isEmpty() || !recentPaths.contains(e.c.path)) next.append(e);
    applyEntries(next);
}

bool CheckpointLibrary::Entry::operator==(const Entry& o) const {
    const auto sameLoss = [](double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; };
    return c.path == o.c.path && c.name == o.c.name && c.format == o.c.format && c.bytes == o.c.bytes &&
           section == o.section && steps.step == o.steps.step && sameLoss(steps.valLoss, o.steps.valLoss) &&
           run == o.run && group == o.group && runSize == o.runSize && firstInRun == o.firstInRun;
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
        Entry e = scanned[i];
        e.steps = readStepInfo(e.c);
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
            g.steps = m == i ? e.steps : readStepInfo(g.c);
            g.run = run.name;
            g.group = g.section + QLatin1Char('|') + run.key;
            g.runSize = int(members[run.key].size());
            group.append(g);
        }
        std::stable_sort(group.begin(), group.end(), [](const Entry& a, const Entry& b) {
            if (a.steps.step != b.steps.step) return a.steps.step < b.steps.step;
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
    for (const Entry& e : entries_)
        if (e.section == QLatin1String("Recent") && e.c.format != QLatin1String("unrecognised")) return e.c.path;
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
        if (!e.run.isEmpty() && e.steps.hasStep()) return QStringLiteral("step %1").arg(e.steps.step);
        if (runOf(e.c).stepFolder) return runOf(e.c).name + QStringLiteral(" · ") + e.c.name;  // a recent step folder
        return displayName(e.c);
    case RunRole: return e.run;
    case GroupRole: return e.group;
    case RunSizeRole: return e.runSize;
    case FirstInRunRole: return e.firstInRun;
    case CollapsedRole: return !e.group.isEmpty() && collapsed_.contains(e.group);
    case StepRole: return e.steps.step;
    case ValLossRole: return e.steps.hasValLoss() ? QVariant(e.steps.valLoss) : QVariant();
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
            {ValLossRole, "valLoss"}};
}

}  // namespace waypoint::app
