// The generation loop: stop-string hold-back on its own (no model), then
// generate()/generate_ids() on the real stories260K (../shared/models):
// golden greedy ids, streamed deltas that add up to the decoded text, the
// stop flag, stop strings, max tokens, EOS, over-long and empty prompts.
#include <QtTest/QtTest>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "sampling/stop_strings.h"
#include "waypoint/error.h"
#include "waypoint/generate.h"
#include "waypoint/model.h"
#include "waypoint/session.h"
#include "waypoint/report.h"

using namespace waypoint;

namespace {

const QString kShared = QStringLiteral(WAYPOINT_SHARED_DIR);

#define REQUIRE_MODEL() \
    if (!model_) QSKIP("../shared/models/stories260K/stories260K.bin is not there")

struct Run {
    std::vector<int> ids;       // generated, as generate_ids reports them
    std::vector<int> event_ids; // ids of the token events (-1: the final flush)
    std::string text;           // the deltas, concatenated
    GenerationStats stats;
};

GenerateOptions greedy(int max_tokens) {
    GenerateOptions o;
    o.sampling.temperature = 0.0f;
    o.max_new_tokens = max_tokens;
    return o;
}

}  // namespace

class TestGenerate : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // No model needed.
    void stopStringsHoldBackAPossibleStart();
    void stopStringsEarliestWins();
    void stopStringsAcrossManyPushes();
    void finishReasonNames();
    void statsJsonHasTheFields();

    // stories260K.
    void initTestCase();
    void goldenGreedyIds();
    void deltasConcatenateToTheDecodedText();
    void sameSeedSameText();
    void stopFlagInCallbackStopsAtOnce();
    void stopFlagSetBeforeStartGivesNothing();
    void stopStringCutsBeforeIt();
    void heldBackTextArrivesAtTheEnd();
    void maxTokens();
    void endsAtEos();
    void promptLongerThanContext();
    void slidingPastTheContext();
    void emptyPrompt();
    void topAlternatives();
    void generateIdsReusesThePrefix();

private:
    Run run(const std::string& prompt, const GenerateOptions& o);
    std::shared_ptr<const Model> model_;
    QJsonArray golden_;
};

void TestGenerate::stopStringsHoldBackAPossibleStart() {
    detail::StopStrings s({"\n\n", "The end"});
    QCOMPARE(s.push("Hello"), std::string("Hello"));
    QCOMPARE(s.push(" world.\n"), std::string(" world."));  // "\n" may start "\n\n"
    QCOMPARE(s.push("Then"), std::string("\nThen"));        // it did not
    QCOMPARE(s.push(" The"), std::string(" "));             // "The" may start "The end"
    QCOMPARE(s.push(" e"), std::string(""));                // "The e" still may
    QVERIFY(!s.matched());
    QCOMPARE(s.push("nd!"), std::string(""));               // complete: nothing after
    QVERIFY(s.matched());
    QCOMPARE(s.push("more"), std::string(""));
    // No stop strings: everything passes at once.
    detail::StopStrings none({});
    QCOMPARE(none.push("a\n"), std::string("a\n"));
    QCOMPARE(none.flush(), std::string(""));
    // Ended for another reason: the held tail comes out of flush().
    detail::StopStrings t({"STOP"});
    QCOMPARE(t.push("go ST"), std::string("go "));
    QCOMPARE(t.flush(), std::string("ST"));
}

void TestGenerate::stopStringsEarliestWins() {
    detail::StopStrings s({"cd", "b"});
    QCOMPARE(s.push("abcd"), std::string("a"));
    QVERIFY(s.matched());
    detail::StopStrings u({"é!"});  // multi-byte: held back whole
    QCOMPARE(u.push("caf\xC3\xA9"), std::string("caf"));
    QCOMPARE(u.push("!"), std::string(""));
    QVERIFY(u.matched());
    detail::StopStrings e({"", "x"});  // "" is ignored, not a match everywhere
    QCOMPARE(e.push("ab"), std::string("ab"));
    QVERIFY(!e.matched());
}

