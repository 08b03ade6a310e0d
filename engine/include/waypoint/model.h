// A loaded checkpoint: configuration, weights on a device, tokenizer, card.
// Immutable after load() and shared read-only by any number of Sessions, on
// any threads. The weights stay memory-mapped where the format and dtype allow.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "waypoint/model_card.h"
#include "waypoint/tokenizer.h"

namespace waypoint {

struct LoadOptions {
    std::string checkpoint;       // a file or a folder; the format is detected from content
    std::string tokenizer;        // optional; else found next to the checkpoint
    std::string device = "auto";  // "cpu" | "cuda" | "cuda:N" | "mps" | "auto"
    std::string dtype = "auto";   // "auto" (fp32 on CPU, bf16 on CUDA) | "fp32" | "bf16" | "fp16"
    int threads = 0;              // CPU threads for compute; 0 = all cores
};

namespace detail {
struct ModelImpl;
struct ModelAccess;  // the engine's own way in (engine/src/model/model_access.h)
}  // namespace detail

class Model {
public:
    // Throws waypoint::Error with a message naming the file and what to do.
    static std::shared_ptr<const Model> load(const LoadOptions& options);

    ~Model();
    const ModelCard& card() const;
    const Tokenizer& tokenizer() const;
    int context_length() const;
    int vocab_size() const;

    // Where the checkpoint brings its own sampling defaults (Hugging Face
    // generation_config.json): a JSON object text, else "".
    const std::string& generation_defaults_json() const;

private:
    friend struct detail::ModelAccess;
    explicit Model(std::unique_ptr<detail::ModelImpl> impl);

    std::unique_ptr<detail::ModelImpl> impl_;
};

// Devices the linked libtorch can use on this machine: always "cpu", then
// "cuda:0".. and "mps" where present.
std::vector<std::string> available_devices();
// "auto" -> the best available; checks that an explicit device exists.
// Throws Error(DeviceUnavailable) naming what is available instead.
std::string resolve_device(const std::string& requested);

// Fixes the CPU thread counts (libtorch's pool, OpenBLAS) for this process.
// 0 = all cores. Call before loading; the bench and CLI call it from --threads.
void set_cpu_threads(int threads);

}  // namespace waypoint
