// What the engine knows about a loaded checkpoint, as plain values (no torch),
// for the CLI's --card, the app's model-card dialog and the bench output.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace waypoint {

struct ModelCard {
    std::string name;           // e.g. "stories260K" (file or folder stem)
    std::string path;           // the checkpoint file or folder as given
    std::string architecture;   // "llama" | "gpt2"
    std::string format;         // "llama2.c .bin", "Hugging Face safetensors", ...
    std::string dtype;          // compute dtype of the weights: "float32", "bfloat16", ...
    std::string device;         // "cpu", "cuda:0", "mps"
    std::string tokenizer;      // "sentencepiece (tok512.model)", "llama2.c tokenizer.bin", ...
    int64_t parameters = 0;     // number of distinct weights (tied head counted once)
    int layers = 0;
    int heads = 0;
    int kv_heads = 0;
    int width = 0;              // model dimension
    int hidden = 0;             // feed-forward dimension
    int vocabulary = 0;
    int context = 0;            // maximum sequence length
    bool tied_embeddings = false;
    int64_t file_bytes = 0;     // size on disk of the weights (all shards)
    std::optional<int64_t> training_step;   // where the checkpoint says
    std::optional<double> validation_loss;  // where the checkpoint says
};

// As text and JSON: format_card, card_to_json in waypoint/report.h.

}  // namespace waypoint