void TestGenerate::stopStringsAcrossManyPushes() {
    // The text arriving one byte at a time gives the same cut as at once.
    const std::string text = "one two three four";
    for (const std::string stop : {"three", "o t", "four", "r", "absent"}) {
        detail::StopStrings whole({stop}), bytes({stop});
        std::string a = whole.push(text), b;
        for (char c : text) b += bytes.push(std::string(1, c));
        if (!whole.matched()) a += whole.flush();
        if (!bytes.matched()) b += bytes.flush();
        const auto at = text.find(stop);
        QCOMPARE(a, text.substr(0, at));
        QCOMPARE(b, a);
    }
}

void TestGenerate::finishReasonNames() {
    QCOMPARE(QString(to_string(FinishReason::Length)), QString("length"));
    QCOMPARE(QString(to_string(FinishReason::Eos)), QString("eos"));
    QCOMPARE(QString(to_string(FinishReason::StopString)), QString("stop_string"));
    QCOMPARE(QString(to_string(FinishReason::Stopped)), QString("stopped"));
    QCOMPARE(QString(to_string(FinishReason::ContextFull)), QString("context_full"));
}

void TestGenerate::statsJsonHasTheFields() {
    GenerationStats s;
    s.prompt_tokens = 3;
    s.reused_tokens = 2;
    s.new_tokens = 7;
    s.decode_tokens_per_s = 12.5;
    s.finish = FinishReason::StopString;
    const QJsonObject o = QJsonDocument::fromJson(QByteArray::fromStdString(stats_to_json(s))).object();
    QCOMPARE(o.value("prompt_tokens").toInt(), 3);
    QCOMPARE(o.value("reused_tokens").toInt(), 2);
    QCOMPARE(o.value("new_tokens").toInt(), 7);
    QCOMPARE(o.value("decode_tokens_per_s").toDouble(), 12.5);
    QCOMPARE(o.value("finish_reason").toString(), QString("stop_string"));
    for (const char* key : {"time_to_first_token_ms", "prefill_tokens_per_s", "total_ms"})
        QVERIFY2(o.contains(key), key);
}

void TestGenerate::initTestCase() {
    const QString bin = kShared + "/models/stories260K/stories260K.bin";
    if (!QFile::exists(bin)) return;  // the model tests skip, the others run
    LoadOptions load;
    load.checkpoint = bin.toStdString();
    load.device = "cpu";
    model_ = Model::load(load);
    QFile f(kShared + "/golden/stories260K_greedy.json");
    QVERIFY(f.open(QIODevice::ReadOnly));
    golden_ = QJsonDocument::fromJson(f.readAll()).object().value("cases").toArray();
    QCOMPARE(golden_.size(), 3);
}

Run TestGenerate::run(const std::string& prompt, const GenerateOptions& o) {
    Session session(model_);
    Run r;
    std::vector<int> generated;
    const auto ids = encode_prompt(session, prompt, o);
    r.stats = generate_ids(
        session, ids, o,
        [&](const TokenEvent& e) {
            r.text += e.delta;
            r.event_ids.push_back(e.id);
        },
        &r.ids);
    return r;
}

void TestGenerate::goldenGreedyIds() {
    REQUIRE_MODEL();
    for (const auto& v : golden_) {
        const QJsonObject c = v.toObject();
        const std::string prompt = c.value("prompt").toString().toStdString();
        std::vector<int> want_prompt, want;
        for (const auto& x : c.value("prompt_ids").toArray()) want_prompt.push_back(x.toInt());
        for (const auto& x : c.value("greedy_ids").toArray()) want.push_back(x.toInt());
        Session session(model_);
        QCOMPARE(encode_prompt(session, prompt, greedy(96)), want_prompt);
        std::string text;
        const Run r = run(prompt, greedy(int(want.size())));
        QCOMPARE(r.ids, want);
        QCOMPARE(r.stats.new_tokens, int(want.size()));
        QCOMPARE(r.stats.prompt_tokens, int(want_prompt.size()));
        QCOMPARE(r.stats.finish, FinishReason::Length);
        // The golden text is prompt + continuation.
        QCOMPARE(QString::fromStdString(prompt + r.text), c.value("text").toString());
    }
}

