// Ctrl-C in waypoint-cli. During a generation it sets the engine's stop flag
// (the answer ends cleanly with finish "stopped"). Between generations it
// ends the program as usual, unless a prompt loop reads from a terminal
// (KeepRunningOnCtrlC alive): then, as in a shell, the program goes on and
// the next line read is dropped. The flags are lock-free atomics, safe to
// set from a signal handler.
#pragma once

#include <atomic>

namespace waypoint::cli {

const std::atomic<bool>* stop_flag();

// While alive, Ctrl-C stops the generation instead of the program.
class StopScope {
public:
    StopScope();
    ~StopScope();
    StopScope(const StopScope&) = delete;
    StopScope& operator=(const StopScope&) = delete;
};

// While alive, Ctrl-C outside a generation is remembered instead of ending
// the program. A key typed in the moment between two lines (a command still
// running, the terminal not yet back in line-editing mode) reaches the
// program as a signal, not as a key, so the prompt loop needs this too.
class KeepRunningOnCtrlC {
public:
    KeepRunningOnCtrlC();
    ~KeepRunningOnCtrlC();
    KeepRunningOnCtrlC(const KeepRunningOnCtrlC&) = delete;
    KeepRunningOnCtrlC& operator=(const KeepRunningOnCtrlC&) = delete;
};

// True once for each Ctrl-C remembered outside a generation.
bool take_idle_interrupt();

}  // namespace waypoint::cli
