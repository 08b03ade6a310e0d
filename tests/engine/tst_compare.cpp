// Side-by-side comparison through the engine (waypoint/compare.h and the
// public API): first_divergence on constructed cases; export to JSON and
// Markdown and back; and on the real stories260K / aidreams260K: two sessions
// on one Model with one seed answer alike, two checkpoints generating on two
// threads give what each gives alone, one stop flag stops both, and a
// token's probability and top alternatives are the softmax (with the
// temperature) of the session's logits at that step.
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
#include "waypoint/report.h"

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

PaneResult pane(const std::string& checkpoint, std::vector<int> ids, const SamplingParams& s) {
    PaneResult p;
    p.checkpoint = checkpoint;
    p.model = "m";
    p.sampling = s;
    p.max_new_tokens = 50;
    p.prompt_ids = {1, 403, 407};
    p.generated_ids = std::move(ids);
    p.text = "a | b\n```code```";
    p.stats.prompt_tokens = 3;
    p.stats.reused_tokens = 1;
    p.stats.new_tokens = int(p.generated_ids.size());
    p.stats.time_to_first_token_ms = 1.25;
    p.stats.prefill_tokens_per_s = 1000.5;
    p.stats.decode_tokens_per_s = 812.75;
    p.stats.total_ms = 9.5;
    p.stats.finish = FinishReason::Eos;
    return p;
}

}  // namespace

class TestCompare : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // No model needed.
    void firstDivergence();
    void divergenceOnlyWhereMeaningful();
    void jsonRoundTrip();
    void jsonReadBackErrors();
    void markdownExport();

    // Real checkpoints.
    void initTestCase();
    void sameModelSameSeedSameAnswer();
    void generatePaneCollectsTheRun();
    void twoCheckpointsOnTwoThreads();
    void oneStopFlagStopsAll();
    void probabilitiesAreTheSamplersDistribution();

private:
    std::shared_ptr<const Model> stories_, dreams_;
};

void TestCompare::firstDivergence() {
    QCOMPARE(first_divergence({}, {}), -1);
    QCOMPARE(first_divergence({1, 2, 3}, {1, 2, 3}), -1);
    QCOMPARE(first_divergence({1, 2, 3}, {1, 2, 4}), 2);
    QCOMPARE(first_divergence({5, 2, 3}, {1, 2, 3}), 0);
    QCOMPARE(first_divergence({1, 2}, {1, 2, 3, 4}), 2);     // a prefix: the shorter length
    QCOMPARE(first_divergence({1, 2, 3, 4}, {1, 2}), 2);
    QCOMPARE(first_divergence({}, {7}), 0);
    QCOMPARE(first_divergence({1, 9, 3, 4}, {1, 2, 3, 4}), 1);  // the first, not the last difference
}

void TestCompare::divergenceOnlyWhereMeaningful() {
    SamplingParams g;
    g.temperature = 0.0f;
    SamplingParams s7;
    s7.seed = 7;
    SamplingParams s8 = s7;
    s8.seed = 8;
    SamplingParams g_other_seed = g;
    g_other_seed.seed = 99;  // the seed does not matter to greedy
    Comparison c;
    c.panes = {pane("a", {1, 2, 3}, g), pane("b", {1, 2, 4}, g_other_seed), pane("c", {1, 2, 3}, s7)};
    auto d = divergences_from_first(c);
    QCOMPARE(int(d.size()), 3);
    QCOMPARE(d[0], std::optional<int>(-1));
    QCOMPARE(d[1], std::optional<int>(2));
    QVERIFY(!d[2]);  // greedy vs sampled: a difference would be chance

    c.panes = {pane("a", {1, 2, 3}, s7), pane("b", {1, 2, 3}, s7), pane("c", {4}, s8)};
    d = divergences_from_first(c);
    QCOMPARE(d[1], std::optional<int>(-1));
    QVERIFY(!d[2]);  // another seed
    SamplingParams hot = s7;
    hot.temperature = 1.5f;
    QVERIFY(!divergence_meaningful(pane("a", {}, s7), pane("b", {}, hot)));
    SamplingParams penalised = g;
    penalised.repeat_penalty = 1.3f;
    QVERIFY(!divergence_meaningful(pane("a", {}, g), pane("b", {}, penalised)));
}

