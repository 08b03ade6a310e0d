// The Llama family (llama2.c, Meta, Hugging Face LlamaForCausalLM, SmolLM,
// nanochat): RMSNorm, RoPE (interleaved or rotate-half), GQA attention, gated
// SiLU feed-forward. Its weights beyond the embedding and head (model_impl.h)
// live here; the batched forward is forward_torch.cpp (on a CPU with AVX-512
// a prompt goes to prefill_cpu.cpp), the CPU decode step
// decode_cpu.cpp (for several sessions at once decode_cpu_batch.cpp),
// loading build_llama.cpp.
#pragma once

#include <ATen/ATen.h>

#include <memory>
#include <vector>

#include "formats/checkpoint.h"
#include "model/family.h"

namespace waypoint::detail {

struct ModelImpl;

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

class LlamaModel final : public ModelFamily {
public:
    at::Tensor norm;  // [D]
    std::vector<LayerWeights> layers;

    // RoPE tables for every position: [ctx, hd/2] fp32 on the device, and the
    // same on the CPU for the CPU decode path.
    at::Tensor rope_cos, rope_sin;
    at::Tensor rope_cos_cpu, rope_sin_cpu;

    at::Tensor forward(const ModelImpl& m, KvCache* cache, const at::Tensor& ids, int64_t pos,
                       bool all_logits) const override;  // forward_torch.cpp
    // The CPU kernel step for CPU models; nullptr elsewhere (decode_cpu.cpp).
    std::unique_ptr<DecodeStep> make_decode_step(const ModelImpl& m) const override;
    // Several CPU sessions in one step; nullptr elsewhere (decode_cpu_batch.cpp).
    std::unique_ptr<BatchDecodeStep> make_batch_decode_step(const ModelImpl& m, int max_batch) const override;
};

class WeightTaker;

// Takes the canonical Llama tensors (formats/checkpoint.h) for `m` (whose
// config, device, dtypes and card path are set): fills m.tok_embeddings,
// m.output, m.config.tied_embeddings and returns the rest as the family.
// Error(BadFormat) naming the file for an inconsistent config, or the
// tensor when one is missing or misshapen.
std::unique_ptr<const ModelFamily> build_llama(ModelImpl& m, WeightTaker& taker);

}  // namespace waypoint::detail
