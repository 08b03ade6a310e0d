#include "line_editor.h"

#include "stop_signal.h"

#include <histedit.h>
#include <termios.h>
#include <unistd.h>

#include <clocale>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <optional>

namespace waypoint::cli {
namespace {

// libedit's own signal handling (EL_SIGNAL) is left off: its handler reaches
// the editor through a global that is null outside el_gets, and a signal sent
// to the process can land on any thread (libtorch's workers too), so a Ctrl-C
// at the wrong moment crashed the program. What it did is done here instead:
// the terminal's settings are restored on a fatal signal, and the window size
// is read again before each line.
struct termios g_terminal_before{};
bool g_have_terminal = false;
const int kFatalSignals[] = {SIGTERM, SIGHUP, SIGQUIT};

// Keys: while the editor reads a line, every key reaches it as a key (no
// line mode, no echo, no signal keys). BetweenLines: while a command runs or
// an answer streams, Ctrl-C is a signal again (it stops the answer), but the
// line mode and echo stay off: keys typed ahead reach the next prompt's
// editor exactly as typed (a Ctrl-D typed while a command still prints
// leaves, where the line mode would have taken it as an empty line's end and
// lost it), and they are not echoed into the answer being written; the editor
// shows them at the next prompt.
enum class TerminalMode { Keys, BetweenLines };

void set_terminal_mode(TerminalMode mode) {
    if (!g_have_terminal) return;
    struct termios t = g_terminal_before;
    t.c_lflag &= tcflag_t(~(ECHO | ICANON));
    if (mode == TerminalMode::Keys) t.c_lflag &= tcflag_t(~ISIG);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    tcsetattr(STDIN_FILENO, TCSANOW, &t);
}

extern "C" void restore_terminal_and_die(int signo) {
    tcsetattr(STDIN_FILENO, TCSANOW, &g_terminal_before);
    std::signal(signo, SIG_DFL);
    std::raise(signo);
}

}  // namespace

struct LineEditor::State {
    EditLine* el = nullptr;
    History* history = nullptr;
    HistEvent event{};
    std::string prompt;
    bool interrupted = false;
    std::optional<KeepRunningOnCtrlC> keep_running;  // only on a terminal: a pipe's reader must stay killable

    static State* of(EditLine* el) {
        void* data = nullptr;
        el_get(el, EL_CLIENTDATA, &data);
        return static_cast<State*>(data);
    }
    static char* prompt_text(EditLine* el) { return const_cast<char*>(of(el)->prompt.c_str()); }
    // Ctrl-C while typing: show "^C" after the line, end it, and let read()
    // report Interrupted (the line is dropped). Bound as a key because the
    // terminal's own interrupt is off while editing.
    static unsigned char interrupt(EditLine* el, int) {
        of(el)->interrupted = true;
        const LineInfo* li = el_line(el);
        el_cursor(el, int(li->lastchar - li->cursor));  // to the end, so "^C" lands after the text
        el_insertstr(el, "^C");
        el_push(el, "\n");  // the ordinary newline action moves below the line
        return CC_REDISPLAY;
    }
};

LineEditor::LineEditor(const std::string& program) : state_(std::make_unique<State>()) {
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) return;
    // libedit decodes keys in the locale's multibyte encoding: without it,
    // a typed "é" would show as octal escapes.
    if (!std::setlocale(LC_CTYPE, "")) std::setlocale(LC_CTYPE, "C.UTF-8");
    State& s = *state_;
    s.el = el_init(program.c_str(), stdin, stdout, stderr);
    if (!s.el) return;
    s.history = history_init();
    history(s.history, &s.event, H_SETSIZE, 500);
    history(s.history, &s.event, H_SETUNIQUE, 1);
    el_set(s.el, EL_CLIENTDATA, static_cast<void*>(&s));
    el_set(s.el, EL_EDITOR, "emacs");
    el_set(s.el, EL_PROMPT, &State::prompt_text);
    el_set(s.el, EL_HIST, history, s.history);
    el_set(s.el, EL_SETTY, "-d", "-isig", nullptr);  // Ctrl-C arrives as a key while editing
    el_set(s.el, EL_ADDFN, "waypoint-interrupt", "Drop the line (Ctrl-C)", &State::interrupt);
    el_set(s.el, EL_BIND, "^C", "waypoint-interrupt", nullptr);
    el_source(s.el, nullptr);  // the user's ~/.editrc, if any
    s.keep_running.emplace();
    g_have_terminal = tcgetattr(STDIN_FILENO, &g_terminal_before) == 0;
    if (g_have_terminal)
        for (int signo : kFatalSignals) std::signal(signo, restore_terminal_and_die);
}

LineEditor::~LineEditor() {
    if (state_->el) {
        for (int signo : kFatalSignals) std::signal(signo, SIG_DFL);
        el_end(state_->el);
        if (g_have_terminal) tcsetattr(STDIN_FILENO, TCSANOW, &g_terminal_before);
        g_have_terminal = false;
    }
    if (state_->history) history_end(state_->history);
}

bool LineEditor::editing() const { return state_->el != nullptr; }

LineEditor::Status LineEditor::read(const std::string& prompt, std::string& line) {
    State& s = *state_;
    if (!s.el) {
        std::fputs(prompt.c_str(), stdout);
        std::fflush(stdout);
        if (!std::getline(std::cin, line)) return Status::EndOfInput;
        return Status::Line;
    }
    // libedit prints the prompt before it puts the terminal into its editing
    // mode; a key typed in that moment would meet the terminal's line mode
    // (Ctrl-C a signal with the typed text flushed, Ctrl-D swallowed as an
    // end of line). Switching line mode, echo and signal keys off first makes
    // every key typed after the prompt reach the editor as a key.
    set_terminal_mode(TerminalMode::Keys);
    // A Ctrl-C pressed since the last line (while a command ran) drops this one.
    if (take_idle_interrupt()) {
        set_terminal_mode(TerminalMode::BetweenLines);
        std::fputs("^C\n", stdout);  // echo is off between lines: show that the key was taken
        std::fflush(stdout);
        line.clear();
        return Status::Interrupted;
    }
    el_resize(s.el);  // the window may have changed size since the last line
    s.prompt = prompt;
    s.interrupted = false;
    int count = 0;
    const char* text = el_gets(s.el, &count);
    // libedit goes back to the settings it found (keys mode); an answer
    // streams with the signal keys on.
    set_terminal_mode(TerminalMode::BetweenLines);
    if (s.interrupted) {
        line.clear();
        return Status::Interrupted;
    }
    if (!text || count <= 0) return Status::EndOfInput;
    line.assign(text, size_t(count));
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (!line.empty()) history(s.history, &s.event, H_ENTER, line.c_str());
    return Status::Line;
}

}  // namespace waypoint::cli
