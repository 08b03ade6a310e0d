// The engine side of the sentencepiece bridge: finds libwaypoint_spm_bridge.so
// (.dylib, .dll), opens it with its symbols private to it
// (platform::open_private_library: its sentencepiece and protobuf stay its
// own) and hands out its function table.
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
// to the running executable (its folder, ../lib/waypoint,
// ../<install libdir>/waypoint, ../lib), then, in developers' builds
// (WAYPOINT_BUILD_TREE_PATHS), the build tree's output folder.
std::vector<std::string> spm_bridge_candidates();

// Opens the first candidate that exists and carries the expected API.
// Throws Error listing each candidate and why it failed. Each call opens
// again (the system reference-counts); spm_bridge() caches its result.
SpmBridge open_spm_bridge(const std::vector<std::string>& candidates);

}  // namespace waypoint::detail
