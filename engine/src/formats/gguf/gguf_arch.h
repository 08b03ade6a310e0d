// Per-architecture parts of the GGUF reader: the config from the
// "<arch>.*" metadata and the tensors under canonical names.
#pragma once

#include <map>
#include <string>

#include "formats/checkpoint.h"
#include "formats/gguf/gguf_file.h"

namespace waypoint::detail {

// Fills d.config and d.tensors (checked against the config); returns
// canonical name -> GGUF name of every tensor taken.
std::map<std::string, std::string> read_gguf_llama(const GgufFile& g, CheckpointData& d);
std::map<std::string, std::string> read_gguf_gpt2(const GgufFile& g, CheckpointData& d);

// A positive integer metadata value; Error(BadFormat) naming the file and
// key when absent or invalid, Error(Unsupported) when it varies per layer.
int gguf_required_int(const GgufFile& g, const std::string& key);

// The tensor under `name` with the matching canonical name, for every
// tensor of the file that `canonical_name` maps (others are skipped).
template <typename Map>
std::map<std::string, std::string> take_gguf_tensors(const GgufFile& g, CheckpointData& d, Map canonical_name) {
    std::map<std::string, std::string> source;
    for (const auto& t : g.tensors()) {
        const std::string canon = canonical_name(t.name);
        if (canon.empty()) continue;
        d.tensors[canon] = g.tensor(t);
        source[canon] = t.name;
    }
    return source;
}

}  // namespace waypoint::detail
