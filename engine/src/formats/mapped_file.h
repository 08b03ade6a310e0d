// A read-only view of a whole file in memory (mmap), shared by every tensor
// that views it: the mapping lives as long as the last such tensor.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace waypoint::detail {

class MappedFile {
public:
    // Maps `path` privately (copy-on-write: the file is opened read-only and
    // never changes; an in-place op on a weight copies one page instead of
    // faulting). Throws Error(FileNotFound) when it cannot be opened.
    static std::shared_ptr<MappedFile> open(const std::string& path);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const uint8_t* data() const { return data_; }
    int64_t size() const { return size_; }
    const std::string& path() const { return path_; }

private:
    MappedFile() = default;
    std::string path_;
    uint8_t* data_ = nullptr;  // nullptr for an empty file
    int64_t size_ = 0;
};

// A CPU tensor of `shape` and `dtype` over bytes [offset, offset + numel *
// itemsize) of the file. No copy when the bytes are aligned for the dtype
// (they are in every format we read); the tensor keeps the mapping alive.
// Throws Error(BadFormat) naming the file and `tensor_name` when the range
// lies outside the file.
at::Tensor tensor_from_mapping(const std::shared_ptr<MappedFile>& file, int64_t offset,
                               const std::vector<int64_t>& shape, at::ScalarType dtype,
                               const std::string& tensor_name);

// Whether `p` lies inside a live mapping (for tests: weights must be views,
// not copies).
bool is_memory_mapped(const void* p);

// numel of `shape`, or -1 when a dimension is negative or the product
// overflows (lying headers must not wrap around).
int64_t checked_numel(const std::vector<int64_t>& shape);

}  // namespace waypoint::detail
