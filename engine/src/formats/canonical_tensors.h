// The canonical tensors of each architecture family (names in checkpoint.h),
// written once: the readers check a checkpoint against this list and the
// model builders (model/llama, model/gpt2) take their weights by it.
#pragma once

#include <ATen/ATen.h>

#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "formats/checkpoint.h"

namespace waypoint::detail {

struct TensorSpec {
    std::string name;            // canonical name
    std::vector<int64_t> shape;  // as the config implies
    bool matrix = true;          // a weight matrix (weight dtype); else a norm, bias or table (activation dtype)
    bool required = true;        // else taken when present (GPT-2 biases of bias=False scripts, a tied head)
};

// Every canonical tensor of config.architecture: for Llama the embedding,
// final norm, head (required unless tied) and per layer the attention and
// feed-forward matrices and norms; for GPT-2 wte, wpe, ln_f, lm_head and per
// layer ln_1, c_attn, c_proj, ln_2, c_fc, mlp.c_proj with their biases
// (required when config.bias, LayerNorm biases never).
std::vector<TensorSpec> canonical_tensors(const ModelConfig& config);

// Checks every required tensor exists, and every present one has its shape
// and a float dtype. Throws Error(BadFormat) naming `file`, the tensor (as
// `source_name` spells it in the file, when given), the expected and the
// found shape.
void check_canonical_tensors(const std::unordered_map<std::string, at::Tensor>& tensors, const ModelConfig& config,
                             const std::string& file,
                             const std::function<std::string(const std::string&)>& source_name = {});

// "[4, 8]" for messages.
std::string shape_text(at::IntArrayRef shape);

}  // namespace waypoint::detail