void TestGenerate::deltasConcatenateToTheDecodedText() {
    REQUIRE_MODEL();
    GenerateOptions o;
    o.sampling.temperature = 1.0f;
    o.sampling.seed = 11;
    o.max_new_tokens = 300;
    for (const std::string prompt : {"", "Tom and Lily"}) {
        const Run r = run(prompt, o);
        QVERIFY(r.stats.new_tokens > 0);
        std::vector<int> all{model_->tokenizer().bos()};
        const auto p = model_->tokenizer().encode(prompt, false);
        all.insert(all.end(), p.begin(), p.end());
        const std::string prompt_text = model_->tokenizer().decode(all);
        all.insert(all.end(), r.ids.begin(), r.ids.end());
        QCOMPARE(QString::fromStdString(prompt_text + r.text),
                 QString::fromStdString(model_->tokenizer().decode(all)));
        // One event per generated token (plus at most one final flush).
        std::vector<int> token_events = r.event_ids;
        if (!token_events.empty() && token_events.back() == -1) token_events.pop_back();
        QCOMPARE(token_events, r.ids);
    }
}

void TestGenerate::sameSeedSameText() {
    REQUIRE_MODEL();
    GenerateOptions o;
    o.sampling.seed = 1234;
    o.max_new_tokens = 80;
    const Run a = run("Once upon a time", o), b = run("Once upon a time", o);
    QCOMPARE(a.ids, b.ids);
    o.sampling.seed = 4321;
    const Run c = run("Once upon a time", o);
    QVERIFY(a.ids != c.ids);
}

void TestGenerate::stopFlagInCallbackStopsAtOnce() {
    REQUIRE_MODEL();
    std::atomic<bool> stop{false};
    GenerateOptions o = greedy(100);
    o.stop_flag = &stop;
    Session session(model_);
    int events = 0;
    const auto stats = generate(session, "Once upon a time", o, [&](const TokenEvent& e) {
        if (e.id >= 0) ++events;
        if (events == 5) stop.store(true);
    });
    QCOMPARE(events, 5);  // not one token more
    QCOMPARE(stats.new_tokens, 5);
    QCOMPARE(stats.finish, FinishReason::Stopped);
}

void TestGenerate::stopFlagSetBeforeStartGivesNothing() {
    REQUIRE_MODEL();
    std::atomic<bool> stop{true};
    GenerateOptions o = greedy(100);
    o.stop_flag = &stop;
    const Run r = run("Once upon a time", o);
    QCOMPARE(r.stats.new_tokens, 0);
    QCOMPARE(r.stats.finish, FinishReason::Stopped);
    QVERIFY(r.text.empty());
}

void TestGenerate::stopStringCutsBeforeIt() {
    REQUIRE_MODEL();
    // Greedy: ", there was a little girl named Lily. She loved to play ..."
    const Run full = run("Once upon a time", greedy(40));
    for (const std::string stop : {"Lily", " girl named", ". She", "play"}) {
        GenerateOptions o = greedy(40);
        o.stop_strings = {"never appears", stop};
        const Run r = run("Once upon a time", o);
        const auto at = full.text.find(stop);
        QVERIFY(at != std::string::npos);
        QCOMPARE(QString::fromStdString(r.text), QString::fromStdString(full.text.substr(0, at)));
        QCOMPARE(r.stats.finish, FinishReason::StopString);
        QVERIFY(r.stats.new_tokens < full.stats.new_tokens);
    }
}

void TestGenerate::heldBackTextArrivesAtTheEnd() {
    REQUIRE_MODEL();
    const Run full = run("Once upon a time", greedy(10));
    // A stop string that starts with the answer's last 3 characters but never
    // completes: those characters are held back, then delivered at the end.
    GenerateOptions o = greedy(10);
    o.stop_strings = {full.text.substr(full.text.size() - 3) + "#"};
    const Run r = run("Once upon a time", o);
    QCOMPARE(r.text, full.text);
    QCOMPARE(r.stats.finish, FinishReason::Length);
    QCOMPARE(r.event_ids.back(), -1);
}

