// CheckpointLibrary over the engine's probe, on real tiny checkpoints the
// test writes (checkpoint_fixtures.h): what the probe reports per row
// (format, size, step, validation loss, tokenizer found, why it would not
// load), the recursive scan of the models folder off the GUI thread, the
// watcher picking up a new checkpoint, demo and recent sections, the
// remembered load status, the steps of a training run as one group, the
// project's demo runs on first start, and the rows' labels.
// QAbstractItemModelTester checks the model. Every test starts from empty
// settings and sets the models folder it uses.
#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "checkpoint_fixtures.h"
#include "library/checkpoint_info.h"
#include "library/checkpoint_library.h"

using namespace waypoint::app;
using namespace fixtures;

namespace {
QStringList column(const QAbstractItemModel& m, int role) {
    QStringList out;
    for (int r = 0; r < m.rowCount(); ++r) out << m.index(r, 0).data(role).toString();
    return out;
}
// The worker's answers are in (the models folder, Recent paths).
bool scanned(const CheckpointLibrary& lib) { return QTest::qWaitFor([&] { return !lib.scanning(); }, 30000); }
QModelIndex rowOf(const CheckpointLibrary& lib, int role, const QString& value) {
    const int r = int(column(lib, role).indexOf(value));
    return r < 0 ? QModelIndex() : lib.index(r);
}
}  // namespace

class TstCheckpointLibrary : public QObject {
    Q_OBJECT
    QTemporaryDir demo, models;
    qint64 storiesBytes = 0;

private Q_SLOTS:
    void initTestCase() {
        QCoreApplication::setOrganizationName(QStringLiteral("waypoint-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_checkpoint_library"));
        if (!sharedFilesPresent()) QSKIP("../shared/models (stories260K, -nanogpt, -gguf) is not there (WAYPOINT_SHARED_DIR)");
        QVERIFY(demo.isValid() && models.isValid());
        writeHfFolder(demo.filePath(QStringLiteral("arith-step000500")));
        writeHfFolder(demo.filePath(QStringLiteral("arith-step001000")));
        storiesBytes = writeLlama2cBin(models.filePath(QStringLiteral("stories.bin")));
        copy(kTokenizerBin, models.filePath(QStringLiteral("tok512.bin")));
        copy(kGguf, models.filePath(QStringLiteral("nested/deeper/tiny.gguf")));
        copy(kNanoGptCkpt, models.filePath(QStringLiteral("nested/ckpt.pt")));
        write(models.filePath(QStringLiteral("notes.txt")), "hello");
        qputenv("WAYPOINT_DEMO_DIR", demo.path().toUtf8());
    }
    void init() { QSettings().clear(); }

    // The engine decides what a file is, by content; the row says what it found.
    void probesByContent() {
        const auto bin = probeCheckpoint(models.filePath(QStringLiteral("stories.bin")));
        QVERIFY(bin);
        QCOMPARE(bin->format, QStringLiteral("llama2.c .bin"));
        QCOMPARE(bin->bytes, storiesBytes);
        QCOMPARE(bin->name, QStringLiteral("stories"));
        QVERIFY(!bin->tokenizerFound);  // none beside it
        QVERIFY2(bin->problem.contains(QStringLiteral("tokenizer")), qPrintable(bin->problem));
        QVERIFY(!probeCheckpoint(models.filePath(QStringLiteral("tok512.bin"))));  // a tokenizer, not a model
        QVERIFY(!probeCheckpoint(models.filePath(QStringLiteral("notes.txt"))));
        QVERIFY(!probeCheckpoint(models.filePath(QStringLiteral("nested"))));  // a folder holding checkpoints
        QVERIFY(probeCheckpoint(models.filePath(QStringLiteral("nested/deeper/tiny.gguf")))->format.startsWith(QStringLiteral("GGUF v3")));
        QCOMPARE(probeCheckpoint(models.filePath(QStringLiteral("nested/ckpt.pt")))->format,
                 QStringLiteral("PyTorch checkpoint (torch.save)"));
        const auto hf = probeCheckpoint(demo.filePath(QStringLiteral("arith-step000500")));
        QVERIFY(hf);
        QCOMPARE(hf->format, QStringLiteral("Hugging Face safetensors"));
        QCOMPARE(hf->bytes, QFileInfo(demo.filePath(QStringLiteral("arith-step000500/model.safetensors"))).size());
        QVERIFY(!hf->hasStep() && !hf->hasValLoss());  // the name's step is the picker's business
        // The project's demo: tokenizer beside it, step and loss in its metadata.
        const auto real = probeCheckpoint(kSource + QStringLiteral("/resources/demo/arith-step002000"));
        QVERIFY(real);
        QVERIFY(real->tokenizerFound);
        QCOMPARE(real->problem, QString());
        QCOMPARE(real->step, 2000);
        QVERIFY(real->hasValLoss());
        // A header that promises more than the file holds: listed, with the reason.
        QTemporaryDir dir;
        const QString cut = dir.filePath(QStringLiteral("cut.bin"));
        writeLlama2cBin(cut);
        QFile f(cut);
        QVERIFY(f.resize(200));
        const auto broken = probeCheckpoint(cut);
        QVERIFY(broken);
        QCOMPARE(broken->format, QStringLiteral("llama2.c .bin"));
        QVERIFY(!broken->problem.isEmpty());
    }

