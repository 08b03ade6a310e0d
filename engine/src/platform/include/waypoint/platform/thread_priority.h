// Engine threads give way to the GUI thread when cores are scarce.
#pragma once

namespace waypoint::platform {

// Lowers the calling thread's scheduling priority a little. Threads it
// starts afterwards inherit it on Linux and macOS: the engine's kernel pool
// and libtorch's OpenMP team are created by the first worker that runs a
// model. Linux: nice +5 for this thread (the nice value is per thread there;
// Qt's QThread::LowPriority does nothing for SCHED_OTHER threads). macOS:
// the utility QoS class. Windows: THREAD_PRIORITY_BELOW_NORMAL. Failure is
// harmless and ignored.
void lower_current_thread_priority();

}  // namespace waypoint::platform
