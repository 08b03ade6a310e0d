// Batched decoding (waypoint/batch.h) on real checkpoints: the Llama
// stories260K and aidreams260K (../shared/models), the project's demo
// checkpoint (resources/demo), and the GPT-2-family slm4096 (no batched step:
// its slots decode one after the other). Every request's answer must be the
// one generate_ids() gives it alone: greedy and seeded sampling, prompts of
// different lengths, more requests than slots (joining and leaving mid-run),
// different budgets, cancel, prefix reuse, the decoder's own thread, bf16
// weights; plus the batched step's logits against Session::step bit for bit.
#include <QtTest/QtTest>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "model/batch_step.h"
#include "model/session_counters.h"
#include "waypoint/batch.h"
#include "waypoint/error.h"
#include "waypoint/generate.h"
#include "waypoint/model.h"
#include "waypoint/session.h"

using namespace waypoint;

namespace {

const std::string kShared = WAYPOINT_SHARED_DIR;
const std::string kStories = kShared + "/models/stories260K/stories260K.bin";
const std::string kDreams = kShared + "/models/aidreams260K/aidreams260K.bin";
const std::string kSlm = kShared + "/models/slm4096/ckpt.pt";
const std::string kDemo = std::string(WAYPOINT_SOURCE_DIR) + "/resources/demo/arith-step004000";

bool exists(const std::string& p) { return QFileInfo::exists(QString::fromStdString(p)); }

std::shared_ptr<const Model> load(const std::string& path, const std::string& dtype = "auto") {
    LoadOptions o;
    o.checkpoint = path;
    o.device = "cpu";
    o.dtype = dtype;
    return Model::load(o);
}

GenerateOptions greedy(int max_tokens) {
    GenerateOptions o;
    o.sampling.temperature = 0.0f;
    o.max_new_tokens = max_tokens;
    return o;
}

struct Answer {
    std::vector<int> ids;
    std::string text;
    FinishReason finish = FinishReason::Length;
    int new_tokens = 0;
    std::string error;
};

// The reference: one fresh Session, generate_ids.
Answer alone(const std::shared_ptr<const Model>& model, const std::vector<int>& prompt, const GenerateOptions& o) {
    Session s(model);
    Answer a;
    GenerationStats st = generate_ids(s, prompt, o, [&](const TokenEvent& e) { a.text += e.delta; }, &a.ids);
    a.finish = st.finish;
    a.new_tokens = st.new_tokens;
    return a;
}

std::vector<int> encode(const std::shared_ptr<const Model>& model, const std::string& text) {
    Session s(model);
    return encode_prompt(s, text, GenerateOptions{});
}

// Submits every (prompt, options) to a decoder with `slots` slots, steps it
// on this thread, and returns the answers in order.
std::vector<Answer> batched(const std::shared_ptr<const Model>& model, const std::vector<std::vector<int>>& prompts,
                            const std::vector<GenerateOptions>& options, int slots, int* max_active = nullptr) {
    BatchDecoder d(model, BatchOptions{slots});
    std::vector<Answer> out(prompts.size());
    for (size_t i = 0; i < prompts.size(); ++i) {
        BatchRequest r;
        r.prompt_ids = prompts[i];
        r.options = options[i];
        r.on_token = [&out, i](const TokenEvent& e) { out[i].text += e.delta; };
        r.on_done = [&out, i](const BatchResult& res) {
            out[i].ids = res.generated_ids;
            out[i].finish = res.stats.finish;
            out[i].new_tokens = res.stats.new_tokens;
            out[i].error = res.error;
        };
        d.submit(std::move(r));
    }
    int most = 0;
    while (d.step()) most = std::max(most, d.active());
    if (max_active) *max_active = most;
    return out;
}

void compare(const std::vector<Answer>& got, const std::vector<Answer>& want) {
    QCOMPARE(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) {
        QVERIFY2(got[i].error.empty(), got[i].error.c_str());
        QVERIFY2(got[i].ids == want[i].ids, qPrintable(QString("request %1: other ids than alone").arg(i)));
        QCOMPARE(got[i].text, want[i].text);
        QCOMPARE(int(got[i].finish), int(want[i].finish));
    }
}

}  // namespace

