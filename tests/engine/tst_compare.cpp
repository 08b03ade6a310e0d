// Side-by-side comparison through the engine (waypoint/compare.h and the
// public API) on the real stories260K / aidreams260K: two sessions
// on one Model with one seed answer alike, two checkpoints generating on two
// threads give what each gives alone, one stop flag stops both, and a
// token's probability and top alternatives are the softmax (with the
// temperature) of the session's logits at that step. The report without a
// model (divergence, JSON, Markdown) is tst_compare_report.
#include <QtTest/QtTest>

#include <QFile>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <mutex>
#include <numeric>
#include <thread>

#include "waypoint/compare.h"
#include "waypoint/error.h"
#include "waypoint/generate.h"
#include "waypoint/model.h"
#include "waypoint/session.h"

using namespace waypoint;

namespace {

const std::string kShared = WAYPOINT_SHARED_DIR;
const std::string kStories = kShared + "/models/stories260K/stories260K.bin";
const std::string kDreams = kShared + "/models/aidreams260K/aidreams260K.bin";

struct Run {
    std::vector<int> ids;          // generated (the final id -1 event skipped)
    std::vector<TokenEvent> events;
    std::string text;
    GenerationStats stats;
};

Run run(const std::shared_ptr<const Model>& model, const std::string& prompt, const GenerateOptions& o) {
    Session session(model);
    Run r;
    r.stats = generate(session, prompt, o, [&](const TokenEvent& e) {
        r.text += e.delta;
        if (e.id < 0) return;
        r.ids.push_back(e.id);
        r.events.push_back(e);
    });
    return r;
}

GenerateOptions greedy(int max_tokens) {
    GenerateOptions o;
    o.sampling.temperature = 0.0f;
    o.max_new_tokens = max_tokens;
    return o;
}

GenerateOptions sampled(uint64_t seed, int max_tokens) {
    GenerateOptions o;
    o.sampling.temperature = 0.9f;
    o.sampling.top_k = 0;
    o.sampling.top_p = 1.0f;
    o.sampling.seed = seed;
    o.max_new_tokens = max_tokens;
    return o;
}

std::shared_ptr<const Model> load(const std::string& path) {
    LoadOptions l;
    l.checkpoint = path;
    l.device = "cpu";
    return Model::load(l);
}

}  // namespace

class TestCompare : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void sameModelSameSeedSameAnswer();
    void generatePaneCollectsTheRun();
    void twoCheckpointsOnTwoThreads();
    void oneStopFlagStopsAll();
    void probabilitiesAreTheSamplersDistribution();

private:
    std::shared_ptr<const Model> stories_, dreams_;
};

void TestCompare::initTestCase() {
    if (QFile::exists(QString::fromStdString(kStories))) stories_ = load(kStories);
    if (QFile::exists(QString::fromStdString(kDreams))) dreams_ = load(kDreams);
}

#define REQUIRE_MODELS()                                                              \
    if (!stories_ || !dreams_)                                                        \
    QSKIP("needs ../shared/models/stories260K/stories260K.bin and aidreams260K.bin")

void TestCompare::sameModelSameSeedSameAnswer() {
    REQUIRE_MODELS();
    // Two panes on one loaded Model (as the app shares it), one seed.
    const Run a = run(stories_, "Once upon a time", sampled(1234, 60));
    const Run b = run(stories_, "Once upon a time", sampled(1234, 60));
    QVERIFY(a.ids.size() > 10);
    QCOMPARE(b.ids, a.ids);
    QCOMPARE(b.text, a.text);
    QCOMPARE(first_divergence(a.ids, b.ids), -1);
    // Another seed parts somewhere, and first_divergence says where.
    const Run c = run(stories_, "Once upon a time", sampled(4321, 60));
    const int d = first_divergence(a.ids, c.ids);
    QVERIFY(d >= 0);
    QVERIFY(std::equal(a.ids.begin(), a.ids.begin() + d, c.ids.begin()));
    if (size_t(d) < std::min(a.ids.size(), c.ids.size())) QVERIFY(a.ids[size_t(d)] != c.ids[size_t(d)]);
    // Concurrently on two threads, still alike.
    Run t1, t2;
    std::thread x([&] { t1 = run(stories_, "Once upon a time", sampled(1234, 60)); });
    std::thread y([&] { t2 = run(stories_, "Once upon a time", sampled(1234, 60)); });
    x.join();
    y.join();
    QCOMPARE(t1.ids, a.ids);
    QCOMPARE(t2.ids, a.ids);
}

