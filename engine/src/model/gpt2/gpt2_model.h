// The GPT-2 architecture family (HF GPT2LMHeadModel, nanoGPT, minGPT-style
// scripts): LayerNorm with bias, GELU (tanh or erf), learned positions, fused
// c_attn, tied or separate head. ModelImpl's tok_embeddings is wte, output
// the head; the rest lives here. The KV cache is the Llama one with KV = H
// heads. No CPU decode step of its own: one-token steps run forward().
#pragma once

#include <ATen/ATen.h>

#include <memory>
#include <vector>

#include "formats/checkpoint.h"
#include "model/family.h"

namespace waypoint::detail {

struct ModelImpl;
class WeightTaker;

struct Gpt2Layer {
    at::Tensor ln1_w, ln1_b;          // [D]      activation dtype
    at::Tensor attn_w, attn_b;        // [3D, D] weight dtype, [3D]
    at::Tensor attn_proj_w, attn_proj_b;  // [D, D], [D]
    at::Tensor ln2_w, ln2_b;          // [D]
    at::Tensor fc_w, fc_b;            // [F, D], [F]
    at::Tensor mlp_proj_w, mlp_proj_b;  // [D, F], [D]
};

class Gpt2Model final : public ModelFamily {
public:
    at::Tensor wpe;            // [ctx, D] activation dtype
    at::Tensor ln_f_w, ln_f_b; // [D]
    std::vector<Gpt2Layer> layers;

    at::Tensor forward(const ModelImpl& m, KvCache* cache, const at::Tensor& ids, int64_t pos,
                       bool all_logits) const override;
};

// Takes the canonical GPT-2 tensors (formats/checkpoint.h) for `m` (whose
// config, device, dtypes and card path are set): fills m.tok_embeddings,
// m.output and the config's tied head and KV heads (= heads). Error(BadFormat)
// naming the tensor when one is missing or misshapen. Biases absent in the
// file (bias=False scripts) stay undefined.
std::unique_ptr<const ModelFamily> build_gpt2(ModelImpl& m, WeightTaker& taker);

}  // namespace waypoint::detail
