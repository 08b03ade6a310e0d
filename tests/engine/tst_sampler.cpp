// The sampler chain on hand-made distributions (no model): each step keeps
// exactly the right tokens, ties break by id, the seeded draw is repeatable
// and follows the probabilities; on a vocabulary of real size the steps
// (which sort only as far as they need) keep what a full sort says, and
// Sampler::sample is those steps with its own random stream.
#include <QtTest/QtTest>

#include <cmath>
#include <map>
#include <set>

#include "sampling/rng.h"
#include "waypoint/error.h"
#include "waypoint/sampler.h"

using namespace waypoint;

namespace {

std::vector<int> ids_of(const std::vector<Candidate>& cands) {
    std::vector<int> ids;
    for (const auto& c : cands) ids.push_back(c.id);
    return ids;
}

// The ids still in the running, most likely first.
std::vector<int> ids_of(const Candidates& cands) { return ids_of(cands.kept()); }

// Candidates with the given probabilities, id = position, already sorted.
Candidates cands_of(std::vector<float> ps) {
    std::vector<Candidate> out;
    for (size_t i = 0; i < ps.size(); ++i) out.push_back({int(i), ps[i]});
    return Candidates::from_sorted(std::move(out));
}

// softmax() followed by a full sort: probabilities, most likely first.
std::vector<Candidate> softmax_sorted(const std::vector<float>& logits, float temperature) {
    Candidates c;
    softmax(logits, temperature, c);
    return c.kept();
}

// Logits whose softmax (temperature 1) is exactly proportional to `ps`.
std::vector<float> logits_of(const std::vector<float>& ps) {
    std::vector<float> l;
    for (float p : ps) l.push_back(p > 0 ? std::log(p) : -INFINITY);
    return l;
}

// Deterministic pseudo-random logits of a real vocabulary size.
std::vector<float> random_logits(int vocab, uint64_t seed) {
    uint64_t s[4];
    detail::xoshiro_seed(s, seed);
    std::vector<float> l(static_cast<size_t>(vocab));
    for (auto& x : l) x = float(detail::to_unit_double(detail::xoshiro_next(s)) * 12.0 - 6.0);
    return l;
}

}  // namespace

class TestSampler : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void softmaxSortedOrdersByProbabilityThenId();
    void temperatureSharpensAndFlattens();
    void topKKeepsExactlyK();
    void topPKeepsSmallestPrefix();
    void minPKeepsRelativeToMax();
    void drawWalksTheMass();
    void argmaxLowestIdWins();
    void repetitionPenaltyMath();
    void repetitionPenaltyWindow();
    void greedyIsArgmax();
    void sameSeedSameDraws();
    void differentSeedDiffers();
    void reseedRestartsTheStream();
    void drawFollowsProbabilities();
    void filtersLimitWhatIsDrawn();
    void stepsKeepWhatAFullSortKeeps_data();
    void stepsKeepWhatAFullSortKeeps();
    void lastTopAndProbability();
    void badParametersAreErrors();
};

void TestSampler::softmaxSortedOrdersByProbabilityThenId() {
    const auto c = softmax_sorted({1.0f, 3.0f, 2.0f, 3.0f}, 1.0f);
    QCOMPARE(ids_of(c), (std::vector<int>{1, 3, 2, 0}));
    const double z = std::exp(1.0) + 2 * std::exp(3.0) + std::exp(2.0);
    QVERIFY(std::abs(c[0].p - std::exp(3.0) / z) < 1e-6);
    QVERIFY(std::abs(c[3].p - std::exp(1.0) / z) < 1e-6);
    double sum = 0;
    for (auto& x : c) sum += x.p;
    QVERIFY(std::abs(sum - 1.0) < 1e-6);
    // -inf logits (masked) get probability 0, NaN is treated as -inf.
    const auto m = softmax_sorted({0.0f, -INFINITY, NAN, 0.0f}, 1.0f);
    QCOMPARE(m[0].p, 0.5f);
    QCOMPARE(m[1].p, 0.5f);
    QCOMPARE(m[2].p, 0.0f);
    QCOMPARE(ids_of(m), (std::vector<int>{0, 3, 1, 2}));
}