class TestBatch : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void batchedStepLogitsSameBitsAsSessionStep();
    void greedyAnswersEqualAloneWithSlotsJoiningAndLeaving();
    void seededSamplingEqualsAlone();
    void demoCheckpointAnswersSums();
    void secondModelAndBf16Weights();
    void gpt2FamilyDecodesOneAfterTheOther();
    void cancelFreesTheSlotAtOnce();
    void cancelQueuedRequest();
    void stopFlagOfTheRequestIsHonoured();
    void extendingAConversationReusesTheSlotsPrefix();
    void ownThreadServesManySubmitters();
    void badRequestFailsAloneOthersGoOn();
    void badOptions();

private:
    std::shared_ptr<const Model> stories_;
    std::vector<std::vector<int>> prompts_;
};

#define REQUIRE_STORIES() \
    if (!stories_) QSKIP("../shared/models/stories260K/stories260K.bin is not there")

void TestBatch::initTestCase() {
    if (!exists(kStories)) return;
    stories_ = load(kStories);
    // Prompts of different lengths (a bare BOS too).
    for (const char* p : {"Once upon a time", "", "The little dog ran to the park because",
                          "Lily and Ben were friends. One day they found a big red ball in the garden and",
                          "Tom", "She said", "A cat sat on the mat. The cat was happy.", "Sam liked to"})
        prompts_.push_back(encode(stories_, p));
}

void TestBatch::batchedStepLogitsSameBitsAsSessionStep() {
    REQUIRE_STORIES();
    const int n = 5;
    waypoint::detail::SessionBatch batch(*stories_, n);
    QVERIFY(batch.batched());
    std::vector<std::unique_ptr<Session>> alone, together;
    std::vector<std::vector<float>> logits(n, std::vector<float>(size_t(stories_->vocab_size())));
    std::vector<int> next(n);
    for (int b = 0; b < n; ++b) {
        alone.push_back(std::make_unique<Session>(stories_));
        together.push_back(std::make_unique<Session>(stories_));
        alone[b]->prefill(prompts_[size_t(b)]);
        logits[size_t(b)] = together[b]->prefill(prompts_[size_t(b)]);
        next[size_t(b)] = argmax(logits[size_t(b)]);
    }
    for (int t = 0; t < 40; ++t) {
        std::vector<Session*> s;
        std::vector<float*> out;
        for (int b = 0; b < n; ++b) {
            s.push_back(together[b].get());
            out.push_back(logits[size_t(b)].data());
        }
        batch.step(s.data(), next.data(), n, out.data());
        for (int b = 0; b < n; ++b) {
            const std::vector<float>& want = alone[b]->step(next[size_t(b)]);
            QVERIFY2(std::memcmp(want.data(), logits[size_t(b)].data(), sizeof(float) * want.size()) == 0,
                     qPrintable(QString("step %1, session %2: logits differ").arg(t).arg(b)));
            QCOMPARE(together[b]->history(), alone[b]->history());
            next[size_t(b)] = argmax(logits[size_t(b)]);
        }
    }
}

void TestBatch::greedyAnswersEqualAloneWithSlotsJoiningAndLeaving() {
    REQUIRE_STORIES();
    std::vector<GenerateOptions> opts;
    std::vector<Answer> want;
    for (size_t i = 0; i < prompts_.size(); ++i) {
        // Different budgets: slots free at different steps; EOS may end some.
        opts.push_back(greedy(int(10 + 23 * i % 70)));
        want.push_back(alone(stories_, prompts_[i], opts.back()));
    }
    for (int slots : {1, 3, 8, 16}) {
        int most = 0;
        compare(batched(stories_, prompts_, opts, slots, &most), want);
        QCOMPARE(most, std::min<int>(slots, int(prompts_.size())));
    }
}

