#include "formats/mapped_file.h"

#include <cstring>
#include <mutex>
#include <map>
#include <utility>

#include "waypoint/error.h"
#include "waypoint/platform/file_mapping.h"

namespace waypoint::detail {
namespace {

// Live mappings by start address: they own the platform mapping (unmapped
// when the MappedFile goes) and answer is_memory_mapped().
std::mutex& registry_mutex() {
    static std::mutex m;
    return m;
}
std::map<uintptr_t, std::unique_ptr<platform::FileMapping>>& registry() {
    static std::map<uintptr_t, std::unique_ptr<platform::FileMapping>> r;
    return r;
}

}  // namespace

std::shared_ptr<MappedFile> MappedFile::open(const std::string& path) {
    // Throws Error(FileNotFound) naming the file and the system's reason.
    auto mapping = std::make_unique<platform::FileMapping>(path);
    std::shared_ptr<MappedFile> f(new MappedFile());
    f->path_ = path;
    f->data_ = mapping->data();
    f->size_ = mapping->size();
    if (f->data_) {
        std::lock_guard<std::mutex> lock(registry_mutex());
        registry()[reinterpret_cast<uintptr_t>(f->data_)] = std::move(mapping);
    }
    return f;  // an empty file has nothing mapped to keep
}

MappedFile::~MappedFile() {
    if (!data_) return;
    std::unique_ptr<platform::FileMapping> mapping;  // unmapped outside the lock
    std::lock_guard<std::mutex> lock(registry_mutex());
    auto it = registry().find(reinterpret_cast<uintptr_t>(data_));
    if (it != registry().end()) {
        mapping = std::move(it->second);
        registry().erase(it);
    }
}

int64_t checked_numel(const std::vector<int64_t>& shape) {
    int64_t n = 1;
    for (int64_t d : shape) {
        if (d < 0 || __builtin_mul_overflow(n, d, &n)) return -1;
    }
    return n;
}

at::Tensor tensor_from_mapping(const std::shared_ptr<MappedFile>& file, int64_t offset,
                               const std::vector<int64_t>& shape, at::ScalarType dtype,
                               const std::string& tensor_name) {
    const int64_t numel = checked_numel(shape);
    const int64_t item = static_cast<int64_t>(c10::elementSize(dtype));
    int64_t bytes = 0;
    if (numel < 0 || __builtin_mul_overflow(numel, item, &bytes) || offset < 0 ||
        offset > file->size() || bytes > file->size() - offset) {
        throw Error(ErrorKind::BadFormat,
                    file->path() + ": tensor '" + tensor_name + "' lies outside the file (offset " +
                        std::to_string(offset) + ", " + std::to_string(bytes) +
                        " bytes, file size " + std::to_string(file->size()) + ")");
    }
    auto options = at::TensorOptions().dtype(dtype).device(at::kCPU);
    if (numel == 0) return at::empty(shape, options);
    uint8_t* p = const_cast<uint8_t*>(file->data()) + offset;
    if (reinterpret_cast<uintptr_t>(p) % static_cast<uintptr_t>(item) != 0) {
        // Misaligned for its dtype: copy once rather than hand kernels a bad pointer.
        at::Tensor t = at::empty(shape, options);
        std::memcpy(t.data_ptr(), p, static_cast<size_t>(bytes));
        return t;
    }
    std::shared_ptr<MappedFile> keep = file;
    return at::from_blob(p, shape, [keep](void*) mutable { keep.reset(); }, options);
}

bool is_memory_mapped(const void* p) {
    auto a = reinterpret_cast<uintptr_t>(p);
    std::lock_guard<std::mutex> lock(registry_mutex());
    auto it = registry().upper_bound(a);  // the first mapping starting after p
    if (it == registry().begin()) return false;
    --it;
    return a < it->first + static_cast<uintptr_t>(it->second->size());
}

}  // namespace waypoint::detail