void TestGenerate::maxTokens() {
    REQUIRE_MODEL();
    const Run r = run("Once upon a time", greedy(7));
    QCOMPARE(r.stats.new_tokens, 7);
    QCOMPARE(int(r.ids.size()), 7);
    QCOMPARE(r.stats.finish, FinishReason::Length);
    const Run none = run("Once upon a time", greedy(0));
    QCOMPARE(none.stats.new_tokens, 0);
    QVERIFY(none.event_ids.empty());
    QCOMPARE(none.stats.finish, FinishReason::Length);
    GenerateOptions bad = greedy(-1);
    Session session(model_);
    QVERIFY_THROWS_EXCEPTION(Error, generate(session, "x", bad, {}));
}

void TestGenerate::endsAtEos() {
    REQUIRE_MODEL();
    // TinyStories end a story with BOS/EOS; sampled stories of stories260K end
    // within a few hundred tokens. Some seed among these ends that way.
    const int bos = model_->tokenizer().bos(), eos = model_->tokenizer().eos();
    GenerateOptions o;
    o.sampling.temperature = 1.0f;
    o.max_new_tokens = 500;
    o.overflow = ContextPolicy::Stop;
    bool ended = false;
    for (uint64_t seed = 1; seed <= 12 && !ended; ++seed) {
        o.sampling.seed = seed;
        const Run r = run("", o);
        if (r.stats.finish != FinishReason::Eos) continue;
        ended = true;
        QVERIFY(r.stats.new_tokens < 500);
        for (int id : r.ids) QVERIFY(id != bos && id != eos);  // not part of the answer
        // Without stop_at_eos the same seed runs on past that point.
        GenerateOptions on = o;
        on.stop_at_eos = false;
        const Run longer = run("", on);
        QVERIFY(longer.stats.new_tokens > r.stats.new_tokens);
        QVERIFY(std::equal(r.ids.begin(), r.ids.end(), longer.ids.begin()));
    }
    QVERIFY2(ended, "no sampled story of 12 ended with EOS/BOS within 500 tokens");
}

void TestGenerate::promptLongerThanContext() {
    REQUIRE_MODEL();
    std::string prompt;
    for (int i = 0; i < 200; ++i) prompt += "Once upon a time ";  // ~800 tokens > 512
    Session session(model_);
    const int context = session.context_length();
    const auto ids = encode_prompt(session, prompt, greedy(5));
    QCOMPARE(int(ids.size()), context - 1);            // BOS + the last tokens
    QCOMPARE(ids.front(), model_->tokenizer().bos());
    const auto full = model_->tokenizer().encode(prompt, true);
    QVERIFY(std::equal(ids.begin() + 1, ids.end(), full.end() - (context - 2)));

    GenerateOptions stop = greedy(10);
    stop.overflow = ContextPolicy::Stop;
    const Run r = run(prompt, stop);
    QCOMPARE(r.stats.prompt_tokens, context - 1);
    QCOMPARE(r.stats.new_tokens, 2);  // one fed back, one more from the full cache
    QCOMPARE(r.stats.finish, FinishReason::ContextFull);
    const Run slide = run(prompt, greedy(10));
    QCOMPARE(slide.stats.new_tokens, 10);
    QCOMPARE(slide.stats.finish, FinishReason::Length);
    // generate_ids with over-long ids: the same rule.
    Session s2(model_);
    const auto st = generate_ids(s2, full, greedy(3), {});
    QCOMPARE(st.prompt_tokens, context - 1);
    QCOMPARE(st.new_tokens, 3);
}

void TestGenerate::slidingPastTheContext() {
    REQUIRE_MODEL();
    std::string prompt;
    for (int i = 0; i < 100; ++i) prompt += "Once upon a time ";
    Session session(model_);
    const int context = session.context_length();
    const int n = int(encode_prompt(session, prompt, greedy(1)).size());
    QVERIFY(n < context - 20);
    GenerateOptions o = greedy(context - n + 30);  // 30 past the end
    std::vector<int> ids;
    const auto stats = generate_ids(session, encode_prompt(session, prompt, o), o, {}, &ids);
    QCOMPARE(stats.new_tokens, context - n + 30);
    QCOMPARE(stats.finish, FinishReason::Length);
    QVERIFY(session.position() <= context);
    QCOMPARE(session.history().front(), model_->tokenizer().bos());  // BOS kept
    // One slide of half the context, not one per token (which would re-prefill
    // the whole window for every new token): about context/2 + 30 remain.
    QVERIFY2(session.position() > context / 2 && session.position() < context / 2 + 40,
             qPrintable(QString::number(session.position())));
}

