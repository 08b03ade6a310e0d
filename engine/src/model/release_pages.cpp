#include "model/release_pages.h"

#include <algorithm>
#include <cstdint>

#include "waypoint/platform/file_mapping.h"

namespace waypoint::detail {

void release_mapped_pages(const at::Tensor& t) {
    if (!t.defined() || !t.is_cpu() || t.nbytes() == 0) return;
    platform::release_file_pages(t.data_ptr(), t.nbytes());
}

at::Tensor convert_releasing_pages(const at::Tensor& t, at::ScalarType dtype) {
    at::Tensor out = at::empty(t.sizes(), t.options().dtype(dtype));
    const at::Tensor src = t.view(-1), dst = out.view(-1);
    const int64_t n = src.numel(), elem = int64_t(t.element_size());
    const uintptr_t begin = reinterpret_cast<uintptr_t>(t.data_ptr());
    // Pieces end on 64 KiB address boundaries (a multiple of every page
    // size in use), so each piece's release covers whole pages and no page
    // is left between two pieces. Possible when the source is aligned to
    // its element size; otherwise one piece, released at the end as before.
    constexpr uintptr_t kPiece = uintptr_t(4) << 20, kAlign = uintptr_t(64) << 10;
    const bool pieces = begin % uintptr_t(elem) == 0;
    int64_t i = 0;
    while (i < n) {
        int64_t end = n;
        if (pieces) {
            const uintptr_t at = begin + uintptr_t(i * elem) + kPiece;
            end = std::min(n, int64_t(((at + kAlign - 1) & ~(kAlign - 1)) - begin) / elem);
        }
        dst.narrow(0, i, end - i).copy_(src.narrow(0, i, end - i));
        platform::release_file_pages(static_cast<const char*>(t.data_ptr()) + i * elem, size_t((end - i) * elem));
        i = end;
    }
    return out;
}

}  // namespace waypoint::detail
