// Engine-internal state of a loaded Model: what every architecture family
// has (configuration, card, tokenizer, device and dtypes, the embedding and
// the output head) and the family itself (family.h), which holds the rest of
// the weights and runs the forward.
#pragma once

#include <ATen/ATen.h>

#include <memory>
#include <string>

#include "formats/checkpoint.h"
#include "model/family.h"
#include "waypoint/chat_format.h"
#include "waypoint/model_card.h"
#include "waypoint/tokenizer.h"

namespace waypoint::detail {

struct ModelImpl {
    ModelConfig config;
    ModelCard card;
    std::unique_ptr<Tokenizer> tokenizer;
    std::string generation_defaults_json;
    ChatFormat chat_format;  // find_chat_format() of the checkpoint, at load

    at::Device device = at::kCPU;
    at::ScalarType weight_dtype = at::kFloat;  // matrices
    at::ScalarType act_dtype = at::kFloat;     // activations, norms, KV cache (fp32 on CPU)

    at::Tensor tok_embeddings;  // [V, D] weight dtype
    at::Tensor output;          // [V, D] weight dtype; the same tensor when tied

    // The architecture: llama/llama_model.h or gpt2/gpt2_model.h.
    std::unique_ptr<const ModelFamily> family;

    bool on_cpu() const { return device.is_cpu(); }
};

// Validates the checkpoint's tensors against its config (names and shapes;
// Error(BadFormat) naming the file and tensor otherwise), moves them to
// `device` in `dtype` (a no-copy view where they already are) and fills the
// card's shape fields. Picks the family from config.architecture. Tests call
// it with tensors they made themselves.
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