void TestGenerate::emptyPrompt() {
    REQUIRE_MODEL();
    // With BOS: the model starts from BOS alone (golden case 0).
    Session session(model_);
    QCOMPARE(encode_prompt(session, "", greedy(5)), std::vector<int>{model_->tokenizer().bos()});
    const Run r = run("", greedy(5));
    QCOMPARE(r.stats.prompt_tokens, 1);
    QCOMPARE(r.stats.new_tokens, 5);
    // Without BOS there is nothing to start from: a clear error.
    GenerateOptions no_bos = greedy(5);
    no_bos.add_bos = false;
    try {
        generate(session, "", no_bos, {});
        QFAIL("an empty prompt without BOS did not throw");
    } catch (const Error& e) {
        QCOMPARE(e.kind(), ErrorKind::InvalidArgument);
        QVERIFY(QString(e.what()).contains("empty prompt"));
    }
    QVERIFY_THROWS_EXCEPTION(Error, generate_ids(session, {}, greedy(5), {}));
    QVERIFY_THROWS_EXCEPTION(Error, generate_ids(session, {1, 100000}, greedy(5), {}));
}

void TestGenerate::topAlternatives() {
    REQUIRE_MODEL();
    GenerateOptions o;
    o.sampling.seed = 3;
    o.max_new_tokens = 12;
    o.top_alternatives = 5;
    Session session(model_);
    int checked = 0;
    std::string pieces, deltas;
    generate(session, "Once upon a time", o, [&](const TokenEvent& e) {
        deltas += e.delta;
        if (e.id < 0) return;
        QCOMPARE(int(e.top.size()), 5);
        QVERIFY(e.probability > 0.0f && e.probability <= 1.0f);
        for (size_t i = 1; i < e.top.size(); ++i) QVERIFY(e.top[i - 1].p >= e.top[i].p);
        QVERIFY(e.top[0].p >= e.probability);
        // A readable piece for the token and for each alternative, in order.
        QCOMPARE(e.top_pieces.size(), e.top.size());
        for (size_t i = 0; i < e.top.size(); ++i)
            if (e.top[i].id == e.id) QCOMPARE(e.top_pieces[i], e.piece);
        pieces += e.piece;
        ++checked;
    });
    QCOMPARE(checked, 12);
    QCOMPARE(pieces, deltas);  // stories260K's pieces here are whole characters: they spell the answer
    // Without alternatives nothing is spelled out (the CLI's path stays as cheap as before).
    o.top_alternatives = 0;
    generate(session, "Once upon a time", o, [&](const TokenEvent& e) {
        QVERIFY(e.piece.empty());
        QVERIFY(e.top_pieces.empty());
    });
}

void TestGenerate::generateIdsReusesThePrefix() {
    REQUIRE_MODEL();
    Session session(model_);
    const auto ids = encode_prompt(session, "Tom and Lily went to the park.", greedy(20));
    std::vector<int> first, second;
    QCOMPARE(generate_ids(session, ids, greedy(20), {}, &first).reused_tokens, 0);  // a fresh session
    // The session now holds prompt + answer; the same prompt again reuses all
    // of it but the last id (whose logits the first token comes from).
    const GenerationStats again = generate_ids(session, ids, greedy(20), {}, &second);
    QCOMPARE(again.reused_tokens, int(ids.size()) - 1);
    QCOMPARE(second, first);
    // Continuing the conversation: prompt + answer as the new prompt; only
    // its last id is fed again.
    std::vector<int> longer = ids;
    longer.insert(longer.end(), first.begin(), first.end() - 1);
    std::vector<int> third;
    const GenerationStats cont = generate_ids(session, longer, greedy(1), {}, &third);
    QCOMPARE(cont.reused_tokens, int(longer.size()) - 1);
    QCOMPARE(third, std::vector<int>{first.back()});
    // A different prompt shares nothing past the BOS.
    std::vector<int> other = encode_prompt(session, "A cat sat on a mat.", greedy(1));
    QVERIFY(generate_ids(session, other, greedy(1), {}).reused_tokens <= 1);
}

QTEST_GUILESS_MAIN(TestGenerate)
#include "tst_generate.moc"
