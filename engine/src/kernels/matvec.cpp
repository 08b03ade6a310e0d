#include "kernels/matvec.h"

#include <algorithm>

#include "kernels/cpu_isa.h"
#include "kernels/matvec_impl.h"
#include "kernels/thread_pool.h"

namespace waypoint::kernels {

namespace {

using RowsFn = void (*)(const MatVec&, int, int);

RowsFn pick_rows() {
    switch (cpu_isa()) {
    case Isa::Avx512: return &impl::rows_avx512;
    case Isa::Avx2: return &impl::rows_avx2;
    default: return &impl::rows_scalar;
    }
}

RowsFn rows_fn() {
    static const RowsFn fn = pick_rows();
    return fn;
}

// Rows are handed out in blocks of this many, so each thread's share starts
// on a block boundary (the row kernels work on 4 rows at a time).
constexpr int kBlock = 16;

}  // namespace

void matvec_rows(const MatVec& product, int r0, int r1) { rows_fn()(product, r0, r1); }

void matvec(const MatVec* products, int count) {
    const RowsFn fn = rows_fn();
    // The products are concatenated into one space of row blocks.
    int64_t total = 0;
    for (int i = 0; i < count; ++i) total += (products[i].rows + kBlock - 1) / kBlock;
    // Chunks of row blocks over the concatenated products: [b0, b1).
    auto body = [&](int64_t begin, int64_t end) {
        int64_t base = 0;
        for (int i = 0; i < count && base < end; ++i) {
            const MatVec& p = products[i];
            const int64_t blocks = (p.rows + kBlock - 1) / kBlock;
            const int64_t b0 = std::max(begin, base), b1 = std::min(end, base + blocks);
            if (b0 < b1) {
                const int r0 = static_cast<int>((b0 - base) * kBlock);
                const int r1 = static_cast<int>(std::min<int64_t>((b1 - base) * kBlock, p.rows));
                fn(p, r0, r1);
            }
            base += blocks;
        }
    };
    // Tiny products (stories260K) are not worth waking a second thread.
    int64_t bytes = 0;
    for (int i = 0; i < count; ++i)
        bytes += int64_t(products[i].rows) * products[i].cols *
                 (products[i].type == WeightType::F32 ? 4 : 2);
    ThreadPool& pool = ThreadPool::global();
    if (bytes < (256 << 10) || pool.size() == 1) {
        body(0, total);
        return;
    }
    // About 8 chunks per thread: few atomic hand-outs, and a late thread
    // costs at most a chunk.
    const int64_t grain = std::max<int64_t>(1, total / (8 * pool.size()));
    pool.parallel_for(total, grain, body);
}

}  // namespace waypoint::kernels
