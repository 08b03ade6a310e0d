// The project's own demo checkpoints (resources/demo, made by
// tools/demo/train_arith.py): the final one answers held-out 3-digit sums and
// differences under greedy decoding through the public API; the early one is
// clearly worse; every checkpoint gives the greedy ids and last-prompt logits
// of the training script's own PyTorch forward (resources/demo/reference_greedy.json).
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "waypoint/error.h"
#include "waypoint/generate.h"
#include "waypoint/model.h"
#include "waypoint/session.h"

namespace {

const std::string kDemo = std::string(WAYPOINT_SOURCE_DIR) + "/resources/demo";
const std::string kEarly = kDemo + "/arith-step000500";
const std::string kMiddle = kDemo + "/arith-step002000";
const std::string kFinal = kDemo + "/arith-step004000";
// The same weights in nanochat's step-folder layout, bf16 (tools/demo/nanochat_export.py).
const std::string kNanochat = std::string(WAYPOINT_SOURCE_DIR) + "/resources/demo-nanochat/checkpoints";

// Measured by the training script (and by this test) on these 200 problems:
// addition 99.0%, subtraction 98.0% (99.7% / 99.0% on 1000). The threshold
// leaves a little room for other numerics (bf16, CUDA).
constexpr double kMinAccuracy = 0.95;

// --- The held-out rule of tools/demo/arith_data.py (keep both in step) ---
uint64_t splitmix64(uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

bool is_held_out(int op, int a, int b) {
    return splitmix64(uint64_t(op) * 1000000u + uint64_t(a) * 1000u + uint64_t(b)) % 10 == 0;
}

struct Problem {
    int op, a, b;  // op 0: a+b, 1: a-b with a >= b
    std::string prompt() const { return std::to_string(a) + (op == 0 ? "+" : "-") + std::to_string(b) + "="; }
    std::string answer() const { return std::to_string(op == 0 ? a + b : a - b); }
};

// arith_data.test_problems(count, op): 3-digit operands, never trained on.
std::vector<Problem> test_problems(int count, int op) {
    std::vector<Problem> out;
    std::set<std::pair<int, int>> seen;
    for (uint64_t i = 0; int(out.size()) < count; ++i) {
        const uint64_t r = splitmix64(0xD3E0u + i + uint64_t(op) * 1000000007u);
        int a = 100 + int(r % 900), b = 100 + int((r >> 20) % 900);
        if (op == 1 && a < b) std::swap(a, b);
        if (is_held_out(op, a, b) && seen.insert({a, b}).second) out.push_back({op, a, b});
    }
    return out;
}

std::shared_ptr<const waypoint::Model> load(const std::string& folder) {
    waypoint::LoadOptions o;
    o.checkpoint = folder;
    o.device = "cpu";
    o.dtype = "fp32";
    o.threads = 1;
    return waypoint::Model::load(o);
}

// The greedy answer to `prompt`: the text before the first newline or EOS.
std::string answer(waypoint::Session& session, const std::string& prompt,
                   waypoint::FinishReason* finish = nullptr) {
    waypoint::GenerateOptions g;
    g.sampling.temperature = 0.0f;
    g.max_new_tokens = 8;
    g.stop_strings = {"\n"};
    std::string text;
    const auto stats = waypoint::generate(session, prompt, g,
                                          [&](const waypoint::TokenEvent& e) { text += e.delta; });
    if (finish) *finish = stats.finish;
    return text.substr(0, text.find('\n'));
}

// Fraction of `problems` answered right; prints the first few misses.
double accuracy(const std::shared_ptr<const waypoint::Model>& model, const std::vector<Problem>& problems) {
    waypoint::Session session(model);
    int right = 0, shown = 0;
    for (const Problem& p : problems) {
        const std::string got = answer(session, p.prompt());
        if (got == p.answer()) {
            ++right;
        } else if (shown++ < 5) {
            qInfo("  %s%s expected %s", p.prompt().c_str(), got.c_str(), p.answer().c_str());
        }
    }
    return double(right) / double(problems.size());
}

std::vector<int> ints(const QJsonArray& a) {
    std::vector<int> v;
    for (const auto& x : a) v.push_back(x.toInt());
    return v;
}

}  // namespace

class TestDemo : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        for (const auto& f : {kEarly, kMiddle, kFinal})
            QVERIFY2(QFile::exists(QString::fromStdString(f + "/model.safetensors")),
                     ("missing " + f + "; retrain with tools/demo/train_arith.py").c_str());
        final_ = load(kFinal);
        early_ = load(kEarly);
    }

    void heldOutRuleMatchesScript() {
        // The first problems of arith_data.test_problems (printed by Python).
        const auto add = test_problems(4, 0), sub = test_problems(4, 1);
        QCOMPARE(QString::fromStdString(add[0].prompt()), QStringLiteral("719+103="));
        QCOMPARE(QString::fromStdString(add[3].prompt()), QStringLiteral("746+657="));
        QCOMPARE(QString::fromStdString(sub[0].prompt()), QStringLiteral("345-104="));
        QCOMPARE(QString::fromStdString(sub[3].prompt()), QStringLiteral("877-225="));
        for (const auto& p : test_problems(200, 0)) QVERIFY(is_held_out(0, p.a, p.b));
    }

    void promptIsBosAndOneTokenPerCharacter() {
        // <unk>=0 <s>=1 </s>=2, then "0".."9" = 3..12, "+" 13, "-" 14, "=" 15, "\n" 16.
        const auto& tok = final_->tokenizer();
        QCOMPARE(tok.bos(), 1);
        QCOMPARE(tok.eos(), 2);
        QCOMPARE(tok.vocab_size(), 17);
        QCOMPARE(tok.encode("123+456=", true), (std::vector<int>{1, 4, 5, 6, 13, 7, 8, 9, 15}));
        QCOMPARE(tok.encode("9-0=\n", false), (std::vector<int>{12, 14, 3, 15, 16}));
        QCOMPARE(tok.decode({4, 5, 16, 14}), std::string("12\n-"));
    }

    void cardDescribesTheCheckpoint() {
        const auto& c = final_->card();
        QCOMPARE(QString::fromStdString(c.architecture), QStringLiteral("llama"));
        QCOMPARE(c.layers, 4);
        QCOMPARE(c.heads, 4);
        QCOMPARE(c.kv_heads, 4);
        QCOMPARE(c.width, 64);
        QCOMPARE(c.hidden, 192);
        QCOMPARE(c.vocabulary, 17);
        QCOMPARE(c.context, 64);
        QVERIFY(c.tied_embeddings);
        QCOMPARE(c.parameters, int64_t(214656));  // tied head counted once
        QVERIFY(c.training_step.has_value());
        QCOMPARE(*c.training_step, int64_t(4000));
        QVERIFY(c.validation_loss.has_value());
    }

    void finalAnswersHeldOutSums() {
        waypoint::Session session(final_);
        waypoint::FinishReason finish{};
        QCOMPARE(QString::fromStdString(answer(session, "123+456=", &finish)), QStringLiteral("579"));
        QCOMPARE(finish, waypoint::FinishReason::StopString);  // "579\n": stops at the newline
        const double acc = accuracy(final_, test_problems(200, 0));
        qInfo("final checkpoint, 200 held-out 3-digit sums: %.1f%%", 100 * acc);
        QVERIFY2(acc >= kMinAccuracy, qPrintable(QString("accuracy %1").arg(acc)));
    }

    void finalAnswersHeldOutDifferences() {
        const double acc = accuracy(final_, test_problems(200, 1));
        qInfo("final checkpoint, 200 held-out 3-digit differences: %.1f%%", 100 * acc);
        QVERIFY2(acc >= kMinAccuracy, qPrintable(QString("accuracy %1").arg(acc)));
    }

    void earlyCheckpointIsClearlyWorse() {
        const auto middle = load(kMiddle);
        const auto& e = early_->card();
        const auto& m = middle->card();
        const auto& f = final_->card();
        QVERIFY(e.validation_loss && m.validation_loss && f.validation_loss);
        QCOMPARE(*e.training_step, int64_t(500));
        QCOMPARE(*m.training_step, int64_t(2000));
        QVERIFY(*e.validation_loss > *m.validation_loss);
        QVERIFY(*m.validation_loss > *f.validation_loss);
        QVERIFY(*e.validation_loss > 2 * *f.validation_loss);
        const double acc = accuracy(early_, test_problems(50, 0));
        qInfo("early checkpoint, 50 held-out sums: %.1f%%", 100 * acc);
        QVERIFY(acc < 0.2);
    }

    // The nanochat copies: each step folder carries its step and val loss
    // (meta_*.json), the run folder opens its latest step, and the final bf16
    // weights still answer (measured in Python: 99.0% on these 200 sums).
    void nanochatStepsLoad() {
        const std::vector<std::pair<int, std::string>> steps = {
            {500, kEarly}, {2000, kMiddle}, {4000, kFinal}};
        for (const auto& [step, hf] : steps) {
            char name[32];
            std::snprintf(name, sizeof name, "/step_%06d", step);
            const auto model = load(kNanochat + name);
            const auto& c = model->card();
            QVERIFY2(c.format.find("nanochat") != std::string::npos, c.format.c_str());
            QVERIFY(c.training_step && c.validation_loss);
            QCOMPARE(*c.training_step, int64_t(step));
            QVERIFY(std::abs(*c.validation_loss - *load(hf)->card().validation_loss) < 1e-6);
            QCOMPARE(c.parameters, int64_t(214656));
        }
        const auto latest = load(kNanochat);
        QCOMPARE(*latest->card().training_step, int64_t(4000));
        const double acc = accuracy(latest, test_problems(200, 0));
        qInfo("nanochat copy (bf16) of the final step, 200 held-out sums: %.1f%%", 100 * acc);
        QVERIFY(acc >= kMinAccuracy);
    }

    // Every checkpoint: the engine's greedy ids and last-prompt logits equal
    // the training script's PyTorch forward (tools/demo/reference.py, which
    // also checked them against Hugging Face transformers).
    void matchesPyTorchReference() {
        QFile file(QString::fromStdString(kDemo + "/reference_greedy.json"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject root = QJsonDocument::fromJson(file.readAll()).object();
        const QJsonObject checkpoints = root["checkpoints"].toObject();
        QCOMPARE(checkpoints.size(), 3);
        for (auto it = checkpoints.begin(); it != checkpoints.end(); ++it) {
            const auto model = load(kDemo + "/" + it.key().toStdString());
            const QJsonObject ck = it.value().toObject();
            QCOMPARE(*model->card().training_step, int64_t(ck["step"].toInt()));
            QVERIFY(std::abs(*model->card().validation_loss - ck["val_loss"].toDouble()) < 1e-6);
            waypoint::Session session(model);
            for (const auto& row : ck["prompts"].toArray()) {
                const QJsonObject r = row.toObject();
                const std::string prompt = r["prompt"].toString().toStdString();
                const std::vector<int> ids = ints(r["prompt_ids"].toArray());
                QCOMPARE(model->tokenizer().encode(prompt, true), ids);

                session.reset();
                const std::vector<float> logits = session.prefill(ids);  // [V]
                const QJsonArray want = r["last_logits"].toArray();
                QCOMPARE(int(logits.size()), int(want.size()));
                float worst = 0;
                for (int v = 0; v < int(logits.size()); ++v)
                    worst = std::max(worst, std::abs(logits[size_t(v)] - float(want[v].toDouble())));
                QVERIFY2(worst < 1e-4, qPrintable(QString("%1 %2: max |dlogit| %3")
                                                      .arg(it.key(), QString::fromStdString(prompt))
                                                      .arg(worst)));

                // The reference includes EOS; the engine stops before it.
                std::vector<int> expected = ints(r["generated_ids"].toArray());
                for (size_t k = 0; k < expected.size(); ++k)
                    if (expected[k] == 1 || expected[k] == 2) { expected.resize(k); break; }
                waypoint::GenerateOptions g;
                g.sampling.temperature = 0.0f;
                g.max_new_tokens = root["max_new_tokens"].toInt();
                std::vector<int> got;
                session.reset();
                waypoint::generate_ids(session, ids, g, nullptr, &got);
                QVERIFY2(got == expected, qPrintable(it.key() + " " + QString::fromStdString(prompt)));
            }
        }
    }

private:
    std::shared_ptr<const waypoint::Model> final_, early_;
};

QTEST_GUILESS_MAIN(TestDemo)
#include "tst_demo.moc"
