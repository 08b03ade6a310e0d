// Golden test: every container of stories260K in ../shared gives exactly the
// greedy ids of ../shared/golden/stories260K_greedy.json (a NumPy reference
// matching llama2.c's run.c) and the logits at the last prompt position
// within 1e-4. The containers are a data-driven list: adding a format is one
// line in containers().
//
// WAYPOINT_TEST_DEVICE=cuda (or cuda:N, mps) runs the same checks on that
// device; WAYPOINT_TEST_DTYPE picks the dtype (default fp32: the logits
// tolerance is an fp32 one).
#include <QtTest/QtTest>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>
#include <cstdlib>

#include "waypoint/error.h"
#include "waypoint/model.h"
#include "waypoint/sampler.h"
#include "waypoint/session.h"

using namespace waypoint;

namespace {

const QString kShared = QStringLiteral(WAYPOINT_SHARED_DIR);

struct Container {
    const char* name;
    const char* checkpoint;  // relative to ../shared/models
    const char* tokenizer;   // "" = found beside the checkpoint / embedded
};

// The same weights in every container the engine reads.
const std::vector<Container>& containers() {
    static const std::vector<Container> list = {
        {"llama2.c .bin", "stories260K/stories260K.bin", ""},
        {"llama2.c .bin + tokenizer.bin", "stories260K/stories260K.bin", "stories260K/tok512.bin"},
        {"Hugging Face folder", "stories260K-hf", ""},
        {"nanoGPT/llama2.c ckpt.pt", "stories260K-nanogpt/ckpt.pt", "stories260K/tok512.model"},
        {"GGUF F32", "stories260K-gguf/stories260K-f32.gguf", ""},
    };
    return list;
}

std::string env_or(const char* name, const char* fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::string(v) : std::string(fallback);
}

std::vector<int> ints(const QJsonArray& a) {
    std::vector<int> v;
    for (const auto& x : a) v.push_back(x.toInt());
    return v;
}

}  // namespace

class TestGolden : public QObject {
    Q_OBJECT

    QJsonArray cases_;

private Q_SLOTS:
    void initTestCase() {
        QFile f(kShared + "/golden/stories260K_greedy.json");
        if (!f.open(QIODevice::ReadOnly)) QSKIP("../shared/golden/stories260K_greedy.json not found");
        const QJsonObject root = QJsonDocument::fromJson(f.readAll()).object();
        cases_ = root.value("cases").toArray();
        QVERIFY(cases_.size() >= 3);
    }

    void greedyAndLogits_data() {
        QTest::addColumn<QString>("checkpoint");
        QTest::addColumn<QString>("tokenizer");
        for (const Container& c : containers()) {
            QTest::newRow(c.name) << kShared + "/models/" + c.checkpoint
                                  << (*c.tokenizer ? kShared + "/models/" + c.tokenizer : QString());
        }
    }

    void greedyAndLogits() {
        QFETCH(QString, checkpoint);
        QFETCH(QString, tokenizer);
        LoadOptions opt;
        opt.checkpoint = checkpoint.toStdString();
        opt.tokenizer = tokenizer.toStdString();
        opt.device = env_or("WAYPOINT_TEST_DEVICE", "cpu");
        opt.dtype = env_or("WAYPOINT_TEST_DTYPE", "fp32");
        std::shared_ptr<const Model> model;
        try {
            model = Model::load(opt);
        } catch (const Error& e) {
            QFAIL(e.what());
        }
        QCOMPARE(model->vocab_size(), 512);
        QCOMPARE(model->card().layers, 5);
        const int bos = model->tokenizer().bos(), eos = model->tokenizer().eos();
        QCOMPARE(bos, 1);

        Session session(model);
        for (const auto& cv : cases_) {
            const QJsonObject c = cv.toObject();
            const std::vector<int> prompt = ints(c.value("prompt_ids").toArray());
            const std::vector<int> expected = ints(c.value("greedy_ids").toArray());
            const QJsonArray want_logits = c.value("last_prompt_logits").toArray();

            session.reset();
            std::vector<float> logits = session.prefill(prompt);
            QCOMPARE(int(logits.size()), want_logits.size());
            double worst = 0;
            for (int i = 0; i < want_logits.size(); ++i)
                worst = std::max(worst, std::fabs(double(logits[size_t(i)]) - want_logits[i].toDouble()));
            if (worst > 1e-4)
                QFAIL(qPrintable(QString("prompt '%1': last-prompt logits differ by %2")
                                     .arg(c.value("prompt").toString()).arg(worst)));

            // Greedy: 96 tokens, or until BOS/EOS (as llama2.c's run.c).
            std::vector<int> got;
            for (int i = 0; i < 96; ++i) {
                const int tok = argmax(logits);
                if (tok == bos || tok == eos) break;
                got.push_back(tok);
                if (i + 1 < 96) logits = session.step(tok);
            }
            if (got != expected) {
                size_t at = 0;
                while (at < got.size() && at < expected.size() && got[at] == expected[at]) ++at;
                QFAIL(qPrintable(QString("prompt '%1': greedy ids differ from index %2 (got %3 ids, want %4)")
                                     .arg(c.value("prompt").toString()).arg(at).arg(got.size())
                                     .arg(expected.size())));
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestGolden)
#include "tst_golden.moc"
