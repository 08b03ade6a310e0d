// The device sampler's algorithm (kernels/cuda/sample.cu) against the host
// sampler chain, on the CPU: a host-side reference does what the kernel does
// (penalty, argmax, softmax with the host's arithmetic, the exact m most
// likely candidates sorted, then the very finish_sorted the kernel runs) and
// must pick the token Sampler::sample picks from the same logits with the
// same uniform number, with the same probability and alternatives (where the
// first sorted candidates are too few, after sorting all of them, as the
// kernel does). The kernel's parallel parts (radix
// select, bitonic sort, reductions) are checked on a GPU by
// `waypoint-bench --check-sampling`.
#include <QFile>
#include <QtTest/QtTest>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "kernels/cuda/sample_finish.h"
#include "sampling/order.h"
#include "waypoint/model.h"
#include "waypoint/sampler.h"
#include "waypoint/session.h"

using namespace waypoint;
namespace kc = waypoint::kernels::cuda;

namespace {

struct RefPick {
    bool picked = false;
    int id = -1;
    float p = 0.0f;
    std::vector<Candidate> top;
};

// What sample.cu computes, sequentially.
RefPick device_reference(std::vector<float> logits, const std::vector<int>& history, const SamplingParams& sp,
                         double u, int top_n, int* wider) {
    RefPick r;
    const int V = int(logits.size());
    const int m = kc::sorted_needed(sp.greedy(), sp.top_k, sp.top_p, sp.min_p, top_n, V);
    if (top_n > kc::kMaxTop) return r;
    for (int id : penalized_ids(history, sp.repeat_penalty, sp.repeat_window, V)) {
        float& l = logits[size_t(id)];
        l = l > 0.0f ? l / sp.repeat_penalty : l * sp.repeat_penalty;
    }
    int arg = -1;
    for (int i = 0; i < V; ++i)
        if (logits[size_t(i)] == logits[size_t(i)] && (arg < 0 || logits[size_t(i)] > logits[size_t(arg)])) arg = i;
    if (arg < 0 || !std::isfinite(logits[size_t(arg)])) return r;  // kFallback
    Candidates c;
    softmax(logits, sp.greedy() ? 1.0f : sp.temperature, c);  // the kernel's e and 1/sum
    std::vector<Candidate> sorted = c.items;
    std::sort(sorted.begin(), sorted.end(), detail::MoreLikely{});  // what radix select + bitonic sort give
    std::vector<float> p(sorted.size());  // all V sorted: the kernel's wide path
    for (size_t i = 0; i < sorted.size(); ++i) p[i] = sorted[i].p;
    for (int j = 0; j < std::min(top_n, m); ++j) r.top.push_back(sorted[size_t(j)]);
    if (sp.greedy()) {
        r.picked = true;
        r.id = arg;
        r.p = c.items[size_t(arg)].p;
        return r;
    }
    kc::FinishResult f =
        m > 0 ? kc::finish_sorted(p.data(), m, V, sp.top_k, sp.top_p, sp.min_p, u) : kc::FinishResult{kc::kIdOrder, 0};
    if (f.status == kc::kFallback) {
        // The m sorted were too few: the kernel sorts all V and finishes again.
        ++*wider;
        f = kc::finish_sorted(p.data(), V, V, sp.top_k, sp.top_p, sp.min_p, u);
        if (f.status == kc::kFallback) return r;
    }
    r.picked = true;
    if (f.status == kc::kIdOrder) {
        const Candidate x = draw(c, u);  // all V in id order (the kernel: chunk by chunk)
        r.id = x.id;
        r.p = x.p;
    } else {
        r.id = sorted[size_t(f.index)].id;
        r.p = sorted[size_t(f.index)].p;
    }
    return r;
}

std::vector<float> random_logits(std::mt19937& g, int V, float scale, int kind) {
    std::normal_distribution<float> n(0.0f, scale);
    std::vector<float> l(static_cast<size_t>(V));
    for (float& x : l) x = n(g);
    if (kind == 1)  // coarse: many exact ties (bf16-like logits)
        for (float& x : l) x = std::round(x * 2.0f) / 2.0f;
    if (kind == 2)  // one clear winner and a long flat tail
        l[size_t(g() % unsigned(V))] += 12.0f * scale;
    if (kind == 3)  // all equal: ties everywhere
        std::fill(l.begin(), l.end(), 0.5f);
    if (kind == 4)  // masked ids
        for (int i = 0; i < V; i += 3) l[size_t(i)] = -std::numeric_limits<float>::infinity();
    return l;
}

}  // namespace