void TestBatch::seededSamplingEqualsAlone() {
    REQUIRE_STORIES();
    std::vector<GenerateOptions> opts;
    std::vector<Answer> want;
    for (size_t i = 0; i < prompts_.size(); ++i) {
        GenerateOptions o;
        o.sampling.temperature = 0.9f;
        o.sampling.top_p = 0.9f;
        o.sampling.repeat_penalty = 1.1f;
        o.sampling.seed = 1000 + i;
        o.max_new_tokens = 48;
        o.stop_strings = {"."};
        opts.push_back(o);
        want.push_back(alone(stories_, prompts_[i], o));
    }
    compare(batched(stories_, prompts_, opts, 4), want);
}

void TestBatch::demoCheckpointAnswersSums() {
    // Part of the repository, not of ../shared: missing means a broken checkout.
    QVERIFY2(exists(kDemo), "resources/demo/arith-step004000 is missing from this checkout");
    auto model = load(kDemo);
    std::vector<std::vector<int>> prompts;
    std::vector<GenerateOptions> opts;
    std::vector<Answer> want;
    for (const char* p : {"123+456=", "700-299=", "5+5=", "999+1=", "314-159="}) {
        prompts.push_back(encode(model, p));
        opts.push_back(greedy(8));
        want.push_back(alone(model, prompts.back(), opts.back()));
    }
    const std::vector<Answer> got = batched(model, prompts, opts, 3);
    compare(got, want);
    QVERIFY2(got[0].text.rfind("579", 0) == 0, got[0].text.c_str());
}

void TestBatch::secondModelAndBf16Weights() {
    if (!exists(kDreams)) QSKIP("../shared/models/aidreams260K is not there");
    for (const char* dtype : {"fp32", "bf16"}) {
        auto model = load(kDreams, dtype);
        std::vector<std::vector<int>> prompts;
        std::vector<GenerateOptions> opts;
        std::vector<Answer> want;
        for (const char* p : {"I dreamed", "The machine", "", "In the night the lights of the city"}) {
            prompts.push_back(encode(model, p));
            opts.push_back(greedy(60));
            want.push_back(alone(model, prompts.back(), opts.back()));
        }
        compare(batched(model, prompts, opts, 4), want);
    }
}

void TestBatch::gpt2FamilyDecodesOneAfterTheOther() {
    if (!exists(kSlm)) QSKIP("../shared/models/slm4096/ckpt.pt is not there");
    auto model = load(kSlm);
    QVERIFY(!waypoint::detail::SessionBatch(*model, 4).batched());
    std::vector<std::vector<int>> prompts;
    std::vector<GenerateOptions> opts;
    std::vector<Answer> want;
    for (const char* p : {"First", "The king said", "O"}) {
        prompts.push_back(encode(model, p));
        opts.push_back(greedy(30));
        want.push_back(alone(model, prompts.back(), opts.back()));
    }
    compare(batched(model, prompts, opts, 2), want);
}

