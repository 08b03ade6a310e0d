#include "formats/safetensors/safetensors.h"

#include <cstring>
#include <nlohmann/json.hpp>

#include "json_nesting.h"
#include "waypoint/error.h"

namespace waypoint::detail {
namespace {

// Bytes per element of every dtype safetensors defines (so offsets can be
// validated even for tensors we will not read); 0 = unknown dtype.
int64_t item_size(const std::string& dtype) {
    if (dtype == "F64" || dtype == "I64" || dtype == "U64") return 8;
    if (dtype == "F32" || dtype == "I32" || dtype == "U32") return 4;
    if (dtype == "F16" || dtype == "BF16" || dtype == "I16" || dtype == "U16") return 2;
    if (dtype == "I8" || dtype == "U8" || dtype == "BOOL" || dtype == "F8_E4M3" || dtype == "F8_E5M2") return 1;
    return 0;
}

constexpr int64_t kMaxHeader = 100 * 1024 * 1024;  // the format's own limit

}  // namespace

bool looks_like_safetensors(const std::string& head, int64_t /*file_size*/) {
    if (head.size() < 9) return false;
    uint64_t n = 0;
    std::memcpy(&n, head.data(), 8);
    // A length no larger than the format allows, then the JSON object. A
    // length past the end of the file still counts: the reader then says
    // precisely what is wrong instead of "unknown format".
    return n >= 2 && n <= static_cast<uint64_t>(kMaxHeader) && head[8] == '{';
}

SafetensorsFile::SafetensorsFile(const std::string& path) : file_(MappedFile::open(path)) {
    const int64_t size = file_->size();
    auto bad = [&](const std::string& why) { return Error(ErrorKind::BadFormat, path + ": " + why); };
    if (size < 8) throw bad("file is too short for a safetensors header (" + std::to_string(size) + " bytes)");
    uint64_t n = 0;
    std::memcpy(&n, file_->data(), 8);
    if (n > static_cast<uint64_t>(size - 8))
        throw bad("safetensors header length " + std::to_string(n) + " is larger than the file (" +
                  std::to_string(size) + " bytes): the file is truncated or not safetensors");
    if (static_cast<int64_t>(n) > kMaxHeader)
        throw bad("safetensors header length " + std::to_string(n) + " exceeds 100 MB");
    const int64_t data_start = 8 + static_cast<int64_t>(n);
    const int64_t data_size = size - data_start;

    check_json_nesting(std::string_view(reinterpret_cast<const char*>(file_->data()) + 8, static_cast<size_t>(n)),
                       path + "'s safetensors header");
    nlohmann::json header;
    try {
        header = nlohmann::json::parse(reinterpret_cast<const char*>(file_->data()) + 8,
                                       reinterpret_cast<const char*>(file_->data()) + data_start);
    } catch (const nlohmann::json::exception& e) {
        throw bad(std::string("safetensors header is not valid JSON (") + e.what() + ")");
    }
    if (!header.is_object()) throw bad("safetensors header is not a JSON object");

    for (auto it = header.begin(); it != header.end(); ++it) {
        const std::string& name = it.key();
        const auto& v = it.value();
        if (name == "__metadata__") {
            if (!v.is_object()) throw bad("__metadata__ is not an object");
            for (auto m = v.begin(); m != v.end(); ++m)
                metadata_[m.key()] = m.value().is_string() ? m.value().get<std::string>() : m.value().dump();
            continue;
        }
        auto bad_t = [&](const std::string& why) { return bad("tensor '" + name + "': " + why); };
        if (!v.is_object() || !v.contains("dtype") || !v.contains("shape") || !v.contains("data_offsets"))
            throw bad_t("entry needs dtype, shape and data_offsets");
        const auto& jd = v["dtype"];
        const auto& js = v["shape"];
        const auto& jo = v["data_offsets"];
        if (!jd.is_string()) throw bad_t("dtype is not a string");
        if (!js.is_array()) throw bad_t("shape is not an array");
        if (!jo.is_array() || jo.size() != 2 || !jo[0].is_number_unsigned() || !jo[1].is_number_unsigned())
            throw bad_t("data_offsets is not [begin, end]");
        Entry e;
        e.dtype = jd.get<std::string>();
        for (const auto& d : js) {
            if (!d.is_number_unsigned()) throw bad_t("shape holds a negative or non-integer dimension");
            uint64_t x = d.get<uint64_t>();
            if (x > (uint64_t(1) << 40)) throw bad_t("shape dimension " + std::to_string(x) + " is absurd");
            e.shape.push_back(static_cast<int64_t>(x));
        }
        const uint64_t b = jo[0].get<uint64_t>(), en = jo[1].get<uint64_t>();
        if (b > en || en > static_cast<uint64_t>(data_size))
            throw bad_t("data_offsets [" + std::to_string(b) + ", " + std::to_string(en) +
                        "] lie outside the data section (" + std::to_string(data_size) +
                        " bytes): the file is truncated or its header lies");
        const int64_t item = item_size(e.dtype);
        const int64_t numel = checked_numel(e.shape);
        int64_t bytes = 0;
        if (item > 0 && (numel < 0 || __builtin_mul_overflow(numel, item, &bytes) ||
                         bytes != static_cast<int64_t>(en - b)))
            throw bad_t("shape x itemsize (" + std::to_string(bytes) + " bytes of " + e.dtype +
                        ") does not match data_offsets (" + std::to_string(en - b) + " bytes)");
        e.begin = data_start + static_cast<int64_t>(b);
        e.end = data_start + static_cast<int64_t>(en);
        entries_[name] = std::move(e);
    }
}

at::Tensor SafetensorsFile::tensor(const std::string& name) const {
    auto it = entries_.find(name);
    if (it == entries_.end())
        throw Error(ErrorKind::BadFormat, path() + ": tensor '" + name + "' is missing");
    const Entry& e = it->second;
    at::ScalarType t;
    if (e.dtype == "F32") t = at::kFloat;
    else if (e.dtype == "F16") t = at::kHalf;
    else if (e.dtype == "BF16") t = at::kBFloat16;
    else
        throw Error(ErrorKind::Unsupported, path() + ": tensor '" + name + "' has dtype " + e.dtype +
                                                ", which Waypoint does not read (F32, F16 and BF16 only)");
    return tensor_from_mapping(file_, e.begin, e.shape, t, name);
}

}  // namespace waypoint::detail