void TestCompare::jsonRoundTrip() {
    SamplingParams s;
    s.temperature = 0.7f;
    s.top_k = 12;
    s.top_p = 0.95f;
    s.min_p = 0.05f;
    s.repeat_penalty = 1.1f;
    s.repeat_window = 32;
    s.seed = 4294967295ull + 5;  // wider than 32 bits
    Comparison c;
    c.prompt = "Once upon a \"time\"\n";
    c.panes = {pane("/m/a.bin", {10, 20, 30}, s), pane("/m/b.bin", {10, 21}, s)};
    c.evaluation_text = "/t/text.txt";
    EvaluationResult e;
    e.checkpoint = "/m/a.bin";
    e.model = "a";
    e.window = 255;
    e.result.tokens = 1234;
    e.result.mean_nll = 1.5;
    e.result.perplexity = std::exp(1.5);
    c.evaluations = {e};
    e.result.cancelled = true;
    e.training_step = 2000;
    e.validation_loss = 0.8125;
    c.evaluations.push_back(e);

    const std::string json = comparison_to_json(c);
    // The keys the CLI and the app's Export promise.
    for (const char* key : {"\"prompt\"", "\"panes\"", "\"first_divergence\":[-1,1]", "\"checkpoint\"",
                            "\"generated_ids\":[10,20,30]", "\"text\"", "\"stats\"", "\"sampling\"",
                            "\"finish_reason\":\"eos\"", "\"time_to_first_token_ms\"", "\"decode_tokens_per_s\"",
                            "\"seed\":4294967300", "\"temperature\":0.7", "\"top_p\":0.95", "\"evaluation\"",
                            "\"results\"", "\"mean_nll\"", "\"perplexity\"", "\"cancelled\":true"})
        QVERIFY2(json.find(key) != std::string::npos, key);

    const Comparison back = comparison_from_json(json);
    QCOMPARE(back.prompt, c.prompt);
    QCOMPARE(back.panes.size(), c.panes.size());
    for (size_t i = 0; i < c.panes.size(); ++i) {
        const PaneResult &a = c.panes[i], &b = back.panes[i];
        QCOMPARE(b.checkpoint, a.checkpoint);
        QCOMPARE(b.model, a.model);
        QCOMPARE(b.generated_ids, a.generated_ids);
        QCOMPARE(b.prompt_ids, a.prompt_ids);
        QCOMPARE(b.text, a.text);
        QCOMPARE(b.max_new_tokens, a.max_new_tokens);
        // Floats come back bit-exact (written as their shortest decimal).
        QCOMPARE(b.sampling.temperature, a.sampling.temperature);
        QCOMPARE(b.sampling.top_p, a.sampling.top_p);
        QCOMPARE(b.sampling.min_p, a.sampling.min_p);
        QCOMPARE(b.sampling.repeat_penalty, a.sampling.repeat_penalty);
        QCOMPARE(b.sampling.top_k, a.sampling.top_k);
        QCOMPARE(b.sampling.repeat_window, a.sampling.repeat_window);
        QCOMPARE(b.sampling.seed, a.sampling.seed);
        QCOMPARE(b.stats.prompt_tokens, a.stats.prompt_tokens);
        QCOMPARE(b.stats.reused_tokens, a.stats.reused_tokens);
        QCOMPARE(b.stats.new_tokens, a.stats.new_tokens);
        QCOMPARE(b.stats.time_to_first_token_ms, a.stats.time_to_first_token_ms);
        QCOMPARE(b.stats.decode_tokens_per_s, a.stats.decode_tokens_per_s);
        QCOMPARE(b.stats.prefill_tokens_per_s, a.stats.prefill_tokens_per_s);
        QCOMPARE(b.stats.total_ms, a.stats.total_ms);
        QCOMPARE(int(b.stats.finish), int(a.stats.finish));
    }
    QCOMPARE(back.evaluation_text, c.evaluation_text);
    QCOMPARE(back.evaluations.size(), size_t(2));
    QCOMPARE(back.evaluations[0].checkpoint, e.checkpoint);
    QCOMPARE(back.evaluations[0].window, 255);
    QCOMPARE(back.evaluations[0].result.tokens, 1234L);
    QCOMPARE(back.evaluations[0].result.mean_nll, 1.5);
    QCOMPARE(back.evaluations[0].result.perplexity, std::exp(1.5));
    QVERIFY(!back.evaluations[0].result.cancelled);
    QVERIFY(back.evaluations[1].result.cancelled);
    // Step and validation loss only where known.
    QVERIFY(!back.evaluations[0].training_step && !back.evaluations[0].validation_loss);
    QCOMPARE(back.evaluations[1].training_step.value_or(-1), int64_t(2000));
    QCOMPARE(back.evaluations[1].validation_loss.value_or(-1), 0.8125);
    QCOMPARE(back.evaluations[1].model, e.model);
    // Written again, the same text.
    QCOMPARE(comparison_to_json(back), json);
    // Indented output reads back the same.
    QCOMPARE(comparison_to_json(comparison_from_json(comparison_to_json(c, 2))), json);
    // An export written before reused_tokens was a stats field still reads back.
    std::string older = json;
    const std::string reused = "\"reused_tokens\":" + std::to_string(c.panes[0].stats.reused_tokens) + ",";
    QVERIFY(older.find(reused) != std::string::npos);
    while (older.find(reused) != std::string::npos) older.erase(older.find(reused), reused.size());
    QCOMPARE(comparison_from_json(older).panes[0].stats.reused_tokens, 0);
    // No evaluation: no "evaluation" key.
    c.evaluations.clear();
    QVERIFY(comparison_to_json(c).find("\"evaluation\"") == std::string::npos);
}

