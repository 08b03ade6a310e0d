// Matrix products for a decode step of several sequences at once (batched
// decoding): Y[b] = W X[b] (or Y[b] += W X[b]) for b < batch, with W
// [rows, cols] row-major in fp32, bf16 or fp16 and X, Y fp32.
//
// Why: decode is bound by reading the weights. matvec() per sequence reads
// every matrix once per sequence; matmat() reads it once for all of them and
// keeps each row in L1 while it is multiplied with every X[b].
//
// Exactness: every Y[b][r] is computed with the same operations in the same
// order as matvec() computes row r for X[b] (the same accumulators, the same
// final reduction), so a batched step gives bit-identical logits to the
// one-sequence step: greedy answers do not depend on what runs beside them.
// tst_matmat checks this for every ISA and weight type.
#pragma once

#include <cstdint>

#include "kernels/matvec.h"

namespace waypoint::kernels {

struct MatMat {
    const void* w = nullptr;  // [rows, cols], row-major, contiguous
    WeightType type = WeightType::F32;
    int rows = 0;
    int cols = 0;
    const float* x = nullptr;  // [batch, x_stride]: X[b] = x + b * x_stride, cols used
    int64_t x_stride = 0;
    float* y = nullptr;        // [batch, y_stride]: Y[b] = y + b * y_stride, rows used
    int64_t y_stride = 0;
    bool accumulate = false;   // Y += W X instead of Y = W X
};

// Runs all products for `batch` sequences on the global thread pool, rows
// split over threads (each thread does all sequences of its rows).
void matmat(const MatMat* products, int count, int batch);
inline void matmat(const MatMat& product, int batch) { matmat(&product, 1, batch); }

}  // namespace waypoint::kernels
