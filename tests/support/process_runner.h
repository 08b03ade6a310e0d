// Runs a built program as a user would (QProcess), for the tests of
// waypoint-cli and of the app against it: exit code, stdout, stderr, and the
// small checks those tests share. Header-only, QtCore only, so that engine
// tests (built without the app) use it too.
#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QProcess>
#include <QStringList>

namespace waypoint::test {

struct ProcessResult {
    int code = -1;  // -1: did not start, crashed or timed out (then killed)
    QByteArray out, err;
};

inline ProcessResult run_process(const QString& program, const QStringList& args, const QByteArray& input = {},
                                 int timeout_ms = 300000) {
    QProcess p;
    p.start(program, args);
    if (!p.waitForStarted()) return {};
    if (!input.isEmpty()) p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(timeout_ms)) {
        p.kill();
        p.waitForFinished();
    }
    ProcessResult r;
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

// The output as a JSON object (a warning with the text when it is not one).
inline QJsonObject json_of(const QByteArray& out) {
    QJsonParseError e;
    const auto doc = QJsonDocument::fromJson(out, &e);
    if (e.error != QJsonParseError::NoError) qWarning("not JSON (%s): %s", qPrintable(e.errorString()), out.constData());
    return doc.object();
}

inline QList<int> ints(const QJsonValue& v) {
    QList<int> out;
    for (const auto& x : v.toArray()) out.append(x.toInt());
    return out;
}

// A failure as the CLI reports one: a non-zero exit and one line
// "waypoint-cli: error: ..." and nothing else on stderr.
inline bool one_error_line(const ProcessResult& r) {
    const QList<QByteArray> lines = r.err.trimmed().split('\n');
    return r.code != 0 && r.code != -1 && lines.size() == 1 && lines[0].startsWith("waypoint-cli: error: ") &&
           r.err.endsWith('\n');
}

}  // namespace waypoint::test
