// The restricted unpickler alone, on a bare pickle stream (what data.pkl or
// meta.pkl holds). Persistent ids get a small zero storage, so tensor
// rebuilds (strides, offsets, views past the storage) are exercised.
#include "formats/pytorch/unpickler.h"
#include "harness.h"

namespace waypoint::fuzz {

void unpickler(const uint8_t* data, size_t size) {
    using waypoint::detail::pt::Value;
    const waypoint::detail::pt::PersistentLoad load = [](const Value& pid) -> waypoint::detail::pt::ValuePtr {
        // ('storage', <class>, key, location, numel), as torch_archive.cpp checks it.
        if (pid.kind != Value::Kind::Tuple || pid.items.size() < 5 || pid.items[1]->kind != Value::Kind::Global ||
            pid.items[4]->kind != Value::Kind::Int)
            throw waypoint::Error(waypoint::ErrorKind::BadFormat, "fuzz.pkl: not a storage id");
        at::ScalarType dtype;
        if (!waypoint::detail::pt::storage_dtype(pid.items[1]->s, &dtype))
            throw waypoint::Error(waypoint::ErrorKind::Unsupported, "fuzz.pkl: storage class");
        const int64_t numel = pid.items[4]->i;
        if (numel < 0 || numel > 4096)
            throw waypoint::Error(waypoint::ErrorKind::BadFormat, "fuzz.pkl: storage shorter than its tensor");
        auto v = waypoint::detail::pt::make_value(Value::Kind::Storage);
        v->tensor = at::zeros({numel}, at::TensorOptions().dtype(dtype));
        return v;
    };
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    expect_clean("unpickler", [&] {
        const auto root = waypoint::detail::pt::unpickle(bytes, "fuzz.pkl", load);
        (void)waypoint::detail::pt::describe(*root);
    });
}

}  // namespace waypoint::fuzz