void TestCompare::jsonReadBackErrors() {
    for (const char* bad : {"", "[1,2]", "{\"panes\": 3}", "{\"panes\": [{\"checkpoint\": \"a\"}]}", "{nope"}) {
        try {
            comparison_from_json(bad);
            QFAIL(qPrintable(QString("no error for: ") + bad));
        } catch (const Error& e) {
            QCOMPARE(int(e.kind()), int(ErrorKind::InvalidArgument));
            QVERIFY(std::string(e.what()).find("comparison JSON") != std::string::npos);
        }
    }
    // A wrong type names the field.
    Comparison c;
    SamplingParams g;
    g.temperature = 0;
    c.panes = {pane("a", {1}, g)};
    std::string json = comparison_to_json(c);
    json.replace(json.find("\"generated_ids\":[1]"), 19, "\"generated_ids\":\"x\"");
    try {
        comparison_from_json(json);
        QFAIL("no error for a string as generated_ids");
    } catch (const Error& e) {
        QVERIFY2(std::string(e.what()).find("generated_ids") != std::string::npos, e.what());
    }
}

void TestCompare::markdownExport() {
    SamplingParams g;
    g.temperature = 0.0f;
    SamplingParams s;
    s.seed = 42;
    Comparison c;
    c.prompt = "What is 2+2?";
    c.panes = {pane("/m/early.bin", {1, 2, 3}, g), pane("/m/late.bin", {1, 2, 4}, g), pane("/m/x.bin", {9}, s)};
    EvaluationResult e;
    e.checkpoint = "/m/early.bin";
    e.window = 127;
    e.result.tokens = 500;
    e.result.mean_nll = 2.25;
    e.result.perplexity = std::exp(2.25);
    c.evaluations = {e};
    c.evaluation_text = "/t/eval.txt";
    const std::string md = comparison_to_markdown(c);
    for (const char* piece : {"# Comparison", "What is 2+2?", "| pane | checkpoint | settings |", "/m/early.bin",
                              "/m/late.bin", "| greedy, max 50 tokens |", "token 3", "(reference)",
                              "n/a (different sampling)", "seed 42", "## Pane 1: m", "## Pane 3: m",
                              "## Evaluation", "/t/eval.txt", "| /m/early.bin | 127 | 500 | 2.2500 | 9.488 |",
                              "812.8", "eos"})
        QVERIFY2(md.find(piece) != std::string::npos, piece);
    // The answer's backticks cannot close its block: a longer fence is used,
    // and its pipe is escaped only in table cells (the block keeps it).
    QVERIFY(md.find("````text\na | b\n```code```\n````\n") != std::string::npos);
}

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