void TestSampler::temperatureSharpensAndFlattens() {
    const std::vector<float> l{2.0f, 1.0f, 0.0f};
    const float p1 = softmax_sorted(l, 1.0f)[0].p;
    const float cold = softmax_sorted(l, 0.5f)[0].p;
    const float hot = softmax_sorted(l, 2.0f)[0].p;
    QVERIFY(cold > p1 && p1 > hot);
    // logits / T: T = 0.5 doubles the gaps.
    const double z = std::exp(4.0) + std::exp(2.0) + 1.0;
    QVERIFY(std::abs(cold - std::exp(4.0) / z) < 1e-6);
    // A tiny temperature is one-hot, not NaN.
    const auto c = softmax_sorted(l, 1e-20f);
    QCOMPARE(c[0].p, 1.0f);
    QCOMPARE(c[1].p, 0.0f);
}

void TestSampler::topKKeepsExactlyK() {
    auto c = cands_of({0.4f, 0.3f, 0.2f, 0.1f});
    keep_top_k(c, 2);
    QCOMPARE(ids_of(c), (std::vector<int>{0, 1}));
    c = cands_of({0.4f, 0.3f, 0.2f, 0.1f});
    keep_top_k(c, 0);  // off
    QCOMPARE(c.size, size_t(4));
    keep_top_k(c, -3);  // off
    QCOMPARE(c.size, size_t(4));
    keep_top_k(c, 10);  // more than there are
    QCOMPARE(c.size, size_t(4));
    keep_top_k(c, 1);
    QCOMPARE(ids_of(c), (std::vector<int>{0}));
    // Ties at the boundary: exactly k stay, the lower ids.
    Candidates t;
    softmax({1.0f, 2.0f, 2.0f, 2.0f, 0.0f}, 1.0f, t);  // id order, nothing sorted yet
    keep_top_k(t, 2);
    QCOMPARE(ids_of(t), (std::vector<int>{1, 2}));
}

void TestSampler::topPKeepsSmallestPrefix() {
    auto run = [](float p) {
        auto c = cands_of({0.5f, 0.3f, 0.15f, 0.05f});
        keep_top_p(c, p);
        return ids_of(c);
    };
    QCOMPARE(run(0.5f), (std::vector<int>{0}));          // 0.5 >= 0.5 already
    QCOMPARE(run(0.51f), (std::vector<int>{0, 1}));
    QCOMPARE(run(0.8f), (std::vector<int>{0, 1}));       // exactly the mass of two
    QCOMPARE(run(0.81f), (std::vector<int>{0, 1, 2}));
    QCOMPARE(run(0.96f), (std::vector<int>{0, 1, 2, 3}));
    QCOMPARE(run(1.0f), (std::vector<int>{0, 1, 2, 3}));  // off
    QCOMPARE(run(0.0f), (std::vector<int>{0}));           // at least one stays
    QCOMPARE(run(0.1f), (std::vector<int>{0}));
    // Relative to what is left (after top-k): of {0.5, 0.3} 0.7 needs both.
    auto c = cands_of({0.5f, 0.3f, 0.15f, 0.05f});
    keep_top_k(c, 2);
    keep_top_p(c, 0.6f);  // 0.5 / 0.8 = 0.625 >= 0.6
    QCOMPARE(ids_of(c), (std::vector<int>{0}));
    c = cands_of({0.5f, 0.3f, 0.15f, 0.05f});
    keep_top_k(c, 2);
    keep_top_p(c, 0.7f);
    QCOMPARE(ids_of(c), (std::vector<int>{0, 1}));
    // Ties: uniform over four, p = 0.5 keeps two (lowest ids first).
    Candidates u;
    softmax({0.0f, 0.0f, 0.0f, 0.0f}, 1.0f, u);
    keep_top_p(u, 0.5f);
    QCOMPARE(ids_of(u), (std::vector<int>{0, 1}));
}

