#include "checkpoint_library.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QSet>
#include <QSettings>
#include <QUrl>

namespace waypoint::app {

namespace {
constexpr int kMaxRecent = 6;
constexpr int kMaxDepth = 6;
constexpr int kMaxWatchedDirs = 256;

QString statusKey(const QString& path) {
    return QStringLiteral("checkpoints/status/") + QString::fromLatin1(path.toUtf8().toBase64(QByteArray::Base64UrlEncoding));
}
QString localPath(const QString& p) { return p.startsWith(QLatin1String("file:")) ? QUrl(p).toLocalFile() : p; }
}  // namespace

CheckpointLibrary::CheckpointLibrary(QObject* parent) : QAbstractListModel(parent) {
    demoFolder_ = findDemoFolder();
    modelsFolder_ = QSettings().value(QStringLiteral("checkpoints/modelsFolder")).toString();
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
    candidates << appDir + QStringLiteral("/demo") << appDir + QStringLiteral("/../share/waypoint/demo");
#ifdef WAYPOINT_SOURCE_DIR
    candidates << QStringLiteral(WAYPOINT_SOURCE_DIR "/resources/demo");
#endif
    for (const QString& c : candidates)
        if (QFileInfo(c).isDir()) return QDir(c).canonicalPath();
    return {};
}

void CheckpointLibrary::setModelsFolder(const QString& folder) {
    const QString f = localPath(folder);
    if (f == modelsFolder_) return;
    modelsFolder_ = f;
    QSettings().setValue(QStringLiteral("checkpoints/modelsFolder"), f);
    Q_EMIT modelsFolderChanged();
    rescan();
}

void CheckpointLibrary::scanTree(const QString& root, const QString& section, QVector<Entry>& out, int depth) {
    if (depth > kMaxDepth) return;
    if (auto c = sniffFolder(root)) {
        out.append({*c, section});
        return;
    }
    if (watcher_.directories().size() < kMaxWatchedDirs) watcher_.addPath(root);
    const QDir dir(root);
    for (const QFileInfo& f : dir.entryInfoList(QDir::Files, QDir::Name))
        if (auto c = sniffFile(f.filePath())) out.append({*c, section});
    for (const QFileInfo& d : dir.entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name))
        scanTree(d.filePath(), section, out, depth + 1);
}

void CheckpointLibrary::rescan() {
    if (!watcher_.directories().isEmpty()) watcher_.removePaths(watcher_.directories());
    QVector<Entry> next;
    QSet<QString> seen;
    const QStringList recent = QSettings().value(QStringLiteral("checkpoints/recent")).toStringList();
    for (const QString& p : recent) {
        const QFileInfo info(p);
        auto c = info.isDir() ? sniffFolder(p) : sniffFile(p);
        if (!c && info.exists()) c = SniffedCheckpoint{p, info.fileName(), QStringLiteral("unrecognised"), info.size()};
        if (c) {
            next.append({*c, QStringLiteral("Recent")});
            seen.insert(p);
        }
    }
    QVector<Entry> scanned;
    if (!demoFolder_.isEmpty()) scanTree(demoFolder_, QStringLiteral("Demo"), scanned, 0);
    if (!modelsFolder_.isEmpty() && QFileInfo(modelsFolder_).isDir())
        scanTree(modelsFolder_, QStringLiteral("Models folder"), scanned, 0);
    for (const Entry& e : scanned) {
        if (seen.contains(e.c.path)) continue;
        seen.insert(e.c.path);
        next.append(e);
    }
    beginResetModel();
    entries_ = next;
    endResetModel();
    Q_EMIT countChanged();
}

void CheckpointLibrary::addRecent(const QString& rawPath) {
    const QString path = localPath(rawPath);
    QSettings s;
    QStringList recent = s.value(QStringLiteral("checkpoints/recent")).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecent) recent.removeLast();
    s.setValue(QStringLiteral("checkpoints/recent"), recent);
    rescan();
}

void CheckpointLibrary::markLoaded(const QString& rawPath, bool ok, const QString& message) {
    const QString path = localPath(rawPath);
    QSettings().setValue(statusKey(path), ok ? QStringLiteral("ok") : QStringLiteral("failed:") + message);
    for (int row = 0; row < entries_.size(); ++row) {
        if (entries_[row].c.path == path) {
            const QModelIndex i = index(row);
            Q_EMIT dataChanged(i, i, {StatusRole, StatusTextRole});
        }
    }
}

QString CheckpointLibrary::demoCheckpoint() const {
    QString last;
    for (const Entry& e : entries_)
        if (e.section == QLatin1String("Demo")) last = e.c.path;
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
    case StatusRole:
    case StatusTextRole: {
        const QString s = QSettings().value(statusKey(e.c.path)).toString();
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
            {StatusRole, "status"},   {StatusTextRole, "statusText"}};
}

}  // namespace waypoint::app
