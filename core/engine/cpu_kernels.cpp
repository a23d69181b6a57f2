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
        const std::int64_t whole = cols / 16 * 16;
        for (std::int64_t j = 0; j < whole; j += 16)
            for (int k = 0; k < 16; ++k) partial[k] += std::fabs(w[j + k]);
        scores[r] = meanAbsFromPartials(partial, w + whole, cols - whole, cols);
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

// One row of the mask's sign term, scale x sign(w); inlined into each vector clone of its callers.
__attribute__((always_inline)) inline void writeSignedRow(float* __restrict out, const float* __restrict w, float scale,
                                                          std::int64_t cols) {
    if (scale == 0) {
        for (std::int64_t j = 0; j < cols; ++j) out[j] = 0;
        return;
    }
    for (std::int64_t j = 0; j < cols; ++j) out[j] = w[j] > 0 ? scale : (w[j] < 0 ? -scale : 0.0f);
}

FMC_VECTOR_CLONES
void setSignedRowScale(float* __restrict grad, const float* __restrict weight, const float* __restrict rowScale,
                       std::int64_t rows, std::int64_t cols) {
    for (std::int64_t r = 0; r < rows; ++r) writeSignedRow(grad + r * cols, weight + r * cols, rowScale[r], cols);
}

FMC_VECTOR_CLONES
void gatherSignedRowScale(float* __restrict dst, const float* __restrict weight, const float* __restrict rowScale,
                          const std::int64_t* __restrict rowIndex, std::int64_t count, std::int64_t cols) {
    for (std::int64_t c = 0; c < count; ++c) {
        const std::int64_t r = rowIndex[c];
        writeSignedRow(dst + c * cols, weight + r * cols, rowScale[r], cols);
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

namespace {
// sum_j a_j b_j (b null: sum_j a_j) in sixteen float partials, added in double.
inline double partialDot(const float* __restrict a, const float* __restrict b, std::int64_t n) {
    float partial[16] = {};
    std::int64_t j = 0;
    if (b)
        for (; j + 16 <= n; j += 16)
            for (int k = 0; k < 16; ++k) partial[k] += a[j + k] * b[j + k];
    else
        for (; j + 16 <= n; j += 16)
            for (int k = 0; k < 16; ++k) partial[k] += a[j + k];
    double sum = 0;
    for (float p : partial) sum += p;
    for (; j < n; ++j) sum += b ? static_cast<double>(a[j]) * b[j] : a[j];
    return sum;
}
}  // namespace

FMC_VECTOR_CLONES
void instanceNormReluForward(const float* __restrict a, std::int64_t rows, std::int64_t dim, float* __restrict n,
                             float* __restrict r, float* __restrict inverseStd) {
    for (std::int64_t i = 0; i < rows; ++i) {
        const float* ai = a + i * dim;
        float *ni = n + i * dim, *ri = r + i * dim;
        const auto mean = static_cast<float>(partialDot(ai, nullptr, dim) / static_cast<double>(dim));
        for (std::int64_t j = 0; j < dim; ++j) ni[j] = ai[j] - mean;
        const auto scale = static_cast<float>(1 / std::sqrt(partialDot(ni, ni, dim) / static_cast<double>(dim) + 1e-5));
        inverseStd[i] = scale;
        for (std::int64_t j = 0; j < dim; ++j) {
            ni[j] *= scale;
            ri[j] = ni[j] > 0 ? ni[j] : 0.0f;
        }
    }
}

FMC_VECTOR_CLONES
void attendAndNormalise(const float* __restrict a2, const float* __restrict x0, std::int64_t rows, std::int64_t dim,
                        float* __restrict attention, float* __restrict f, float* __restrict norm) {
    for (std::int64_t i = 0; i < rows; ++i) {
        const float* ai = a2 + i * dim;
        const float* xi = x0 + i * dim;
        float *att = attention + i * dim, *fi = f + i * dim;
        float largest = ai[0];
        for (std::int64_t j = 1; j < dim; ++j) largest = ai[j] > largest ? ai[j] : largest;
        for (std::int64_t j = 0; j < dim; ++j) att[j] = std::exp(ai[j] - largest);
        const auto inverseSum = static_cast<float>(1 / partialDot(att, nullptr, dim));
        for (std::int64_t j = 0; j < dim; ++j) {
            att[j] *= inverseSum;
            fi[j] = att[j] * xi[j];
        }
        const double length = std::sqrt(partialDot(fi, fi, dim));
        const auto clamped = static_cast<float>(length > 1e-12 ? length : 1e-12);
        norm[i] = clamped;
        for (std::int64_t j = 0; j < dim; ++j) fi[j] /= clamped;
    }
}

FMC_VECTOR_CLONES
void attendAndNormaliseBackward(const float* __restrict df, const float* __restrict f,
                                const float* __restrict attention, const float* __restrict x0,
                                const float* __restrict norm, std::int64_t rows, std::int64_t dim,
                                float* __restrict gradA2) {
    for (std::int64_t i = 0; i < rows; ++i) {
        const float *dfi = df + i * dim, *fi = f + i * dim, *att = attention + i * dim, *xi = x0 + i * dim;
        float* g = gradA2 + i * dim;
        // Where the norm was clamped, f = z / 1e-12 has no gradient through the norm.
        const auto fDotDf = static_cast<float>(norm[i] > 1e-12f ? partialDot(fi, dfi, dim) : 0.0);
        const float inverseNorm = 1.0f / norm[i];
        for (std::int64_t j = 0; j < dim; ++j) g[j] = (dfi[j] - fi[j] * fDotDf) * inverseNorm * xi[j];
        const auto attDotG = static_cast<float>(partialDot(att, g, dim));
        for (std::int64_t j = 0; j < dim; ++j) g[j] = att[j] * (g[j] - attDotG);
    }
}

FMC_VECTOR_CLONES
void instanceNormReluBackward(const float* __restrict gradR, const float* __restrict n, const float* __restrict r,
                              const float* __restrict inverseStd, std::int64_t rows, std::int64_t dim,
                              float* __restrict gradA) {
    for (std::int64_t i = 0; i < rows; ++i) {
        const float *dri = gradR + i * dim, *ni = n + i * dim, *ri = r + i * dim;
        float* g = gradA + i * dim;
        for (std::int64_t j = 0; j < dim; ++j) g[j] = ri[j] > 0 ? dri[j] : 0.0f;
        const auto meanDn = static_cast<float>(partialDot(g, nullptr, dim) / static_cast<double>(dim));
        const auto meanDnN = static_cast<float>(partialDot(g, ni, dim) / static_cast<double>(dim));
        const float scale = inverseStd[i];
        for (std::int64_t j = 0; j < dim; ++j) g[j] = scale * (g[j] - meanDn - ni[j] * meanDnN);
    }
}

FMC_VECTOR_CLONES
void maskedLayerSums(const float* __restrict g, const float* __restrict product, const float* __restrict mask,
                     std::int64_t batch, std::int64_t out, float* __restrict gradSum, float* __restrict productSum,
                     float* __restrict kept) {
    for (std::int64_t r = 0; r < out; ++r) gradSum[r] = productSum[r] = 0;
    for (std::int64_t i = 0; i < batch; ++i)
        for (std::int64_t r = 0; r < out; ++r) {
            const float value = g[i * out + r];
            gradSum[r] += value;
            productSum[r] += value * product[i * out + r];
            kept[i * out + r] = value * mask[r];
        }
}

FMC_VECTOR_CLONES
void maskRowsAddBias(const float* __restrict product, const float* __restrict mask, const float* __restrict bias,
                     std::int64_t batch, std::int64_t out, float* __restrict y) {
    for (std::int64_t i = 0; i < batch; ++i)
        for (std::int64_t r = 0; r < out; ++r) y[i * out + r] = bias[r] + product[i * out + r] * mask[r];
}

}  // namespace fmc::detail
