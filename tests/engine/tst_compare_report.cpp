// The comparison report (waypoint/compare.h, waypoint/report.h) without a
// model: first_divergence on constructed cases, when a divergence means
// something (same sampling, or greedy on both), and the export to JSON and
// Markdown and back. tst_compare runs comparisons on real checkpoints.
#include <QtTest/QtTest>

#include "waypoint/compare.h"
#include "waypoint/error.h"
#include "waypoint/report.h"

using namespace waypoint;

namespace {

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

class TestCompareReport : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void firstDivergence();
    void divergenceOnlyWhereMeaningful();
    void jsonRoundTrip();
    void jsonReadBackErrors();
    void markdownExport();
};

void TestCompareReport::firstDivergence() {
    QCOMPARE(first_divergence({}, {}), -1);
    QCOMPARE(first_divergence({1, 2, 3}, {1, 2, 3}), -1);
    QCOMPARE(first_divergence({1, 2, 3}, {1, 2, 4}), 2);
    QCOMPARE(first_divergence({5, 2, 3}, {1, 2, 3}), 0);
    QCOMPARE(first_divergence({1, 2}, {1, 2, 3, 4}), 2);     // a prefix: the shorter length
    QCOMPARE(first_divergence({1, 2, 3, 4}, {1, 2}), 2);
    QCOMPARE(first_divergence({}, {7}), 0);
    QCOMPARE(first_divergence({1, 9, 3, 4}, {1, 2, 3, 4}), 1);  // the first, not the last difference
}

void TestCompareReport::divergenceOnlyWhereMeaningful() {
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

void TestCompareReport::jsonRoundTrip() {
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

void TestCompareReport::jsonReadBackErrors() {
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

void TestCompareReport::markdownExport() {
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

QTEST_GUILESS_MAIN(TestCompareReport)
#include "tst_compare_report.moc"
