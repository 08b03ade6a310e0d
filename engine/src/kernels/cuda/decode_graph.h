// The one-token Llama decode step on an NVIDIA GPU as one CUDA graph.
//
// Why: at batch 1 a decode step reads every weight once and is bound by
// memory bandwidth, but on libtorch ops it is ~30 kernel launches per layer
// issued one by one from the host, so the GPU idles between launches (110 tok/s
// on a 1.1B model where the bandwidth allows ~2,000). Here a step is five
// kernels per layer (QKV with the RMS norm fused in; RoPE + cache write +
// attention; Wo + residual; gate/up with the norm, writing silu(gate) * up;
// down + residual), captured once into a graph over static buffers (token id
// and position live in device memory) and replayed per token. On an H200
// (TinyLlama-1.1B shape, bf16) this measured 1,036 tok/s against 620 for a
// gpt-fast-style torch.compile'd model (bench/cuda/run_device.sh).
//
// This header has no CUDA types, so the engine's C++ (built by the host
// compiler against any libtorch) can include it; decode_graph.cu implements
// it when the linked libtorch has CUDA, decode_graph_stub.cpp otherwise.
#pragma once

#include <memory>
#include <vector>

namespace waypoint::kernels::cuda {

// Whether this build has the CUDA decode path at all.
bool compiled();

enum class DType { F32, BF16, F16 };

// Device pointers of one layer. Matrices are row-major [out, in], contiguous.
struct LayerPtrs {
    const void* wq = nullptr;   // [H*hd, D]
    const void* wk = nullptr;   // [KV*hd, D]
    const void* wv = nullptr;   // [KV*hd, D]
    const void* wo = nullptr;   // [D, H*hd]
    const void* w1 = nullptr;   // [F, D] gate
    const void* w2 = nullptr;   // [D, F] down
    const void* w3 = nullptr;   // [F, D] up
    const float* attn_norm = nullptr;  // [D] fp32
    const float* ffn_norm = nullptr;   // [D] fp32
    void* k_cache = nullptr;    // [KV, ctx, hd] in cache_type (this layer's slice)
    void* v_cache = nullptr;
};

struct DecodeDesc {
    int device = 0;  // CUDA device index
    int dim = 0, hidden = 0, heads = 0, kv_heads = 0, head_dim = 0, vocab = 0, ctx = 0;
    float norm_eps = 1e-5f;
    bool rope_interleaved = true;
    DType weight_type = DType::F32;  // matrices and the embedding table
    DType cache_type = DType::F32;   // KV cache
    const void* tok_embeddings = nullptr;  // [V, D]
    const void* output = nullptr;          // [V, D] (may equal tok_embeddings)
    const float* norm = nullptr;           // [D] fp32
    const float* rope_cos = nullptr;       // [ctx, hd/2] fp32
    const float* rope_sin = nullptr;
    std::vector<LayerPtrs> layers;
};

// What the graph path cannot run (head_dim over 256, ...): empty when it can.
const char* unsupported(const DecodeDesc& d);

// Process-wide figures for benchmarks: graphs captured so far, the last
// capture's time, whether steps use PDL, and the device's memory in use
// (cudaMemGetInfo: every allocation on the device, the CUDA context included).
struct Stats {
    int graphs = 0;
    double last_capture_ms = 0;
    bool pdl = false;
    double device_used_mb = 0;
    double device_total_mb = 0;
    long long device_picks = 0;     // tokens the device sampler chose
    long long sample_fallbacks = 0; // tokens it handed to the host sampler
};
Stats stats(int device);

// The device sampler (sample.cu): the chain of waypoint/sampler.h on the
// logits the graph left on the device. It selects and sorts the kMaxSorted
// most likely candidates in one block (all V, more slowly, when the filters
// need more); alternatives reported at most kMaxTop.
constexpr int kMaxSorted = 1024;
constexpr int kMaxTop = 32;

struct SampleRequest {
    bool greedy = true;
    float inv_temperature = 1.0f;  // 1 / T as steps.cpp computes it (min(1/T, 1e30))
    int top_k = 0;
    float top_p = 1.0f;
    float min_p = 0.0f;
    float penalty = 1.0f;
    const int* penalty_ids = nullptr;  // distinct ids in [0, V) to penalise (host memory)
    int n_penalty = 0;
    double u = 0.0;  // the draw's uniform number in [0, 1) (the host Sampler's stream)
    int top_n = 0;   // alternatives wanted (<= kMaxTop)
};

struct SampleResult {
    bool picked = false;  // false: the host must sample (fetch_logits)
    int id = -1;
    float p = 0.0f;       // its probability after temperature
    int n_top = 0;
    int top_id[kMaxTop] = {};
    float top_p[kMaxTop] = {};
};

struct DecoderState;

// One per session (it owns the scratch buffers and the graph, which bakes in
// that session's KV cache). Throws std::runtime_error naming the CUDA call on
// any CUDA error.
class Decoder {
public:
    explicit Decoder(const DecodeDesc& desc);
    ~Decoder();
    Decoder(const Decoder&) = delete;
    Decoder& operator=(const Decoder&) = delete;

    // Token `id` at position `pos` (< ctx): writes its K/V rows into the cache
    // and the fp32 logits [V] into host_logits. The first call runs the kernels
    // directly (loading them); the second captures the graph; later calls
    // replay it. Returns when the logits are on the host.
    // host_logits may be null: the logits then stay on the device for
    // sample() or fetch_logits(), and step() returns without waiting.
    void step(int id, int pos, float* host_logits);

    // After step(id, pos, nullptr): the next token chosen on the device; only
    // the result crosses to the host. result.picked is false where the
    // request needs what the device sampler lacks (non-finite logits,
    // top_n > kMaxTop): then call
    // fetch_logits and sample on the host. The logits stay unpenalised.
    void sample(const SampleRequest& request, SampleResult& result);
    // The last step's fp32 logits [V] to the host.
    void fetch_logits(float* host_logits);

    // Milliseconds spent capturing and instantiating the graph (0 before).
    double capture_ms() const;
    // Whether steps replay a graph (WAYPOINT_CUDA_GRAPH=0 turns it off) and
    // launch with programmatic dependent launch (WAYPOINT_CUDA_PDL=0 off).
    bool uses_graph() const;
    bool uses_pdl() const;

private:
    std::unique_ptr<DecoderState> s_;
};

}  // namespace waypoint::kernels::cuda
