#pragma once
// Internal to cpu_kernels.cpp and cpu_products.cpp (both compiled without contracting a * b + c):
// AdamW's arithmetic on n contiguous entries, inlined into each caller so that the
// whole-parameter update and the one inside the weight gradient's tiles round identically.
#include "engine/cpu_kernels.h"

#include <cmath>
#include <cstdint>

namespace fmc::detail {

__attribute__((always_inline)) static inline void adamwSpan(float* __restrict param, const float* __restrict grad,
                                                            float* __restrict expAvg, float* __restrict expAvgSq,
                                                            std::int64_t n, const AdamWScalars& s) {
    for (std::int64_t i = 0; i < n; ++i) {
        const float g = grad[i];
        const float p = param[i] * s.decay;
        const float m = expAvg[i] * s.beta1 + s.oneMinusBeta1 * g;
        const float v = expAvgSq[i] * s.beta2 + s.oneMinusBeta2 * g * g;
        const float denominator = std::sqrt(v) / s.biasCorrection2Sqrt + s.eps;
        expAvg[i] = m;
        expAvgSq[i] = v;
        param[i] = p + s.negativeStepSize * m / denominator;
    }
}

}  // namespace fmc::detail
