// Engine threads give way to the GUI thread when cores are scarce.
#pragma once

namespace waypoint::app {

// Lowers the calling thread's scheduling priority a little (nice +5 on
// Linux). Threads it starts afterwards inherit it: the engine's kernel pool
// and libtorch's OpenMP team are created by the first worker that runs a
// model. Qt's QThread::LowPriority does nothing for SCHED_OTHER threads on
// Linux, hence this. On a 2-core machine it keeps the window's event loop
// from waiting behind a streaming answer (bench_responsiveness).
void lowerCurrentThreadPriority();

}  // namespace waypoint::app
