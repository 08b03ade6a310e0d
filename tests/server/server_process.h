// A real waypoint-server for the tests: started with QProcess on 127.0.0.1
// and --port 0, its URL read from its first stdout line; raw HTTP/1.1 over
// QTcpSocket, so that the tests send exactly the bytes they mean.
#pragma once

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QtTest/QtTest>

namespace server_test {

inline QString demo_checkpoint() { return QStringLiteral(WAYPOINT_SOURCE_DIR "/resources/demo/arith-step004000"); }

struct Server {
    std::unique_ptr<QProcess> process;
    quint16 port = 0;
    QString first_line;

    // Starts it and waits for the first line (model load included).
    bool start(const QStringList& extra, const QMap<QString, QString>& env = {}) {
        process = std::make_unique<QProcess>();
        QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
        for (auto it = env.begin(); it != env.end(); ++it) e.insert(it.key(), it.value());
        process->setProcessEnvironment(e);
        process->setProcessChannelMode(QProcess::SeparateChannels);
        process->start(QStringLiteral(WAYPOINT_SERVER),
                       QStringList{"--checkpoint", demo_checkpoint(), "--port", "0", "--threads", "1"} + extra);
        if (!process->waitForStarted(10000)) return false;
        QElapsedTimer t;
        t.start();
        while (!process->canReadLine() && t.elapsed() < 60000 && process->state() == QProcess::Running)
            process->waitForReadyRead(200);
        if (!process->canReadLine()) {
            qWarning() << "server did not start:" << process->readAllStandardError();
            return false;
        }
        first_line = QString::fromUtf8(process->readLine()).chopped(1);
        const auto m = QRegularExpression(QStringLiteral("^listening on http://127\\.0\\.0\\.1:(\\d+)$")).match(first_line);
        if (!m.hasMatch()) return false;
        port = static_cast<quint16>(m.captured(1).toUInt());
        return true;
    }

    ~Server() {
        if (process && process->state() != QProcess::NotRunning) {
            process->terminate();
            if (!process->waitForFinished(15000)) process->kill();
            process->waitForFinished(5000);
        }
    }
};

struct Reply {
    int status = 0;  // 0: no answer
    QMap<QByteArray, QByteArray> headers;  // names lower-cased
    QByteArray body;                       // de-chunked
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    QString error_param() const { return json()["error"].toObject()["param"].toString(); }
    QString error_code() const { return json()["error"].toObject()["code"].toString(); }
};

inline QByteArray dechunk(const QByteArray& raw) {
    QByteArray out;
    int pos = 0;
    while (pos < raw.size()) {
        const int eol = raw.indexOf("\r\n", pos);
        if (eol < 0) break;
        bool ok = false;
        const int size = raw.mid(pos, eol - pos).trimmed().toInt(&ok, 16);
        if (!ok || size == 0) break;
        out += raw.mid(eol + 2, size);
        pos = eol + 2 + size + 2;
    }
    return out;
}

inline Reply parse_reply(const QByteArray& raw) {
    Reply r;
    const int head_end = raw.indexOf("\r\n\r\n");
    if (head_end < 0) return r;
    const QList<QByteArray> lines = raw.left(head_end).split('\n');
    const QList<QByteArray> status = lines.value(0).split(' ');
    r.status = status.value(1).toInt();
    for (int i = 1; i < lines.size(); ++i) {
        const int colon = lines[i].indexOf(':');
        if (colon > 0) r.headers[lines[i].left(colon).trimmed().toLower()] = lines[i].mid(colon + 1).trimmed();
    }
    const QByteArray body = raw.mid(head_end + 4);
    r.body = r.headers.value("transfer-encoding") == "chunked" ? dechunk(body) : body;
    return r;
}

// Sends `raw` as it is and reads until the server closes (the requests ask
// for Connection: close).
inline Reply send_raw(quint16 port, const QByteArray& raw, int timeout_ms = 60000) {
    QTcpSocket s;
    s.connectToHost(QStringLiteral("127.0.0.1"), port);
    if (!s.waitForConnected(5000)) return {};
    s.write(raw);
    s.flush();
    QByteArray in;
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeout_ms) {
        if (s.waitForReadyRead(100)) in += s.readAll();
        if (s.state() != QAbstractSocket::ConnectedState) break;
    }
    in += s.readAll();
    return parse_reply(in);
}

inline Reply request(quint16 port, const QByteArray& method, const QByteArray& path, const QByteArray& body = {},
                     const QList<QByteArray>& extra_headers = {}, int timeout_ms = 60000) {
    QByteArray raw = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    for (const QByteArray& h : extra_headers) raw += h + "\r\n";
    if (!body.isNull() || method == "POST")
        raw += "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n";
    raw += "\r\n" + body;
    return send_raw(port, raw, timeout_ms);
}

inline Reply post(quint16 port, const QByteArray& path, const QByteArray& body, const QList<QByteArray>& headers = {}) {
    return request(port, "POST", path, body, headers);
}

// A metric's value from /metrics text ("name" or "name{labels}").
inline double metric(quint16 port, const QByteArray& name) {
    const Reply r = request(port, "GET", "/metrics");
    for (const QByteArray& line : r.body.split('\n'))
        if (line.startsWith(name + " ")) return line.mid(name.size() + 1).toDouble();
    return -1;
}

}  // namespace server_test
