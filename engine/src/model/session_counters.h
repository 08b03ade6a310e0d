// Engine-internal: how many token positions every Session in this process has
// computed through the model (prefill, step, forward_all). Tests read it to
// show that a turn reused the KV cache instead of recomputing the prefix.
#pragma once

#include <cstdint>

namespace waypoint::detail {

int64_t tokens_computed();

}  // namespace waypoint::detail
