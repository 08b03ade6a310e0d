// The one-token decode step on the CPU: plain loops over raw pointers with
// the hand-written kernels (kernels/), every buffer preallocated, no libtorch
// op per token. Writes the same KV cache layout as forward_torch.
#pragma once

#include <vector>

#include "kernels/matvec.h"
#include "model/kv_cache.h"
#include "model/llama/llama_model.h"
#include "model/model_impl.h"

namespace waypoint::detail {

// Scratch buffers for one session, sized once from the config.
struct DecodeScratch {
    std::vector<float> x, xb;       // [D]
    std::vector<float> q, k, v;     // [H*hd], [KV*hd], [KV*hd]
    std::vector<float> att;         // [H*hd]
    std::vector<float> h1, h3;      // [F]
    std::vector<float> scores;      // [H, ctx]
    explicit DecodeScratch(const ModelConfig& c);
};

// The kernels' name for a weight tensor's dtype.
kernels::WeightType weight_type(const at::Tensor& w);

// Row `id` of the embedding table [V, D] (fp32, bf16 or fp16) as fp32 into out [D].
void embedding_row(const at::Tensor& emb, int id, float* out);

// Token `id` at position `pos` (< context): writes its K/V rows into the cache
// and the logits [V] into `logits`. CPU models only.
void decode_cpu(const ModelImpl& m, const LlamaModel& w, KvCache& cache, DecodeScratch& s, int id, int pos,
                float* logits);

}  // namespace waypoint::detail
