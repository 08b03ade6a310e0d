#include "kernels/gemm.h"

#include <algorithm>

#include "kernels/cpu_isa.h"
#include "kernels/gemm_impl.h"
#include "kernels/thread_pool.h"

namespace waypoint::kernels {

namespace {

using impl::kTileRows;
constexpr int kPanel = 16 * impl::kTileVecs;  // tokens per tile

}  // namespace

bool gemm_available() { return cpu_isa() == Isa::Avx512; }

bool bf16_dot_available() {
    static const bool yes = [] {
#if defined(__x86_64__) && defined(__GNUC__)
        __builtin_cpu_init();
        return gemm_available() && __builtin_cpu_supports("avx512bf16");
#else
        return false;
#endif
    }();
    return yes;
}

bool gemm_uses_pairs(const Gemm& g) {
    return g.type == WeightType::BF16 && g.cols % 2 == 0 && bf16_dot_available();
}

void to_bf16_pairs(const float* x, int cols, int64_t ld, int tokens, uint16_t* pairs) {
    impl::to_bf16_pairs_avx512(x, cols, ld, tokens, pairs);
}

void gemm(const GemmInput& in, const Gemm* products, int count) {
    if (in.tokens <= 0 || count <= 0) return;
    // Work items in token-panel-major order, so that both threads work on
    // the same 64 tokens of X (kept in their L2) while the weights stream.
    const int panels = (in.tokens + kPanel - 1) / kPanel;
    int64_t tiles_per_panel = 0;
    for (int i = 0; i < count; ++i) tiles_per_panel += (products[i].rows + kTileRows - 1) / kTileRows;
    auto body = [&](int64_t begin, int64_t end) {
        for (int64_t item = begin; item < end; ++item) {
            const int panel = static_cast<int>(item / tiles_per_panel);
            int64_t tile = item % tiles_per_panel;
            int i = 0;
            for (; i < count; ++i) {
                const int64_t n = (products[i].rows + kTileRows - 1) / kTileRows;
                if (tile < n) break;
                tile -= n;
            }
            const int t0 = panel * kPanel;
            const int nv = std::min(impl::kTileVecs, (in.tokens - t0 + 15) / 16);
            const bool pairs = in.pairs && gemm_uses_pairs(products[i]);
            impl::gemm_tile_avx512(in, products[i], pairs, static_cast<int>(tile) * kTileRows, t0, nv);
        }
    };
    const int64_t total = tiles_per_panel * panels;
    ThreadPool& pool = ThreadPool::global();
    if (pool.size() == 1 || total < 4) {
        body(0, total);
        return;
    }
    pool.parallel_for(total, std::max<int64_t>(1, std::min<int64_t>(8, total / (16 * pool.size()))), body);
}

}  // namespace waypoint::kernels
