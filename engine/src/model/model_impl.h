// Engine-internal state of a loaded Model: the configuration, the weights on
// their device in their compute dtype, RoPE tables, tokenizer and card.
#pragma once

#include <ATen/ATen.h>

#include <memory>
#include <string>
#include <vector>

#include "formats/checkpoint.h"
#include "waypoint/model_card.h"
#include "waypoint/tokenizer.h"

namespace waypoint::detail {

struct LayerWeights {
    at::Tensor attn_norm;   // [D]       activation dtype (fp32 on CPU)
    at::Tensor wq;          // [H*hd, D]  weight dtype
    at::Tensor wk;          // [KV*hd, D]
    at::Tensor wv;          // [KV*hd, D]
    at::Tensor wo;          // [D, H*hd]
    at::Tensor ffn_norm;    // [D]
    at::Tensor w1;          // [F, D] gate
    at::Tensor w2;          // [D, F] down
    at::Tensor w3;          // [F, D] up
};

struct Gpt2Weights;  // model/gpt2_model.h

struct ModelImpl {
    ModelConfig config;
    ModelCard card;
    std::unique_ptr<Tokenizer> tokenizer;
    std::string generation_defaults_json;

    at::Device device = at::kCPU;
    at::ScalarType weight_dtype = at::kFloat;  // matrices
    at::ScalarType act_dtype = at::kFloat;     // activations, norms, KV cache (fp32 on CPU)

    at::Tensor tok_embeddings;  // [V, D] weight dtype
    at::Tensor output;          // [V, D] weight dtype; the same tensor when tied
    at::Tensor norm;            // [D]
    std::vector<LayerWeights> layers;

    // RoPE tables for every position: [ctx, hd/2] fp32 on the device, and the
    // same on the CPU for the CPU decode path.
    at::Tensor rope_cos, rope_sin;
    at::Tensor rope_cos_cpu, rope_sin_cpu;

    // GPT-2 family only (gpt2_model.h): its extra weights; the forward and the
    // session dispatch on it.
    std::shared_ptr<const Gpt2Weights> gpt2;

    bool on_cpu() const { return device.is_cpu(); }
};

// Validates the checkpoint's tensors against its config (names and shapes;
// Error(BadFormat) naming the file and tensor otherwise), moves them to
// `device` in `dtype` (a no-copy view where they already are) and fills the
// card's shape fields. Tests call it with tensors they made themselves.
std::unique_ptr<ModelImpl> build_model(CheckpointData&& data, at::Device device,
                                       at::ScalarType dtype);

// Applies set_cpu_threads(0) (all cores for our pool and OpenBLAS, one
// libtorch OpenMP thread) unless the program already chose a thread count:
// libtorch's and OpenBLAS's defaults together oversubscribe the cores.
// Also keeps large tensors in the heap (see devices.cpp).
void ensure_cpu_threads();

// "float32", "bfloat16", "float16"
std::string dtype_name(at::ScalarType t);
// "fp32" | "bf16" | "fp16" (and the long names) -> ScalarType; Error otherwise.
at::ScalarType parse_dtype(const std::string& name);

}  // namespace waypoint::detail
