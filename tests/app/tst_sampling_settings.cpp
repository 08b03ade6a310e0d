// SamplingSettings: values persist across instances (restarts), a checkpoint
// that brings generation_config.json gets its own group seeded from it, and
// the values reach the next generation. Every test starts from empty settings.
#include <QSignalSpy>
#include <QtTest>

#include "settings/sampling_settings.h"

using namespace waypoint::app;

class TstSamplingSettings : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QCoreApplication::setOrganizationName(QStringLiteral("waypoint-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_sampling_settings"));
    }
    void init() { QSettings().clear(); }

    void persistsAcrossInstances() {
        {
            SamplingSettings s;
            QSignalSpy changed(&s, &SamplingSettings::changed);
            s.setTemperature(0.0);
            s.setTopK(7);
            s.setTopP(0.5);
            s.setMinP(0.1);
            s.setRepeatPenalty(1.3);
            s.setMaxNewTokens(99);
            s.setRandomSeed(false);
            s.setSeedText(QStringLiteral("1234"));
            QCOMPARE(changed.count(), 8);
            QCOMPARE(s.stored(QStringLiteral("topK")).toInt(), 7);
        }
        SamplingSettings s;
        QCOMPARE(s.temperature(), 0.0);
        QCOMPARE(s.topK(), 7);
        QCOMPARE(s.topP(), 0.5);
        QCOMPARE(float(s.minP()), 0.1f);
        QCOMPARE(float(s.repeatPenalty()), 1.3f);
        QCOMPARE(s.maxNewTokens(), 99);
        QVERIFY(!s.randomSeed());
        const waypoint::GenerateOptions v = s.next();
        QCOMPARE(v.sampling.seed, quint64(1234));  // fixed seed
        QCOMPARE(v.sampling.top_k, 7);
        QCOMPARE(v.sampling.temperature, 0.0f);
        QCOMPARE(v.max_new_tokens, 99);
    }

    void clampsOutOfRange() {
        SamplingSettings s;
        s.setSeedText(QStringLiteral("1234"));
        QCOMPARE(s.seedText(), QStringLiteral("1234"));
        s.setTemperature(-3);
        QCOMPARE(s.temperature(), 0.0);
        s.setTopP(7);
        QCOMPARE(s.topP(), 1.0);
        s.setSeedText(QStringLiteral("not a number"));
        QCOMPARE(s.seedText(), QStringLiteral("1234"));  // the last valid seed stays
    }

    void randomSeedDrawsFreshSeeds() {
        SamplingSettings s;
        s.setRandomSeed(true);
        QVERIFY(s.next().sampling.seed != s.next().sampling.seed);
    }

    void checkpointDefaultsGetTheirOwnGroup() {
        SamplingSettings s;
        s.setTopK(7);
        s.useCheckpoint(QStringLiteral("/models/hf-a"),
                        QStringLiteral(R"({"do_sample": true, "temperature": 0.6, "top_k": 20, "top_p": 0.9, "repetition_penalty": 1.1})"));
        QVERIFY(s.checkpointDefaults());
        QVERIFY(s.group() != QStringLiteral("sampling/default"));
        QCOMPARE(float(s.temperature()), 0.6f);
        QCOMPARE(s.topK(), 20);
        QCOMPARE(float(s.topP()), 0.9f);
        QCOMPARE(float(s.repeatPenalty()), 1.1f);
        s.setTopK(33);  // remembered for this checkpoint only
        s.useCheckpoint(QStringLiteral("/models/plain.bin"), QString());
        QCOMPARE(s.topK(), 7);
        s.useCheckpoint(QStringLiteral("/models/hf-a"), QStringLiteral(R"({"top_k": 20})"));
        QCOMPARE(s.topK(), 33);
        s.resetToDefaults();
        QCOMPARE(s.topK(), 20);
        s.useCheckpoint(QStringLiteral("/models/hf-greedy"), QStringLiteral(R"({"do_sample": false, "temperature": 0.7})"));
        QCOMPARE(s.temperature(), 0.0);
    }
};

QTEST_MAIN(TstSamplingSettings)
#include "tst_sampling_settings.moc"
