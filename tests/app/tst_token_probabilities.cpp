// Token probabilities in the chat: what MessageModel stores per
// token equals what the engine's sampler saw (checked against
// waypoint::generate and, with the filters off, against a softmax of the
// session's logits at temperature 0.8 on ../shared's stories260K); ids match
// the engine's; the final held-back (-1) event adds text but no token;
// tokenIndexAtCharacter maps every character (multi-byte UTF-8 included).
#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QtTest>
#include <cmath>

#include "backend/inference_backend.h"
#include "chat/chat_controller.h"
#include "fake_backend.h"
#include "waypoint/generate.h"
#include "waypoint/model.h"
#include "waypoint/sampler.h"
#include "waypoint/session.h"

using namespace waypoint::app;
using namespace waypoint::app::test;

namespace {
const QString kBin = QStringLiteral(WAYPOINT_SHARED_DIR "/models/stories260K/stories260K.bin");

// A token as the engine reports it (delta = piece), with a two-way top list.
waypoint::TokenEvent token(int id, const QString& delta, float p) {
    waypoint::TokenEvent t;
    t.id = id;
    t.delta = t.piece = delta.toStdString();
    t.probability = p;
    t.top = {{id, p}, {id + 1, (1 - p) / 2}};
    t.top_pieces = {t.piece, "x"};
    return t;
}

// The engine's shape of a token event, for the scripted backend.
waypoint::TokenEvent scripted(int id, const std::string& delta, const std::string& piece, float p) {
    waypoint::TokenEvent e;
    e.id = id;
    e.delta = delta;
    e.piece = piece;
    e.probability = p;
    return e;
}

bool waitLoaded(ChatController& c, const QString& path) {
    c.load(path);
    return QTest::qWaitFor([&] { return !c.loading(); }, 60000) && c.checkpointPath() == path;
}

// Every character of the row's text maps to the token whose delta holds it.
void checkCharacterMap(const MessageModel& m, int row) {
    const auto& tokens = m.tokensAt(row);
    const QString text = m.textAt(row);
    QVector<int> expected(text.size(), -1);
    for (int k = 0; k < tokens.size(); ++k)
        for (int c = tokens[k].start; c < tokens[k].start + tokens[k].length; ++c) expected[c] = k;
    for (int c = 0; c < text.size(); ++c)
        QVERIFY2(m.tokenIndexAtCharacter(row, c) == expected[c],
                 qPrintable(QStringLiteral("char %1: %2 != %3").arg(c).arg(m.tokenIndexAtCharacter(row, c)).arg(expected[c])));
    QCOMPARE(m.tokenIndexAtCharacter(row, int(text.size())), -1);
    QCOMPARE(m.tokenIndexAtCharacter(row, -1), -1);
}
}  // namespace

