// The checkpoint picker's list: recent checkpoints, the project's demo
// checkpoints and a models folder scanned recursively and watched. Rows carry
// name, format, size and whether the checkpoint loaded the last time it was
// tried (remembered across restarts).
#pragma once

#include <QAbstractListModel>
#include <QFileSystemWatcher>
#include <QTimer>
#include <QVector>
#include <QtQml/qqmlregistration.h>

#include "library/checkpoint_sniffer.h"

namespace waypoint::app {

class CheckpointLibrary : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(QString modelsFolder READ modelsFolder WRITE setModelsFolder NOTIFY modelsFolderChanged)
    Q_PROPERTY(QString demoFolder READ demoFolder CONSTANT)
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
public:
    enum Role { NameRole = Qt::UserRole + 1, PathRole, FormatRole, SizeRole, BytesRole, SectionRole, StatusRole, StatusTextRole };
    Q_ENUM(Role)

    struct Entry {
        SniffedCheckpoint c;
        QString section;  // "Recent" | "Demo" | "Models folder"
    };

    explicit CheckpointLibrary(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    QString modelsFolder() const { return modelsFolder_; }
    void setModelsFolder(const QString& folder);
    QString demoFolder() const { return demoFolder_; }

    // Where the demo checkpoints are: $WAYPOINT_DEMO_DIR, next to the
    // executable (demo/, ../share/waypoint/demo) or the source tree's resources/demo.
    static QString findDemoFolder();

    Q_INVOKABLE void rescan();
    Q_INVOKABLE void addRecent(const QString& path);
    // Remembers whether `path` loaded; the row's status shows it.
    Q_INVOKABLE void markLoaded(const QString& path, bool ok, const QString& message = {});
    // The demo checkpoint to open on first start: the last in name order
    // (the highest training step of arith-stepNNNNNN folders).
    Q_INVOKABLE QString demoCheckpoint() const;
    // The last checkpoint used, else the demo checkpoint, else "".
    Q_INVOKABLE QString startCheckpoint() const;
    Q_INVOKABLE static QString formatBytes(qint64 bytes);

Q_SIGNALS:
    void modelsFolderChanged();
    void countChanged();

private:
    void scanTree(const QString& root, const QString& section, QVector<Entry>& out, int depth);
    void scheduleRescan() { debounce_.start(); }

    QVector<Entry> entries_;
    QString modelsFolder_;
    QString demoFolder_;
    QFileSystemWatcher watcher_;
    QTimer debounce_;
};

}  // namespace waypoint::app
