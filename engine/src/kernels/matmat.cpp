#include "kernels/matmat.h"

#include <algorithm>

#include "kernels/cpu_isa.h"
#include "kernels/matmat_impl.h"
#include "kernels/thread_pool.h"

namespace waypoint::kernels {

namespace {

// Rows [r0, r1) of `p` for every sequence. Without AVX-512: matvec's own row
// kernel once per sequence over the block (the block's rows stay in cache
// between sequences), which is exact by construction.
void rows_generic(const MatMat& p, int batch, int r0, int r1) {
    for (int b = 0; b < batch; ++b) {
        MatVec v;
        v.w = p.w;
        v.type = p.type;
        v.rows = p.rows;
        v.cols = p.cols;
        v.x = p.x + int64_t(b) * p.x_stride;
        v.y = p.y + int64_t(b) * p.y_stride;
        v.accumulate = p.accumulate;
        matvec_rows(v, r0, r1);
    }
}

using BatchRowsFn = void (*)(const MatMat&, int, int, int);

BatchRowsFn batch_rows_fn() {
    static const BatchRowsFn fn = cpu_isa() == Isa::Avx512 ? &impl::batch_rows_avx512 : &rows_generic;
    return fn;
}

// Rows are handed out in blocks of this many, as in matvec().
constexpr int kBlock = 16;

}  // namespace

void matmat(const MatMat* products, int count, int batch) {
    if (batch <= 0) return;
    if (batch == 1) {
        // One sequence: matvec's kernels stream one row at a time, faster
        // than a tile of one sequence (the same results either way).
        MatVec v[4];
        for (int i0 = 0; i0 < count; i0 += 4) {
            const int k = std::min(4, count - i0);
            for (int i = 0; i < k; ++i) {
                const MatMat& p = products[i0 + i];
                v[i].w = p.w;
                v[i].type = p.type;
                v[i].rows = p.rows;
                v[i].cols = p.cols;
                v[i].x = p.x;
                v[i].y = p.y;
                v[i].accumulate = p.accumulate;
            }
            matvec(v, k);
        }
        return;
    }
    const BatchRowsFn fn = batch_rows_fn();
    int64_t total = 0;
    for (int i = 0; i < count; ++i) total += (products[i].rows + kBlock - 1) / kBlock;
    // Chunks of row blocks over the concatenated products: [b0, b1).
    auto body = [&](int64_t begin, int64_t end) {
        int64_t base = 0;
        for (int i = 0; i < count && base < end; ++i) {
            const MatMat& p = products[i];
            const int64_t blocks = (p.rows + kBlock - 1) / kBlock;
            const int64_t b0 = std::max(begin, base), b1 = std::min(end, base + blocks);
            if (b0 < b1) {
                const int r0 = static_cast<int>((b0 - base) * kBlock);
                const int r1 = static_cast<int>(std::min<int64_t>((b1 - base) * kBlock, p.rows));
                fn(p, batch, r0, r1);
            }
            base += blocks;
        }
    };
    // Tiny products (stories260K) are not worth waking a second thread.
    int64_t work = 0;
    for (int i = 0; i < count; ++i) work += int64_t(products[i].rows) * products[i].cols * batch;
    ThreadPool& pool = ThreadPool::global();
    if (work < (64 << 10) || pool.size() == 1) {
        body(0, total);
        return;
    }
    const int64_t grain = std::max<int64_t>(1, total / (8 * pool.size()));
    pool.parallel_for(total, grain, body);
}

}  // namespace waypoint::kernels
