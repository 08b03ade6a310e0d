// A GenerationScheduler over the engine's BatchDecoder (waypoint/batch.h):
// `slots` KV-cache slots whose decode steps run as one batched forward on one
// thread of the decoder's own (continuous batching: a job joins at the next
// step after its prompt is prefilled and leaves the moment it ends; a slot
// that held an earlier conversation is reused for the job that extends it).
// Greedy output is waypoint-cli's for the same ids, whatever runs beside it
// (fp32, CPU: tests/engine/tst_batch). The CPU model's scheduler; on other
// devices the slots would decode one after the other, so the serial
// scheduler's threads serve those.
#pragma once

#include "generation_scheduler.h"

namespace waypoint::server {

std::unique_ptr<GenerationScheduler> make_batch_scheduler(std::shared_ptr<const waypoint::Model> model, int slots);

}  // namespace waypoint::server
