#include "stop_signal.h"

#include <csignal>

namespace waypoint::cli {
namespace {

std::atomic<bool> g_stop{false};
std::atomic<bool> g_idle_interrupt{false};
volatile std::sig_atomic_t g_generating = 0;
volatile std::sig_atomic_t g_keep_running = 0;

extern "C" void on_sigint(int) {
    if (g_generating) {
        g_stop.store(true, std::memory_order_release);
    } else if (g_keep_running) {
        g_idle_interrupt.store(true, std::memory_order_release);
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
    if (!g_keep_running) std::signal(SIGINT, SIG_DFL);
}

KeepRunningOnCtrlC::KeepRunningOnCtrlC() {
    g_idle_interrupt.store(false, std::memory_order_release);
    g_keep_running = 1;
    std::signal(SIGINT, on_sigint);
}

KeepRunningOnCtrlC::~KeepRunningOnCtrlC() {
    g_keep_running = 0;
    if (!g_generating) std::signal(SIGINT, SIG_DFL);
}

bool take_idle_interrupt() { return g_idle_interrupt.exchange(false, std::memory_order_acq_rel); }

}  // namespace waypoint::cli
