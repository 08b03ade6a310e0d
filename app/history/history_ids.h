// Time-ordered ids for chats and messages, made where the row is first known
// (the GUI thread) so nothing has to wait for the database to hand one back.
#pragma once

#include "history_types.h"

namespace waypoint::history {

// Returns an id larger than any returned before in this process and than any
// passed to seenId(); thread-safe.
Id nextId();
// Raises the floor to `id` (the database's largest id at open), so a clock set
// back between runs still gives ids that sort after the saved ones.
void seenId(Id id);

}  // namespace waypoint::history
