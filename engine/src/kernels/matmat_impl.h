// The per-ISA kernels behind matmat(): rows [r0, r1) of one product for all
// `batch` sequences.
#pragma once

#include "kernels/matmat.h"

namespace waypoint::kernels::impl {

void batch_rows_avx512(const MatMat& p, int batch, int r0, int r1);

}  // namespace waypoint::kernels::impl
