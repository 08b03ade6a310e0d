// PyTorch checkpoints written by torch.save (zip format), read without Python:
//   - nanoGPT / llama2.c ckpt.pt: {"model_args" | "config": {...}, "model": state_dict, ...}
//     (optimizer state ignored; torch.compile's "_orig_mod." prefixes stripped);
//   - a bare state_dict .pt/.pth: sizes from the tensor shapes, the rest from a
//     config.json beside it (which also takes precedence over what is inside);
//   - nanochat-style step files model_<step>.pt + meta_<step>.json (model
//     config, step, validation loss, tokenizer) and folders holding them;
//   - vocabularies inside (stoi/itos) or beside (meta.pkl, meta.json,
//     tokenizer.model, tokenizer.bin) the checkpoint, or --tokenizer.
// Hooks for formats/checkpoint.cpp's dispatcher.
#pragma once

#include <string>

#include "formats/checkpoint.h"
#include "formats/readers.h"

namespace waypoint::detail {

// torch.save's zip: a zip local header whose first record is "<dir>/data.pkl".
bool looks_like_torch_zip(const std::string& path);
bool is_torch_zip(const FileProbe& probe);

CheckpointData read_torch_checkpoint(const std::string& path, const ReadOptions& options);
CheckpointData read_torch_zip(const FileProbe& probe, const ReadOptions& options);

// A folder of training steps: model_<digits>.pt files (nanochat), with
// meta_<digits>.json beside them; or a run folder whose step_<digits>/
// subfolders hold them. read_step_folder loads the latest step.
bool is_step_folder(const std::string& dir);
CheckpointData read_step_folder(const std::string& dir, const ReadOptions& options);

// A Hugging Face folder whose weights are a torch.save pytorch_model.bin
// (config.json beside it; no model.safetensors): read like a bare state dict.
bool is_torch_weights_folder(const std::string& dir);
CheckpointData read_torch_weights_folder(const std::string& dir, const ReadOptions& options);

// A Hugging Face GPT-2 folder (config.json with model_type "gpt2" +
// model.safetensors, Conv1D weights): the GPT-2 family through the same
// name rules; tokenizer.json or vocab.json + merges.txt beside it.
bool is_hf_gpt2_folder(const std::string& dir);
CheckpointData read_hf_gpt2_folder(const std::string& dir, const ReadOptions& options);

}  // namespace waypoint::detail
