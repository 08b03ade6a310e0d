// CheckpointLibrary: content sniffing, the recursive scan of the models
// folder, the watcher picking up a new checkpoint, demo and recent sections,
// the remembered load status, the steps of a training run as one group (with
// step and validation loss), the project's demo runs on first start.
// QAbstractItemModelTester checks the model. Every test starts from empty
// settings and sets the models folder it uses.
#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtEndian>
#include <QtTest>

#include "library/checkpoint_library.h"
#include "library/checkpoint_sniffer.h"

using namespace waypoint::app;

namespace {
void writeFile(const QString& path, const QByteArray& bytes) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
}
QByteArray llama2cHeader(qint32 dim, qint32 hidden, qint32 layers, qint32 heads, qint32 kv, qint32 vocab, qint32 seq) {
    QByteArray b(28, 0);
    const qint32 h[7] = {dim, hidden, layers, heads, kv, vocab, seq};
    for (int i = 0; i < 7; ++i) qToLittleEndian(h[i], b.data() + 4 * i);
    return b + QByteArray(100, 'w');
}
QStringList column(const QAbstractItemModel& m, int role) {
    QStringList out;
    for (int r = 0; r < m.rowCount(); ++r) out << m.index(r, 0).data(role).toString();
    return out;
}
}  // namespace

class TstCheckpointLibrary : public QObject {
    Q_OBJECT
    QTemporaryDir demo, models;

private Q_SLOTS:
    void initTestCase() {
        QCoreApplication::setOrganizationName(QStringLiteral("waypoint-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_checkpoint_library"));
        QVERIFY(demo.isValid() && models.isValid());
        writeFile(demo.filePath(QStringLiteral("arith-step000500/config.json")), "{}");
        writeFile(demo.filePath(QStringLiteral("arith-step000500/model.safetensors")), QByteArray(300, 'x'));
        writeFile(demo.filePath(QStringLiteral("arith-step001000/config.json")), "{}");
        writeFile(demo.filePath(QStringLiteral("arith-step001000/model.safetensors")), QByteArray(300, 'x'));
        writeFile(models.filePath(QStringLiteral("stories.bin")), llama2cHeader(64, 172, 5, 8, 4, 512, 512));
        writeFile(models.filePath(QStringLiteral("tok512.bin")), QByteArray("\x07\0\0\0\0\0\x80\xbf", 8) + QByteArray(40, 'a'));
        writeFile(models.filePath(QStringLiteral("nested/deeper/tiny.gguf")), QByteArray("GGUF\3\0\0\0") + QByteArray(50, 0));
        writeFile(models.filePath(QStringLiteral("nested/ckpt.pt")), QByteArray("PK\3\4") + QByteArray(50, 0));
        writeFile(models.filePath(QStringLiteral("notes.txt")), "hello");
        qputenv("WAYPOINT_DEMO_DIR", demo.path().toUtf8());
    }
    void init() { QSettings().clear(); }

    void sniffsByContent() {
        QCOMPARE(sniffFile(models.filePath(QStringLiteral("stories.bin")))->format, QStringLiteral("llama2.c .bin"));
        QVERIFY(!sniffFile(models.filePath(QStringLiteral("tok512.bin"))));  // a tokenizer, not a model
        QCOMPARE(sniffFile(models.filePath(QStringLiteral("nested/deeper/tiny.gguf")))->format, QStringLiteral("GGUF"));
        QVERIFY(!sniffFile(models.filePath(QStringLiteral("notes.txt"))));
        const auto hf = sniffFolder(demo.filePath(QStringLiteral("arith-step000500")));
        QVERIFY(hf);
        QCOMPARE(hf->format, QStringLiteral("Hugging Face folder"));
        QCOMPARE(hf->bytes, 300);
    }

