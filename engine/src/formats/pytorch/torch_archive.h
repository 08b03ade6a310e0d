// Loads a torch.save zip archive into a Value tree: data.pkl through the
// restricted unpickler, every storage a view of its data/<key> record in the
// memory-mapped file (read once, never copied).
#pragma once

#include <memory>
#include <string>

#include "formats/pytorch/pickle_value.h"
#include "formats/pytorch/zip_archive.h"

namespace waypoint::detail::pt {

struct TorchFile {
    std::shared_ptr<ZipArchive> archive;
    ValuePtr root;
};

// Throws Error(FileNotFound / BadFormat / Unsupported) naming `path`.
TorchFile load_torch_file(const std::string& path);

// A plain pickle file (nanoGPT's meta.pkl): no tensors allowed.
ValuePtr load_plain_pickle(const std::string& path);

}  // namespace waypoint::detail::pt
