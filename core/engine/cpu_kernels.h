#pragma once
// Internal to the engine: the few loops the FedMedCLIP training step runs on raw CPU float
// buffers, where LibTorch would make several passes with a temporary each. Torch-free, so this
// file is compiled on its own with vectorised maths (see CMakeLists.txt).
#include <cmath>
#include <cstdint>

namespace fmc::detail {

// The scalars of one AdamW step, rounded to float as LibTorch's kernels round them.
struct AdamWScalars {
    float decay;          // 1 - lr * weight_decay
    float beta1, oneMinusBeta1;
    float beta2, oneMinusBeta2;
    float biasCorrection2Sqrt;  // sqrt(1 - beta2^step)
    float eps;
    float negativeStepSize;     // -lr / (1 - beta1^step)
};

// torch::optim::AdamW's update of one parameter in one pass, in its order of operations:
//   p *= decay; m = m * beta1 + (1 - beta1) g; v = v * beta2 + (1 - beta2) g g;
//   p += (-step) m / (sqrt(v) / sqrt(bc2) + eps)
void adamwUpdate(float* param, const float* grad, float* expAvg, float* expAvgSq, std::int64_t n,
                 const AdamWScalars& s);

// scores[r] = mean_j |weight[r][j]|: sixteen float partial sums, partial[k] the sum of
// |weight[r][j + k]| over the row's whole groups of 16 in order, then added in double with the
// tail after the last whole group, rounded once.
void rowMeanAbs(const float* weight, std::int64_t rows, std::int64_t cols, float* scores);

// rowMeanAbs's last part for one row, shared with the weight gradient's AdamW tiles.
inline float meanAbsFromPartials(const float* partial, const float* tail, std::int64_t tailCount, std::int64_t cols) {
    double sum = 0;
    for (int k = 0; k < 16; ++k) sum += partial[k];
    for (std::int64_t j = 0; j < tailCount; ++j) sum += std::fabs(tail[j]);
    return static_cast<float>(sum / static_cast<double>(cols));
}

// grad[r][j] += sign(weight[r][j]) * rowScale[r] for rows whose scale is not zero.
void addSignedRowScale(float* grad, const float* weight, const float* rowScale, std::int64_t rows, std::int64_t cols);

// grad[r][j] = sign(weight[r][j]) * rowScale[r] (0 in rows whose scale is 0): the row scores
// share of a masked layer's weight gradient, written first so that the matrix product adds to it.
void setSignedRowScale(float* grad, const float* weight, const float* rowScale, std::int64_t rows, std::int64_t cols);

// dst[c][j] = sign(weight[rowIndex[c]][j]) * rowScale[rowIndex[c]] (0 in rows whose scale is 0):
// setSignedRowScale's rows for the listed rows only, packed (count x cols).
void gatherSignedRowScale(float* dst, const float* weight, const float* rowScale, const std::int64_t* rowIndex,
                          std::int64_t count, std::int64_t cols);

// Training-mode batch norm, then ReLU, of x (rows x width, row-major): per column the batch
// mean and biased variance, xHat = (x - mean) / sqrt(var + eps), y = max(0, gamma xHat + beta).
// mean and variance (width each, biased) come back for the running statistics, inverseStd for
// the backward pass.
void batchNormReluForward(const float* x, std::int64_t rows, std::int64_t width, const float* gamma,
                          const float* beta, float eps, float* xHat, float* y, float* mean, float* variance,
                          float* inverseStd);

// Its backward from gradY (the gradient of y): g = gradY where y > 0,
//   gradBeta = sum_i g, gradGamma = sum_i g xHat,
//   gradX = gamma inverseStd (g - mean_i g - xHat mean_i (g xHat));
// meanGrad and meanGradXHat (width each) are scratch.
void batchNormReluBackward(const float* gradY, const float* y, const float* xHat, std::int64_t rows,
                           std::int64_t width, const float* gamma, const float* inverseStd, float* gradX,
                           float* gradGamma, float* gradBeta, float* meanGrad, float* meanGradXHat);

// The FAM's per-sample loops (rows x dim, row-major; sums in sixteen float partials per row,
// added in double):
// instance norm over each row, then ReLU: n = (a - mean) / sqrt(var + 1e-5) (biased var), r = max(n, 0).
void instanceNormReluForward(const float* a, std::int64_t rows, std::int64_t dim, float* n, float* r,
                             float* inverseStd);
// attention = softmax(a2) per row, f = attention * x0 / max(|attention * x0|, 1e-12).
void attendAndNormalise(const float* a2, const float* x0, std::int64_t rows, std::int64_t dim, float* attention,
                        float* f, float* norm);
// From df (the gradient of f) back through the normalisation, the product with x0 and the
// softmax: da2 = att (d - sum_j att_j d_j) with d = x0 (df - f (f . df)) / norm.
void attendAndNormaliseBackward(const float* df, const float* f, const float* attention, const float* x0,
                                const float* norm, std::int64_t rows, std::int64_t dim, float* gradA2);
// From dr (the gradient of r) back through the ReLU and the instance norm:
// da = inverseStd (dn - mean(dn) - n mean(dn n)) with dn = dr where r > 0.
void instanceNormReluBackward(const float* gradR, const float* n, const float* r, const float* inverseStd,
                              std::int64_t rows, std::int64_t dim, float* gradA);

// A masked layer's per-row sums for its backward from g (batch x out): gradSum_r = sum_b g_br,
// productSum_r = sum_b g_br product_br (product: x W^T, batch x out), kept = g * mask.
void maskedLayerSums(const float* g, const float* product, const float* mask, std::int64_t batch,
                     std::int64_t out, float* gradSum, float* productSum, float* kept);

// A masked layer's output y = bias + product * mask (product: x W^T, batch x out; mask per column).
void maskRowsAddBias(const float* product, const float* mask, const float* bias, std::int64_t batch,
                     std::int64_t out, float* y);

}  // namespace fmc::detail
