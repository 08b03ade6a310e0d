// What every checkpoint reader yields: a model configuration, named tensors
// under one canonical naming, the tokenizer and the card fields the file
// knows. One reader per format in this folder; model/ builds from this.
#pragma once

#include <ATen/ATen.h>

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "waypoint/model_card.h"
#include "waypoint/tokenizer.h"

namespace waypoint::detail {

enum class Architecture { Llama, Gpt2 };

// llama2.c/Meta rotate interleaved pairs (x0,x1),(x2,x3)..; Hugging Face
// rotates halves (x_i, x_{i+hd/2}). The forward implements both.
enum class RopeStyle { Interleaved, RotateHalf };

// The feed-forward nonlinearity: Llama's gated SiLU; GPT-2's GELU (HF GPT-2
// "gelu_new" is the tanh approximation, nanoGPT's nn.GELU() the exact erf).
enum class Activation { SiLU, GeluExact, GeluTanh };

struct ModelConfig {
    Architecture architecture = Architecture::Llama;
    int dim = 0;          // model width D
    int hidden_dim = 0;   // feed-forward width F
    int n_layers = 0;
    int n_heads = 0;      // H
    int n_kv_heads = 0;   // KV (GQA: H % KV == 0)
    int vocab_size = 0;   // V
    int max_seq_len = 0;  // context length
    float norm_eps = 1e-5f;
    float rope_theta = 10000.0f;
    RopeStyle rope = RopeStyle::Interleaved;
    bool tied_embeddings = false;  // no "output.weight": the head reuses the embedding
    // GPT-2 family (norm_eps is the LayerNorm eps there):
    Activation activation = Activation::SiLU;
    bool bias = false;               // linear layers and norms carry biases
    bool learned_positions = false;  // wpe.weight [ctx, D] instead of RoPE

    int head_dim() const { return dim / n_heads; }
};

// Canonical tensor names (llama2.c / Meta naming), float32 or 16-bit, on CPU:
//   tok_embeddings.weight              [V, D]
//   norm.weight                        [D]
//   output.weight                      [V, D]   (absent when tied)
//   layers.{i}.attention_norm.weight   [D]
//   layers.{i}.attention.wq.weight     [H*hd, D]
//   layers.{i}.attention.wk.weight     [KV*hd, D]
//   layers.{i}.attention.wv.weight     [KV*hd, D]
//   layers.{i}.attention.wo.weight     [D, H*hd]
//   layers.{i}.ffn_norm.weight         [D]
//   layers.{i}.feed_forward.w1.weight  [F, D]   gate
//   layers.{i}.feed_forward.w2.weight  [D, F]   down
//   layers.{i}.feed_forward.w3.weight  [F, D]   up
// q/k rows are in the layout the file uses; config.rope says which.
//
// GPT-2 family (Architecture::Gpt2), every matrix in Linear layout [out, in]
// (readers transpose HF Conv1D weights); biases present when config.bias:
//   wte.weight                         [V, D]
//   wpe.weight                         [ctx, D]
//   ln_f.weight, ln_f.bias             [D]
//   lm_head.weight                     [V, D]   (absent when tied)
//   h.{i}.ln_1.weight, h.{i}.ln_1.bias [D]
//   h.{i}.attn.c_attn.weight           [3D, D]  q, k, v rows in that order
//   h.{i}.attn.c_attn.bias             [3D]
//   h.{i}.attn.c_proj.weight           [D, D]
//   h.{i}.attn.c_proj.bias             [D]
//   h.{i}.ln_2.weight, h.{i}.ln_2.bias [D]
//   h.{i}.mlp.c_fc.weight              [F, D]
//   h.{i}.mlp.c_fc.bias                [F]
//   h.{i}.mlp.c_proj.weight            [D, F]
//   h.{i}.mlp.c_proj.bias              [D]
// What a read is for. Loading (the default) materialises every tensor and
// needs a tokenizer. Probing (probe_checkpoint) wants the card: quantized
// tensors are not expanded (meta tensors of the right shape stand in), and a
// tokenizer that cannot be found or opened leaves CheckpointData::tokenizer
// empty with tokenizer_problem saying why, instead of failing the read.
struct ReadOptions {
    std::string tokenizer_path;  // overrides the tokenizer found beside the checkpoint
    bool probe = false;

    ReadOptions() = default;
    ReadOptions(std::string tokenizer) : tokenizer_path(std::move(tokenizer)) {}  // NOLINT: a path reads as options
    ReadOptions(const char* tokenizer) : tokenizer_path(tokenizer) {}             // NOLINT
};

struct CheckpointData {
    ModelConfig config;
    std::unordered_map<std::string, at::Tensor> tensors;
    std::unique_ptr<Tokenizer> tokenizer;
    ModelCard card;                       // name, path, format, file_bytes, tokenizer,
                                          // training_step, validation_loss
    std::string generation_defaults_json; // generation_config.json text, or ""
    std::string tokenizer_problem;        // probing only: why `tokenizer` is empty
};

// Detects the format from content and reads it. `options.tokenizer_path`
// overrides the tokenizer found beside the checkpoint. Throws Error with a
// message naming the file and what to do.
CheckpointData read_checkpoint(const std::string& path, const ReadOptions& options);

// What read_checkpoint() would take `path` for, from content alone (the
// first bytes of a file, the layout of a folder): "GGUF", "llama2.c .bin",
// "Hugging Face safetensors", ...; "" when it is none. A folder counts only
// as one of the folder layouts, not as a folder holding a checkpoint file.
std::string detect_checkpoint(const std::string& path);

}  // namespace waypoint::detail
