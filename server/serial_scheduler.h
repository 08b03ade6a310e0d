// A GenerationScheduler with `slots` worker threads, each owning one Session:
// a job runs waypoint::generate_ids alone on its slot's session, exactly as
// waypoint-cli does (the session is reset first, so greedy output is the
// CLI's). Slots run concurrently but each decodes one sequence at a time.
#pragma once

#include "generation_scheduler.h"

namespace waypoint::server {

std::unique_ptr<GenerationScheduler> make_serial_scheduler(std::shared_ptr<const waypoint::Model> model, int slots);

}  // namespace waypoint::server
