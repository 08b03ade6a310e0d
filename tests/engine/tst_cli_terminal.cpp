// waypoint-cli --interactive on a real terminal (a pseudo-terminal from
// forkpty, TERM=xterm): the Up arrow recalls the previous line instead of
// sending escape codes to the model, and Ctrl-C at the idle prompt drops the
// line and keeps the loop going (like a shell) instead of killing the program;
// in `chat`, Ctrl-C stops the answer and the chat goes on; keys typed while
// an answer streams reach the next prompt as keys.
#include <QtTest/QtTest>

#include <QFile>
#include <QElapsedTimer>
#include <csignal>
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

const QString kModel = QStringLiteral(WAYPOINT_SHARED_DIR) + "/models/stories260K/stories260K.bin";

class Terminal {
public:
    explicit Terminal(const QStringList& args) {
        QList<QByteArray> storage{QByteArrayLiteral(WAYPOINT_CLI)};
        for (const QString& a : args) storage << a.toUtf8();
        pid_ = forkpty(&fd_, nullptr, nullptr, nullptr);
        if (pid_ == 0) {
            std::vector<char*> argv;
            for (QByteArray& b : storage) argv.push_back(b.data());
            argv.push_back(nullptr);
            setenv("TERM", "xterm", 1);
            execv(argv[0], argv.data());
            _exit(127);
        }
    }
    ~Terminal() {
        if (pid_ > 0 && !exited_) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
        if (fd_ >= 0) close(fd_);
    }
    bool started() const { return pid_ > 0 && fd_ >= 0; }
    void type(const QByteArray& keys) { QCOMPARE_GE(write(fd_, keys.constData(), size_t(keys.size())), 0); }
    // Reads until the output since `from` holds `needle` `times` times; false on timeout.
    bool waitFor(const QByteArray& needle, qsizetype from = 0, int times = 1, int timeoutMs = 60000) {
        QElapsedTimer t;
        t.start();
        for (;;) {
            if (out_.mid(from).count(needle) >= times) return true;
            if (t.elapsed() > timeoutMs) return false;
            pollfd p{fd_, POLLIN, 0};
            if (poll(&p, 1, 100) > 0) {
                char buf[4096];
                const ssize_t n = read(fd_, buf, sizeof buf);
                if (n <= 0) return out_.mid(from).count(needle) >= times;
                out_.append(buf, n);
            }
        }
    }
    // The exit code, or -1 if it did not exit within the time (or was killed).
    int waitExit(int timeoutMs = 30000) {
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < timeoutMs) {
            char buf[4096];
            pollfd p{fd_, POLLIN, 0};
            if (poll(&p, 1, 50) > 0) {
                const ssize_t n = read(fd_, buf, sizeof buf);
                if (n > 0) out_.append(buf, n);  // kept for the failure message
            }
            int status = 0;
            if (waitpid(pid_, &status, WNOHANG) == pid_) {
                exited_ = true;
                return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            }
        }
        return -1;
    }
    bool alive() { return !exited_ && waitpid(pid_, nullptr, WNOHANG) == 0; }
    const QByteArray& output() const { return out_; }

private:
    pid_t pid_ = -1;
    int fd_ = -1;
    bool exited_ = false;
    QByteArray out_;
};

}  // namespace

