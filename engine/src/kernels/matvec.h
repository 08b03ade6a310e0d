// Matrix-vector products for the one-token decode step: y = W x (or y += W x)
// with W [rows, cols] row-major in fp32, bf16 or fp16 and x, y in fp32.
//
// Why hand-written: at batch 1 decode reads every weight once per token and is
// bound by memory bandwidth. libtorch's one-row linear reads weights at only
// 10-12 GB/s here and at::mv at 27-29 GB/s (PEERS.md) against ~40 GB/s of
// bandwidth, and no Debian package offers a fast threaded GEMV on bf16
// weights (OpenBLAS 0.3.21 has sbgemv only for a bf16 x as well, libtorch's
// bf16 mv is a slow fallback). These kernels stream the weights once with
// AVX-512 / AVX2 (runtime dispatch) and a scalar fallback.
#pragma once

#include <cstdint>

namespace waypoint::kernels {

enum class WeightType { F32, BF16, F16 };

// One product. Several products that read the same x (q, k, v; gate and up)
// are passed together so they share one parallel region.
struct MatVec {
    const void* w = nullptr;  // [rows, cols], row-major, contiguous
    WeightType type = WeightType::F32;
    int rows = 0;
    int cols = 0;
    const float* x = nullptr;  // [cols]
    float* y = nullptr;        // [rows]
    bool accumulate = false;   // y += W x instead of y = W x
};

// Runs all products on the global thread pool, rows split evenly over threads.
void matvec(const MatVec* products, int count);
inline void matvec(const MatVec& product) { matvec(&product, 1); }

// Single-threaded: rows [r0, r1) of one product, with the best ISA.
void matvec_rows(const MatVec& product, int r0, int r1);

}  // namespace waypoint::kernels
