#include "formats/pytorch/torch_archive.h"

#include <unordered_map>

#include "formats/pytorch/unpickler.h"
#include "waypoint/error.h"

namespace waypoint::detail::pt {
namespace {

std::string file_label(const std::string& path) {
    auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

TorchFile load_torch_file(const std::string& path) {
    TorchFile out;
    out.archive = std::make_shared<ZipArchive>(path);
    const ZipArchive& zip = *out.archive;
    const std::string label = file_label(path);
    if (zip.has(zip.prefix() + "byteorder")) {
        std::string_view order = zip.record("byteorder");
        if (order != "little")
            throw Error(ErrorKind::Unsupported, path + " was saved on a big-endian machine; load and re-save it on a little-endian one");
    }

    // One flat tensor per storage key, shared by every tensor viewing it
    // (a tied head and its embedding point at the same storage).
    std::unordered_map<std::string, ValuePtr> storages;
    auto archive = out.archive;
    PersistentLoad load = [&](const Value& pid) -> ValuePtr {
        // ('storage', <class>, key, location, numel)
        if (pid.kind != Value::Kind::Tuple || pid.items.size() < 5 || pid.items[0]->kind != Value::Kind::String ||
            pid.items[0]->s != "storage" || pid.items[1]->kind != Value::Kind::Global ||
            pid.items[2]->kind != Value::Kind::String || pid.items[4]->kind != Value::Kind::Int)
            throw Error(ErrorKind::BadFormat, label + " holds a persistent id that is not a tensor storage");
        at::ScalarType dtype;
        if (!storage_dtype(pid.items[1]->s, &dtype))
            throw Error(ErrorKind::Unsupported, label + " stores a tensor as " + pid.items[1]->s +
                                                    ", which Waypoint does not read (float, half, bfloat16 and integer tensors are)");
        const std::string& key = pid.items[2]->s;
        auto it = storages.find(key);
        if (it != storages.end()) return it->second;
        const int64_t numel = pid.items[4]->i;
        std::string_view rec = archive->record("data/" + key);
        const size_t elem = c10::elementSize(dtype);
        if (numel < 0 || uint64_t(numel) > rec.size() / elem)
            throw Error(ErrorKind::BadFormat, label + ": storage " + key + " is shorter than the tensor it holds; the file is truncated or damaged");
        auto v = make_value(Value::Kind::Storage);
        // A view of the mapping (copied once only if misaligned).
        const int64_t offset = int64_t(reinterpret_cast<const uint8_t*>(rec.data()) - archive->file()->data());
        v->tensor = tensor_from_mapping(archive->file(), offset, {numel}, dtype, "data/" + key);
        storages.emplace(key, v);
        return v;
    };
    out.root = unpickle(zip.record("data.pkl"), file_label(path), load);
    return out;
}

ValuePtr load_plain_pickle(const std::string& path) {
    auto f = MappedFile::open(path);
    std::string_view bytes(reinterpret_cast<const char*>(f->data()), size_t(f->size()));
    return unpickle(bytes, file_label(path), PersistentLoad());
}

}  // namespace waypoint::detail::pt