void TestBatch::cancelFreesTheSlotAtOnce() {
    REQUIRE_STORIES();
    BatchDecoder d(stories_, BatchOptions{2});
    BatchDecoder::RequestId victim = 0;
    int victim_tokens = 0, active_after_cancel = -1;
    BatchResult victim_result, other_result;
    BatchRequest a;
    a.prompt_ids = prompts_[0];
    a.options = greedy(200);
    a.options.stop_at_eos = false;
    a.on_token = [&](const TokenEvent& e) {
        if (e.id >= 0 && ++victim_tokens == 3) QVERIFY(d.cancel(victim));
    };
    a.on_done = [&](const BatchResult& r) { victim_result = r; };
    victim = d.submit(std::move(a));
    BatchRequest b;
    b.prompt_ids = prompts_[2];
    b.options = greedy(20);
    b.on_done = [&](const BatchResult& r) { other_result = r; };
    d.submit(std::move(b));
    // The third waits for a slot and takes the victim's.
    bool third_done = false;
    BatchRequest c;
    c.prompt_ids = prompts_[4];
    c.options = greedy(5);
    c.on_done = [&](const BatchResult&) { third_done = true; };
    d.submit(std::move(c));
    while (d.step()) {
        if (victim_result.stats.finish == FinishReason::Stopped && active_after_cancel < 0)
            active_after_cancel = d.active() + d.queued();
    }
    QCOMPARE(int(victim_result.stats.finish), int(FinishReason::Stopped));
    QCOMPARE(victim_result.stats.new_tokens, 3);  // no token after the one that cancelled it
    QCOMPARE(victim_result.generated_ids.size(), size_t(3));
    QVERIFY(third_done);
    QCOMPARE(other_result.generated_ids, alone(stories_, prompts_[2], greedy(20)).ids);
    QVERIFY(!d.cancel(victim));  // finished: unknown now
}

void TestBatch::cancelQueuedRequest() {
    REQUIRE_STORIES();
    BatchDecoder d(stories_, BatchOptions{1});
    bool done = false;
    BatchResult result;
    BatchRequest r;
    r.prompt_ids = prompts_[0];
    r.on_done = [&](const BatchResult& res) {
        done = true;
        result = res;
    };
    const auto id = d.submit(std::move(r));
    QCOMPARE(d.queued(), 1);
    QVERIFY(d.cancel(id));
    QVERIFY(done);  // at once, on this thread
    QCOMPARE(int(result.stats.finish), int(FinishReason::Stopped));
    QCOMPARE(d.queued(), 0);
    QVERIFY(!d.step());
    QVERIFY(!d.cancel(id));
}

void TestBatch::stopFlagOfTheRequestIsHonoured() {
    REQUIRE_STORIES();
    std::atomic<bool> stop{false};
    BatchDecoder d(stories_, BatchOptions{2});
    BatchResult result;
    BatchRequest r;
    r.prompt_ids = prompts_[0];
    r.options = greedy(100);
    r.options.stop_at_eos = false;
    r.options.stop_flag = &stop;
    r.on_token = [&](const TokenEvent& e) {
        if (e.index == 4) stop = true;
    };
    r.on_done = [&](const BatchResult& res) { result = res; };
    d.submit(std::move(r));
    d.run_until_idle();
    QCOMPARE(int(result.stats.finish), int(FinishReason::Stopped));
    QCOMPARE(result.stats.new_tokens, 5);
}

void TestBatch::extendingAConversationReusesTheSlotsPrefix() {
    REQUIRE_STORIES();
    BatchDecoder d(stories_, BatchOptions{3});
    // Fill all three slots with different histories first.
    std::vector<BatchResult> first(3);
    for (int i = 0; i < 3; ++i) {
        BatchRequest r;
        r.prompt_ids = prompts_[size_t(2 + i)];
        r.options = greedy(30);
        r.on_done = [&first, i](const BatchResult& res) { first[size_t(i)] = res; };
        d.submit(std::move(r));
    }
    d.run_until_idle();
    // The second turn of request 1: its prompt, its answer, more text.
    std::vector<int> next = prompts_[3];
    next.insert(next.end(), first[1].generated_ids.begin(), first[1].generated_ids.end());
    const std::vector<int> more = stories_->tokenizer().encode(" Then they went home.", false);
    next.insert(next.end(), more.begin(), more.end());

    BatchResult second;
    BatchRequest r;
    r.prompt_ids = next;
    r.options = greedy(25);
    r.on_done = [&](const BatchResult& res) { second = res; };
    d.submit(std::move(r));
    const int64_t before = waypoint::detail::tokens_computed();
    d.run_until_idle();
    const int64_t computed = waypoint::detail::tokens_computed() - before;
    QVERIFY2(second.error.empty(), second.error.c_str());
    // Everything the slot held was reused (the last fed answer token aside).
    QVERIFY2(second.stats.reused_tokens >= int(prompts_[3].size() + first[1].generated_ids.size()) - 1,
             qPrintable(QString("reused %1").arg(second.stats.reused_tokens)));
    QCOMPARE(computed, int64_t(int(next.size()) - second.stats.reused_tokens + second.stats.new_tokens - 1));
    QCOMPARE(second.generated_ids, alone(stories_, next, greedy(25)).ids);
}

