// Request validation (server/request_validation.h) and the rate limiter,
// without a model or a socket: every bad input gets a 4xx error naming the
// field, every good one the values it asked for.
#include <QtTest/QtTest>

#include "rate_limiter.h"
#include "request_validation.h"

using namespace waypoint::server;

namespace {

template <class T>
ApiError error_of(const Parsed<T>& p) {
    if (const ApiError* e = std::get_if<ApiError>(&p)) return *e;
    return ApiError{0, "(accepted)", "", "", ""};
}

}  // namespace

class TestServerRequests : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void completionDefaults() {
        const auto p = parse_completion_request(R"({"model":"m","prompt":"123+456="})");
        QVERIFY(std::holds_alternative<CompletionRequest>(p));
        const CompletionRequest& r = std::get<CompletionRequest>(p);
        QCOMPARE(r.prompts.size(), size_t(1));
        QCOMPARE(QString::fromStdString(r.prompts[0]), QStringLiteral("123+456="));
        QCOMPARE(r.sampling.model, std::string("m"));
        QVERIFY(!r.sampling.max_tokens.has_value());
        QCOMPARE(r.sampling.temperature, 1.0f);
        QCOMPARE(r.sampling.top_p, 1.0f);
        QCOMPARE(r.sampling.n, 1);
        QVERIFY(!r.sampling.stream);
        QVERIFY(!r.logprobs.has_value());
    }

    void completionAllFields() {
        const auto p = parse_completion_request(
            R"({"prompt":["a","b"],"max_tokens":5,"temperature":0,"top_p":0.5,"stop":["\n","x"],"seed":-1,)"
            R"("n":2,"stream":true,"stream_options":{"include_usage":true},"logprobs":3,"echo":true,"top_k":7,)"
            R"("unknown_field":{"ignored":true}})");
        QVERIFY(std::holds_alternative<CompletionRequest>(p));
        const CompletionRequest& r = std::get<CompletionRequest>(p);
        QCOMPARE(r.prompts.size(), size_t(2));
        QCOMPARE(*r.sampling.max_tokens, 5);
        QCOMPARE(r.sampling.temperature, 0.0f);
        QCOMPARE(r.sampling.top_p, 0.5f);
        QCOMPARE(r.sampling.stop.size(), size_t(2));
        QCOMPARE(*r.sampling.seed, ~uint64_t(0));  // -1 by its bits
        QCOMPARE(r.sampling.n, 2);
        QVERIFY(r.sampling.stream && r.sampling.include_usage);
        QCOMPARE(*r.logprobs, 3);
        QVERIFY(r.echo);
        QCOMPARE(r.sampling.top_k, 7);
    }

    void badCompletions_data() {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("param");  // "" = the body as a whole
        QTest::addColumn<QString>("says");   // part of the message
        QTest::newRow("not json") << QByteArray(R"({"prompt": "x",)") << "" << "not valid JSON";
        QTest::newRow("empty body") << QByteArray("") << "" << "not valid JSON";
        QTest::newRow("array body") << QByteArray(R"([1,2])") << "" << "must be a JSON object";
        QTest::newRow("no prompt") << QByteArray(R"({"model":"m"})") << "prompt" << "required";
        QTest::newRow("prompt number") << QByteArray(R"({"prompt":5})") << "prompt" << "an integer";
        QTest::newRow("prompt token ids") << QByteArray(R"({"prompt":[1,2]})") << "prompt" << "token-id";
        QTest::newRow("prompt empty list") << QByteArray(R"({"prompt":[]})") << "prompt" << "empty list";
        QTest::newRow("negative max_tokens") << QByteArray(R"({"prompt":"x","max_tokens":-1})") << "max_tokens" << "between 1";
        QTest::newRow("zero max_tokens") << QByteArray(R"({"prompt":"x","max_tokens":0})") << "max_tokens" << "between 1";
        QTest::newRow("fractional max_tokens") << QByteArray(R"({"prompt":"x","max_tokens":2.5})") << "max_tokens" << "integer";
        QTest::newRow("string max_tokens") << QByteArray(R"({"prompt":"x","max_tokens":"8"})") << "max_tokens" << "a string";
        QTest::newRow("huge max_tokens") << QByteArray(R"({"prompt":"x","max_tokens":18446744073709551615})") << "max_tokens" << "between";
        QTest::newRow("negative temperature") << QByteArray(R"({"prompt":"x","temperature":-0.1})") << "temperature" << "between 0";
        QTest::newRow("temperature too high") << QByteArray(R"({"prompt":"x","temperature":2.5})") << "temperature" << "between 0";
        QTest::newRow("temperature string") << QByteArray(R"({"prompt":"x","temperature":"hot"})") << "temperature" << "a number";
        QTest::newRow("top_p above 1") << QByteArray(R"({"prompt":"x","top_p":1.5})") << "top_p" << "between 0";
        QTest::newRow("top_p negative") << QByteArray(R"({"prompt":"x","top_p":-1})") << "top_p" << "between 0";
        QTest::newRow("n zero") << QByteArray(R"({"prompt":"x","n":0})") << "n" << "between 1";
        QTest::newRow("n too many") << QByteArray(R"({"prompt":"x","n":100})") << "n" << "between 1";
        QTest::newRow("stop number") << QByteArray(R"({"prompt":"x","stop":3})") << "stop" << "string or a list";
        QTest::newRow("stop too many") << QByteArray(R"({"prompt":"x","stop":["a","b","c","d","e"]})") << "stop" << "at most 4";
        QTest::newRow("stop empty string") << QByteArray(R"({"prompt":"x","stop":""})") << "stop" << "empty";
        QTest::newRow("stop list of numbers") << QByteArray(R"({"prompt":"x","stop":[1]})") << "stop" << "strings";
        QTest::newRow("seed string") << QByteArray(R"({"prompt":"x","seed":"7"})") << "seed" << "integer";
        QTest::newRow("stream string") << QByteArray(R"({"prompt":"x","stream":"yes"})") << "stream" << "true or false";
        QTest::newRow("stream_options without stream") << QByteArray(R"({"prompt":"x","stream_options":{}})") << "stream_options" << "only allowed";
        QTest::newRow("logprobs too many") << QByteArray(R"({"prompt":"x","logprobs":6})") << "logprobs" << "between 0";
        QTest::newRow("model number") << QByteArray(R"({"prompt":"x","model":1})") << "model" << "a string";
        QTest::newRow("best_of") << QByteArray(R"({"prompt":"x","best_of":3})") << "best_of" << "between 1";
        QTest::newRow("NaN-like number") << QByteArray(R"({"prompt":"x","temperature":1e999})") << "" << "not valid JSON";
    }
    void badCompletions() {
        QFETCH(QByteArray, body);
        QFETCH(QString, param);
        QFETCH(QString, says);
        const ApiError e = error_of(parse_completion_request(std::string_view(body.constData(), size_t(body.size()))));
        QCOMPARE(e.status, 400);
        QCOMPARE(QString::fromStdString(e.param), param);
        QCOMPARE(QString::fromStdString(e.type), QStringLiteral("invalid_request_error"));
        QVERIFY2(QString::fromStdString(e.message).contains(says), e.message.c_str());
        if (!param.isEmpty()) QVERIFY2(QString::fromStdString(e.message).contains(param), e.message.c_str());
    }

    void chat() {
        const auto p = parse_chat_request(
            R"({"messages":[{"role":"developer","content":"be brief"},{"role":"user","content":[{"type":"text","text":"1+"},{"type":"text","text":"1="}]}],)"
            R"("logprobs":true,"top_logprobs":2,"max_completion_tokens":9})");
        QVERIFY(std::holds_alternative<ChatRequest>(p));
        const ChatRequest& r = std::get<ChatRequest>(p);
        QCOMPARE(r.messages.size(), size_t(2));
        QCOMPARE(r.messages[0].role, std::string("system"));
        QCOMPARE(r.messages[1].content, std::string("1+1="));
        QVERIFY(r.logprobs);
        QCOMPARE(r.top_logprobs, 2);
        QCOMPARE(*r.sampling.max_tokens, 9);
    }

    void badChats_data() {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("param");
        QTest::newRow("no messages") << QByteArray(R"({"model":"m"})") << "messages";
        QTest::newRow("messages not a list") << QByteArray(R"({"messages":"hi"})") << "messages";
        QTest::newRow("messages empty") << QByteArray(R"({"messages":[]})") << "messages";
        QTest::newRow("message not an object") << QByteArray(R"({"messages":["hi"]})") << "messages[0]";
        QTest::newRow("no role") << QByteArray(R"({"messages":[{"content":"hi"}]})") << "messages[0].role";
        QTest::newRow("unknown role") << QByteArray(R"({"messages":[{"role":"wizard","content":"hi"}]})") << "messages[0].role";
        QTest::newRow("content number") << QByteArray(R"({"messages":[{"role":"user","content":1}]})") << "messages[0].content";
        QTest::newRow("image part") << QByteArray(R"({"messages":[{"role":"user","content":[{"type":"image_url","image_url":{}}]}]})") << "messages[0].content";
        QTest::newRow("top_logprobs without logprobs") << QByteArray(R"({"messages":[{"role":"user","content":"x"}],"top_logprobs":2})") << "top_logprobs";
        QTest::newRow("top_logprobs too many") << QByteArray(R"({"messages":[{"role":"user","content":"x"}],"logprobs":true,"top_logprobs":21})") << "top_logprobs";
        QTest::newRow("tools") << QByteArray(R"({"messages":[{"role":"user","content":"x"}],"tools":[{"type":"function"}]})") << "tools";
        QTest::newRow("json mode") << QByteArray(R"({"messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_object"}})") << "response_format";
        QTest::newRow("negative max_tokens") << QByteArray(R"({"messages":[{"role":"user","content":"x"}],"max_tokens":-5})") << "max_tokens";
    }
    void badChats() {
        QFETCH(QByteArray, body);
        QFETCH(QString, param);
        const ApiError e = error_of(parse_chat_request(std::string_view(body.constData(), size_t(body.size()))));
        QCOMPARE(e.status, 400);
        QCOMPARE(QString::fromStdString(e.param), param);
    }

    void generate() {
        const auto ok = parse_generate_request(R"({"prompt":"1+1=","max_new_tokens":4,"do_sample":true,"top_k":5})");
        QVERIFY(std::holds_alternative<GenerateRequest>(ok));
        QCOMPARE(std::get<GenerateRequest>(ok).max_new_tokens, 4);
        QVERIFY(std::get<GenerateRequest>(ok).do_sample);
        QCOMPARE(QString::fromStdString(error_of(parse_generate_request(R"({"max_new_tokens":4})")).param),
                 QStringLiteral("prompt"));
        QCOMPARE(QString::fromStdString(error_of(parse_generate_request(R"({"prompt":"x","max_new_tokens":-4})")).param),
                 QStringLiteral("max_new_tokens"));
        QCOMPARE(QString::fromStdString(error_of(parse_generate_request(R"({"prompt":"x","top_p":2})")).param),
                 QStringLiteral("top_p"));
    }

    void errorJson() {
        const std::string j = error_json(bad_request("'top_p' must be between 0 and 1", "top_p"));
        QCOMPARE(QString::fromStdString(j),
                 QStringLiteral(R"({"error":{"message":"'top_p' must be between 0 and 1","type":"invalid_request_error","param":"top_p","code":null}})"));
    }

    void tokenBucket() {
        RateLimiter limiter(2.0, 3.0);  // 2 a second, 3 at once
        const auto t0 = RateLimiter::Clock::now();
        for (int i = 0; i < 3; ++i) QVERIFY(limiter.take("a", t0).allowed);
        const auto refused = limiter.take("a", t0);
        QVERIFY(!refused.allowed);
        QCOMPARE(refused.retry_after_s, 1);
        QVERIFY(limiter.take("b", t0).allowed);  // per client
        QVERIFY(limiter.take("a", t0 + std::chrono::milliseconds(500)).allowed);  // one token back after 0.5 s
        QVERIFY(!limiter.take("a", t0 + std::chrono::milliseconds(500)).allowed);
        RateLimiter off(0, 0);
        for (int i = 0; i < 1000; ++i) QVERIFY(off.take("a", t0).allowed);
    }
};

QTEST_GUILESS_MAIN(TestServerRequests)
#include "tst_server_requests.moc"
