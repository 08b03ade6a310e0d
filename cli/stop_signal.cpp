#include "stop_signal.h"

#include <csignal>

namespace waypoint::cli {
namespace {

std::atomic<bool> g_stop{false};
volatile std::sig_atomic_t g_generating = 0;

extern "C" void on_sigint(int) {
    if (g_generating) {
        g_stop.store(true, std::memory_order_release);
    } else {
        std::signal(SIGINT, SIG_DFL);
        std::raise(SIGINT);
    }
}

}  // namespace

const std::atomic<bool>* stop_flag() { return &g_stop; }

StopScope::StopScope() {
    g_stop.store(false, std::memory_order_release);
    g_generating = 1;
    std::signal(SIGINT, on_sigint);
}

StopScope::~StopScope() {
    g_generating = 0;
    std::signal(SIGINT, SIG_DFL);
}

}  // namespace waypoint::cli