void TestBatch::ownThreadServesManySubmitters() {
    REQUIRE_STORIES();
    BatchDecoder d(stories_, BatchOptions{4});
    d.start();
    std::mutex mu;
    std::condition_variable cv;
    int done = 0;
    const int clients = 4, each = 3;
    std::vector<std::vector<int>> got(clients * each);
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
        threads.emplace_back([&, c] {
            for (int k = 0; k < each; ++k) {
                const int i = c * each + k;
                BatchRequest r;
                r.prompt_ids = prompts_[size_t(i) % prompts_.size()];
                r.options = greedy(20 + i);
                r.on_done = [&, i](const BatchResult& res) {
                    std::lock_guard<std::mutex> lock(mu);
                    got[size_t(i)] = res.generated_ids;
                    ++done;
                    cv.notify_all();
                };
                d.submit(std::move(r));
                std::this_thread::sleep_for(std::chrono::milliseconds(2 * c));
            }
        });
    }
    for (auto& t : threads) t.join();
    {
        std::unique_lock<std::mutex> lock(mu);
        QVERIFY(cv.wait_for(lock, std::chrono::seconds(120), [&] { return done == clients * each; }));
    }
    d.stop();
    for (int i = 0; i < clients * each; ++i)
        QCOMPARE(got[size_t(i)], alone(stories_, prompts_[size_t(i) % prompts_.size()], greedy(20 + i)).ids);
    QVERIFY(d.batched_steps() > 0);
    QVERIFY(d.batched_tokens() > d.batched_steps());  // some steps did run several slots
}

void TestBatch::badRequestFailsAloneOthersGoOn() {
    REQUIRE_STORIES();
    std::vector<std::vector<int>> prompts = {prompts_[0], {1, 99999}, prompts_[2]};
    std::vector<GenerateOptions> opts = {greedy(20), greedy(20), greedy(20)};
    opts.push_back(greedy(20));
    opts[3].sampling.min_p = 2.0f;  // invalid
    prompts.push_back(prompts_[3]);
    const std::vector<Answer> got = batched(stories_, prompts, opts, 2);
    QVERIFY(got[0].error.empty());
    QVERIFY2(got[1].error.find("99999") != std::string::npos, got[1].error.c_str());
    QVERIFY(got[2].error.empty());
    QVERIFY2(got[3].error.find("min_p") != std::string::npos, got[3].error.c_str());
    QCOMPARE(got[0].ids, alone(stories_, prompts[0], greedy(20)).ids);
    QCOMPARE(got[2].ids, alone(stories_, prompts[2], greedy(20)).ids);
}

void TestBatch::badOptions() {
    REQUIRE_STORIES();
    QVERIFY_THROWS_EXCEPTION(Error, BatchDecoder(stories_, BatchOptions{0}));
    QVERIFY_THROWS_EXCEPTION(Error, BatchDecoder(nullptr, BatchOptions{1}));
    // generate_batch: results in prompt order, equal to alone.
    const std::vector<BatchResult> r = generate_batch(stories_, {prompts_[0], prompts_[1]}, greedy(15), 8);
    QCOMPARE(r.size(), size_t(2));
    QCOMPARE(r[0].generated_ids, alone(stories_, prompts_[0], greedy(15)).ids);
    QCOMPARE(r[1].generated_ids, alone(stories_, prompts_[1], greedy(15)).ids);
}

QTEST_GUILESS_MAIN(TestBatch)
#include "tst_batch.moc"
