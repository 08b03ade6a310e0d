// One line of terminal input at a time, with line editing and history when
// stdin and stdout are a terminal (BSD libedit: arrows, Ctrl-A/E, Ctrl-R
// search, Up/Down through earlier lines), plain std::getline otherwise (pipes,
// tests). Any prompt loop (--interactive, a chat command) reads through it.
//
// Ctrl-C at the prompt does not end the program: like a shell, it drops the
// line being typed and read() says Interrupted; the caller prints a new
// prompt. A Ctrl-C pressed between two reads (while a command runs; signal
// keys are on then) does not end the program either: the next read()
// says Interrupted. Keys typed ahead while a command runs are kept for the
// next prompt, not echoed into the output (line_editor.cpp, TerminalMode).
// (While an answer streams, Ctrl-C reaches the generation's StopScope.)
#pragma once

#include <memory>
#include <string>

namespace waypoint::cli {

class LineEditor {
public:
    enum class Status { Line, EndOfInput, Interrupted };

    // `program` names the editor for libedit's ~/.editrc settings.
    explicit LineEditor(const std::string& program);
    ~LineEditor();
    LineEditor(const LineEditor&) = delete;
    LineEditor& operator=(const LineEditor&) = delete;

    // Shows `prompt` and reads one line into `line` (without its newline).
    // A non-empty line read from a terminal joins the history.
    Status read(const std::string& prompt, std::string& line);
    // True when reading from a terminal with line editing.
    bool editing() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace waypoint::cli
