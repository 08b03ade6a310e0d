#include "model/kv_cache.h"

#include <cstring>

#include "waypoint/error.h"

namespace waypoint::detail {

KvCache::KvCache(const ModelConfig& c, at::ScalarType dtype, at::Device device)
    : kv_heads_(c.n_kv_heads), ctx_(c.max_seq_len), head_dim_(c.head_dim()),
      layer_stride_(int64_t(c.n_kv_heads) * c.max_seq_len * c.head_dim()) {
    const auto opts = at::TensorOptions().dtype(dtype).device(device);
    k_ = at::zeros({c.n_layers, kv_heads_, ctx_, head_dim_}, opts);
    v_ = at::zeros({c.n_layers, kv_heads_, ctx_, head_dim_}, opts);
    if (device.is_cpu() && dtype == at::kFloat) {
        k_data_ = k_.data_ptr<float>();
        v_data_ = v_.data_ptr<float>();
    }
}

void KvCache::append(int64_t layer, int64_t pos, const at::Tensor& k, const at::Tensor& v) {
    const int64_t T = k.size(1);
    k_[layer].narrow(1, pos, T).copy_(k);
    v_[layer].narrow(1, pos, T).copy_(v);
}

void KvCache::append(int layer, int pos, const float* k, const float* v) {
    if (!k_data_) throw Error(ErrorKind::Internal, "KV cache: host rows need an fp32 CPU cache");
    float* kc = k_data_ + layer * layer_stride_;  // [KV, ctx, hd]
    float* vc = v_data_ + layer * layer_stride_;
    const size_t row = sizeof(float) * size_t(head_dim_);
    for (int64_t j = 0; j < kv_heads_; ++j) {
        std::memcpy(kc + (j * ctx_ + pos) * head_dim_, k + j * head_dim_, row);
        std::memcpy(vc + (j * ctx_ + pos) * head_dim_, v + j * head_dim_, row);
    }
}

void* KvCache::device_keys(int layer) const {
    return static_cast<char*>(k_.data_ptr()) + layer * layer_stride_ * int64_t(k_.element_size());
}

void* KvCache::device_values(int layer) const {
    return static_cast<char*>(v_.data_ptr()) + layer * layer_stride_ * int64_t(v_.element_size());
}

KvView KvCache::view(int64_t layer, int64_t end) const {
    return {k_[layer].narrow(1, 0, end), v_[layer].narrow(1, 0, end)};
}

}  // namespace waypoint::detail
