// From a reader's CheckpointData to weights on the device (model_impl.h): the
// part every family shares (device, dtypes, card, tokenizer); the family's
// own tensors are taken in llama/build_llama.cpp and gpt2/gpt2_model.cpp.
#include <string>

#include "formats/checkpoint_common.h"
#include "model/gpt2/gpt2_model.h"
#include "model/llama/llama_model.h"
#include "model/model_impl.h"
#include "model/weight_taker.h"
#include "waypoint/error.h"

namespace waypoint::detail {

std::string dtype_name(at::ScalarType t) {
    switch (t) {
    case at::kFloat: return "float32";
    case at::kBFloat16: return "bfloat16";
    case at::kHalf: return "float16";
    default: return c10::toString(t);
    }
}

at::ScalarType parse_dtype(const std::string& name) {
    if (name == "fp32" || name == "float32" || name == "f32") return at::kFloat;
    if (name == "bf16" || name == "bfloat16") return at::kBFloat16;
    if (name == "fp16" || name == "float16" || name == "f16" || name == "half") return at::kHalf;
    throw Error(ErrorKind::InvalidArgument,
                "unknown dtype '" + name + "'; use fp32, bf16, fp16 or auto");
}

std::unique_ptr<ModelImpl> build_model(CheckpointData&& data, at::Device device,
                                       at::ScalarType dtype) {
    auto m = std::make_unique<ModelImpl>();
    m->config = data.config;
    m->device = device;
    m->weight_dtype = dtype;
    // On the CPU, activations and the KV cache stay fp32 whatever the weights
    // are (the kernels widen 16-bit weights in registers); elsewhere they
    // follow the weights.
    m->act_dtype = device.is_cpu() ? at::kFloat : dtype;

    m->card = data.card;

    const bool gpt2 = data.config.architecture == Architecture::Gpt2;
    WeightTaker taker(data, device, m->weight_dtype, m->act_dtype, gpt2 ? "GPT-2" : "Llama");
    m->family = gpt2 ? build_gpt2(*m, taker) : build_llama(*m, taker);

    fill_card_from_config(m->card, m->config);  // as the family left it (tied head, KV heads)
    m->card.dtype = dtype_name(dtype);
    m->card.device = device.str();
    m->card.parameters = taker.parameters();
    m->tokenizer = std::move(data.tokenizer);
    m->generation_defaults_json = data.generation_defaults_json;
    return m;
}

}  // namespace waypoint::detail
