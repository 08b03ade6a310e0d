// The GGUF container (llama.cpp), versions 2 and 3: "GGUF", uint32 version,
// uint64 tensor count, uint64 metadata count, the metadata (key, typed
// value), the tensor infos (name, dims innermost first, ggml type, offset),
// padding to general.alignment, then the tensor data. Every count, length
// and offset is checked against the file before it is used.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include <nlohmann/json.hpp>

#include "formats/mapped_file.h"

namespace waypoint::detail {

class GgufFile {
public:
    struct TensorInfo {
        std::string name;
        std::vector<int64_t> shape;  // torch order (outermost first): GGUF's dims reversed
        uint32_t type = 0;           // ggml type id
        int64_t offset = 0;          // absolute byte offset in the file
        int64_t bytes = -1;          // -1 for types whose size we do not know
    };

    // Parses and validates. Throws Error(BadFormat) naming the file, or
    // Error(Unsupported) for GGUF version 1.
    // expand_quantized false (probing): tensor() gives quantized tensors as
    // fp32 meta tensors (shape only, no data) instead of expanding them.
    explicit GgufFile(const std::string& path, bool expand_quantized = true);

    const std::string& path() const { return file_->path(); }
    int64_t size() const { return file_->size(); }
    uint32_t version() const { return version_; }

    // Metadata values as JSON values (strings keep their raw bytes; arrays
    // are arrays). nullptr when absent.
    const nlohmann::json* find(const std::string& key) const;
    std::optional<int64_t> get_int(const std::string& key) const;    // any integer type
    std::optional<double> get_number(const std::string& key) const;  // integer or float
    std::optional<std::string> get_string(const std::string& key) const;
    std::optional<bool> get_bool(const std::string& key) const;

    const std::vector<TensorInfo>& tensors() const { return tensors_; }
    const TensorInfo* tensor_info(const std::string& name) const;

    // F32 / F16 / BF16: a view of the mapping (no copy). Q8_0: dequantized
    // to float32. Other types: Error(Unsupported) naming the tensor and type.
    at::Tensor tensor(const TensorInfo& info) const;

private:
    std::shared_ptr<MappedFile> file_;
    bool expand_quantized_ = true;
    uint32_t version_ = 0;
    std::map<std::string, nlohmann::json> metadata_;
    std::vector<TensorInfo> tensors_;
    std::map<std::string, size_t> by_name_;
};

// "F32", "Q4_K", ... or "type 99".
std::string ggml_type_name(uint32_t type);

}  // namespace waypoint::detail