class TstTokenProbabilities : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QCoreApplication::setOrganizationName(QStringLiteral("waypoint-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_token_probabilities"));
    }

    // MessageModel alone: tokens tile the text; multi-byte characters (2- and
    // 3-byte UTF-8, a surrogate pair) belong to the token that completed them;
    // a token with no text owns no character; the -1 tail is no token's.
    void characterMapWithMultiByteText() {
        MessageModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.append(QStringLiteral("user"), QStringLiteral("hi"));
        const int row = m.append(QStringLiteral("model"), QString(), true);
        waypoint::TokenEvent tail;
        tail.id = -1;
        tail.delta = QStringLiteral("\uFFFD!").toStdString();
        m.appendTokens(row, {token(5, QStringLiteral("Once"), 0.9f), token(7, QString(), 0.5f),
                             token(8, QStringLiteral(" caf\u00e9"), 0.25f)});
        m.appendTokens(row, {token(9, QString::fromUtf8("\xF0\x9F\x98\x80"), 0.1f),  // U+1F600: 2 UTF-16 units
                             token(10, QStringLiteral("\n\u65e5\u672c"), 0.05f), tail});
        QCOMPARE(m.textAt(row), QString::fromUtf8("Once caf\xC3\xA9\xF0\x9F\x98\x80\n\xE6\x97\xA5\xE6\x9C\xAC\xEF\xBF\xBD!"));
        QCOMPARE(m.tokenCountAt(row), 5);  // the tail is not a token
        QCOMPARE(m.tokenIdsAt(row), (QVector<int>{5, 7, 8, 9, 10}));
        QCOMPARE(m.data(m.index(row), MessageModel::TokenCountRole).toInt(), 5);
        QCOMPARE(m.tokenIndexAtCharacter(row, 0), 0);
        QCOMPARE(m.tokenIndexAtCharacter(row, 4), 2);   // the space of " café"
        QCOMPARE(m.tokenIndexAtCharacter(row, 8), 2);   // é
        QCOMPARE(m.tokenIndexAtCharacter(row, 9), 3);   // high surrogate of U+1F600
        QCOMPARE(m.tokenIndexAtCharacter(row, 10), 3);  // low surrogate
        QCOMPARE(m.tokenIndexAtCharacter(row, 11), 4);  // \n
        QCOMPARE(m.tokenIndexAtCharacter(row, 13), 4);  // 本
        QCOMPARE(m.tokenIndexAtCharacter(row, 14), -1); // held-back U+FFFD
        checkCharacterMap(m, row);
        QCOMPARE(m.tokenCountAt(0), 0);
        QCOMPARE(m.tokenIndexAtCharacter(0, 0), -1);
        QCOMPARE(m.tokenIndexAtCharacter(7, 0), -1);

        const TokenValue t = m.tokenAt(row, 2);
        QVERIFY(t.valid());
        QCOMPARE(t.index(), 2);
        QCOMPARE(t.id(), 8);
        QCOMPARE(t.text(), QStringLiteral(" caf\u00e9"));
        QCOMPARE(t.probability(), 0.25);
        QCOMPARE(t.start(), 4);
        QCOMPARE(t.length(), 5);
        const QList<TokenAlternativeValue> alts = t.alternativeList();
        QCOMPARE(alts.size(), 2);
        QCOMPARE(alts[0].id, 8);
        QVERIFY(alts[0].chosen);
        QVERIFY(!alts[1].chosen);
        QCOMPARE(alts[1].probability, 0.375);
        // What QML reads: the gadget's properties, alternatives as gadgets too.
        const QVariant v = QVariant::fromValue(t);
        const QMetaObject& mo = TokenValue::staticMetaObject;
        QCOMPARE(mo.property(mo.indexOfProperty("probability")).readOnGadget(v.constData()).toDouble(), 0.25);
        const QVariantList altVariants = mo.property(mo.indexOfProperty("alternatives")).readOnGadget(v.constData()).toList();
        QCOMPARE(altVariants.size(), 2);
        QCOMPARE(altVariants[1].value<TokenAlternativeValue>().id, alts[1].id);
        QVERIFY(!m.tokenAt(row, 5).valid());
        QVERIFY(!m.tokenAt(row, -1).valid());
        QVERIFY(!m.tokenAt(7, 0).valid());
        QCOMPARE(m.tokenAt(row, 5).id(), -1);

        m.removeLast();
        QCOMPARE(m.tokenCountAt(row), 0);
    }

    // The fake backend through worker and controller: every token is in the
    // model, with the fake's ids and probabilities, when generationDone fires.
    void fakeTokensReachTheModel() {
        ChatController c(makeFakeBackend({300, 0, 1, "broken"}));
        c.sampling()->setMaxNewTokens(4096);
        QVERIFY(waitLoaded(c, QStringLiteral("/models/fake")));
        QAbstractItemModelTester tester(c.messages(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        int countAtDone = -1;
        connect(&c, &ChatController::generationDone, this, [&] { countAtDone = c.messages()->tokenCountAt(1); });
        QSignalSpy done(&c, &ChatController::generationDone);
        QVERIFY(c.send(QStringLiteral("go")));
        QVERIFY(done.wait(10000));
        QCOMPARE(countAtDone, 300);
        const MessageModel& m = *c.messages();
        QVector<int> ids;
        for (int i = 0; i < 300; ++i) ids << 100 + i;
        QCOMPARE(m.tokenIdsAt(1), ids);
        for (int i = 0; i < 300; ++i) {
            const TokenValue t = m.tokenAt(1, i);
            QCOMPARE(t.text(), QStringLiteral("t%1 ").arg(i));
            QCOMPARE(float(t.probability()), fakeProbability(i));
            const QList<TokenAlternativeValue> alts = t.alternativeList();
            QCOMPARE(alts.size(), 5);
            for (int k = 1; k < 5; ++k) QVERIFY(alts[k - 1].probability >= alts[k].probability);
        }
        checkCharacterMap(m, 1);
        // Regenerate replaces the answer and its tokens.
        c.regenerate();
        QVERIFY(done.wait(10000));
        QCOMPARE(m.tokenCountAt(1), 300);
        QCOMPARE(m.rowCount(), 2);
    }

    // The engine's last (-1) event reaches the text through the worker, but is no token.
    void heldBackTailIsTextNotToken() {
        std::vector<waypoint::TokenEvent> events;
        events.push_back(scripted(12, "Hi", "Hi", 0.5f));
        events.back().top = {{12, 0.5f}};
        events.back().top_pieces = {"Hi"};
        events.push_back(scripted(300, "", "<0xE2>", 0.25f));       // first byte of a character
        events.push_back(scripted(301, "\u20ac", "<0x82>", 0.75f));  // ... completed (UTF-8 of €)
        events.push_back(scripted(-1, "\xEF\xBF\xBD", "", 0.0f));   // a held-back, unfinished character
        ChatController c(makeScriptedBackend(events));
        QVERIFY(waitLoaded(c, QStringLiteral("/scripted")));
        QSignalSpy done(&c, &ChatController::generationDone);
        QVERIFY(c.send(QStringLiteral("go")));
        QVERIFY(done.wait(10000));
        const MessageModel& m = *c.messages();
        QCOMPARE(m.textAt(1), QString::fromUtf8("Hi\xE2\x82\xAC\xEF\xBF\xBD"));
        QCOMPARE(m.tokenIdsAt(1), (QVector<int>{12, 300, 301}));
        QCOMPARE(m.tokenIndexAtCharacter(1, 1), 0);
        QCOMPARE(m.tokenIndexAtCharacter(1, 2), 2);  // € belongs to the token that completed it
        QCOMPARE(m.tokenIndexAtCharacter(1, 3), -1); // the tail
        QCOMPARE(m.tokenAt(1, 1).text(), QStringLiteral("<0xE2>"));
        QCOMPARE(m.tokenAt(1, 1).length(), 0);
        checkCharacterMap(m, 1);
    }

    // The real engine: the app stores, for every token, the id, probability and
    // top 5 that waypoint::generate reports for the same seed and settings;
    // with the filters off these are softmax(logits / 0.8) of the session at
    // that step, recomputed here from the logits.
    void engineProbabilitiesMatchTheSampler_data() {
        QTest::addColumn<int>("topK");
        QTest::addColumn<double>("topP");
        QTest::newRow("temperature only") << 0 << 1.0;
        QTest::newRow("top-k 40, top-p 0.95") << 40 << 0.95;
    }
    void engineProbabilitiesMatchTheSampler() {
        QFETCH(int, topK);
        QFETCH(double, topP);
        if (!QFileInfo::exists(kBin)) QSKIP("../shared/models/stories260K is not there");
        const std::string prompt = "Once upon a time";
        const uint64_t seed = 1234;
        const int maxTokens = 120;

        // 1. The engine directly.
        waypoint::LoadOptions lo;
        lo.checkpoint = kBin.toStdString();
        lo.device = "cpu";
        std::shared_ptr<const waypoint::Model> model = waypoint::Model::load(lo);
        waypoint::GenerateOptions go;
        go.sampling.temperature = 0.8f;
        go.sampling.top_k = topK;
        go.sampling.top_p = float(topP);
        go.sampling.min_p = 0.0f;
        go.sampling.repeat_penalty = 1.0f;
        go.sampling.seed = seed;
        go.max_new_tokens = maxTokens;
        go.top_alternatives = 5;
        std::vector<waypoint::TokenEvent> events;
        {
            waypoint::Session session(model);
            waypoint::generate(session, prompt, go, [&](const waypoint::TokenEvent& e) { events.push_back(e); });
        }
        std::vector<waypoint::TokenEvent> tokens;
        for (const auto& e : events)
            if (e.id >= 0) tokens.push_back(e);
        QVERIFY(tokens.size() > 20);

        // 2. The app: controller, worker, engine backend, model.
        ChatController c(makeEngineBackend());
        c.setDevice(QStringLiteral("cpu"));
        QVERIFY2(waitLoaded(c, kBin), qPrintable(c.lastError()));
        c.sampling()->setTemperature(0.8);
        c.sampling()->setTopK(topK);
        c.sampling()->setTopP(topP);
        c.sampling()->setMinP(0.0);
        c.sampling()->setRepeatPenalty(1.0);
        c.sampling()->setMaxNewTokens(maxTokens);
        c.sampling()->setStopAtEos(true);
        c.sampling()->setRandomSeed(false);
        c.sampling()->setSeedText(QString::number(seed));
        QSignalSpy done(&c, &ChatController::generationDone);
        QVERIFY(c.send(QString::fromStdString(prompt)));
        QVERIFY(done.wait(60000));
        const MessageModel& m = *c.messages();

        QString engineText;
        for (const auto& e : events) engineText += QString::fromStdString(e.delta);
        QCOMPARE(m.textAt(1), engineText);
        QCOMPARE(m.tokenCountAt(1), int(tokens.size()));
        for (int i = 0; i < int(tokens.size()); ++i) {
            const auto& e = tokens[size_t(i)];
            const TokenValue t = m.tokenAt(1, i);
            QCOMPARE(t.id(), e.id);
            QCOMPARE(float(t.probability()), e.probability);
            const QList<TokenAlternativeValue> alts = t.alternativeList();
            QCOMPARE(alts.size(), int(e.top.size()));
            QCOMPARE(alts.size(), 5);
            for (int k = 0; k < alts.size(); ++k) {
                const TokenAlternativeValue& a = alts[k];
                QCOMPARE(a.id, e.top[size_t(k)].id);
                QCOMPARE(float(a.probability), e.top[size_t(k)].p);
                QVERIFY(!a.text.isEmpty());
            }
        }
        checkCharacterMap(m, 1);

        // 3. Temperature only: the distribution is softmax(logits / 0.8) of the
        // session after the prompt and the tokens before each step.
        if (topK > 0 || topP < 1.0) return;
        waypoint::Session replay(model);
        std::vector<float> logits = replay.prefill(waypoint::encode_prompt(replay, prompt, go));
        for (size_t i = 0; i < tokens.size(); ++i) {
            waypoint::Candidates all;
            waypoint::softmax(logits, 0.8f, all);
            const std::vector<waypoint::Candidate> dist = all.kept();
            const TokenValue t = m.tokenAt(1, int(i));
            float pChosen = -1;
            for (const auto& cand : dist)
                if (cand.id == tokens[i].id) pChosen = cand.p;
            QVERIFY2(std::abs(t.probability() - pChosen) < 1e-5,
                     qPrintable(QStringLiteral("token %1: %2 vs %3").arg(i).arg(t.probability()).arg(pChosen)));
            const QList<TokenAlternativeValue> alts = t.alternativeList();
            for (int k = 0; k < 5; ++k) {
                QCOMPARE(alts[k].id, dist[size_t(k)].id);
                QVERIFY(std::abs(alts[k].probability - dist[size_t(k)].p) < 1e-5);
            }
            if (i + 1 < tokens.size()) logits = replay.step(tokens[i].id);
        }
    }
};

QTEST_MAIN(TstTokenProbabilities)
#include "tst_token_probabilities.moc"
