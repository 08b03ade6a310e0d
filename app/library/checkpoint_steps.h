// Training runs in the picker: the steps of one run (arith-step000500,
// arith-step002000; nanochat checkpoints/step_XXXXXX; Trainer checkpoint-N)
// form one group, by the names on disk. Steps and losses the checkpoints
// record come from the engine's probe (checkpoint_info.h).
#pragma once

#include <QString>

#include "library/checkpoint_info.h"

namespace waypoint::app {

// The step in a checkpoint's name ("arith-step000500", "checkpoint-1000",
// "step_002920"), -1 when the name has none: the picker's fallback for
// checkpoints that do not record their step.
qint64 stepInName(const QString& name);

// Which training run a checkpoint belongs to. `key` is empty when the name
// says nothing about a run; checkpoints with the same key are one run.
struct RunInfo {
    QString key;     // folder + name prefix
    QString name;    // what the group header shows, e.g. "arith" or "d20"
    bool stepFolder = false;  // a nanochat step_XXXXXX folder: a run even alone
};
RunInfo runOf(const CheckpointInfo& c);

}  // namespace waypoint::app
