#include "line_editor.h"

#include <histedit.h>
#include <unistd.h>

#include <clocale>
#include <cstdio>
#include <iostream>

namespace waypoint::cli {

struct LineEditor::State {
    EditLine* el = nullptr;
    History* history = nullptr;
    HistEvent event{};
    std::string prompt;
    bool interrupted = false;

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
    el_set(s.el, EL_SIGNAL, 1);  // window resizes; the terminal restored on fatal signals
    el_set(s.el, EL_PROMPT, &State::prompt_text);
    el_set(s.el, EL_HIST, history, s.history);
    el_set(s.el, EL_SETTY, "-d", "-isig", nullptr);  // Ctrl-C arrives as a key while editing
    el_set(s.el, EL_ADDFN, "waypoint-interrupt", "Drop the line (Ctrl-C)", &State::interrupt);
    el_set(s.el, EL_BIND, "^C", "waypoint-interrupt", nullptr);
    el_source(s.el, nullptr);  // the user's ~/.editrc, if any
}

LineEditor::~LineEditor() {
    if (state_->el) el_end(state_->el);
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
    s.prompt = prompt;
    s.interrupted = false;
    int count = 0;
    const char* text = el_gets(s.el, &count);
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
