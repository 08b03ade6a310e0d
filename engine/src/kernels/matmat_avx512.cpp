// AVX-512 batched rows (matmat.h): tiles of R weight rows x S sequences, each
// (row, sequence) pair with the four accumulators of matvec_avx512.cpp's
// rows() used in exactly its order (chunk 64k+16j into accumulator j, the
// 16-wide remainder into 0, the masked tail into 1, then (a0+a1)+(a2+a3)
// reduced by _mm512_reduce_add_ps): bit-identical results, while each
// weight vector loaded from memory feeds S sequences' FMAs.
#include "kernels/avx512_loads.h"
#include "kernels/matmat_impl.h"

#ifndef WP_MATMAT_ROWS
#define WP_MATMAT_ROWS 2
#endif

namespace waypoint::kernels::impl {

namespace {

// Rows r .. r+R-1 for sequences b .. b+S-1. R*S*4 accumulators live in
// registers (R*S <= 6 leaves room for the loads among the 32 zmm).
template <class T, class L, int R, int S>
WP_AVX512 void tile(const MatMat& p, int r, int b) {
    const int n = p.cols;
    const int n64 = n & ~63, n16 = n & ~15;
    const __mmask16 tail = static_cast<__mmask16>((1u << (n - n16)) - 1u);
    const T* w[R];
    for (int i = 0; i < R; ++i) w[i] = static_cast<const T*>(p.w) + int64_t(r + i) * n;
    const float* x[S];
    for (int s = 0; s < S; ++s) x[s] = p.x + int64_t(b + s) * p.x_stride;

    __m512 a[R][S][4];
    for (int i = 0; i < R; ++i)
        for (int s = 0; s < S; ++s)
            for (int j = 0; j < 4; ++j) a[i][s][j] = _mm512_setzero_ps();

    int c = 0;
    for (; c < n64; c += 64) {
        for (int j = 0; j < 4; ++j) {
            __m512 wv[R];
            for (int i = 0; i < R; ++i) wv[i] = L::load(w[i] + c + 16 * j);
            for (int s = 0; s < S; ++s) {
                const __m512 xv = _mm512_loadu_ps(x[s] + c + 16 * j);
                for (int i = 0; i < R; ++i) a[i][s][j] = _mm512_fmadd_ps(wv[i], xv, a[i][s][j]);
            }
        }
    }
    for (; c < n16; c += 16) {
        __m512 wv[R];
        for (int i = 0; i < R; ++i) wv[i] = L::load(w[i] + c);
        for (int s = 0; s < S; ++s) {
            const __m512 xv = _mm512_loadu_ps(x[s] + c);
            for (int i = 0; i < R; ++i) a[i][s][0] = _mm512_fmadd_ps(wv[i], xv, a[i][s][0]);
        }
    }
    if (tail) {
        __m512 wv[R];
        for (int i = 0; i < R; ++i) wv[i] = L::load_tail(w[i] + n16, tail);
        for (int s = 0; s < S; ++s) {
            const __m512 xv = _mm512_maskz_loadu_ps(tail, x[s] + n16);
            for (int i = 0; i < R; ++i) a[i][s][1] = _mm512_fmadd_ps(wv[i], xv, a[i][s][1]);
        }
    }
    for (int i = 0; i < R; ++i) {
        for (int s = 0; s < S; ++s) {
            const float sum = _mm512_reduce_add_ps(
                _mm512_add_ps(_mm512_add_ps(a[i][s][0], a[i][s][1]), _mm512_add_ps(a[i][s][2], a[i][s][3])));
            float* y = p.y + int64_t(b + s) * p.y_stride + r + i;
            *y = p.accumulate ? *y + sum : sum;
        }
    }
}

// All sequences of rows r .. r+R-1, S at a time (the weight rows stay in L1
// between the groups).
template <class T, class L, int R>
WP_AVX512 void row_group(const MatMat& p, int batch, int r) {
    constexpr int S = 6 / R;
    int b = 0;
    for (; b + S <= batch; b += S) tile<T, L, R, S>(p, r, b);
    switch (batch - b) {
    case 5: tile<T, L, R, 5 <= S ? 5 : 1>(p, r, b); break;
    case 4: tile<T, L, R, 4 <= S ? 4 : 1>(p, r, b); break;
    case 3: tile<T, L, R, 3 <= S ? 3 : 1>(p, r, b); break;
    case 2: tile<T, L, R, 2>(p, r, b); break;
    case 1: tile<T, L, R, 1>(p, r, b); break;
    default: break;
    }
}

template <class T, class L>
WP_AVX512 void rows(const MatMat& p, int batch, int r0, int r1) {
    constexpr int R = WP_MATMAT_ROWS;
    int r = r0;
    for (; r + R <= r1; r += R) row_group<T, L, R>(p, batch, r);
    for (; r < r1; ++r) row_group<T, L, 1>(p, batch, r);
}

}  // namespace

void batch_rows_avx512(const MatMat& p, int batch, int r0, int r1) {
    switch (p.type) {
    case WeightType::F32: rows<float, LoadF32>(p, batch, r0, r1); break;
    case WeightType::BF16: rows<uint16_t, LoadBF16>(p, batch, r0, r1); break;
    case WeightType::F16: rows<uint16_t, LoadF16>(p, batch, r0, r1); break;
    }
}

}  // namespace waypoint::kernels::impl