void TestSampler::minPKeepsRelativeToMax() {
    auto run = [](float m) {
        auto c = cands_of({0.5f, 0.25f, 0.2f, 0.05f});
        keep_min_p(c, m);
        return ids_of(c);
    };
    QCOMPARE(run(0.0f), (std::vector<int>{0, 1, 2, 3}));  // off
    QCOMPARE(run(0.1f), (std::vector<int>{0, 1, 2, 3}));  // 0.05 >= 0.05
    QCOMPARE(run(0.11f), (std::vector<int>{0, 1, 2}));
    QCOMPARE(run(0.4f), (std::vector<int>{0, 1, 2}));     // 0.2 >= 0.2 (inclusive)
    QCOMPARE(run(0.5f), (std::vector<int>{0, 1}));
    QCOMPARE(run(0.51f), (std::vector<int>{0}));
    QCOMPARE(run(1.0f), (std::vector<int>{0}));
    Candidates empty;
    keep_min_p(empty, 0.5f);  // no crash
    keep_top_p(empty, 0.5f);
    keep_top_k(empty, 3);
    QVERIFY(empty.kept().empty());
}

void TestSampler::drawWalksTheMass() {
    // Of the mass in the running (0.5 + 0.3 after top-k 2): u * 0.8.
    auto c = cands_of({0.5f, 0.3f, 0.15f, 0.05f});
    keep_top_k(c, 2);
    QCOMPARE(draw(c, 0.0).id, 0);
    QCOMPARE(draw(c, 0.62).id, 0);  // 0.496 < 0.5
    QCOMPARE(draw(c, 0.63).id, 1);  // 0.504
    QCOMPARE(draw(c, 0.999999).id, 1);
    QVERIFY(std::abs(draw(c, 0.9).p - 0.3f) < 1e-7);
    // Zero-probability tail: never drawn, even at u -> 1.
    auto z = cands_of({0.6f, 0.4f, 0.0f});
    QCOMPARE(draw(z, 0.9999999999).id, 1);
    Candidates none;
    QCOMPARE(draw(none, 0.5).id, -1);
}

void TestSampler::argmaxLowestIdWins() {
    QCOMPARE(argmax({0.1f, 0.7f, 0.7f, 0.2f}), 1);
    QCOMPARE(argmax({-3.0f, -1.0f, -2.0f}), 1);
    QCOMPARE(argmax({NAN, 1.0f, NAN, 2.0f}), 3);
    QCOMPARE(argmax({5.0f}), 0);
    QCOMPARE(argmax({}), -1);
}

void TestSampler::repetitionPenaltyMath() {
    std::vector<float> l{2.0f, -2.0f, 0.0f, 3.0f, 1.0f};
    // Ids 0 and 1 seen (0 three times: penalised once), 7 out of range.
    apply_repetition_penalty(l, {0, 1, 0, 0, 7, -1}, 2.0f, 64);
    QCOMPARE(l[0], 1.0f);   // positive: divided
    QCOMPARE(l[1], -4.0f);  // negative: multiplied
    QCOMPARE(l[2], 0.0f);
    QCOMPARE(l[3], 3.0f);
    QCOMPARE(l[4], 1.0f);
    std::vector<float> same{2.0f, -2.0f};
    apply_repetition_penalty(same, {0, 1}, 1.0f, 64);  // 1: off
    QCOMPARE(same, (std::vector<float>{2.0f, -2.0f}));
    // A penalty below 1 encourages instead (the same formula).
    std::vector<float> enc{2.0f, -2.0f};
    apply_repetition_penalty(enc, {0, 1}, 0.5f, 64);
    QCOMPARE(enc, (std::vector<float>{4.0f, -1.0f}));
}