class TestDeviceSampler : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // peek_uniform is the number the next sample() draws; skip_uniform takes it.
    void uniformStreamIsShared() {
        SamplingParams sp;
        sp.seed = 1234;
        sp.top_k = 0;
        sp.top_p = 1.0f;
        Sampler a(sp), b(sp);
        const std::vector<float> logits = {0.1f, 0.5f, 0.2f, 0.9f, -1.0f, 0.3f};
        for (int i = 0; i < 50; ++i) {
            const double u = a.peek_uniform();
            QCOMPARE(a.peek_uniform(), u);  // peeking takes nothing
            std::vector<float> l = logits;
            Candidates c;
            softmax(l, sp.temperature, c);
            const int expected = draw(c, u).id;
            std::vector<float> l2 = logits;
            QCOMPARE(b.sample(l2, {}), expected);
            a.skip_uniform();
        }
        SamplingParams greedy = sp;
        greedy.temperature = 0.0f;
        QCOMPARE(Sampler(greedy).peek_uniform(), 0.0);
    }

    void penalizedIdsAreWhatThePenaltyChanges() {
        const std::vector<int> history = {5, 3, 5, 9, 700, -2, 3, 1};
        std::vector<float> logits(10, 1.0f), before = logits;
        apply_repetition_penalty(logits, history, 1.5f, 6);
        std::vector<int> changed;
        for (int i = 0; i < 10; ++i)
            if (logits[size_t(i)] != before[size_t(i)]) changed.push_back(i);
        QCOMPARE(penalized_ids(history, 1.5f, 6, 10), changed);
        QCOMPARE(changed, (std::vector<int>{1, 3, 5, 9}));
        QVERIFY(penalized_ids(history, 1.0f, 6, 10).empty());
        QVERIFY(penalized_ids(history, 1.5f, 0, 10).empty());
    }

    // The reference of the device algorithm picks what the host chain picks.
    void sameTokensAsTheHostChain_data() {
        QTest::addColumn<int>("vocab");
        QTest::addColumn<float>("temperature");
        QTest::addColumn<int>("topK");
        QTest::addColumn<float>("topP");
        QTest::addColumn<float>("minP");
        QTest::addColumn<float>("penalty");
        QTest::addColumn<int>("topN");
        QTest::newRow("greedy") << 32000 << 0.0f << 40 << 0.95f << 0.0f << 1.0f << 0;
        QTest::newRow("greedy top5") << 32000 << 0.0f << 40 << 0.95f << 0.0f << 1.0f << 5;
        QTest::newRow("greedy penalty") << 4096 << 0.0f << 0 << 1.0f << 0.0f << 1.3f << 5;
        QTest::newRow("defaults") << 32000 << 0.8f << 40 << 0.95f << 0.0f << 1.0f << 5;
        QTest::newRow("top-k 1") << 32000 << 1.0f << 1 << 1.0f << 0.0f << 1.0f << 0;
        QTest::newRow("top-p only") << 32000 << 0.7f << 0 << 0.9f << 0.0f << 1.0f << 5;
        QTest::newRow("min-p only") << 32000 << 1.0f << 0 << 1.0f << 0.05f << 1.0f << 0;
        QTest::newRow("top-k top-p min-p penalty") << 50257 << 1.2f << 200 << 0.8f << 0.02f << 1.2f << 3;
        QTest::newRow("temperature only") << 32000 << 1.0f << 0 << 1.0f << 0.0f << 1.0f << 0;
        QTest::newRow("temperature only top5") << 512 << 0.9f << 0 << 1.0f << 0.0f << 1.0f << 5;
        QTest::newRow("small vocab, all sorted") << 512 << 1.0f << 0 << 0.95f << 0.0f << 1.1f << 5;
        QTest::newRow("top-k over the first sorted") << 32000 << 1.0f << 3000 << 0.99f << 0.0f << 1.0f << 0;
    }

    void sameTokensAsTheHostChain() {
        QFETCH(int, vocab);
        QFETCH(float, temperature);
        QFETCH(int, topK);
        QFETCH(float, topP);
        QFETCH(float, minP);
        QFETCH(float, penalty);
        QFETCH(int, topN);
        SamplingParams sp;
        sp.temperature = temperature;
        sp.top_k = topK;
        sp.top_p = topP;
        sp.min_p = minP;
        sp.repeat_penalty = penalty;
        sp.repeat_window = 64;
        std::mt19937 g(7);
        int picked = 0, fallbacks = 0, wider = 0;
        for (int trial = 0; trial < 60; ++trial) {
            const int kind = trial % 5;
            const float scale = (trial / 5) % 3 == 0 ? 1.0f : (trial / 5) % 3 == 1 ? 3.0f : 8.0f;
            const std::vector<float> logits = random_logits(g, vocab, scale, kind);
            std::vector<int> history;
            for (int i = 0; i < 100; ++i) history.push_back(int(g() % unsigned(vocab)));
            sp.seed = uint64_t(trial) * 7919u;
            Sampler host(sp);
            const double u = host.peek_uniform();
            std::vector<float> l = logits;
            const int want = host.sample(l, history);
            const RefPick got = device_reference(logits, history, sp, u, topN, &wider);
            if (!got.picked) {
                ++fallbacks;
                continue;
            }
            ++picked;
            QCOMPARE(got.id, want);
            QCOMPARE(got.p, host.last_probability());
            const std::vector<Candidate> top = host.last_top(topN);
            QCOMPARE(int(got.top.size()), int(top.size()));
            for (size_t j = 0; j < top.size(); ++j) {
                QCOMPARE(got.top[j].id, top[j].id);
                QCOMPARE(got.top[j].p, top[j].p);
            }
        }
        qInfo("%d picked as the host does (%d after sorting all V), %d handed to the host", picked, wider,
              fallbacks);
        QCOMPARE(fallbacks, 0);  // only non-finite logits are the host's, and these are finite
        // Only a nucleus, min-p set or top-k wider than the first sorted ones sorts all V.
        if (sp.greedy() || (topK > 0 && topK <= kc::kMaxSorted) || vocab <= kc::kMaxSorted ||
            (topP >= 1.0f && minP <= 0.0f))
            QCOMPARE(wider, 0);
    }

    // Where the decode step has no device sampler (the CPU), step_sampled is
    // step(): it returns false and logits() are step()'s.
    void stepSampledFallsBackToTheHost() {
        const QString bin = QStringLiteral(WAYPOINT_SHARED_DIR) + "/models/stories260K/stories260K.bin";
        if (!QFile::exists(bin)) QSKIP("../shared/models/stories260K/stories260K.bin is not there");
        LoadOptions load;
        load.checkpoint = bin.toStdString();
        load.device = "cpu";
        const std::shared_ptr<const Model> model = Model::load(load);
        Session a(model), b(model);
        QVERIFY(!b.samples_on_device());
        const std::vector<int> prompt = {1, 403, 407, 261};
        a.prefill(prompt);
        b.prefill(prompt);
        SamplingParams sp;
        Pick pick;
        for (int id : {300, 12, 97}) {
            const std::vector<float> want = a.step(id);
            QVERIFY(!b.step_sampled(id, sp, 0.5, 5, pick));
            QCOMPARE(b.logits(), want);
            QCOMPARE(b.history(), a.history());
        }
    }

    // finish_sorted on hand-made lists: the walk stops where it must.
    void finishFallsBackPastTheSortedOnes() {
        const std::vector<float> p = {0.3f, 0.2f, 0.1f};  // the 3 most likely of V = 100
        // top-p 0.5 is reached within them (0.3 + 0.2)
        kc::FinishResult f = kc::finish_sorted(p.data(), 3, 100, 0, 0.5f, 0.0f, 0.99);
        QCOMPARE(f.status, int(kc::kPicked));
        QCOMPARE(f.index, 1);
        // top-p 0.9 needs more than 3
        f = kc::finish_sorted(p.data(), 3, 100, 0, 0.9f, 0.0f, 0.5);
        QCOMPARE(f.status, int(kc::kFallback));
        // min-p 0.1: the 3rd (0.1 >= 0.03) passes, so the 4th might too
        f = kc::finish_sorted(p.data(), 3, 100, 0, 1.0f, 0.1f, 0.5);
        QCOMPARE(f.status, int(kc::kFallback));
        // min-p 0.5: only 0.3 and 0.2 pass
        f = kc::finish_sorted(p.data(), 3, 100, 0, 1.0f, 0.5f, 0.7);
        QCOMPARE(f.status, int(kc::kPicked));
        QCOMPARE(f.index, 1);
        // no filter: the draw walks all V in id order
        f = kc::finish_sorted(p.data(), 3, 100, 0, 1.0f, 0.0f, 0.5);
        QCOMPARE(f.status, int(kc::kIdOrder));
        QCOMPARE(kc::sorted_needed(false, 2000, 1.0f, 0.0f, 0, 32000), kc::kMaxSorted);
        QCOMPARE(kc::sorted_needed(false, 0, 0.9f, 0.0f, 5, 32000), kc::kMaxSorted);
        QCOMPARE(kc::sorted_needed(true, 40, 0.9f, 0.0f, 5, 32000), 5);
        QCOMPARE(kc::sorted_needed(false, 0, 0.9f, 0.0f, 5, 300), 300);
    }
};

QTEST_GUILESS_MAIN(TestDeviceSampler)
#include "tst_device_sampler.moc"
