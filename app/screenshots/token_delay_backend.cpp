#include "token_delay_backend.h"

#include <QtGlobal>
#include <chrono>
#include <thread>

#include "backend/backend_registry.h"
#include "backend/token_hook_backend.h"

namespace waypoint::app {

std::shared_ptr<InferenceBackend> makeTokenDelayBackend(std::shared_ptr<InferenceBackend> inner,
                                                        std::function<int()> delayMs) {
    return makeTokenHookBackend(std::move(inner), [delayMs](const std::string&) {
        TokenHooks hooks;
        hooks.afterToken = [delayMs](const TokenEvent&) {
            if (const int ms = delayMs(); ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
        };
        return hooks;
    });
}

void installScreenshotHooks() {
    const int ms = qEnvironmentVariableIntValue("WAYPOINT_TOKEN_DELAY_MS");
    if (ms > 0)
        registerBackend(QStringLiteral("engine"), [ms] { return makeTokenDelayBackend(makeEngineBackend(), [ms] { return ms; }); });
}

}  // namespace waypoint::app