void TestCompare::generatePaneCollectsTheRun() {
    REQUIRE_MODELS();
    GenerateOptions o = sampled(5, 30);
    o.stop_strings = {"zzz"};  // held-back text: the final id -1 event comes through
    const Run want = run(stories_, "Once upon a time", o);
    Session session(stories_);
    session.prefill({1, 2, 3});  // a stale history: generate_pane starts afresh
    std::vector<int> seen;
    const PaneResult p = generate_pane(session, "Once upon a time", o, [&](const TokenEvent& e) { seen.push_back(e.id); });
    QCOMPARE(p.generated_ids, want.ids);
    QCOMPARE(p.text, want.text);
    QCOMPARE(p.checkpoint, kStories);
    QCOMPARE(p.model, std::string("stories260K"));
    QCOMPARE(p.sampling.seed, uint64_t(5));
    QCOMPARE(p.max_new_tokens, 30);
    QCOMPARE(p.prompt_ids, encode_prompt(session, "Once upon a time", o));
    QCOMPARE(p.stats.new_tokens, int(want.ids.size()));
    QCOMPARE(int(p.stats.finish), int(want.stats.finish));
    seen.erase(std::remove(seen.begin(), seen.end(), -1), seen.end());
    QCOMPARE(seen, want.ids);
}

void TestCompare::twoCheckpointsOnTwoThreads() {
    REQUIRE_MODELS();
    const std::string prompt = "Once upon a time";
    const Run alone_s = run(stories_, prompt, greedy(80));
    const Run alone_d = run(dreams_, prompt, greedy(80));
    QVERIFY(!alone_s.ids.empty());
    QVERIFY(!alone_d.ids.empty());
    QVERIFY(alone_s.ids != alone_d.ids);

    // Both stream at once: each pane's first token waits (at most 20 s) until
    // the other's first token is out, so both are part-way at the same time.
    Run par_s, par_d;
    std::string err_s, err_d;
    std::atomic<int> at_first{0};
    std::atomic<bool> overlapped{true};
    auto worker = [&](const std::shared_ptr<const Model>& m, Run& out, std::string& err) {
        try {
            Session session(m);
            out.stats = generate(session, prompt, greedy(80), [&](const TokenEvent& e) {
                out.text += e.delta;
                if (e.id < 0) return;
                out.ids.push_back(e.id);
                if (e.index != 0) return;
                ++at_first;
                const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
                while (at_first.load() < 2) {
                    if (std::chrono::steady_clock::now() > until) {
                        overlapped = false;
                        break;
                    }
                    std::this_thread::yield();
                }
            });
        } catch (const std::exception& e) {
            err = e.what();
        }
    };
    std::thread ts(worker, std::cref(stories_), std::ref(par_s), std::ref(err_s));
    std::thread td(worker, std::cref(dreams_), std::ref(par_d), std::ref(err_d));
    ts.join();
    td.join();
    QVERIFY2(err_s.empty(), err_s.c_str());
    QVERIFY2(err_d.empty(), err_d.c_str());
    QCOMPARE(par_s.ids, alone_s.ids);
    QCOMPARE(par_d.ids, alone_d.ids);
    QCOMPARE(par_s.text, alone_s.text);
    QCOMPARE(par_d.text, alone_d.text);
    QCOMPARE(int(par_s.stats.finish), int(alone_s.stats.finish));
    QCOMPARE(int(par_d.stats.finish), int(alone_d.stats.finish));
    QVERIFY(overlapped.load());
}

