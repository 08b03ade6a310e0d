#include "formats/gguf/gguf_file.h"

#include <algorithm>
#include <cstring>

#include "waypoint/error.h"

using nlohmann::json;

namespace waypoint::detail {
namespace {

struct GgmlType {
    uint32_t id;
    const char* name;
    int64_t block;       // values per block
    int64_t block_bytes; // bytes per block (0: unknown here)
};

// ggml's type table (ggml.h); sizes for the types whose byte size we know,
// so offsets can be validated even for tensors we cannot read.
const GgmlType kTypes[] = {
    {0, "F32", 1, 4},        {1, "F16", 1, 2},      {2, "Q4_0", 32, 18},   {3, "Q4_1", 32, 20},
    {6, "Q5_0", 32, 22},     {7, "Q5_1", 32, 24},   {8, "Q8_0", 32, 34},   {9, "Q8_1", 32, 36},
    {10, "Q2_K", 256, 84},   {11, "Q3_K", 256, 110}, {12, "Q4_K", 256, 144}, {13, "Q5_K", 256, 176},
    {14, "Q6_K", 256, 210},  {15, "Q8_K", 256, 292}, {16, "IQ2_XXS", 256, 0}, {17, "IQ2_XS", 256, 0},
    {18, "IQ3_XXS", 256, 0}, {19, "IQ1_S", 256, 0}, {20, "IQ4_NL", 32, 18}, {21, "IQ3_S", 256, 0},
    {22, "IQ2_S", 256, 0},   {23, "IQ4_XS", 256, 136}, {24, "I8", 1, 1},   {25, "I16", 1, 2},
    {26, "I32", 1, 4},       {27, "I64", 1, 8},     {28, "F64", 1, 8},     {29, "IQ1_M", 256, 0},
    {30, "BF16", 1, 2},      {34, "TQ1_0", 256, 0}, {35, "TQ2_0", 256, 0},
};

const GgmlType* type_of(uint32_t id) {
    for (const auto& t : kTypes)
        if (t.id == id) return &t;
    return nullptr;
}

enum : uint32_t { kU8, kI8, kU16, kI16, kU32, kI32, kF32, kBool, kString, kArray, kU64, kI64, kF64 };

// A bounds-checked little-endian cursor over the mapped file.
class Cursor {
public:
    Cursor(const uint8_t* data, int64_t size, const std::string& path) : d_(data), n_(size), path_(path) {}
    int64_t pos() const { return pos_; }
    int64_t left() const { return n_ - pos_; }

