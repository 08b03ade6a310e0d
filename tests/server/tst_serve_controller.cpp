// The app's "Serve this model" (ServeController): serves the checkpoint the
// chat would load, through the process's shared "engine" backend (the same
// LoadedModel, so the same weights), shows the URL and counts requests, and
// stops cleanly.
#include <QSignalSpy>
#include <QTcpServer>
#include <QtTest/QtTest>

#include "backend/backend_registry.h"
#include "serve/serve_controller.h"
#include "server_process.h"

using namespace waypoint::app;

class TestServeController : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void servesTheSharedModel() {
        const QString checkpoint = server_test::demo_checkpoint();
        // What the chat holds: the shared backend's model for this checkpoint.
        auto backend = sharedBackend(QStringLiteral("engine"));
        const auto chatModel = backend->load(checkpoint.toStdString(), "auto", "");
        QVERIFY(chatModel->engineModel());
        const long holdersBefore = chatModel->engineModel().use_count();

        ServeController serve;
        serve.setCheckpoint(checkpoint);
        serve.setDevice(QStringLiteral("auto"));
        serve.setPort(0);
        serve.start();
        QVERIFY(serve.busy());
        QTRY_VERIFY_WITH_TIMEOUT(serve.running(), 60000);
        QVERIFY2(serve.error().isEmpty(), qPrintable(serve.error()));
        QVERIFY(serve.url().startsWith(QStringLiteral("http://127.0.0.1:")));
        QVERIFY(serve.url().endsWith(QStringLiteral("/v1")));
        QCOMPARE(serve.servedModel(), QStringLiteral("arith-step004000"));
        // The served weights are the chat's: the server and its session hold
        // this very Model (a second load would leave its count unchanged).
        QVERIFY(chatModel->engineModel().use_count() > holdersBefore);

        const quint16 port = static_cast<quint16>(QUrl(serve.url()).port());
        const auto r = server_test::post(port, "/v1/chat/completions",
                                         "{\"messages\":[{\"role\":\"user\",\"content\":\"123+456=\"}],\"temperature\":0}");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json()["choices"].toArray()[0].toObject()["message"].toObject()["content"].toString(),
                 QStringLiteral("579\n"));
        QTRY_VERIFY_WITH_TIMEOUT(serve.answeredRequests() >= 1, 5000);

        serve.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!serve.running() && !serve.busy(), 30000);
        QCOMPARE(server_test::request(port, "GET", "/health").status, 0);  // closed
    }

    void refusesWithoutCheckpoint() {
        ServeController serve;
        serve.start();
        QVERIFY(!serve.running());
        QVERIFY(!serve.error().isEmpty());
    }

    // Closing the app while a start job runs: the server that job makes is
    // stopped at once, right after it started (httplib's stop() used to do
    // nothing before its accept loop began: the join then hung), and does not
    // outlive the controller.
    void destroyedWhileStartingServesNothing() {
        QTcpServer probe;  // a port that is free now
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const quint16 port = probe.serverPort();
        probe.close();
        {
            ServeController serve;
            serve.setCheckpoint(server_test::demo_checkpoint());
            serve.setDevice(QStringLiteral("auto"));
            serve.setPort(port);
            serve.start();
            QVERIFY(serve.busy());
        }  // no event loop ran: the job's result was never taken
        QCOMPARE(server_test::request(port, "GET", "/health").status, 0);  // nothing listens
    }

    void portTakenIsAnError() {
        ServeController first, second;
        for (ServeController* s : {&first, &second}) {
            s->setCheckpoint(server_test::demo_checkpoint());
            s->setDevice(QStringLiteral("auto"));
        }
        first.setPort(0);
        first.start();
        QTRY_VERIFY_WITH_TIMEOUT(first.running(), 60000);
        second.setPort(QUrl(first.url()).port());
        second.start();
        QTRY_VERIFY_WITH_TIMEOUT(!second.busy(), 60000);
        QVERIFY(!second.running());
        QVERIFY2(second.error().contains(QStringLiteral("cannot listen")), qPrintable(second.error()));
    }
};

QTEST_GUILESS_MAIN(TestServeController)
#include "tst_serve_controller.moc"