void TestSampler::repetitionPenaltyWindow() {
    const std::vector<int> history{0, 1, 2, 3};
    std::vector<float> l{4.0f, 4.0f, 4.0f, 4.0f};
    apply_repetition_penalty(l, history, 2.0f, 2);  // only ids 2 and 3
    QCOMPARE(l, (std::vector<float>{4.0f, 4.0f, 2.0f, 2.0f}));
    l = {4.0f, 4.0f, 4.0f, 4.0f};
    apply_repetition_penalty(l, history, 2.0f, 0);  // window 0: off
    QCOMPARE(l, (std::vector<float>{4.0f, 4.0f, 4.0f, 4.0f}));
    apply_repetition_penalty(l, history, 2.0f, -1);  // < 0: whole history
    QCOMPARE(l, (std::vector<float>{2.0f, 2.0f, 2.0f, 2.0f}));
    l = {4.0f, 4.0f, 4.0f, 4.0f};
    apply_repetition_penalty(l, history, 2.0f, 100);  // longer than the history
    QCOMPARE(l, (std::vector<float>{2.0f, 2.0f, 2.0f, 2.0f}));

    // Through the Sampler: a greedy pick moves off a repeated token.
    SamplingParams p;
    p.temperature = 0;
    p.repeat_penalty = 1.5f;
    p.repeat_window = 1;
    Sampler s(p);
    std::vector<float> logits{3.0f, 2.5f};
    QCOMPARE(s.sample(logits, {0}), 1);   // 3 / 1.5 = 2 < 2.5
    logits = {3.0f, 2.5f};
    QCOMPARE(s.sample(logits, {0, 1}), 0);  // window 1: only id 1 penalised
}

void TestSampler::greedyIsArgmax() {
    SamplingParams p;
    p.temperature = 0.0f;
    p.seed = 123;
    Sampler s(p);
    for (int i = 0; i < 20; ++i) {
        std::vector<float> l = random_logits(1000, uint64_t(i));
        const int want = argmax(l);
        QCOMPARE(s.sample(l, {}), want);
    }
    p.temperature = -1.0f;  // below zero: greedy too
    Sampler neg(p);
    std::vector<float> l{0.0f, 0.1f, 5.0f};
    QCOMPARE(neg.sample(l, {}), 2);
}

void TestSampler::sameSeedSameDraws() {
    const std::vector<float> base = random_logits(32000, 5);
    SamplingParams p;
    p.temperature = 1.5f;
    p.top_k = 0;
    p.top_p = 1.0f;
    p.seed = 42;
    for (int config = 0; config < 2; ++config) {
        if (config == 1) {  // the default chain too
            p.top_k = 40;
            p.top_p = 0.95f;
        }
        Sampler a(p), b(p);
        for (int i = 0; i < 200; ++i) {
            std::vector<float> la = base, lb = base;
            QCOMPARE(a.sample(la, {}), b.sample(lb, {}));
        }
    }
}

void TestSampler::differentSeedDiffers() {
    const std::vector<float> flat(1000, 0.0f);
    SamplingParams p;
    p.temperature = 1.0f;
    p.top_k = 0;
    p.top_p = 1.0f;
    p.seed = 1;
    Sampler a(p);
    p.seed = 2;
    Sampler b(p);
    int differ = 0;
    for (int i = 0; i < 100; ++i) {
        std::vector<float> la = flat, lb = flat;
        differ += a.sample(la, {}) != b.sample(lb, {});
    }
    QVERIFY2(differ > 90, qPrintable(QString("only %1 of 100 draws differ").arg(differ)));
}

void TestSampler::reseedRestartsTheStream() {
    const std::vector<float> flat(500, 0.0f);
    SamplingParams p;
    p.temperature = 1.0f;
    p.top_k = 0;
    p.seed = 9;
    Sampler s(p);
    std::vector<int> first, second;
    for (int i = 0; i < 50; ++i) {
        auto l = flat;
        first.push_back(s.sample(l, {}));
    }
    s.reseed(9);
    for (int i = 0; i < 50; ++i) {
        auto l = flat;
        second.push_back(s.sample(l, {}));
    }
    QCOMPARE(first, second);
    QCOMPARE(s.params().seed, uint64_t(9));
}