    void scansDemoAndModelsFolderAndWatches() {
        CheckpointLibrary lib;
        QAbstractItemModelTester tester(&lib, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(lib.demoFolder(), QDir(demo.path()).canonicalPath());
        QCOMPARE(column(lib, CheckpointLibrary::NameRole), (QStringList{"arith-step000500", "arith-step001000"}));
        QCOMPARE(lib.demoCheckpoint(), QDir(demo.path()).canonicalPath() + "/arith-step001000");
        QCOMPARE(lib.startCheckpoint(), lib.demoCheckpoint());  // first start: nothing recent yet

        // The models folder is probed on the worker: the call returns at once.
        lib.setModelsFolder(models.path());
        QVERIFY(lib.scanning());
        QVERIFY(scanned(lib));
        QCOMPARE(column(lib, CheckpointLibrary::NameRole),
                 (QStringList{"arith-step000500", "arith-step001000", "stories", "ckpt", "tiny"}));
        QCOMPARE(column(lib, CheckpointLibrary::SectionRole).count(QStringLiteral("Models folder")), 3);
        QCOMPARE(column(lib, CheckpointLibrary::FormatRole).at(2), QStringLiteral("llama2.c .bin"));
        QCOMPARE(column(lib, CheckpointLibrary::SizeRole).at(2), CheckpointLibrary::formatBytes(storiesBytes));
        QCOMPARE(column(lib, CheckpointLibrary::FormatRole).at(3), QStringLiteral("PyTorch checkpoint (torch.save)"));
        // stories.bin has no tok16 beside it; ckpt.pt (vocab 512) finds tok512.bin in the folder above,
        // where the engine looks for a nanoGPT/nanochat checkpoint's tokenizer.
        QCOMPARE(lib.index(2).data(CheckpointLibrary::TokenizerFoundRole).toBool(), false);
        QVERIFY(lib.index(2).data(CheckpointLibrary::ProblemRole).toString().contains(QStringLiteral("tokenizer")));
        QCOMPARE(lib.index(3).data(CheckpointLibrary::TokenizerFoundRole).toBool(), true);
        QCOMPARE(lib.index(3).data(CheckpointLibrary::ProblemRole).toString(), QString());

        // A checkpoint copied into a watched subfolder shows up by itself.
        copy(kGguf, models.filePath(QStringLiteral("nested/deeper/new.gguf")));
        QTRY_VERIFY_WITH_TIMEOUT(column(lib, CheckpointLibrary::NameRole).contains(QStringLiteral("new")), 10000);
        QFile::remove(models.filePath(QStringLiteral("nested/deeper/new.gguf")));
    }

    void remembersRecentAndLoadStatus() {
        CheckpointLibrary lib;
        QAbstractItemModelTester tester(&lib, QAbstractItemModelTester::FailureReportingMode::QtTest);
        lib.setModelsFolder(models.path());
        QVERIFY(scanned(lib));
        const QString bin = models.filePath(QStringLiteral("stories.bin"));
        const QString gguf = models.filePath(QStringLiteral("nested/deeper/tiny.gguf"));
        lib.addRecent(bin);  // probed already by the folder scan: no wait
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
        QCOMPARE(again.startCheckpoint(), bin);  // known before any probe
        QVERIFY(scanned(again));
        QCOMPARE(again.index(0).data(CheckpointLibrary::PathRole).toString(), bin);
        QCOMPARE(again.index(0).data(CheckpointLibrary::StatusRole).toString(), QStringLiteral("ok"));
        QCOMPARE(again.modelsFolder(), models.path());
        // A checkpoint that failed to load is not opened on the next start.
        again.addRecent(gguf);
        QCOMPARE(again.startCheckpoint(), bin);
    }

    // The steps of a training run are one group, sorted by step, with step
    // and validation loss from the checkpoint's own metadata as the engine
    // reads it.
    void groupsTheStepsOfARun() {
        QTemporaryDir runs;
        // Hugging Face Trainer folders: name order is not step order.
        for (const char* s : {"checkpoint-500", "checkpoint-1000", "checkpoint-200"})
            writeHfFolder(runs.filePath(QStringLiteral("trainer/%1").arg(QLatin1String(s))));
        write(runs.filePath(QStringLiteral("trainer/checkpoint-1000/trainer_state.json")),
              R"({"global_step": 1000, "log_history": [{"eval_loss": 2.5, "step": 500}, {"loss": 2.0, "step": 1000},
                  {"eval_loss": 1.75, "step": 1000}]})");
        // A nanochat run: step folders with meta_<step>.json.
        writeNanochatStep(runs.filePath(QStringLiteral("nano/checkpoints")), 2920, 1.125);
        writeNanochatStep(runs.filePath(QStringLiteral("nano/checkpoints")), 100, 3.5);
        // safetensors __metadata__ (strings only), read from the file's header.
        writeHfFolder(runs.filePath(QStringLiteral("lone-step1500")), QJsonObject{{"step", "1500"}, {"val_loss", "0.8125"}});

