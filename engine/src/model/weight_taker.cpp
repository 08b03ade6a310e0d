#include "model/weight_taker.h"

#include "model/release_pages.h"
#include "waypoint/error.h"

namespace waypoint::detail {

void WeightTaker::fail(const std::string& what) const {
    throw Error(ErrorKind::BadFormat, data_.card.path + ": " + what + "; the checkpoint is incomplete or not a " +
                                          family_ + " model");
}

at::Tensor WeightTaker::take(const std::string& name, const std::vector<int64_t>& shape, at::ScalarType to,
                             bool optional) {
    auto it = data_.tensors.find(name);
    if (it == data_.tensors.end()) {
        if (optional) return {};
        fail("tensor '" + name + "' is missing");
    }
    at::Tensor t = it->second;
    if (t.sizes() != at::IntArrayRef(shape)) {
        fail("tensor '" + name + "' has shape " + c10::str(t.sizes()) + ", the config says " +
             c10::str(at::IntArrayRef(shape)));
    }
    if (!at::isFloatingType(t.scalar_type())) fail("tensor '" + name + "' is not floating point");
    parameters_ += t.numel();
    // A no-op (same storage, e.g. memory-mapped) when already right.
    at::Tensor out = t.to(device_, to).contiguous();
    data_.tensors.erase(it);  // drop the reader's reference as soon as possible
    // Converted or copied: the file's pages of the source are not needed
    // any more (for a source whose bytes are exactly its elements).
    if (out.data_ptr() != t.data_ptr() && t.is_contiguous()) release_mapped_pages(t);
    return out;
}

}  // namespace waypoint::detail
