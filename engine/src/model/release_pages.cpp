#include "model/release_pages.h"

#include "waypoint/platform/file_mapping.h"

namespace waypoint::detail {

void release_mapped_pages(const at::Tensor& t) {
    if (!t.defined() || !t.is_cpu() || t.nbytes() == 0) return;
    platform::release_file_pages(t.data_ptr(), t.nbytes());
}

}  // namespace waypoint::detail
