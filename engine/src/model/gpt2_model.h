// The GPT-2 architecture family (HF GPT2LMHeadModel, nanoGPT, minGPT-style
// scripts): LayerNorm with bias, GELU (tanh or erf), learned positions, fused
// c_attn, tied or separate head. It plugs into ModelImpl (model_impl.h):
// tok_embeddings is wte, output the head; the rest lives in ModelImpl::gpt2,
// and the KV cache is the Llama one with KV = H heads.
#pragma once

#include <ATen/ATen.h>

#include <memory>
#include <vector>

#include "formats/checkpoint.h"
#include "model/kv_cache.h"
#include "model/model_impl.h"

namespace waypoint::detail {

struct Gpt2Layer {
    at::Tensor ln1_w, ln1_b;          // [D]      activation dtype
    at::Tensor attn_w, attn_b;        // [3D, D] weight dtype, [3D]
    at::Tensor attn_proj_w, attn_proj_b;  // [D, D], [D]
    at::Tensor ln2_w, ln2_b;          // [D]
    at::Tensor fc_w, fc_b;            // [F, D], [F]
    at::Tensor mlp_proj_w, mlp_proj_b;  // [D, F], [D]
};

struct Gpt2Weights {
    at::Tensor wpe;            // [ctx, D] activation dtype
    at::Tensor ln_f_w, ln_f_b; // [D]
    std::vector<Gpt2Layer> layers;
};

// From canonical GPT-2 tensors (formats/checkpoint.h) to a ModelImpl with
// `gpt2` set. Error(BadFormat) naming the tensor when one is missing or
// misshapen. Biases absent in the file (bias=False scripts) stay undefined.
std::unique_ptr<ModelImpl> build_gpt2_model(CheckpointData&& data, at::Device device, at::ScalarType dtype);

// ids: [T] int64 on the device at positions pos .. pos+T-1. With a cache, the
// K/V rows are written into it and attention sees positions 0 .. pos+T-1;
// without (nullptr), only the T tokens from position 0. Returns fp32 logits
// [T, V] when all_logits, else [1, V].
at::Tensor gpt2_forward(const ModelImpl& m, KvCache* cache, const at::Tensor& ids, int64_t pos, bool all_logits);

}  // namespace waypoint::detail