void TestCompare::oneStopFlagStopsAll() {
    REQUIRE_MODELS();
    // No EOS and no length limit: only the shared flag can end these.
    GenerateOptions o = greedy(1 << 30);
    o.stop_at_eos = false;
    std::atomic<bool> stop{false};
    o.stop_flag = &stop;
    std::atomic<int> count_s{0}, count_d{0};
    GenerationStats st_s, st_d;
    std::string err;
    std::mutex err_mutex;
    std::atomic<bool> failed{false};
    auto worker = [&](const std::shared_ptr<const Model>& m, GenerationStats& st, std::atomic<int>& count) {
        try {
            Session session(m);
            st = generate(session, "Once upon a time", o, [&](const TokenEvent&) { ++count; });
        } catch (const std::exception& e) {
            std::lock_guard<std::mutex> lock(err_mutex);
            err = e.what();
            failed = true;
        }
    };
    std::thread a(worker, std::cref(stories_), std::ref(st_s), std::ref(count_s));
    std::thread b(worker, std::cref(dreams_), std::ref(st_d), std::ref(count_d));
    QTRY_VERIFY_WITH_TIMEOUT((count_s.load() >= 5 && count_d.load() >= 5) || failed.load(), 60000);
    stop = true;
    a.join();
    b.join();
    QVERIFY2(err.empty(), err.c_str());
    QCOMPARE(int(st_s.finish), int(FinishReason::Stopped));
    QCOMPARE(int(st_d.finish), int(FinishReason::Stopped));
    QVERIFY(st_s.new_tokens >= 5);
    QVERIFY(st_d.new_tokens >= 5);
}

void TestCompare::probabilitiesAreTheSamplersDistribution() {
    REQUIRE_MODELS();
    for (const float temperature : {0.7f, 1.0f, 0.0f}) {
        GenerateOptions o = sampled(99, 40);
        o.sampling.temperature = temperature;
        o.sampling.top_k = 40;  // filters change the draw, not the distribution shown
        o.sampling.top_p = 0.9f;
        o.top_alternatives = 5;
        const Run r = run(stories_, "Lily and Tom", o);
        QVERIFY(r.events.size() >= 10);

        // The same history through Session directly; the softmax ourselves.
        // Greedy shows the plain softmax (temperature 1), as sampler.h says.
        const double t = temperature > 0 ? temperature : 1.0;
        Session session(stories_);
        std::vector<float> logits = session.prefill(encode_prompt(session, "Lily and Tom", o));  // [V]
        for (const TokenEvent& e : r.events) {
            const size_t V = logits.size();
            const double mx = *std::max_element(logits.begin(), logits.end());
            std::vector<double> p(V);
            double sum = 0;
            for (size_t v = 0; v < V; ++v) sum += p[v] = std::exp((double(logits[v]) - mx) / t);
            for (auto& x : p) x /= sum;
            QVERIFY2(std::abs(e.probability - p[size_t(e.id)]) < 1e-5,
                     qPrintable(QString("T %1 token %2: shown %3, softmax %4")
                                    .arg(temperature).arg(e.index).arg(e.probability).arg(p[size_t(e.id)])));
            if (temperature == 0.0f)
                QCOMPARE(e.id, int(std::max_element(logits.begin(), logits.end()) - logits.begin()));
            if (temperature == 0.7f && e.index == 0) {  // the check can tell: without the temperature it differs
                double sum1 = 0;
                for (size_t v = 0; v < V; ++v) sum1 += std::exp(double(logits[v]) - mx);
                const double p1 = std::exp(double(logits[size_t(e.id)]) - mx) / sum1;
                QVERIFY(std::abs(e.probability - p1) > 1e-3);
            }
            std::vector<int> order(V);
            std::iota(order.begin(), order.end(), 0);
            std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return p[size_t(a)] > p[size_t(b)]; });
            QCOMPARE(int(e.top.size()), 5);
            for (int k = 0; k < 5; ++k) {
                QVERIFY(std::abs(e.top[size_t(k)].p - p[size_t(order[size_t(k)])]) < 1e-5);
                // Ids agree unless two probabilities tie within rounding.
                if (k + 1 < int(V) && p[size_t(order[size_t(k)])] - p[size_t(order[size_t(k) + 1])] > 1e-6 &&
                    (k == 0 || p[size_t(order[size_t(k) - 1])] - p[size_t(order[size_t(k)])] > 1e-6))
                    QCOMPARE(e.top[size_t(k)].id, order[size_t(k)]);
            }
            logits = session.step(e.id);
        }
    }
}

QTEST_GUILESS_MAIN(TestCompare)
#include "tst_compare.moc"
