#include "engine/cpu_kernels.h"

#include <cmath>

namespace fmc::detail {

// One build for the x86-64 baseline, one for AVX2 machines, chosen when the program loads.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define FMC_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define FMC_VECTOR_CLONES
#endif

FMC_VECTOR_CLONES
void adamwUpdate(float* __restrict param, const float* __restrict grad, float* __restrict expAvg,
                 float* __restrict expAvgSq, std::int64_t n, const AdamWScalars& scalars) {
    const AdamWScalars s = scalars;
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

FMC_VECTOR_CLONES
void rowMeanAbs(const float* __restrict weight, std::int64_t rows, std::int64_t cols, float* __restrict scores) {
    for (std::int64_t r = 0; r < rows; ++r) {
        const float* w = weight + r * cols;
        // Eight float partial sums (vectorised), added in double per row.
        float partial[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        std::int64_t j = 0;
        for (; j + 8 <= cols; j += 8)
            for (int k = 0; k < 8; ++k) partial[k] += std::fabs(w[j + k]);
        double sum = 0;
        for (float p : partial) sum += p;
        for (; j < cols; ++j) sum += std::fabs(w[j]);
        scores[r] = static_cast<float>(sum / static_cast<double>(cols));
    }
}

FMC_VECTOR_CLONES
void addSignedRowScale(float* __restrict grad, const float* __restrict weight, const float* __restrict rowScale,
                       std::int64_t rows, std::int64_t cols) {
    for (std::int64_t r = 0; r < rows; ++r) {
        const float scale = rowScale[r];
        if (scale == 0) continue;
        float* g = grad + r * cols;
        const float* w = weight + r * cols;
        for (std::int64_t j = 0; j < cols; ++j) g[j] += w[j] > 0 ? scale : (w[j] < 0 ? -scale : 0.0f);
    }
}

}  // namespace fmc::detail
