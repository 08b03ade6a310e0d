// The safetensors container: an 8-byte little-endian header length N, N
// bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}, ...,
// "__metadata__": {str: str}}, then the data (offsets relative to 8 + N).
#pragma once

#include <ATen/ATen.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "formats/mapped_file.h"

namespace waypoint::detail {

class SafetensorsFile {
public:
    struct Entry {
        std::string dtype;           // "F32", "BF16", ...
        std::vector<int64_t> shape;
        int64_t begin = 0;           // absolute byte offsets in the file
        int64_t end = 0;
    };

    // Maps and validates the whole header: every entry's offsets lie inside
    // the file and match shape x itemsize. Throws Error(BadFormat) naming
    // the file (and the tensor) for a lying header; never reads out of bounds.
    explicit SafetensorsFile(const std::string& path);

    const std::string& path() const { return file_->path(); }
    int64_t size() const { return file_->size(); }
    const std::map<std::string, Entry>& entries() const { return entries_; }
    const std::map<std::string, std::string>& metadata() const { return metadata_; }

    // A view of the named tensor (F32 / F16 / BF16; no copy). Throws
    // Error(Unsupported) naming the tensor and its dtype for other dtypes.
    at::Tensor tensor(const std::string& name) const;

private:
    std::shared_ptr<MappedFile> file_;
    std::map<std::string, Entry> entries_;
    std::map<std::string, std::string> metadata_;
};

// Whether the bytes look like a safetensors header: a length that fits the
// file, then '{'.
bool looks_like_safetensors(const std::string& head, int64_t file_size);

}  // namespace waypoint::detail
