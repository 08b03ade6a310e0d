// Tensor names vary between training scripts (transformer.h.0.attn.c_attn,
// blocks.0.attn.c_attn, layers.0.attention.wq, model.layers.0.self_attn.q_proj,
// ...). This is the ONE place that maps them to the canonical names of
// formats/checkpoint.h: a table of regex rules per architecture family, no
// branch per training script. Prefixes that wrappers add (torch.compile's
// "_orig_mod.", DDP's "module.") are stripped first.
#pragma once

#include <ATen/ATen.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "formats/checkpoint.h"

namespace waypoint::detail::pt {

struct MappedTensors {
    Architecture architecture = Architecture::Llama;
    RopeStyle rope = RopeStyle::Interleaved;  // Hugging Face names imply rotate-half
    bool hf_gpt2 = false;                     // HF GPT2LMHeadModel's Conv1D layout (set by the reader)
    std::unordered_map<std::string, at::Tensor> tensors;  // canonical name -> tensor
    std::map<std::string, std::string> source;             // canonical name -> name in the file
};

// Maps a state dict (file order) to canonical names. Throws Error(Unsupported)
// naming the tensors no rule places (an unknown key set), Error(BadFormat) when
// two names land on one canonical name. `label` names the file.
MappedTensors map_tensor_names(const std::vector<std::pair<std::string, at::Tensor>>& state_dict,
                               const std::string& label);

// "_orig_mod.module.x" -> "x".
std::string strip_wrapper_prefixes(std::string name);

}  // namespace waypoint::detail::pt
