// AVX-512 batched rows (matmat.h): tiles of R weight rows x S sequences, each
// (row, sequence) pair with the four accumulators of matvec_avx512.cpp's
// rows() used in exactly its order (chunk 64k+16j into accumulator j, the
// 16-wide remainder into 0, the masked tail into 1, then (a0+a1)+(a2+a3)
// reduced by _mm512_reduce_add_ps): bit-identical results, while each
// weight vector loaded from memory feeds S sequences' FMAs.
#include <cstdlib>

#include "kernels/avx512_loads.h"
#include "kernels/matmat_impl.h"

namespace waypoint::kernels::impl {

namespace {

#define WP_AVX512_INLINE __attribute__((target("avx512f,avx512bw,avx512vl,fma,f16c"), always_inline)) inline

// One chunk of 16 columns at c (masked: the last n % 16) into accumulator J
// of every (row, sequence) pair; each x vector is loaded once for all R rows.
template <class T, class L, int R, int S, int J, bool Masked>
WP_AVX512_INLINE void chunk(__m512 (&a)[R][S][4], const T* const (&w)[R], const float* const (&x)[S], int c,
                            __mmask16 m) {
    __m512 wv[R];
#pragma GCC unroll 8
    for (int i = 0; i < R; ++i) {
        wv[i] = Masked ? L::load_tail(w[i] + c, m) : L::load(w[i] + c);
        __asm__("" : "+v"(wv[i]));  // in a register, as xv below
    }
#pragma GCC unroll 8
    for (int s = 0; s < S; ++s) {
        __m512 xv = Masked ? _mm512_maskz_loadu_ps(m, x[s] + c) : _mm512_loadu_ps(x[s] + c);
        // In a register: GCC would otherwise fold the loads into the FMAs,
        // loading each vector several times (loads, not FMAs, would bound the loop).
        __asm__("" : "+v"(xv));
#pragma GCC unroll 8
        for (int i = 0; i < R; ++i) a[i][s][J] = _mm512_fmadd_ps(wv[i], xv, a[i][s][J]);
    }
}

// Rows r .. r+R-1 for sequences b .. b+S-1. R*S*4 accumulators live in
// registers (R*S <= 6 leaves room for the loads among the 32 zmm); every
// loop over them is unrolled so that none is indexed at run time.
template <class T, class L, int R, int S>
WP_AVX512 void tile(const MatMat& p, int r, int b) {
    const int n = p.cols;
    const int n64 = n & ~63, n16 = n & ~15;
    const __mmask16 tail = static_cast<__mmask16>((1u << (n - n16)) - 1u);
    const T* w[R];
#pragma GCC unroll 8
    for (int i = 0; i < R; ++i) w[i] = static_cast<const T*>(p.w) + int64_t(r + i) * n;
    const float* x[S];
#pragma GCC unroll 8
    for (int s = 0; s < S; ++s) x[s] = p.x + int64_t(b + s) * p.x_stride;

    __m512 a[R][S][4];
#pragma GCC unroll 8
    for (int i = 0; i < R; ++i)
#pragma GCC unroll 8
        for (int s = 0; s < S; ++s)
#pragma GCC unroll 4
            for (int j = 0; j < 4; ++j) a[i][s][j] = _mm512_setzero_ps();

    int c = 0;
    for (; c < n64; c += 64) {
        chunk<T, L, R, S, 0, false>(a, w, x, c, 0);
        chunk<T, L, R, S, 1, false>(a, w, x, c + 16, 0);
        chunk<T, L, R, S, 2, false>(a, w, x, c + 32, 0);
        chunk<T, L, R, S, 3, false>(a, w, x, c + 48, 0);
    }
    for (; c < n16; c += 16) chunk<T, L, R, S, 0, false>(a, w, x, c, 0);
    if (tail) chunk<T, L, R, S, 1, true>(a, w, x, n16, tail);
#pragma GCC unroll 8
    for (int i = 0; i < R; ++i) {
#pragma GCC unroll 8
        for (int s = 0; s < S; ++s) {
            const float sum = _mm512_reduce_add_ps(
                _mm512_add_ps(_mm512_add_ps(a[i][s][0], a[i][s][1]), _mm512_add_ps(a[i][s][2], a[i][s][3])));
            float* y = p.y + int64_t(b + s) * p.y_stride + r + i;
            *y = p.accumulate ? *y + sum : sum;
        }
    }
}

// Sequences b .. b+S-1 for every row of [r0, r1) (a block of at most 16
// rows, as matmat() hands them out), R rows at a time. The S sequences' X
// (S * cols floats) stay in L1 over the whole block; the block's weight rows
// come from memory for the first group of sequences and from L2 after that.
template <class T, class L, int R, int S>
WP_AVX512 void seq_group(const MatMat& p, int b, int r0, int r1) {
    int r = r0;
    for (; r + R <= r1; r += R) tile<T, L, R, S>(p, r, b);
    for (; r < r1; ++r) tile<T, L, 1, S>(p, r, b);
}

template <class T, class L, int R>
WP_AVX512 void rows(const MatMat& p, int batch, int r0, int r1) {
    constexpr int S = 6 / R;
    int b = 0;
    for (; b + S <= batch; b += S) seq_group<T, L, R, S>(p, b, r0, r1);
    switch (batch - b) {
    case 5: seq_group<T, L, R, 5 <= S ? 5 : 1>(p, b, r0, r1); break;
    case 4: seq_group<T, L, R, 4 <= S ? 4 : 1>(p, b, r0, r1); break;
    case 3: seq_group<T, L, R, 3 <= S ? 3 : 1>(p, b, r0, r1); break;
    case 2: seq_group<T, L, R, 2>(p, b, r0, r1); break;
    case 1: seq_group<T, L, R, 1>(p, b, r0, r1); break;
    default: break;
    }
}

template <int R>
void rows_of(const MatMat& p, int batch, int r0, int r1) {
    switch (p.type) {
    case WeightType::F32: rows<float, LoadF32, R>(p, batch, r0, r1); break;
    case WeightType::BF16: rows<uint16_t, LoadBF16, R>(p, batch, r0, r1); break;
    case WeightType::F16: rows<uint16_t, LoadF16, R>(p, batch, r0, r1); break;
    }
}

// Weight rows per tile: 2 (x 3 sequences) by default; WAYPOINT_MATMAT_ROWS=1
// (x 6) or 3 (x 2) for measurements. The results are the same bits.
int tile_rows() {
    static const int r = [] {
        const char* e = std::getenv("WAYPOINT_MATMAT_ROWS");
        const int v = e ? std::atoi(e) : 2;
        return v == 1 || v == 3 ? v : 2;
    }();
    return r;
}

}  // namespace

void batch_rows_avx512(const MatMat& p, int batch, int r0, int r1) {
    switch (tile_rows()) {
    case 1: rows_of<1>(p, batch, r0, r1); break;
    case 3: rows_of<3>(p, batch, r0, r1); break;
    default: rows_of<2>(p, batch, r0, r1); break;
    }
}

}  // namespace waypoint::kernels::impl
