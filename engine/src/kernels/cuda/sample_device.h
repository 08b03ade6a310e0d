// The device sampler's host side (sample.cu), for decode_graph.cu: CUDA
// types, so only .cu files include it.
#pragma once

#include <cuda_runtime.h>

#include "kernels/cuda/decode_graph.h"

namespace waypoint::kernels::cuda {

struct SampleOut;

// The buffers of one session's sampler: probabilities [V], the penalised
// ids and their original logits [max_penalty], the result (device + pinned),
// and all V sorted for a nucleus wider than kMaxSorted.
class DeviceSampler {
public:
    DeviceSampler(int vocab, int max_penalty);
    ~DeviceSampler();
    DeviceSampler(const DeviceSampler&) = delete;
    DeviceSampler& operator=(const DeviceSampler&) = delete;

    // One kernel on `stream` after the step that wrote logits [V]; waits for
    // the result. logits are penalised in place and restored before it ends.
    void run(float* logits, const SampleRequest& request, SampleResult& result, cudaStream_t stream);

private:
    void release();

    int vocab_ = 0, max_penalty_ = 0;
    float* p_ = nullptr;         // [V]
    int* pen_ids_ = nullptr;     // [max_penalty]
    int* h_pen_ids_ = nullptr;   // pinned
    float* pen_orig_ = nullptr;  // [max_penalty]
    SampleOut* out_ = nullptr;
    SampleOut* h_out_ = nullptr;  // pinned
    unsigned* sorted_p_ = nullptr;  // [V] all probabilities sorted (a wide nucleus)
    int* ids_ = nullptr;            // [V] 0 .. V-1
    int* sorted_ids_ = nullptr;     // [V]
    void* sort_tmp_ = nullptr;
    size_t sort_bytes_ = 0;
};

}  // namespace waypoint::kernels::cuda
