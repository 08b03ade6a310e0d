// Running the built waypoint-cli as a user does (QProcess, path from the
// WAYPOINT_CLI define), for tst_cli and tst_cli_compare: the exit code and
// both output streams, and the checks on them the tests share.
#pragma once

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest/QtTest>

// Under ThreadSanitizer (clang-14) starting a process aborts the test
// program: the runtime's clone() interceptor fails a CHECK (tsan_rtl.cpp:234)
// when Qt's forkfd starts the child. Tests skip their CLI parts there.
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CLI_RUNNER_CANNOT_START_PROCESSES
#endif
#endif

namespace cli_runner {

struct Result {
    int code = -1;  // -1: did not start, crashed or timed out
    QByteArray out, err;
};

// Runs waypoint-cli with `args`, `input` on stdin (then closed); kills it
// after `timeout_ms`.
inline Result cli(const QStringList& args, const QByteArray& input = {}, int timeout_ms = 300000) {
    QProcess p;
    p.start(QStringLiteral(WAYPOINT_CLI), args);
    if (!p.waitForStarted()) return {};
    if (!input.isEmpty()) p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(timeout_ms)) {
        p.kill();
        p.waitForFinished();
    }
    Result r;
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

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

// One line "waypoint-cli: error: ..." and nothing else on stderr, and a
// non-zero exit code.
inline bool one_error_line(const Result& r) {
    const QList<QByteArray> lines = r.err.trimmed().split('\n');
    return r.code != 0 && r.code != -1 && lines.size() == 1 && lines[0].startsWith("waypoint-cli: error: ") &&
           r.err.endsWith('\n');
}

}  // namespace cli_runner
