// The KV cache of one session, allocated once for the whole context.
#pragma once

#include <ATen/ATen.h>

#include "model/model_impl.h"

namespace waypoint::detail {

struct KvCache {
    // k, v: [L, KV, ctx, hd] in the activation dtype on the model's device.
    // Rows are written in place at their position; positions are contiguous
    // per KV head so one head's attention streams through memory.
    at::Tensor k, v;

    explicit KvCache(const ModelImpl& m) {
        const ModelConfig& c = m.config;
        const auto opts = at::TensorOptions().dtype(m.act_dtype).device(m.device);
        k = at::zeros({c.n_layers, c.n_kv_heads, c.max_seq_len, c.head_dim()}, opts);
        v = at::zeros({c.n_layers, c.n_kv_heads, c.max_seq_len, c.head_dim()}, opts);
    }
};

}  // namespace waypoint::detail
