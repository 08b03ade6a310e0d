// The KV cache of one session, allocated once for the whole context. Both
// forward paths (the batched libtorch one and the CPU decode step) write and
// read it only through append() and view() / the raw rows below.
#pragma once

#include <ATen/ATen.h>

#include "formats/checkpoint.h"

namespace waypoint::detail {

struct KvView {
    at::Tensor k, v;  // [KV, S, hd]: positions 0 .. S-1 of one layer, no copy
};

class KvCache {
public:
    // k, v: [L, KV, ctx, hd] zeros in `dtype` on `device`. Positions are
    // contiguous per KV head so one head's attention streams through memory.
    KvCache(const ModelConfig& c, at::ScalarType dtype, at::Device device);

    int64_t capacity() const { return ctx_; }  // ctx positions

    // k, v: [KV, T, hd] (any strides) -> positions pos .. pos+T-1 of `layer`.
    void append(int64_t layer, int64_t pos, const at::Tensor& k, const at::Tensor& v);
    // One position from host floats, k, v: [KV*hd] (fp32 CPU caches only).
    void append(int layer, int pos, const float* k, const float* v);

    // Positions 0 .. end-1 of `layer`.
    KvView view(int64_t layer, int64_t end) const;

    // `layer`'s whole rows [KV, ctx, hd] for the CPU kernels (fp32 CPU caches only).
    const float* keys(int layer) const { return k_data_ + layer * layer_stride_; }
    const float* values(int layer) const { return v_data_ + layer * layer_stride_; }

    // `layer`'s whole rows [KV, ctx, hd] in the cache's dtype on its device,
    // for kernels that write and read them in place (the CUDA decode graph).
    void* device_keys(int layer) const;
    void* device_values(int layer) const;
    at::ScalarType dtype() const { return k_.scalar_type(); }

private:
    at::Tensor k_, v_;  // [L, KV, ctx, hd]
    int64_t kv_heads_, ctx_, head_dim_, layer_stride_;
    float* k_data_ = nullptr;  // set for fp32 CPU caches
    float* v_data_ = nullptr;
};

}  // namespace waypoint::detail
