// A backend decorator that sleeps after every token: screenshots catch a
// stream mid-way, and tests stop the real engine part-way. Built only with
// WAYPOINT_SCREENSHOT_HOOKS (tests and screenshot builds), never shipped.
#pragma once

#include <functional>
#include <memory>

#include "backend/inference_backend.h"

namespace waypoint::app {

// `delayMs` is asked after every token (a test may change it between runs).
std::shared_ptr<InferenceBackend> makeTokenDelayBackend(std::shared_ptr<InferenceBackend> inner,
                                                        std::function<int()> delayMs);

// WAYPOINT_TOKEN_DELAY_MS > 0 (tools/screenshots/take.sh sets it): the
// "engine" backend becomes the engine slowed by that much per token. Called
// by main() in screenshot builds before the window loads.
void installScreenshotHooks();

}  // namespace waypoint::app
