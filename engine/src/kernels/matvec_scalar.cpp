// Portable fallback (any CPU): plain loops, 4 rows at a time.
#include "kernels/half.h"
#include "kernels/matvec_impl.h"

namespace waypoint::kernels::impl {

namespace {

template <class T, class Load>
void rows(const MatVec& p, int r0, int r1, Load load) {
    const T* w = static_cast<const T*>(p.w);
    const int n = p.cols;
    for (int r = r0; r < r1; ++r) {
        const T* row = w + int64_t(r) * n;
        float acc[4] = {0, 0, 0, 0};
        int c = 0;
        for (; c + 4 <= n; c += 4)
            for (int j = 0; j < 4; ++j) acc[j] += load(row[c + j]) * p.x[c + j];
        for (; c < n; ++c) acc[0] += load(row[c]) * p.x[c];
        const float sum = (acc[0] + acc[1]) + (acc[2] + acc[3]);
        p.y[r] = p.accumulate ? p.y[r] + sum : sum;
    }
}

}  // namespace

void rows_scalar(const MatVec& p, int r0, int r1) {
    switch (p.type) {
    case WeightType::F32: rows<float>(p, r0, r1, [](float v) { return v; }); break;
    case WeightType::BF16: rows<uint16_t>(p, r0, r1, [](uint16_t v) { return bf16_to_float(v); }); break;
    case WeightType::F16: rows<uint16_t>(p, r0, r1, [](uint16_t v) { return fp16_to_float(v); }); break;
    }
}

}  // namespace waypoint::kernels::impl
