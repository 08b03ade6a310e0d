// Ctrl-C during a generation sets the engine's stop flag (the answer ends
// cleanly with finish "stopped"); outside a generation it ends the program
// as usual. The flag is a lock-free std::atomic<bool>, safe to set from a
// signal handler.
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

}  // namespace waypoint::cli