    void scansDemoAndModelsFolderAndWatches() {
        CheckpointLibrary lib;
        QAbstractItemModelTester tester(&lib, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(lib.demoFolder(), QDir(demo.path()).canonicalPath());
        QCOMPARE(column(lib, CheckpointLibrary::NameRole), (QStringList{"arith-step000500", "arith-step001000"}));
        QCOMPARE(lib.demoCheckpoint(), QDir(demo.path()).canonicalPath() + "/arith-step001000");
        QCOMPARE(lib.startCheckpoint(), lib.demoCheckpoint());  // first start: nothing recent yet

        lib.setModelsFolder(models.path());
        QCOMPARE(column(lib, CheckpointLibrary::NameRole),
                 (QStringList{"arith-step000500", "arith-step001000", "stories", "ckpt", "tiny"}));
        QCOMPARE(column(lib, CheckpointLibrary::SectionRole).count(QStringLiteral("Models folder")), 3);
        QCOMPARE(column(lib, CheckpointLibrary::FormatRole).at(2), QStringLiteral("llama2.c .bin"));
        QCOMPARE(column(lib, CheckpointLibrary::SizeRole).at(2), QStringLiteral("128 B"));
        QCOMPARE(column(lib, CheckpointLibrary::FormatRole).at(3), QStringLiteral("PyTorch checkpoint"));

        // A checkpoint copied into a watched subfolder shows up by itself.
        QSignalSpy reset(&lib, &QAbstractItemModel::modelReset);
        writeFile(models.filePath(QStringLiteral("nested/deeper/new.gguf")), QByteArray("GGUF\3\0\0\0") + QByteArray(10, 0));
        QTRY_VERIFY_WITH_TIMEOUT(column(lib, CheckpointLibrary::NameRole).contains(QStringLiteral("new")), 5000);
    }

    void remembersRecentAndLoadStatus() {
        CheckpointLibrary lib;
        QAbstractItemModelTester tester(&lib, QAbstractItemModelTester::FailureReportingMode::QtTest);
        lib.setModelsFolder(models.path());
        const QString bin = models.filePath(QStringLiteral("stories.bin"));
        const QString gguf = models.filePath(QStringLiteral("nested/deeper/tiny.gguf"));
        lib.addRecent(bin);
        QCOMPARE(lib.index(0).data(CheckpointLibrary::SectionRole).toString(), QStringLiteral("Recent"));
        QCOMPARE(lib.index(0).data(CheckpointLibrary::PathRole).toString(), bin);
        QCOMPARE(column(lib, CheckpointLibrary::PathRole).count(bin), 1);  // not listed twice
        QCOMPARE(lib.startCheckpoint(), bin);
        QCOMPARE(lib.index(0).data(CheckpointLibrary::StatusRole).toString(), QStringLiteral("unknown"));

        QSignalSpy changed(&lib, &QAbstractItemModel::dataChanged);
        lib.markLoaded(bin, true);
        lib.markLoaded(gguf, false, QStringLiteral("tiny.gguf: unsupported tensor type"));
        QCOMPARE(changed.count(), 2);
        QCOMPARE(lib.index(0).data(CheckpointLibrary::StatusRole).toString(), QStringLiteral("ok"));
        const int g = int(column(lib, CheckpointLibrary::PathRole).indexOf(gguf));
        QVERIFY(g > 0);
        QCOMPARE(lib.index(g).data(CheckpointLibrary::StatusRole).toString(), QStringLiteral("failed"));
        QCOMPARE(lib.index(g).data(CheckpointLibrary::StatusTextRole).toString(), QStringLiteral("tiny.gguf: unsupported tensor type"));

        CheckpointLibrary again;  // across restarts
        QCOMPARE(again.index(0).data(CheckpointLibrary::PathRole).toString(), bin);
        QCOMPARE(again.index(0).data(CheckpointLibrary::StatusRole).toString(), QStringLiteral("ok"));
        QCOMPARE(again.modelsFolder(), models.path());
    }

    // The steps of a training run are one group, sorted by step, with step
    // and validation loss from the checkpoint's own metadata.
    void groupsTheStepsOfARun() {
        QTemporaryDir runs;
        // Hugging Face Trainer folders: name order is not step order.
        for (const char* s : {"checkpoint-500", "checkpoint-1000", "checkpoint-200"}) {
            writeFile(runs.filePath(QStringLiteral("trainer/%1/config.json").arg(QLatin1String(s))), "{}");
            writeFile(runs.filePath(QStringLiteral("trainer/%1/model.safetensors").arg(QLatin1String(s))), QByteArray(64, 'x'));
        }
        writeFile(runs.filePath(QStringLiteral("trainer/checkpoint-1000/trainer_state.json")),
                  R"({"global_step": 1000, "log_history": [{"eval_loss": 2.5, "step": 500}, {"loss": 2.0, "step": 1000},
                      {"eval_loss": 1.75, "step": 1000}]})");
        // A nanochat run: step folders with meta_<step>.json.
        for (int step : {2920, 100}) {
            const QString dir = runs.filePath(QStringLiteral("nano/checkpoints/step_%1").arg(step, 6, 10, QLatin1Char('0')));
            writeFile(dir + QStringLiteral("/model_%1.pt").arg(step, 6, 10, QLatin1Char('0')), QByteArray("PK\3\4") + QByteArray(20, 0));
            writeFile(dir + QStringLiteral("/meta_%1.json").arg(step, 6, 10, QLatin1Char('0')),
                      QStringLiteral(R"({"step": %1, "val_loss": %2})").arg(step).arg(step == 100 ? 3.5 : 1.125).toUtf8());
        }
        // safetensors __metadata__ (strings only), read from the JSON header.
        const QByteArray header = R"({"__metadata__": {"step": "1500", "val_loss": "0.8125"}})";
        QByteArray st(8, 0);
        qToLittleEndian<quint64>(quint64(header.size()), st.data());
        writeFile(runs.filePath(QStringLiteral("lone-step1500/config.json")), "{}");
        writeFile(runs.filePath(QStringLiteral("lone-step1500/model.safetensors")), st + header + QByteArray(16, 0));

