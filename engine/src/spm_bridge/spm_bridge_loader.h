// The engine side of the sentencepiece bridge: finds libwaypoint_spm_bridge.so,
// dlopen()s it with RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND (its sentencepiece
// and protobuf stay private to it) and hands out its function table.
#pragma once

#include <string>
#include <vector>

#include "spm_bridge_api.h"

namespace waypoint::detail {

struct SpmBridge {
    std::string path;  // the file that was loaded
    wp_spm_create_fn create = nullptr;
    wp_spm_destroy_fn destroy = nullptr;
    wp_spm_encode_fn encode = nullptr;
    wp_spm_id_to_piece_fn id_to_piece = nullptr;
    wp_spm_piece_kind_fn piece_kind = nullptr;
    wp_spm_int_fn bos_id = nullptr;
    wp_spm_int_fn eos_id = nullptr;
    wp_spm_int_fn unk_id = nullptr;
    wp_spm_int_fn vocab_size = nullptr;
    wp_spm_decode_fn decode = nullptr;
};

// The bridge, loaded at first use and kept for the life of the process
// (thread-safe). Throws Error naming every place it looked when no candidate
// loads.
const SpmBridge& spm_bridge();

// Where spm_bridge() looks, in order. With WAYPOINT_SPM_BRIDGE set (a file,
// or a folder holding libwaypoint_spm_bridge.so) only there; otherwise next
// to the running executable (/proc/self/exe's folder, ../lib/waypoint,
// ../<install libdir>/waypoint, ../lib), then the build tree's output folder.
std::vector<std::string> spm_bridge_candidates();

// dlopen()s the first candidate that exists and carries the expected API.
// Throws Error listing each candidate and why it failed. Each call opens
// again (dlopen reference-counts); spm_bridge() caches its result.
SpmBridge open_spm_bridge(const std::vector<std::string>& candidates);

}  // namespace waypoint::detail
