// The checkpoint picker's list: recent checkpoints, the project's demo
// checkpoints and a models folder scanned recursively and watched. Rows carry
// name, format, size and whether the checkpoint loaded the last time it was
// tried (remembered across restarts). The steps of one training run
// (arith-step000500, arith-step002000; nanochat checkpoints/step_XXXXXX) are
// consecutive rows of one group, sorted by step, with step and validation
// loss; a group can be collapsed (remembered too). One row per checkpoint,
// so any view that lists checkpoints can use the model as it is.
#pragma once

#include <QAbstractListModel>
#include <QFileSystemWatcher>
#include <QSet>
#include <QSettings>
#include <QTimer>
#include <QVector>
#include <QtQml/qqmlregistration.h>

#include "library/checkpoint_sniffer.h"
#include "library/checkpoint_steps.h"

namespace waypoint::app {

class CheckpointLibrary : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(QString modelsFolder READ modelsFolder WRITE setModelsFolder NOTIFY modelsFolderChanged)
    Q_PROPERTY(QString demoFolder READ demoFolder CONSTANT)
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
public:
    enum Role {
        NameRole = Qt::UserRole + 1, PathRole, FormatRole, SizeRole, BytesRole, SectionRole, StatusRole, StatusTextRole,
        LabelRole,       // what the row's title says: "step 2000" inside a run, else the name
        RunRole,         // the run's name ("arith", "demo-nanochat"), "" outside a run
        GroupRole,       // the run's key (unique per section); "" outside a run
        RunSizeRole,     // how many steps the run has
        FirstInRunRole,  // the row that carries the run's header
        CollapsedRole,   // the run is collapsed: only its header shows
        StepRole,        // training step, -1 if unknown
        ValLossRole      // validation loss, undefined if not recorded
    };
    Q_ENUM(Role)

    struct Entry {
        SniffedCheckpoint c;
        QString section;  // "Recent" | "Demo" | "Models folder"
        StepInfo steps;
        QString run, group;  // empty outside a run
        int runSize = 0;
        bool firstInRun = false;
        bool operator==(const Entry& o) const;
        static Entry of(const SniffedCheckpoint& c, const QString& section) {
            Entry e;
            e.c = c;
            e.section = section;
            return e;
        }
    };

    explicit CheckpointLibrary(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    QString modelsFolder() const { return modelsFolder_; }
    void setModelsFolder(const QString& folder);
    QString demoFolder() const { return demoFolder_; }

    // Where the demo checkpoints are: $WAYPOINT_DEMO_DIR, next to the
    // executable (demo/, ../share/waypoint/demo, ../Resources/demo in a macOS
    // bundle) or, in developers' builds, the source tree's resources/demo.
    static QString findDemoFolder();
    // The demo folder and its siblings in other layouts (demo-nanochat/).
    static QStringList findDemoFolders();

    Q_INVOKABLE void rescan();
    Q_INVOKABLE void addRecent(const QString& path);
    // Remembers whether `path` loaded; the row's status shows it.
    Q_INVOKABLE void markLoaded(const QString& path, bool ok, const QString& message = {});
    // The demo checkpoint to open on first start: the highest step of the
    // first demo folder's run (arith-stepNNNNNN).
    Q_INVOKABLE QString demoCheckpoint() const;
    // The last checkpoint used, else the demo checkpoint, else "".
    Q_INVOKABLE QString startCheckpoint() const;
    Q_INVOKABLE static QString formatBytes(qint64 bytes);
    // Collapses or expands the run `group` (GroupRole); remembered.
    Q_INVOKABLE void setRunCollapsed(const QString& group, bool collapsed);

Q_SIGNALS:
    void modelsFolderChanged();
    void countChanged();

private:
    void scanTree(const QString& root, const QString& section, QVector<Entry>& out, int depth);
    void scheduleRescan() { debounce_.start(); }
    static QVector<Entry> groupRuns(const QVector<Entry>& scanned);
    // Recent rows + scanned_, applied as row removals/insertions.
    void rebuild();
    void applyEntries(const QVector<Entry>& next);

    // One settings object for all reads and writes: Qt writes it back from
    // the event loop, so the two writes after a load (status, recent) cost one
    // file sync on the GUI thread instead of one each.
    mutable QSettings settings_;
    QVector<Entry> entries_;
    QVector<Entry> scanned_;  // the last scan of the demo and models folders, runs grouped
    QString modelsFolder_;
    QString demoFolder_;
    QStringList demoFolders_;
    QSet<QString> collapsed_;
    QFileSystemWatcher watcher_;
    QTimer debounce_;
};

}  // namespace waypoint::app