        CheckpointLibrary lib;
        QAbstractItemModelTester tester(&lib, QAbstractItemModelTester::FailureReportingMode::QtTest);
        lib.setModelsFolder(runs.path());
        QStringList names, groups;
        for (int r = 0; r < lib.rowCount(); ++r) {
            if (lib.index(r).data(CheckpointLibrary::SectionRole).toString() != QLatin1String("Models folder")) continue;
            names << lib.index(r).data(CheckpointLibrary::NameRole).toString();
        }
        QCOMPARE(names, (QStringList{"lone-step1500", "step_000100", "step_002920", "checkpoint-200", "checkpoint-500",
                                     "checkpoint-1000"}));
        const auto row = [&](const QString& name) {
            for (int r = 0; r < lib.rowCount(); ++r)
                if (lib.index(r).data(CheckpointLibrary::NameRole).toString() == name) return lib.index(r);
            return QModelIndex();
        };
        // A single checkpoint with "step" in its name is no run; its metadata still shows.
        QCOMPARE(row("lone-step1500").data(CheckpointLibrary::RunRole).toString(), QString());
        QCOMPARE(row("lone-step1500").data(CheckpointLibrary::StepRole).toLongLong(), 1500);
        QCOMPARE(row("lone-step1500").data(CheckpointLibrary::ValLossRole).toDouble(), 0.8125);
        QCOMPARE(row("lone-step1500").data(CheckpointLibrary::LabelRole).toString(), QStringLiteral("lone-step1500"));
        // nanochat: the run is named after the folder above checkpoints/.
        QCOMPARE(row("step_000100").data(CheckpointLibrary::RunRole).toString(), QStringLiteral("nano"));
        QCOMPARE(row("step_000100").data(CheckpointLibrary::FirstInRunRole).toBool(), true);
        QCOMPARE(row("step_002920").data(CheckpointLibrary::FirstInRunRole).toBool(), false);
        QCOMPARE(row("step_002920").data(CheckpointLibrary::RunSizeRole).toInt(), 2);
        QCOMPARE(row("step_002920").data(CheckpointLibrary::StepRole).toLongLong(), 2920);
        QCOMPARE(row("step_002920").data(CheckpointLibrary::ValLossRole).toDouble(), 1.125);
        QCOMPARE(row("step_002920").data(CheckpointLibrary::LabelRole).toString(), QStringLiteral("step 2920"));
        // Trainer folders: the run is the parent folder; the last eval_loss counts.
        QCOMPARE(row("checkpoint-1000").data(CheckpointLibrary::RunRole).toString(), QStringLiteral("trainer"));
        QCOMPARE(row("checkpoint-1000").data(CheckpointLibrary::ValLossRole).toDouble(), 1.75);
        QVERIFY(!row("checkpoint-500").data(CheckpointLibrary::ValLossRole).isValid());  // not recorded
        QCOMPARE(row("checkpoint-500").data(CheckpointLibrary::StepRole).toLongLong(), 500);  // from the name

