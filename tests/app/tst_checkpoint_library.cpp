// CheckpointLibrary: content sniffing, the recursive scan of the models
// folder, the watcher picking up a new checkpoint, demo and recent sections,
// the remembered load status. QAbstractItemModelTester checks the model.
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
        QSettings().clear();
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
};

QTEST_MAIN(TstCheckpointLibrary)
#include "tst_checkpoint_library.moc"