void TestSampler::drawFollowsProbabilities() {
    const std::vector<float> ps{0.5f, 0.25f, 0.15f, 0.1f};
    for (bool filtered : {false, true}) {
        SamplingParams p;
        p.temperature = 1.0f;
        p.top_k = filtered ? 4 : 0;  // sorted draw vs id-order draw
        p.top_p = 1.0f;
        p.seed = 2024;
        Sampler s(p);
        const int n = 100000;
        std::vector<int> count(4, 0);
        for (int i = 0; i < n; ++i) {
            auto l = logits_of(ps);
            ++count[size_t(s.sample(l, {}))];
        }
        for (size_t i = 0; i < 4; ++i) {
            // 5 standard deviations of a binomial: fails only on a real bias.
            const double f = double(count[i]) / n;
            const double sd = std::sqrt(ps[i] * (1 - ps[i]) / n);
            QVERIFY2(std::abs(f - ps[i]) < 5 * sd,
                     qPrintable(QString("id %1: frequency %2, probability %3").arg(i).arg(f).arg(ps[i])));
        }
    }
}

void TestSampler::filtersLimitWhatIsDrawn() {
    const std::vector<float> ps{0.4f, 0.3f, 0.2f, 0.06f, 0.04f};
    auto drawn = [&](SamplingParams p) {
        p.seed = 77;
        Sampler s(p);
        std::set<int> seen;
        for (int i = 0; i < 5000; ++i) {
            auto l = logits_of(ps);
            seen.insert(s.sample(l, {}));
        }
        return seen;
    };
    SamplingParams p;
    p.temperature = 1.0f;
    p.top_k = 2;
    p.top_p = 1.0f;
    QCOMPARE(drawn(p), (std::set<int>{0, 1}));
    p.top_k = 0;
    p.top_p = 0.85f;  // 0.4 + 0.3 + 0.2 = 0.9 >= 0.85
    QCOMPARE(drawn(p), (std::set<int>{0, 1, 2}));
    p.top_p = 1.0f;
    p.min_p = 0.45f;  // >= 0.18
    QCOMPARE(drawn(p), (std::set<int>{0, 1, 2}));
    p.min_p = 0.09f;  // >= 0.036: everything
    QCOMPARE(drawn(p), (std::set<int>{0, 1, 2, 3, 4}));
    p.top_k = 4;
    p.top_p = 0.7f;  // of the top 4 (mass 0.96): 0.4 + 0.3 = 0.7 >= 0.672
    p.min_p = 0.0f;
    QCOMPARE(drawn(p), (std::set<int>{0, 1}));
}

void TestSampler::stepsKeepWhatAFullSortKeeps_data() {
    QTest::addColumn<float>("temperature");
    QTest::addColumn<int>("topK");
    QTest::addColumn<float>("topP");
    QTest::addColumn<float>("minP");
    QTest::newRow("defaults") << 0.8f << 40 << 0.95f << 0.0f;
    QTest::newRow("top-k only") << 1.0f << 50 << 1.0f << 0.0f;
    QTest::newRow("top-p only") << 1.0f << 0 << 0.9f << 0.0f;
    QTest::newRow("top-p, flat") << 3.0f << 0 << 0.5f << 0.0f;
    QTest::newRow("min-p only") << 1.0f << 0 << 1.0f << 0.05f;
    QTest::newRow("min-p, hot") << 5.0f << 0 << 1.0f << 0.5f;
    QTest::newRow("all three") << 0.7f << 100 << 0.8f << 0.1f;
    QTest::newRow("top-k 1") << 1.0f << 1 << 0.9f << 0.0f;
}