        // Collapsing a run changes its rows' CollapsedRole only, and is remembered.
        const QString group = row("checkpoint-200").data(CheckpointLibrary::GroupRole).toString();
        QVERIFY(!group.isEmpty());
        QVERIFY(group != row("step_000100").data(CheckpointLibrary::GroupRole).toString());
        QSignalSpy changed(&lib, &QAbstractItemModel::dataChanged);
        lib.setRunCollapsed(group, true);
        QCOMPARE(changed.count(), 3);
        QCOMPARE(changed.first().at(2).value<QList<int>>(), QList<int>{CheckpointLibrary::CollapsedRole});
        QVERIFY(row("checkpoint-500").data(CheckpointLibrary::CollapsedRole).toBool());
        QVERIFY(!row("step_000100").data(CheckpointLibrary::CollapsedRole).toBool());
        lib.setRunCollapsed(group, true);  // no change, no signal
        QCOMPARE(changed.count(), 3);
        CheckpointLibrary again;
        QVERIFY(again.match(again.index(0), CheckpointLibrary::GroupRole, group, -1).size() == 3);
        QVERIFY(again.match(again.index(0), CheckpointLibrary::GroupRole, group, -1).first().data(CheckpointLibrary::CollapsedRole).toBool());
        again.setRunCollapsed(group, false);
    }

    // On first start, the project's demo run is listed in both layouts.
    void listsTheProjectsDemoRuns() {
        const QByteArray saved = qgetenv("WAYPOINT_DEMO_DIR");
        qunsetenv("WAYPOINT_DEMO_DIR");
        CheckpointLibrary lib;
        qputenv("WAYPOINT_DEMO_DIR", saved);
        QAbstractItemModelTester tester(&lib, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QStringList runs, steps;
        for (int r = 0; r < lib.rowCount(); ++r) {
            const QModelIndex i = lib.index(r);
            if (i.data(CheckpointLibrary::SectionRole).toString() != QLatin1String("Demo")) continue;
            runs << i.data(CheckpointLibrary::RunRole).toString();
            steps << i.data(CheckpointLibrary::StepRole).toString();
            QVERIFY2(i.data(CheckpointLibrary::ValLossRole).toDouble() > 0, qPrintable(i.data(CheckpointLibrary::PathRole).toString()));
        }
        QCOMPARE(runs, (QStringList{"arith", "arith", "arith", "demo-nanochat", "demo-nanochat", "demo-nanochat"}));
        QCOMPARE(steps, (QStringList{"500", "2000", "4000", "500", "2000", "4000"}));
        QVERIFY(lib.demoCheckpoint().endsWith(QLatin1String("resources/demo/arith-step004000")));
    }

    // A load adds a recent checkpoint without rescanning the folders or
    // resetting the model: the view keeps its other rows.
    void addingARecentMovesRowsWithoutAReset() {
        CheckpointLibrary lib;
        QAbstractItemModelTester tester(&lib, QAbstractItemModelTester::FailureReportingMode::QtTest);
        lib.setModelsFolder(models.path());
        QSignalSpy reset(&lib, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&lib, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&lib, &QAbstractItemModel::rowsRemoved);
        const int before = lib.rowCount();
        const QString gguf = models.filePath(QStringLiteral("nested/deeper/tiny.gguf"));
        QCOMPARE(column(lib, CheckpointLibrary::PathRole).count(gguf), 1);
        lib.addRecent(gguf);
        QCOMPARE(reset.count(), 0);
        QVERIFY(inserted.count() >= 1);
        QCOMPARE(lib.rowCount(), before);  // from the models folder up to Recent
        QCOMPARE(lib.index(0).data(CheckpointLibrary::PathRole).toString(), gguf);
        QCOMPARE(lib.index(0).data(CheckpointLibrary::SectionRole).toString(), QStringLiteral("Recent"));
        QCOMPARE(column(lib, CheckpointLibrary::PathRole).count(gguf), 1);
        const int changes = int(inserted.count() + removed.count());
        lib.addRecent(gguf);  // already the first: nothing to change
        QCOMPARE(int(inserted.count() + removed.count()), changes);
    }

    // What a row is called: a file with a generic name by its folder; a
    // folder the user opened that holds a checkpoint file, by its format.
    void labelsSayWhatTheCheckpointIs() {
        QTemporaryDir dir;
        writeFile(dir.filePath(QStringLiteral("slm4096/ckpt.pt")), QByteArray("PK\3\4") + QByteArray(2000, 0));
        writeFile(dir.filePath(QStringLiteral("out-shakespeare/ckpt.pt")), QByteArray("PK\3\4") + QByteArray(3000, 0));
        writeFile(dir.filePath(QStringLiteral("out-shakespeare/tokenizer.model")), QByteArray(100, 't'));
        writeFile(dir.filePath(QStringLiteral("stories/stories.bin")), llama2cHeader(64, 172, 5, 8, 4, 512, 512));
        CheckpointLibrary lib;
        QAbstractItemModelTester tester(&lib, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const auto row = [&](const QString& path) { return int(column(lib, CheckpointLibrary::PathRole).indexOf(path)); };

        const QString ckpt = dir.filePath(QStringLiteral("slm4096/ckpt.pt"));
        lib.addRecent(ckpt);
        QCOMPARE(lib.index(row(ckpt)).data(CheckpointLibrary::LabelRole).toString(), QStringLiteral("slm4096"));
        const QString named = dir.filePath(QStringLiteral("stories/stories.bin"));
        lib.addRecent(named);  // a name of its own stays
        QCOMPARE(lib.index(row(named)).data(CheckpointLibrary::LabelRole).toString(), QStringLiteral("stories"));

        const QString folder = dir.filePath(QStringLiteral("out-shakespeare"));
        lib.addRecent(folder);
        const int f = row(folder);
        QVERIFY(f >= 0);
        QCOMPARE(lib.index(f).data(CheckpointLibrary::FormatRole).toString(), QStringLiteral("PyTorch checkpoint"));
        QCOMPARE(lib.index(f).data(CheckpointLibrary::BytesRole).toLongLong(), 3004);  // the checkpoint, not the folder entry
        QCOMPARE(lib.index(f).data(CheckpointLibrary::LabelRole).toString(), QStringLiteral("out-shakespeare"));
        // A folder with no checkpoint in it is still listed as it is.
        const QString empty = dir.filePath(QStringLiteral("empty"));
        QVERIFY(QDir().mkpath(empty));
        lib.addRecent(empty);
        QCOMPARE(lib.index(row(empty)).data(CheckpointLibrary::FormatRole).toString(), QStringLiteral("unrecognised"));
    }
};

QTEST_MAIN(TstCheckpointLibrary)
#include "tst_checkpoint_library.moc"