class TestCliTerminal : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void upArrowRecallsTheLastLine() {
        if (!QFile::exists(kModel)) QSKIP("../shared/models/stories260K/stories260K.bin is not there");
        Terminal term({"--checkpoint", kModel, "--interactive"});
        QVERIFY(term.started());
        QVERIFY2(term.waitFor("> "), term.output().constData());
        term.type("/tokens 5\r");
        QVERIFY2(term.waitFor("tokens 5,"), term.output().constData());
        term.type("/tokens 7\r");
        QVERIFY2(term.waitFor("tokens 7,"), term.output().constData());
        const qsizetype mark = term.output().size();
        term.type("\x1b[A\x1b[A\r");  // Up, Up, Enter: "/tokens 5" again
        QVERIFY2(term.waitFor("tokens 5,", mark), term.output().constData());
        QVERIFY2(!term.output().mid(mark).contains("unknown command"), term.output().constData());
        term.type("/quit\r");
        QVERIFY2(term.waitExit() == 0, term.output().constData());
    }

    void ctrlCAtThePromptDropsTheLine() {
        if (!QFile::exists(kModel)) QSKIP("../shared/models/stories260K/stories260K.bin is not there");
        Terminal term({"--checkpoint", kModel, "--interactive"});
        QVERIFY(term.started());
        QVERIFY2(term.waitFor("> "), term.output().constData());
        term.type("/tokens 9");
        term.type("\x03");  // Ctrl-C with a half-typed line
        QVERIFY2(term.waitFor("Ctrl-D leaves"), term.output().constData());
        QVERIFY(term.alive());
        term.type("\x03");  // and at an empty prompt
        QTest::qWait(200);
        QVERIFY(term.alive());
        const qsizetype mark = term.output().size();
        term.type("/settings\r");
        QVERIFY2(term.waitFor("temperature", mark), term.output().constData());
        QVERIFY2(!term.output().mid(mark).contains("tokens 9,"), term.output().constData());  // the dropped line never ran
        // Ctrl-D once the prompt after /settings is up, as a person presses
        // it: typed while /settings still prints, the terminal is in line
        // mode and takes Ctrl-D as an empty line's end, which never reaches
        // the editor. The prompt looked for comes after the settings text: on
        // a busy machine the prompt after the second Ctrl-C can be printed
        // after `mark` too.
        const qsizetype settingsShown = term.output().indexOf("temperature", mark);
        QVERIFY2(term.waitFor("\n> ", settingsShown), term.output().constData());
        term.type("\x04");  // Ctrl-D leaves
        QVERIFY2(term.waitExit() == 0, term.output().constData());
    }

    // Ctrl-D typed while an answer still streams is kept for the prompt that
    // follows and leaves there, as it does when typed at the prompt (the
    // terminal's line mode would take it as an empty line's end and lose it).
    // If the answer ends before the key lands, it meets the prompt: same end.
    void ctrlDTypedAheadLeavesAfterTheAnswer() {
        if (!QFile::exists(kModel)) QSKIP("../shared/models/stories260K/stories260K.bin is not there");
        Terminal term({"--checkpoint", kModel, "--interactive", "--max-tokens", "2000"});
        QVERIFY(term.started());
        QVERIFY2(term.waitFor("> "), term.output().constData());
        const qsizetype sent = term.output().size();
        term.type("Once upon a time\r");
        QVERIFY2(term.waitFor("Once upon a time\r\n", sent), term.output().constData());
        const qsizetype answerStart = term.output().size();
        QVERIFY2(term.waitFor(" ", answerStart), term.output().constData());  // the answer streams
        term.type("\x04");
        QVERIFY2(term.waitExit() == 0, term.output().constData());
        QVERIFY2(term.output().mid(answerStart).contains("tok/s"), term.output().constData());  // the answer ended normally
    }

    // `chat`: Ctrl-C stops the answer (its stats say "stopped"), not the
    // program; the chat goes on and the Up arrow recalls the message.
    // stories260K writes thousands of tokens a second and may reach its end
    // of text before the Ctrl-C lands on a busy machine: then the message is
    // sent again (the answer differs: the seed moves on) until one is stopped.
    void chatCtrlCStopsTheAnswer() {
        if (!QFile::exists(kModel)) QSKIP("../shared/models/stories260K/stories260K.bin is not there");
        Terminal term({"chat", "--checkpoint", kModel, "--max-tokens", "1000000", "--temperature", "1.5"});
        QVERIFY(term.started());
        QVERIFY2(term.waitFor("> "), term.output().constData());
        bool stopped = false;
        for (int attempt = 0; attempt < 10 && !stopped; ++attempt) {
            const qsizetype sent = term.output().size();
            term.type("Once upon a time\r");
            QVERIFY2(term.waitFor("Once upon a time\r\n", sent), term.output().constData());
            const qsizetype answerStart = term.output().size();
            QVERIFY2(term.waitFor(" ", answerStart), term.output().constData());  // the answer streams
            term.type("\x03");
            QVERIFY2(term.waitFor("]\r\n", answerStart), term.output().constData());  // its stats line
            stopped = term.output().mid(answerStart).contains(", stopped, seed ");
            QVERIFY2(term.waitFor("> ", answerStart), term.output().constData());
            QVERIFY(term.alive());  // a Ctrl-C after the end only dropped a line
        }
        QVERIFY2(stopped, term.output().constData());
        const qsizetype mark = term.output().size();
        term.type("/prompt\r");  // the stopped answer is part of the chat
        QVERIFY2(term.waitFor("Once upon a time", mark), term.output().constData());
        term.type("\x1b[A\x1b[A");  // Up, Up: the message typed before
        QVERIFY2(term.waitFor("Once upon a time", mark, 2), term.output().constData());
        term.type("\x01\x0b\x04");  // Ctrl-A, Ctrl-K (drop it), Ctrl-D leaves
        QVERIFY2(term.waitExit() == 0, term.output().constData());
    }
};

QTEST_GUILESS_MAIN(TestCliTerminal)
#include "tst_cli_terminal.moc"
