// Replays every saved input under tests/fuzz/regressions/<target>/ through
// its fuzz harness (harness.h): the inputs that once crashed a parser or
// made it allocate what the file could not justify, and hand-made edge cases.
// A harness aborts on a finding, so a regression fails this test loudly.
#include <QDir>
#include <QFile>
#include <QtTest>

#include "harness.h"

class TstFuzzRegressions : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void replay_data();
    void replay();
};

void TstFuzzRegressions::replay_data() {
    QTest::addColumn<QString>("target");
    QTest::addColumn<QString>("file");
    const QDir root(QStringLiteral(WAYPOINT_SOURCE_DIR "/tests/fuzz/regressions"));
    QVERIFY2(root.exists(), qPrintable(root.path() + " is missing"));
    int rows = 0;
    for (const auto& t : waypoint::fuzz::targets()) {
        const QDir dir(root.filePath(QString::fromLatin1(t.name)));
        for (const QString& f : dir.entryList(QDir::Files, QDir::Name)) {
            QTest::newRow(qPrintable(QString::fromLatin1(t.name) + "/" + f)) << QString::fromLatin1(t.name) << dir.filePath(f);
            ++rows;
        }
    }
    QVERIFY2(rows > 0, "no saved inputs found");
}

void TstFuzzRegressions::replay() {
    QFETCH(QString, target);
    QFETCH(QString, file);
    QFile f(file);
    QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(file));
    const QByteArray bytes = f.readAll();
    for (const auto& t : waypoint::fuzz::targets()) {
        if (target == QLatin1String(t.name)) {
            // Returns only when the parser accepted the input or refused it
            // with an Error a person can act on.
            t.run(reinterpret_cast<const uint8_t*>(bytes.constData()), size_t(bytes.size()));
            return;
        }
    }
    QFAIL(qPrintable("no harness named " + target));
}

QTEST_GUILESS_MAIN(TstFuzzRegressions)
#include "tst_fuzz_regressions.moc"
