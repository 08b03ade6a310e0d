// The Llama decode step on a CUDA device through the graph of
// kernels/cuda/decode_graph.h: maps the model's tensors and the session's KV
// cache onto its raw pointers.
#pragma once

#include <memory>

#include "model/family.h"
#include "model/llama/llama_model.h"
#include "model/model_impl.h"

namespace waypoint::detail {

// Null when the step stays on libtorch ops: a build without the CUDA kernels,
// WAYPOINT_CUDA_DECODE=0, a dtype or shape the kernels do not take
// (kernels::cuda::unsupported). The graph itself is made on the first step,
// when the session's cache is known; if that fails (say, a context longer
// than the attention kernel's shared memory) the step runs the libtorch
// forward instead, or throws when WAYPOINT_CUDA_DECODE=1.
std::unique_ptr<DecodeStep> make_cuda_decode_step(const ModelImpl& m, const LlamaModel& lm);

}  // namespace waypoint::detail
