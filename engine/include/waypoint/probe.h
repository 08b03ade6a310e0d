// What a checkpoint is, without loading its weights: the format, name, size,
// training step, validation loss and whether its tokenizer is found, cheap
// enough to list a folder of checkpoints (files are memory-mapped and their
// headers read; no tensor is copied, converted or dequantized).
#pragma once

#include <optional>
#include <string>

#include "waypoint/model_card.h"

namespace waypoint {

struct CheckpointProbe {
    // The card Model::load would show, less what needs the weights on a
    // device: dtype and device stay "", parameters are counted from the
    // tensor shapes. path, name, format and file_bytes are always set;
    // training_step and validation_loss where the checkpoint says.
    ModelCard card;
    // card.tokenizer then describes it (as Model::load would load it).
    bool tokenizer_found = false;
    // "" when the checkpoint reads (loading may still run out of memory or
    // find no device); else the message Model::load would throw: the file,
    // what is wrong and what to do (a missing tokenizer included).
    std::string problem;
};

// Recognises `path`, a file or a folder, by content as Model::load does (a
// folder only as a checkpoint layout: a Hugging Face folder, a nanochat
// step folder; not as a folder that holds a checkpoint file). std::nullopt
// when it is not a checkpoint of any format Waypoint reads, or does not
// exist. Never throws for what a file holds; safe to call from any thread.
std::optional<CheckpointProbe> probe_checkpoint(const std::string& path);

}  // namespace waypoint