        CheckpointLibrary lib;
        QAbstractItemModelTester tester(&lib, QAbstractItemModelTester::FailureReportingMode::QtTest);
        lib.setModelsFolder(runs.path());
        QVERIFY(scanned(lib));
        QStringList names;
        for (int r = 0; r < lib.rowCount(); ++r)
            if (lib.index(r).data(CheckpointLibrary::SectionRole).toString() == QLatin1String("Models folder"))
                names << lib.index(r).data(CheckpointLibrary::NameRole).toString();
        QCOMPARE(names, (QStringList{"lone-step1500", "step_000100", "step_002920", "checkpoint-200", "checkpoint-500",
                                     "checkpoint-1000"}));
        const auto row = [&](const QString& name) { return rowOf(lib, CheckpointLibrary::NameRole, name); };
        // A single checkpoint with "step" in its name is no run; its metadata still shows.
        QCOMPARE(row("lone-step1500").data(CheckpointLibrary::RunRole).toString(), QString());
        QCOMPARE(row("lone-step1500").data(CheckpointLibrary::StepRole).toLongLong(), 1500);
        QCOMPARE(row("lone-step1500").data(CheckpointLibrary::ValLossRole).toDouble(), 0.8125);
        QCOMPARE(row("lone-step1500").data(CheckpointLibrary::LabelRole).toString(), QStringLiteral("lone-step1500"));
        // nanochat: the run is named after the folder above checkpoints/.
        QCOMPARE(row("step_000100").data(CheckpointLibrary::RunRole).toString(), QStringLiteral("nano"));
        QCOMPARE(row("step_000100").data(CheckpointLibrary::FirstInRunRole).toBool(), true);
        QCOMPARE(row("step_000100").data(CheckpointLibrary::FormatRole).toString(),
                 QStringLiteral("PyTorch checkpoint (nanochat step)"));
        QCOMPARE(row("step_002920").data(CheckpointLibrary::FirstInRunRole).toBool(), false);
        QCOMPARE(row("step_002920").data(CheckpointLibrary::RunSizeRole).toInt(), 2);
        QCOMPARE(row("step_002920").data(CheckpointLibrary::StepRole).toLongLong(), 2920);
        QCOMPARE(row("step_002920").data(CheckpointLibrary::ValLossRole).toDouble(), 1.125);
        QCOMPARE(row("step_002920").data(CheckpointLibrary::LabelRole).toString(), QStringLiteral("step 2920"));
        // Trainer folders: the run is the parent folder; the last eval_loss counts.
        QCOMPARE(row("checkpoint-1000").data(CheckpointLibrary::RunRole).toString(), QStringLiteral("trainer"));
        QCOMPARE(row("checkpoint-1000").data(CheckpointLibrary::StepRole).toLongLong(), 1000);
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
        QVERIFY(scanned(again));
        QVERIFY(again.match(again.index(0), CheckpointLibrary::GroupRole, group, -1).size() == 3);
        QVERIFY(again.match(again.index(0), CheckpointLibrary::GroupRole, group, -1).first().data(CheckpointLibrary::CollapsedRole).toBool());
        again.setRunCollapsed(group, false);
    }

    // On first start, the project's demo run is listed in both layouts,
    // without waiting for the worker.
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
            QVERIFY2(i.data(CheckpointLibrary::TokenizerFoundRole).toBool(), qPrintable(i.data(CheckpointLibrary::ProblemRole).toString()));
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
        QVERIFY(scanned(lib));
        QSignalSpy reset(&lib, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&lib, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&lib, &QAbstractItemModel::rowsRemoved);
        const int before = lib.rowCount();
        const QString gguf = models.filePath(QStringLiteral("nested/deeper/tiny.gguf"));
        QCOMPARE(column(lib, CheckpointLibrary::PathRole).count(gguf), 1);
        lib.addRecent(gguf);
        QVERIFY(!lib.scanning());  // known from the folder scan: no probe
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

    // What a row is called: a file with a generic name by its folder (the
    // engine's model name); a folder the user opened that holds a checkpoint
    // file, by what the engine finds in it.
    void labelsSayWhatTheCheckpointIs() {
        QTemporaryDir dir;
        copy(kNanoGptCkpt, dir.filePath(QStringLiteral("slm4096/ckpt.pt")));
        copy(kNanoGptCkpt, dir.filePath(QStringLiteral("out-shakespeare/ckpt.pt")));
        copy(kTokenizerModel, dir.filePath(QStringLiteral("out-shakespeare/tokenizer.model")));
        writeLlama2cBin(dir.filePath(QStringLiteral("stories/stories.bin")));
        CheckpointLibrary lib;
        QAbstractItemModelTester tester(&lib, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const auto row = [&](const QString& path) { return rowOf(lib, CheckpointLibrary::PathRole, path); };

        // Not probed yet: the worker probes it and the row comes.
        const QString ckpt = dir.filePath(QStringLiteral("slm4096/ckpt.pt"));
        lib.addRecent(ckpt);
        QVERIFY(scanned(lib));
        QCOMPARE(row(ckpt).data(CheckpointLibrary::LabelRole).toString(), QStringLiteral("slm4096"));
        QCOMPARE(row(ckpt).data(CheckpointLibrary::TokenizerFoundRole).toBool(), false);
        const QString named = dir.filePath(QStringLiteral("stories/stories.bin"));
        lib.addRecent(named);  // a name of its own stays
        QVERIFY(scanned(lib));
        QCOMPARE(row(named).data(CheckpointLibrary::LabelRole).toString(), QStringLiteral("stories"));

        const QString folder = dir.filePath(QStringLiteral("out-shakespeare"));
        lib.addRecent(folder);
        QVERIFY(scanned(lib));
        QVERIFY(row(folder).isValid());
        QCOMPARE(row(folder).data(CheckpointLibrary::FormatRole).toString(), QStringLiteral("PyTorch checkpoint (torch.save)"));
        // The checkpoint's size, not the folder entry's.
        QCOMPARE(row(folder).data(CheckpointLibrary::BytesRole).toLongLong(), QFileInfo(kNanoGptCkpt).size());
        QCOMPARE(row(folder).data(CheckpointLibrary::LabelRole).toString(), QStringLiteral("out-shakespeare"));
        QVERIFY2(row(folder).data(CheckpointLibrary::TokenizerFoundRole).toBool(),
                 qPrintable(row(folder).data(CheckpointLibrary::ProblemRole).toString()));
        // A folder with no checkpoint in it is still listed as it is.
        const QString empty = dir.filePath(QStringLiteral("empty"));
        QVERIFY(QDir().mkpath(empty));
        lib.addRecent(empty);
        QVERIFY(scanned(lib));
        QCOMPARE(row(empty).data(CheckpointLibrary::FormatRole).toString(), QStringLiteral("unrecognised"));
    }
};

QTEST_MAIN(TstCheckpointLibrary)
#include "tst_checkpoint_library.moc"
