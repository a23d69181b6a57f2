#include "engine/cpu_kernels.h"

#include <cmath>

namespace fmc::detail {

// One build for the x86-64 baseline, one for AVX2 and one for AVX-512 machines, chosen when the program loads.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define FMC_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
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
        // Sixteen float partial sums (one AVX-512 register, two AVX2 ones), added in double per row.
        float partial[16] = {};
        std::int64_t j = 0;
        for (; j + 16 <= cols; j += 16)
            for (int k = 0; k < 16; ++k) partial[k] += std::fabs(w[j + k]);
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

FMC_VECTOR_CLONES
void setSignedRowScale(float* __restrict grad, const float* __restrict weight, const float* __restrict rowScale,
                       std::int64_t rows, std::int64_t cols) {
    for (std::int64_t r = 0; r < rows; ++r) {
        const float scale = rowScale[r];
        float* g = grad + r * cols;
        const float* w = weight + r * cols;
        if (scale == 0) {
            for (std::int64_t j = 0; j < cols; ++j) g[j] = 0;
            continue;
        }
        for (std::int64_t j = 0; j < cols; ++j) g[j] = w[j] > 0 ? scale : (w[j] < 0 ? -scale : 0.0f);
    }
}

// Row by row, so that the inner loops run over contiguous columns (vectorised).
FMC_VECTOR_CLONES
void batchNormReluForward(const float* __restrict x, std::int64_t rows, std::int64_t width,
                          const float* __restrict gamma, const float* __restrict beta, float eps,
                          float* __restrict xHat, float* __restrict y, float* __restrict mean,
                          float* __restrict variance, float* __restrict inverseStd) {
    for (std::int64_t j = 0; j < width; ++j) mean[j] = variance[j] = 0;
    for (std::int64_t i = 0; i < rows; ++i)
        for (std::int64_t j = 0; j < width; ++j) mean[j] += x[i * width + j];
    const float perRow = 1.0f / static_cast<float>(rows);
    for (std::int64_t j = 0; j < width; ++j) mean[j] *= perRow;
    for (std::int64_t i = 0; i < rows; ++i)
        for (std::int64_t j = 0; j < width; ++j) {
            const float d = x[i * width + j] - mean[j];
            variance[j] += d * d;
        }
    for (std::int64_t j = 0; j < width; ++j) {
        variance[j] *= perRow;
        inverseStd[j] = 1.0f / std::sqrt(variance[j] + eps);
    }
    for (std::int64_t i = 0; i < rows; ++i)
        for (std::int64_t j = 0; j < width; ++j) {
            const float normalised = (x[i * width + j] - mean[j]) * inverseStd[j];
            xHat[i * width + j] = normalised;
            const float value = gamma[j] * normalised + beta[j];
            y[i * width + j] = value > 0 ? value : 0.0f;
        }
}

FMC_VECTOR_CLONES
void batchNormReluBackward(const float* __restrict gradY, const float* __restrict y, const float* __restrict xHat,
                           std::int64_t rows, std::int64_t width, const float* __restrict gamma,
                           const float* __restrict inverseStd, float* __restrict gradX, float* __restrict gradGamma,
                           float* __restrict gradBeta, float* __restrict meanGrad, float* __restrict meanGradXHat) {
    for (std::int64_t j = 0; j < width; ++j) gradBeta[j] = gradGamma[j] = 0;
    for (std::int64_t i = 0; i < rows; ++i)
        for (std::int64_t j = 0; j < width; ++j) {
            const float g = y[i * width + j] > 0 ? gradY[i * width + j] : 0.0f;
            gradBeta[j] += g;
            gradGamma[j] += g * xHat[i * width + j];
        }
    const float perRow = 1.0f / static_cast<float>(rows);
    for (std::int64_t j = 0; j < width; ++j) {
        meanGrad[j] = gradBeta[j] * perRow;
        meanGradXHat[j] = gradGamma[j] * perRow;
    }
    for (std::int64_t i = 0; i < rows; ++i)
        for (std::int64_t j = 0; j < width; ++j) {
            const float g = y[i * width + j] > 0 ? gradY[i * width + j] : 0.0f;
            gradX[i * width + j] = gamma[j] * inverseStd[j] * (g - meanGrad[j] - xHat[i * width + j] * meanGradXHat[j]);
        }
}

}  // namespace fmc::detail