// On V = 32000 the steps, which sort only as far as they need, keep exactly
// what a full sort and a plain prefix walk keep; and Sampler::sample draws
// what the steps draw with the same random stream.
void TestSampler::stepsKeepWhatAFullSortKeeps() {
    QFETCH(float, temperature);
    QFETCH(int, topK);
    QFETCH(float, topP);
    QFETCH(float, minP);
    SamplingParams p;
    p.temperature = temperature;
    p.top_k = topK;
    p.top_p = topP;
    p.min_p = minP;
    p.seed = 314;
    Sampler s(p);
    uint64_t rng[4];
    detail::xoshiro_seed(rng, p.seed);
    for (int i = 0; i < 40; ++i) {
        std::vector<float> logits = random_logits(32000, 1000 + uint64_t(i));
        Candidates steps;
        softmax(logits, temperature, steps);
        keep_top_k(steps, topK);
        keep_top_p(steps, topP);
        keep_min_p(steps, minP);

        // What the filters mean, on the whole sorted list.
        std::vector<Candidate> full = softmax_sorted(logits, temperature);
        if (topK > 0 && size_t(topK) < full.size()) full.resize(size_t(topK));
        if (topP < 1.0f) {
            double total = 0, cum = 0;
            for (const auto& c : full) total += c.p;
            size_t n = 0;
            while (n < full.size()) {
                cum += full[n++].p;
                if (cum >= double(topP) * total - 1e-6 * total) break;
            }
            full.resize(n);
        }
        if (minP > 0.0f) {
            const float threshold = minP * full.front().p;
            size_t n = 1;
            while (n < full.size() && full[n].p >= threshold) ++n;
            full.resize(n);
        }
        QCOMPARE(ids_of(steps), ids_of(full));

        const int want = draw(steps, detail::to_unit_double(detail::xoshiro_next(rng))).id;
        QCOMPARE(s.sample(logits, {}), want);
    }
}

void TestSampler::lastTopAndProbability() {
    SamplingParams p;
    p.temperature = 1.0f;
    p.top_k = 1;  // the draw is then the argmax
    p.seed = 5;
    Sampler s(p);
    auto l = logits_of({0.1f, 0.6f, 0.3f});
    QCOMPARE(s.sample(l, {}), 1);
    QVERIFY(std::abs(s.last_probability() - 0.6f) < 1e-6);  // before the filters
    const auto top = s.last_top(2);
    QCOMPARE(ids_of(top), (std::vector<int>{1, 2}));
    QVERIFY(std::abs(top[1].p - 0.3f) < 1e-6);
    QCOMPARE(s.last_top(10).size(), size_t(3));
    QCOMPARE(s.last_top(0).size(), size_t(0));
    // Greedy: the plain softmax (temperature 1).
    p.temperature = 0;
    Sampler g(p);
    auto lg = logits_of({0.2f, 0.2f, 0.6f});
    QCOMPARE(g.sample(lg, {}), 2);
    QVERIFY(std::abs(g.last_probability() - 0.6f) < 1e-6);
    QCOMPARE(ids_of(g.last_top(3)), (std::vector<int>{2, 0, 1}));
}

void TestSampler::badParametersAreErrors() {
    auto throws = [](SamplingParams p) {
        try {
            Sampler s(p);
        } catch (const Error& e) {
            return e.kind() == ErrorKind::InvalidArgument;
        }
        return false;
    };
    SamplingParams p;
    p.repeat_penalty = 0.0f;
    QVERIFY(throws(p));
    p = {};
    p.min_p = 1.5f;
    QVERIFY(throws(p));
    p = {};
    p.temperature = NAN;
    QVERIFY(throws(p));
    Sampler ok{SamplingParams{}};
    std::vector<float> empty;
    QVERIFY_THROWS_EXCEPTION(Error, ok.sample(empty, {}));
}

QTEST_APPLESS_MAIN(TestSampler)
#include "tst_sampler.moc"
