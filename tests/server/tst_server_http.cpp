// waypoint-server over raw HTTP on 127.0.0.1 with the demo checkpoint: the
// first stdout line, the endpoints' shapes, greedy answers equal to
// waypoint-cli's, and every kind of bad input (4xx with an OpenAI-style error
// naming the field, the server still answering afterwards), the body limit,
// the API key, the rate limit, a client leaving mid-stream, the request
// timeout and the SIGTERM drain.
#include <QtTest/QtTest>

#include "server_process.h"

// (No raw string literals here: Qt 6.4's moc loses the class after some of them.)

using namespace server_test;

namespace {

QString cli_greedy(const QString& prompt, int max_tokens) {
    QProcess p;
    p.start(QStringLiteral(WAYPOINT_CLI), {"--checkpoint", demo_checkpoint(), "--greedy", "--prompt", prompt,
                                           "--max-tokens", QString::number(max_tokens), "--json"});
    p.waitForFinished(120000);
    return QJsonDocument::fromJson(p.readAllStandardOutput()).object()["text"].toString();
}

// The data: payloads of an SSE body, in order.
QList<QByteArray> sse_data(const QByteArray& body) {
    QList<QByteArray> out;
    for (const QByteArray& line : body.split('\n'))
        if (line.startsWith("data: ")) out << line.mid(6);
    return out;
}

}  // namespace

class TestServerHttp : public QObject {
    Q_OBJECT
    Server server_;  // a plain one, shared by the tests that do not need options

private Q_SLOTS:
    void initTestCase() { QVERIFY(server_.start({})); }

    void firstLineAndHealth() {
        QVERIFY(server_.first_line.startsWith("listening on http://127.0.0.1:"));
        const Reply h = request(server_.port, "GET", "/health");
        QCOMPARE(h.status, 200);
        QCOMPARE(h.json()["status"].toString(), QStringLiteral("ok"));
    }