    template <typename T>
    T get(const char* what) {
        need(sizeof(T), what);
        T v;
        std::memcpy(&v, d_ + pos_, sizeof(T));
        pos_ += sizeof(T);
        return v;
    }
    std::string str(const char* what) {
        const uint64_t len = get<uint64_t>(what);
        if (len > static_cast<uint64_t>(left())) fail(std::string("a string (") + what + ") runs past the end of the file");
        std::string s(reinterpret_cast<const char*>(d_ + pos_), static_cast<size_t>(len));
        pos_ += static_cast<int64_t>(len);
        return s;
    }
    [[noreturn]] void fail(const std::string& why) const {
        throw Error(ErrorKind::BadFormat, path_ + ": " + why + " (at byte " + std::to_string(pos_) +
                                              "); the GGUF file is truncated or damaged");
    }

private:
    void need(size_t k, const char* what) const {
        if (static_cast<int64_t>(k) > left()) fail(std::string("the file ends inside ") + what);
    }
    const uint8_t* d_;
    int64_t n_;
    const std::string& path_;
    int64_t pos_ = 0;
};

// The fewest bytes a value of `type` takes in the file (strings and arrays:
// their length fields).
uint64_t min_value_bytes(uint32_t type) {
    switch (type) {
        case kU16: case kI16: return 2;
        case kU32: case kI32: case kF32: return 4;
        case kString: case kU64: case kI64: case kF64: return 8;
        case kArray: return 12;
        default: return 1;
    }
}

json read_value(Cursor& c, uint32_t type, int depth) {
    switch (type) {
        case kU8: return c.get<uint8_t>("a u8 value");
        case kI8: return c.get<int8_t>("an i8 value");
        case kU16: return c.get<uint16_t>("a u16 value");
        case kI16: return c.get<int16_t>("an i16 value");
        case kU32: return c.get<uint32_t>("a u32 value");
        case kI32: return c.get<int32_t>("an i32 value");
        case kF32: return c.get<float>("an f32 value");
        case kBool: return c.get<uint8_t>("a bool value") != 0;
        case kString: return c.str("a string value");
        case kU64: return c.get<uint64_t>("a u64 value");
        case kI64: return c.get<int64_t>("an i64 value");
        case kF64: return c.get<double>("an f64 value");
        case kArray: {
            if (depth > 4) c.fail("arrays nested too deeply");
            const uint32_t et = c.get<uint32_t>("an array type");
            const uint64_t n = c.get<uint64_t>("an array length");
            // Every element takes at least its smallest encoding: a count
            // past the end of the file lies.
            if (n > static_cast<uint64_t>(c.left()) / min_value_bytes(et))
                c.fail("an array of " + std::to_string(n) + " elements runs past the end of the file");
            json a = json::array();
            // Reserved up to a bound only: a JSON value takes 16 bytes per
            // element of 1 file byte; growth beyond follows what is read.
            a.get_ref<json::array_t&>().reserve(static_cast<size_t>(std::min<uint64_t>(n, 1u << 16)));
            for (uint64_t i = 0; i < n; ++i) a.push_back(read_value(c, et, depth + 1));
            return a;
        }
        default: c.fail("unknown metadata value type " + std::to_string(type));
    }
}

}  // namespace

std::string ggml_type_name(uint32_t type) {
    const GgmlType* t = type_of(type);
    return t ? t->name : "type " + std::to_string(type);
}

GgufFile::GgufFile(const std::string& path, bool expand_quantized)
    : file_(MappedFile::open(path)), expand_quantized_(expand_quantized) {
    Cursor c(file_->data(), file_->size(), path);
    if (file_->size() < 4 || std::memcmp(file_->data(), "GGUF", 4) != 0)
        throw Error(ErrorKind::BadFormat, path + " is not a GGUF file (no \"GGUF\" magic)");
    c.get<uint32_t>("the magic");
    version_ = c.get<uint32_t>("the version");
    if (version_ == 1)
        throw Error(ErrorKind::Unsupported, path + " is GGUF version 1, which Waypoint does not read; "
                                                   "convert it again with a current llama.cpp");
    if (version_ < 2 || version_ > 3)
        throw Error(ErrorKind::Unsupported, path + " is GGUF version " + std::to_string(version_) +
                                                ", which Waypoint does not read (versions 2 and 3)");
    const uint64_t n_tensors = c.get<uint64_t>("the tensor count");
    const uint64_t n_kv = c.get<uint64_t>("the metadata count");
    // A key-value pair takes at least 12 bytes, a tensor info at least 24.
    if (n_kv > static_cast<uint64_t>(c.left()) / 12 || n_tensors > static_cast<uint64_t>(c.left()) / 24)
        c.fail("the header claims " + std::to_string(n_kv) + " metadata entries and " +
               std::to_string(n_tensors) + " tensors, more than the file can hold");
    for (uint64_t i = 0; i < n_kv; ++i) {
        std::string key = c.str("a metadata key");
        const uint32_t type = c.get<uint32_t>("a metadata type");
        metadata_[key] = read_value(c, type, 0);
    }

    int64_t alignment = 32;
    if (auto a = get_int("general.alignment")) {
        if (*a <= 0 || *a > (1 << 20) || (*a & (*a - 1)) != 0)
            throw Error(ErrorKind::BadFormat, path + ": general.alignment " + std::to_string(*a) + " is not a power of two");
        alignment = *a;
    }

    for (uint64_t i = 0; i < n_tensors; ++i) {
        TensorInfo t;
        t.name = c.str("a tensor name");
        const uint32_t nd = c.get<uint32_t>("a tensor's dimension count");
        if (nd > 4) c.fail("tensor '" + t.name + "' has " + std::to_string(nd) + " dimensions (at most 4)");
        std::vector<int64_t> dims;
        for (uint32_t k = 0; k < nd; ++k) {
            const uint64_t d = c.get<uint64_t>("a tensor dimension");
            if (d > (uint64_t(1) << 40)) c.fail("tensor '" + t.name + "' has an absurd dimension " + std::to_string(d));
            dims.push_back(static_cast<int64_t>(d));
        }
        t.shape.assign(dims.rbegin(), dims.rend());
        t.type = c.get<uint32_t>("a tensor type");
        t.offset = static_cast<int64_t>(c.get<uint64_t>("a tensor offset"));
        if (t.offset < 0) c.fail("tensor '" + t.name + "' has an absurd offset");
        const GgmlType* gt = type_of(t.type);
        const int64_t numel = checked_numel(t.shape);
        if (numel < 0) c.fail("tensor '" + t.name + "' has too many elements");
        if (gt && gt->block_bytes > 0) {
            if (gt->block > 1 && dims.empty())
                throw Error(ErrorKind::BadFormat, path + ": tensor '" + t.name + "' of type " + gt->name +
                                                      " has no dimensions; a block-quantized tensor needs rows");
            if (!dims.empty() && dims[0] % gt->block != 0)
                throw Error(ErrorKind::BadFormat, path + ": tensor '" + t.name + "' of type " + gt->name +
                                                      " has rows of " + std::to_string(dims[0]) +
                                                      " values, not a multiple of its block size " +
                                                      std::to_string(gt->block));
            if (__builtin_mul_overflow(numel / gt->block, gt->block_bytes, &t.bytes))
                c.fail("tensor '" + t.name + "' is too large");
        }
        if (by_name_.count(t.name)) c.fail("tensor '" + t.name + "' appears twice");
        by_name_[t.name] = tensors_.size();
        tensors_.push_back(std::move(t));
    }

    const int64_t data_start = (c.pos() + alignment - 1) / alignment * alignment;
    for (auto& t : tensors_) {
        if (t.offset % alignment != 0)
            throw Error(ErrorKind::BadFormat, path + ": tensor '" + t.name + "' offset " + std::to_string(t.offset) +
                                                  " is not aligned to " + std::to_string(alignment));
        if (t.offset > file_->size() - data_start)
            throw Error(ErrorKind::BadFormat, path + ": tensor '" + t.name + "' starts past the end of the file "
                                                     "(the file is truncated or its header lies)");
        t.offset += data_start;
        if (t.bytes >= 0 && t.bytes > file_->size() - t.offset)
            throw Error(ErrorKind::BadFormat, path + ": tensor '" + t.name + "' (" + std::to_string(t.bytes) +
                                                  " bytes at offset " + std::to_string(t.offset) +
                                                  ") runs past the end of the file (" +
                                                  std::to_string(file_->size()) +
                                                  " bytes): the file is truncated or its header lies");
    }
}

const json* GgufFile::find(const std::string& key) const {
    auto it = metadata_.find(key);
    return it == metadata_.end() ? nullptr : &it->second;
}

std::optional<int64_t> GgufFile::get_int(const std::string& key) const {
    const json* v = find(key);
    if (!v || !v->is_number_integer()) return std::nullopt;
    if (v->is_number_unsigned() && v->get<uint64_t>() > uint64_t(INT64_MAX)) return std::nullopt;
    return v->get<int64_t>();
}

std::optional<double> GgufFile::get_number(const std::string& key) const {
    const json* v = find(key);
    if (!v || !v->is_number()) return std::nullopt;
    return v->get<double>();
}

std::optional<std::string> GgufFile::get_string(const std::string& key) const {
    const json* v = find(key);
    if (!v || !v->is_string()) return std::nullopt;
    return v->get<std::string>();
}

std::optional<bool> GgufFile::get_bool(const std::string& key) const {
    const json* v = find(key);
    if (!v || !v->is_boolean()) return std::nullopt;
    return v->get<bool>();
}

const GgufFile::TensorInfo* GgufFile::tensor_info(const std::string& name) const {
    auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : &tensors_[it->second];
}

at::Tensor GgufFile::tensor(const TensorInfo& t) const {
    switch (t.type) {
        case 0: return tensor_from_mapping(file_, t.offset, t.shape, at::kFloat, t.name);
        case 1: return tensor_from_mapping(file_, t.offset, t.shape, at::kHalf, t.name);
        case 30: return tensor_from_mapping(file_, t.offset, t.shape, at::kBFloat16, t.name);
        case 8: {
            if (!expand_quantized_) return at::empty(t.shape, at::TensorOptions().dtype(at::kFloat).device(at::kMeta));
            // Q8_0 block: fp16 scale d, then 32 int8 values q; value = d * q.
            const int64_t blocks = checked_numel(t.shape) / 32;
            at::Tensor raw = tensor_from_mapping(file_, t.offset, {blocks, 34}, at::kByte, t.name);
            at::Tensor d = raw.narrow(1, 0, 2).contiguous().view(at::kHalf).to(at::kFloat);  // [blocks, 1]
            at::Tensor q = raw.narrow(1, 2, 32).contiguous().view(at::kChar).to(at::kFloat);  // [blocks, 32]
            return (q * d).reshape(t.shape);
        }
        default:
            throw Error(ErrorKind::Unsupported,
                        path() + ": tensor '" + t.name + "' has type " + ggml_type_name(t.type) +
                            ", which Waypoint does not read (F32, F16, BF16 and Q8_0); convert the model "
                            "with llama.cpp's convert script using --outtype f16 or q8_0");
    }
}

}  // namespace waypoint::detail
