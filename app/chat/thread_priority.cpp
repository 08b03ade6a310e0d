#include "chat/thread_priority.h"

#if defined(__linux__)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace waypoint::app {

void lowerCurrentThreadPriority() {
#if defined(__linux__)
    // On Linux the nice value is per thread (the tid), not per process.
    constexpr int kEngineNice = 5;
    const auto tid = static_cast<id_t>(syscall(SYS_gettid));
    const int current = getpriority(PRIO_PROCESS, tid);
    if (current < kEngineNice) setpriority(PRIO_PROCESS, tid, kEngineNice);  // failure is harmless
#endif
}

}  // namespace waypoint::app
