#include "model/weight_taker.h"

#include "model/release_pages.h"
#include "waypoint/error.h"

namespace waypoint::detail {

WeightTaker::WeightTaker(CheckpointData& data, at::Device device, at::ScalarType weight_dtype,
                         at::ScalarType act_dtype, std::string family)
    : data_(data), device_(device), weight_dtype_(weight_dtype), act_dtype_(act_dtype), family_(std::move(family)) {
    for (TensorSpec& s : canonical_tensors(data.config)) specs_.emplace(s.name, std::move(s));
}

void WeightTaker::fail(const std::string& what) const {
    throw Error(ErrorKind::BadFormat, data_.card.path + ": " + what + "; the checkpoint is incomplete or not a " +
                                          family_ + " model");
}

at::Tensor WeightTaker::take(const std::string& name) {
    auto spec = specs_.find(name);
    if (spec == specs_.end()) throw Error(ErrorKind::Internal, "no canonical tensor '" + name + "'");
    const TensorSpec& want = spec->second;
    auto it = data_.tensors.find(name);
    if (it == data_.tensors.end()) {
        if (!want.required) return {};
        fail("tensor '" + name + "' is missing");
    }
    at::Tensor t = it->second;
    if (t.sizes() != at::IntArrayRef(want.shape))
        fail("tensor '" + name + "' has shape " + shape_text(t.sizes()) + ", the config says " + shape_text(want.shape));
    if (!at::isFloatingType(t.scalar_type())) fail("tensor '" + name + "' is not floating point");
    parameters_ += t.numel();
    const at::ScalarType dtype = want.matrix ? weight_dtype_ : act_dtype_;
    at::Tensor out;
    if (device_.is_cpu() && t.is_cpu() && t.is_contiguous() && t.scalar_type() != dtype) {
        // Converted on the CPU piece by piece, each piece's file pages let go.
        out = convert_releasing_pages(t, dtype);
    } else {
        // A no-op (same storage, e.g. memory-mapped) when already right.
        out = t.to(device_, dtype).contiguous();
        // Copied: the file's pages of the source are not needed any more
        // (for a source whose bytes are exactly its elements).
        if (out.data_ptr() != t.data_ptr() && t.is_contiguous()) release_mapped_pages(t);
    }
    data_.tensors.erase(it);  // drop the reader's reference as soon as possible
    return out;
}

}  // namespace waypoint::detail
