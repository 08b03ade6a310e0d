// The per-ISA row kernels behind matvec(); each computes rows [r0, r1).
#pragma once

#include "kernels/matvec.h"

namespace waypoint::kernels::impl {

void rows_scalar(const MatVec& p, int r0, int r1);
void rows_avx2(const MatVec& p, int r0, int r1);
void rows_avx512(const MatVec& p, int r0, int r1);

}  // namespace waypoint::kernels::impl
