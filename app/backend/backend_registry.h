// Named backends, and the one instance of each that the whole process shares.
// The product registers "engine" (the real one) and nothing else; the test
// support library (tests/support/) adds its fakes, and screenshot builds
// (WAYPOINT_SCREENSHOT_HOOKS) a slowed engine. ChatController,
// CompareController and EvaluationController ask for a backend by name here
// (their `backend` property, "engine" by default), so a checkpoint open in the
// chat, in compare panes and in the evaluation is loaded once.
#pragma once

#include <QString>
#include <functional>
#include <memory>

#include "backend/inference_backend.h"

namespace waypoint::app {

using BackendFactory = std::function<std::shared_ptr<InferenceBackend>()>;

// Adds or replaces the backend `name`; call before anyone asks for it (in
// main() or a test's setup). GUI thread only.
void registerBackend(const QString& name, BackendFactory factory);

// The process's backend `name` behind one sharing decorator (one loaded model
// per checkpoint and device), made on first use and kept while anyone holds
// it; nullptr for a name nobody registered. GUI thread only.
std::shared_ptr<InferenceBackend> sharedBackend(const QString& name);

}  // namespace waypoint::app
