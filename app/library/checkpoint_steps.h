// Training-run facts the picker shows without loading a model: the step a
// checkpoint was saved at and its validation loss, read from the small files
// that carry them (nanochat meta_XXXXXX.json, the JSON header of a
// .safetensors file, a Hugging Face trainer_state.json), else the step in the
// name. And the rule that puts the steps of one run into one group.
#pragma once

#include <QString>
#include <cmath>
#include <limits>

#include "library/checkpoint_sniffer.h"

namespace waypoint::app {

struct StepInfo {
    qint64 step = -1;                                          // -1: not known
    double valLoss = std::numeric_limits<double>::quiet_NaN();  // NaN: not recorded
    bool hasStep() const { return step >= 0; }
    bool hasValLoss() const { return !std::isnan(valLoss); }
};

// Reads only metadata: a few KB of JSON, never tensors.
StepInfo readStepInfo(const SniffedCheckpoint& c);

// Which training run a checkpoint belongs to. `key` is empty when the name
// says nothing about a run; checkpoints with the same key are one run.
struct RunInfo {
    QString key;     // folder + name prefix
    QString name;    // what the group header shows, e.g. "arith" or "d20"
    bool stepFolder = false;  // a nanochat step_XXXXXX folder: a run even alone
};
RunInfo runOf(const SniffedCheckpoint& c);

}  // namespace waypoint::app