    void models() {
        const Reply r = request(server_.port, "GET", "/v1/models");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json()["object"].toString(), QStringLiteral("list"));
        QCOMPARE(r.json()["data"].toArray()[0].toObject()["id"].toString(), QStringLiteral("arith-step004000"));
        QCOMPARE(request(server_.port, "GET", "/v1/models/arith-step004000").status, 200);
        const Reply missing = request(server_.port, "GET", "/v1/models/gpt-4");
        QCOMPARE(missing.status, 404);
        QCOMPARE(missing.error_code(), QStringLiteral("model_not_found"));
    }

    void greedyEqualsCli() {
        for (const char* prompt : {"123+456=", "1", "99999+1="}) {
            const Reply r = post(server_.port, "/v1/completions",
                                 QByteArray("{\"prompt\":\"") + prompt + "\",\"max_tokens\":20,\"temperature\":0}");
            QCOMPARE(r.status, 200);
            const QJsonObject c = r.json()["choices"].toArray()[0].toObject();
            QCOMPARE(c["text"].toString(), cli_greedy(prompt, 20));
            QCOMPARE(c["finish_reason"].toString(), QStringLiteral("stop"));
            QVERIFY(r.json()["usage"].toObject()["completion_tokens"].toInt() > 0);
        }
        const Reply g = post(server_.port, "/generate", "{\"prompt\":\"123+456=\",\"max_new_tokens\":8}");
        QCOMPARE(g.status, 200);
        QCOMPARE(g.json()["generated_text"].toString(), QStringLiteral("579\n"));
        QCOMPARE(g.json()["tokens"].toInt(), 4);
        QVERIFY(g.json().contains("time_ms"));
    }

    void chatUsesTemplate() {
        // The demo's template puts the latest question after BOS: the answer is the sum.
        const Reply r = post(server_.port, "/v1/chat/completions",
                             "{\"messages\":[{\"role\":\"system\",\"content\":\"ignored\"},{\"role\":\"user\",\"content\":\"123+456\"}],\"temperature\":0}");
        QCOMPARE(r.status, 200);
        const QJsonObject c = r.json()["choices"].toArray()[0].toObject();
        QCOMPARE(c["message"].toObject()["role"].toString(), QStringLiteral("assistant"));
        QCOMPARE(c["message"].toObject()["content"].toString(), QStringLiteral("579\n"));
        QCOMPARE(r.json()["object"].toString(), QStringLiteral("chat.completion"));
    }

    void streamEqualsPlain() {
        const QByteArray body = "{\"prompt\":\"1\",\"max_tokens\":20,\"temperature\":0,\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
        const Reply r = post(server_.port, "/v1/completions", body);
        QCOMPARE(r.status, 200);
        QVERIFY(r.headers.value("content-type").startsWith("text/event-stream"));
        const QList<QByteArray> events = sse_data(r.body);
        QVERIFY(events.size() > 3);
        QCOMPARE(events.last(), QByteArray("[DONE]"));
        QString text;
        QString finish;
        int usage = -1;
        for (int i = 0; i + 1 < events.size(); ++i) {
            const QJsonObject e = QJsonDocument::fromJson(events[i]).object();
            if (e.contains("usage")) usage = e["usage"].toObject()["completion_tokens"].toInt();
            for (const auto& c : e["choices"].toArray()) {
                text += c.toObject()["text"].toString();
                if (c.toObject()["finish_reason"].isString()) finish = c.toObject()["finish_reason"].toString();
            }
        }
        QCOMPARE(text, cli_greedy("1", 20));
        QCOMPARE(finish, QStringLiteral("stop"));
        QCOMPARE(usage, 10);
    }

    void logprobs() {
        const Reply r = post(server_.port, "/v1/completions", "{\"prompt\":\"123+456=\",\"temperature\":0,\"logprobs\":2}");
        QCOMPARE(r.status, 200);
        const QJsonObject lp = r.json()["choices"].toArray()[0].toObject()["logprobs"].toObject();
        QCOMPARE(lp["tokens"].toArray().size(), 4);
        QVERIFY(lp["token_logprobs"].toArray()[0].toDouble() <= 0.0);
        QCOMPARE(lp["top_logprobs"].toArray()[0].toObject().size(), 2);
        const Reply c = post(server_.port, "/v1/chat/completions",
                             "{\"messages\":[{\"role\":\"user\",\"content\":\"1+1=\"}],\"temperature\":0,\"logprobs\":true,\"top_logprobs\":3}");
        QCOMPARE(c.status, 200);
        const QJsonArray content = c.json()["choices"].toArray()[0].toObject()["logprobs"].toObject()["content"].toArray();
        QVERIFY(!content.isEmpty());
        QCOMPARE(content[0].toObject()["top_logprobs"].toArray().size(), 3);
    }

    void badInput_data() {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("param");
        const QByteArray c = "/v1/completions", chat = "/v1/chat/completions";
        QTest::newRow("malformed JSON") << c << QByteArray("{\"prompt\": \"1+1=\"") << 400 << "";
        QTest::newRow("not an object") << c << QByteArray("\"1+1=\"") << 400 << "";
        QTest::newRow("prompt wrong type") << c << QByteArray("{\"prompt\": {\"text\": \"x\"}}") << 400 << "prompt";
        QTest::newRow("max_tokens negative") << c << QByteArray("{\"prompt\":\"1\",\"max_tokens\":-3}") << 400 << "max_tokens";
        QTest::newRow("max_tokens string") << c << QByteArray("{\"prompt\":\"1\",\"max_tokens\":\"3\"}") << 400 << "max_tokens";
        QTest::newRow("temperature below 0") << c << QByteArray("{\"prompt\":\"1\",\"temperature\":-1}") << 400 << "temperature";
        QTest::newRow("top_p above 1") << c << QByteArray("{\"prompt\":\"1\",\"top_p\":1.01}") << 400 << "top_p";
        QTest::newRow("n zero") << c << QByteArray("{\"prompt\":\"1\",\"n\":0}") << 400 << "n";
        QTest::newRow("stop wrong type") << c << QByteArray("{\"prompt\":\"1\",\"stop\":{\"a\":1}}") << 400 << "stop";
        QTest::newRow("unknown model") << c << QByteArray("{\"prompt\":\"1\",\"model\":\"gpt-4o\"}") << 404 << "model";
        QTest::newRow("prompt longer than context") << c << (QByteArray("{\"prompt\":\"") + QByteArray(300, '7') + "\"}") << 400 << "prompt";
        QTest::newRow("chat without messages") << chat << QByteArray("{\"model\":\"arith-step004000\"}") << 400 << "messages";
        QTest::newRow("chat bad role") << chat << QByteArray("{\"messages\":[{\"role\":\"robot\",\"content\":\"1\"}]}") << 400 << "messages[0].role";
        QTest::newRow("chat content wrong type") << chat << QByteArray("{\"messages\":[{\"role\":\"user\",\"content\":5}]}") << 400 << "messages[0].content";
        QTest::newRow("chat longer than context") << chat << (QByteArray("{\"messages\":[{\"role\":\"user\",\"content\":\"") + QByteArray(300, '7') + "\"}]}") << 400 << "messages";
        QTest::newRow("chat unknown model") << chat << QByteArray("{\"model\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":\"1\"}]}") << 404 << "model";
        QTest::newRow("generate negative") << QByteArray("/generate") << QByteArray("{\"prompt\":\"1\",\"max_new_tokens\":-1}") << 400 << "max_new_tokens";
        QTest::newRow("unknown path") << QByteArray("/v1/embeddings") << QByteArray("{\"input\":\"x\"}") << 404 << "";
    }
    void badInput() {
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(QString, param);
        const Reply r = post(server_.port, path, body);
        QCOMPARE(r.status, status);
        QVERIFY(r.headers.value("content-type").startsWith("application/json"));
        const QJsonObject e = r.json()["error"].toObject();
        QVERIFY2(!e["message"].toString().isEmpty(), r.body.constData());
        QVERIFY(!e["type"].toString().isEmpty());
        QVERIFY(e.contains("param"));
        QCOMPARE(e["param"].toString(), param);
        if (!param.isEmpty()) QVERIFY2(e["message"].toString().contains(param.section('[', 0, 0)), r.body.constData());
        // ... and the server still answers everyone else.
        const Reply ok = post(server_.port, "/v1/completions", "{\"prompt\":\"123+456=\",\"temperature\":0}");
        QCOMPARE(ok.status, 200);
        QCOMPARE(ok.json()["choices"].toArray()[0].toObject()["text"].toString(), QStringLiteral("579\n"));
    }

    void garbageRequestLine() {
        const Reply r = send_raw(server_.port, "\x01\x02 nonsense\r\n\r\n", 10000);
        QVERIFY(r.status == 400 || r.status == 0);  // refused or closed, never a crash
        QCOMPARE(request(server_.port, "GET", "/health").status, 200);
    }

    void oversizedBody() {
        Server s;
        QVERIFY(s.start({"--max-body", "1024"}));
        const QByteArray big = "{\"prompt\":\"" + QByteArray(4000, 'x') + "\"}";
        const Reply r = post(s.port, "/v1/completions", big);
        QCOMPARE(r.status, 413);
        QVERIFY(!r.json()["error"].toObject()["message"].toString().isEmpty());
        QCOMPARE(post(s.port, "/v1/completions", "{\"prompt\":\"123+456=\",\"temperature\":0}").status, 200);
    }

    void apiKey() {
        Server s;
        QVERIFY(s.start({"--api-key", "sekret"}));
        const QByteArray body = "{\"prompt\":\"1\",\"max_tokens\":2}";
        const Reply none = post(s.port, "/v1/completions", body);
        QCOMPARE(none.status, 401);
        QCOMPARE(none.json()["error"].toObject()["type"].toString(), QStringLiteral("authentication_error"));
        QCOMPARE(post(s.port, "/v1/completions", body, {"Authorization: Bearer wrong"}).status, 401);
        QCOMPARE(request(s.port, "GET", "/v1/models").status, 401);
        QCOMPARE(post(s.port, "/v1/completions", body, {"Authorization: Bearer sekret"}).status, 200);
        QCOMPARE(request(s.port, "GET", "/health").status, 200);  // for probes
    }

    void rateLimit() {
        Server s;
        QVERIFY(s.start({"--rate-limit", "0.5", "--rate-burst", "2"}));
        const QByteArray body = "{\"prompt\":\"1\",\"max_tokens\":1}";
        QCOMPARE(post(s.port, "/v1/completions", body).status, 200);
        QCOMPARE(post(s.port, "/v1/completions", body).status, 200);
        const Reply limited = post(s.port, "/v1/completions", body);
        QCOMPARE(limited.status, 429);
        QVERIFY(limited.headers.value("retry-after").toInt() >= 1);
        QCOMPARE(limited.json()["error"].toObject()["code"].toString(), QStringLiteral("rate_limit_exceeded"));
        // Another client (another key) is not limited by the first one's bucket.
        QCOMPARE(post(s.port, "/v1/completions", body, {"Authorization: Bearer someone-else"}).status, 200);
        QCOMPARE(request(s.port, "GET", "/health").status, 200);
    }

    void disconnectMidStreamFreesSlot() {
        // One slot, 150 ms a token: the prompt "1" answers in 10 tokens (1.5 s).
        Server s;
        QVERIFY(s.start({"--parallel", "1"}, {{"WAYPOINT_TOKEN_DELAY_MS", "150"}}));
        QTcpSocket sock;
        sock.connectToHost(QStringLiteral("127.0.0.1"), s.port);
        QVERIFY(sock.waitForConnected(5000));
        const QByteArray body = "{\"prompt\":\"1\",\"max_tokens\":20,\"temperature\":0,\"stream\":true}";
        sock.write("POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
                   QByteArray::number(body.size()) + "\r\n\r\n" + body);
        QByteArray got;
        QElapsedTimer t;
        t.start();
        while (!got.contains("\"text\":\"7\"") && t.elapsed() < 20000)
            if (sock.waitForReadyRead(100)) got += sock.readAll();
        QVERIFY2(got.contains("\"text\":\"7\""), got.constData());
        sock.abort();  // gone after the first token
        // The slot comes free long before the 10 tokens would have been made...
        QElapsedTimer freed;
        freed.start();
        while (metric(s.port, "waypoint_active_slots") != 0 && freed.elapsed() < 10000) QTest::qWait(20);
        QCOMPARE(metric(s.port, "waypoint_active_slots"), 0.0);
        QVERIFY2(metric(s.port, "waypoint_generated_tokens_total") < 10, "the abandoned answer ran to its end");
        // ... and the next request gets it.
        const Reply next = post(s.port, "/v1/completions", "{\"prompt\":\"123+456=\",\"temperature\":0}");
        QCOMPARE(next.status, 200);
        QCOMPARE(next.json()["choices"].toArray()[0].toObject()["text"].toString(), QStringLiteral("579\n"));
    }

    void requestTimeout() {
        // One slot, 400 ms a token, 1 s per request: the first request is cut
        // short ("length"), the one queued behind it never starts (503).
        Server s;
        QVERIFY(s.start({"--parallel", "1", "--timeout", "1"}, {{"WAYPOINT_TOKEN_DELAY_MS", "400"}}));
        const QByteArray body = "{\"prompt\":\"1\",\"max_tokens\":20,\"temperature\":0}";
        QTcpSocket first;
        first.connectToHost(QStringLiteral("127.0.0.1"), s.port);
        QVERIFY(first.waitForConnected(5000));
        first.write("POST /v1/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n"
                    "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        first.flush();
        QTest::qWait(100);
        const Reply second = post(s.port, "/v1/completions", body);
        QByteArray raw;
        QElapsedTimer t;
        t.start();
        while (first.state() == QAbstractSocket::ConnectedState && t.elapsed() < 20000)
            if (first.waitForReadyRead(100)) raw += first.readAll();
        raw += first.readAll();
        const Reply r1 = parse_reply(raw);
        QCOMPARE(r1.status, 200);
        const QJsonObject c = r1.json()["choices"].toArray()[0].toObject();
        QCOMPARE(c["finish_reason"].toString(), QStringLiteral("length"));
        QVERIFY(c["text"].toString().size() < 10);
        QCOMPARE(second.status, 503);
        QCOMPARE(second.error_code(), QStringLiteral("timeout"));
    }

    void sigtermDrainsAndExitsZero() {
        Server s;
        QVERIFY(s.start({"--parallel", "1"}, {{"WAYPOINT_TOKEN_DELAY_MS", "100"}}));
        QTcpSocket sock;
        sock.connectToHost(QStringLiteral("127.0.0.1"), s.port);
        QVERIFY(sock.waitForConnected(5000));
        const QByteArray body = "{\"prompt\":\"1\",\"max_tokens\":20,\"temperature\":0,\"stream\":true}";
        sock.write("POST /v1/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n"
                   "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        QByteArray got;
        QElapsedTimer t;
        t.start();
        while (!got.contains("data: ") && t.elapsed() < 20000)
            if (sock.waitForReadyRead(100)) got += sock.readAll();
        s.process->terminate();  // SIGTERM mid-answer
        while (sock.state() == QAbstractSocket::ConnectedState && t.elapsed() < 30000)
            if (sock.waitForReadyRead(100)) got += sock.readAll();
        got += sock.readAll();
        QVERIFY(s.process->waitForFinished(30000));
        QCOMPARE(s.process->exitStatus(), QProcess::NormalExit);
        QCOMPARE(s.process->exitCode(), 0);
        // The answer in flight was finished, not cut.
        const Reply r = parse_reply(got);
        QVERIFY2(r.body.contains("data: [DONE]"), got.constData());
        QString text;
        for (const QByteArray& e : sse_data(r.body))
            if (e != "[DONE]") text += QJsonDocument::fromJson(e).object()["choices"].toArray()[0].toObject()["text"].toString();
        QCOMPARE(text, cli_greedy("1", 20));
    }

    void metricsText() {
        const Reply r = request(server_.port, "GET", "/metrics");
        QCOMPARE(r.status, 200);
        QVERIFY(r.headers.value("content-type").startsWith("text/plain"));
        for (const char* name : {"# TYPE waypoint_http_requests_total counter", "waypoint_prompt_tokens_total ",
                                 "waypoint_generated_tokens_total ", "# TYPE waypoint_time_to_first_token_seconds histogram",
                                 "# TYPE waypoint_token_latency_seconds histogram", "waypoint_queue_depth ",
                                 "waypoint_active_slots ", "endpoint=\"/v1/completions\",status=\"200\"",
                                 "endpoint=\"/v1/completions\",status=\"400\""})
            QVERIFY2(r.body.contains(name), name);
    }
};

QTEST_GUILESS_MAIN(TestServerHttp)
#include "tst_server_http.moc"
