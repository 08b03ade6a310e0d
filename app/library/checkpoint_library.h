// The checkpoint picker's list: recent checkpoints, the project's demo
// checkpoints and a models folder scanned recursively and watched. Rows carry
// what the engine's probe says (format, model name, size, step, validation
// loss, tokenizer found, why it would not load) and whether the checkpoint
// loaded the last time it was tried (remembered across restarts). The demo
// folders are probed when the list is made (small, shipped with the app);
// the models folder and Recent paths on a worker thread (`scanning`), since
// a folder of large checkpoints on a slow disk takes long. The steps of one training run
// (arith-step000500, arith-step002000; nanochat checkpoints/step_XXXXXX) are
// consecutive rows of one group, sorted by step, with step and validation
// loss; a group can be collapsed (remembered too). One row per checkpoint,
// so any view that lists checkpoints can use the model as it is.
#pragma once

#include <QAbstractListModel>
#include <QFileSystemWatcher>
#include <QSet>
#include <QSettings>
#include <QThread>
#include <QTimer>
#include <QVector>
#include <QtQml/qqmlregistration.h>
#include <atomic>
#include <memory>

#include "library/checkpoint_info.h"
#include "library/checkpoint_scanner.h"
#include "library/checkpoint_steps.h"

namespace waypoint::app {

class CheckpointLibrary : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(QString modelsFolder READ modelsFolder WRITE setModelsFolder NOTIFY modelsFolderChanged)
    Q_PROPERTY(QString demoFolder READ demoFolder CONSTANT)
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
    // A probe of the models folder or of Recent paths is running.
    Q_PROPERTY(bool scanning READ scanning NOTIFY scanningChanged)
public:
    enum Role {
        NameRole = Qt::UserRole + 1, PathRole, FormatRole, SizeRole, BytesRole, SectionRole, StatusRole, StatusTextRole,
        LabelRole,       // what the row's title says: "step 2000" inside a run, else the name
        RunRole,         // the run's name ("arith", "demo-nanochat"), "" outside a run
        GroupRole,       // the run's key (unique per section); "" outside a run
        RunSizeRole,     // how many steps the run has
        FirstInRunRole,  // the row that carries the run's header
        CollapsedRole,   // the run is collapsed: only its header shows
        StepRole,        // training step (recorded, else from the name), -1 if unknown
        ValLossRole,     // validation loss, undefined if not recorded
        ModelNameRole,   // the engine's name for the model (a generic ckpt.pt: its folder)
        TokenizerFoundRole,  // the engine finds its tokenizer
        ProblemRole      // why the engine would not load it ("" if it reads)
    };
    Q_ENUM(Role)

    struct Entry {
        CheckpointInfo c;
        QString section;  // "Recent" | "Demo" | "Models folder"
        qint64 step = -1;    // c.step, else the step in its name
        QString run, group;  // empty outside a run
        int runSize = 0;
        bool firstInRun = false;
        bool operator==(const Entry& o) const;
        static Entry of(const CheckpointInfo& c, const QString& section);
    };

    explicit CheckpointLibrary(QObject* parent = nullptr);
    ~CheckpointLibrary() override;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    QString modelsFolder() const { return modelsFolder_; }
    void setModelsFolder(const QString& folder);
    QString demoFolder() const { return demoFolder_; }
    bool scanning() const { return pendingScans_ > 0; }

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
    // The last checkpoint used (that exists and did not fail to load), else
    // the demo checkpoint, else "". Needs no probe.
    Q_INVOKABLE QString startCheckpoint() const;
    Q_INVOKABLE static QString formatBytes(qint64 bytes);
    // Collapses or expands the run `group` (GroupRole); remembered.
    Q_INVOKABLE void setRunCollapsed(const QString& group, bool collapsed);

Q_SIGNALS:
    void modelsFolderChanged();
    void countChanged();
    void scanningChanged();
    // The worker's answer has been applied to the rows.
    void scanFinished();
    void requestScan(const waypoint::app::ScanRequest& request);

private:
    void scheduleRescan() { debounce_.start(); }
    // Asks the worker for the models folder (and the demo folders) and the Recent paths.
    void startScan(bool demoToo);
    void send(const ScanRequest& request);
    void onScanned(const ScanResult& result);
    // scanned_ from demoFound_ and modelsFound_; the watcher on the folders walked.
    void regroup();
    void watch();
    static QVector<Entry> groupRuns(const QVector<Entry>& scanned);
    const CheckpointInfo* known(const QString& path) const;
    // Recent rows + scanned_, applied as row removals/insertions; Recent
    // paths not probed yet are sent to the worker.
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
    QVector<CheckpointInfo> demoFound_, modelsFound_;  // the last scans, in folder order
    QStringList demoWalked_, modelsWalked_;              // the folders they walked
    QHash<QString, CheckpointInfo> opened_;  // Recent paths as the worker probed them
    QSet<QString> openedAsked_;              // sent to the worker, answer not in yet
    QFileSystemWatcher watcher_;
    QTimer debounce_;
    QThread scanThread_;
    CheckpointScanner* scanner_ = nullptr;  // lives in scanThread_
    std::shared_ptr<std::atomic<int>> latestFolderScan_ = std::make_shared<std::atomic<int>>(0);
    int nextScanId_ = 1;
    int pendingScans_ = 0;
};

}  // namespace waypoint::app
