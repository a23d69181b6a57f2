#pragma once
// Internal to the engine: the training step's three matrix products per masked layer, for its
// shapes (a batch of a few dozen rows against a layer's weight), in register tiles that read
// the weight where it lies. BLAS packs the whole weight into its own layout on every call,
// which for a batch of 32 costs about as much as the arithmetic. AVX-512 machines only;
// elsewhere the step calls BLAS. Torch-free, like cpu_kernels.h.
#include "engine/cpu_kernels.h"

#include <cstdint>

namespace fmc::detail {

// Whether this CPU runs these products (AVX-512F). FMC_CPU_PRODUCTS=blas in the environment
// turns them off, to compare against BLAS in one build.
bool ownProductsAvailable();

// dst (cols x rows, rows dstStride apart) = src^T, src rows x cols (rows srcStride apart): in
// 16 x 16 blocks of AVX-512 registers where the CPU has AVX-512F (FMC_CPU_PRODUCTS does not
// change this), else one entry at a time. The step turns its batch x out buffers around with it.
void transpose(const float* src, std::int64_t rows, std::int64_t cols, std::int64_t srcStride, float* dst,
               std::int64_t dstStride);

// x (batch x cols, row-major) transposed in chunks of 32 batch rows (cols x 32 each, missing
// rows 0): what productWeightInput reads, packedBatchSize floats.
std::int64_t packedBatchSize(std::int64_t batch, std::int64_t cols);
void packBatchColumns(const float* x, std::int64_t batch, std::int64_t cols, float* packed);

// p (rows x batch, row r's batch values together) = w x^T for the weight rows
// [rowBegin, rowEnd): w rows x cols, x packed by packBatchColumns.
void productWeightInput(const float* w, std::int64_t cols, const float* packed, std::int64_t batch, float* p,
                        std::int64_t rowBegin, std::int64_t rowEnd);

// g (batch x cols) = k w over the listed weight rows (k's other columns are 0), for the
// columns [colBegin, colEnd): k batch x rows, w rows x cols.
void productInputGradient(const float* k, std::int64_t batch, const float* w, std::int64_t rows, std::int64_t cols,
                           const std::int64_t* keptRows, std::int64_t keptCount, float* g, std::int64_t colBegin,
                           std::int64_t colEnd);

// x (batch x cols) in strips of 32 columns (batch x 32 each, missing columns 0), what the
// weight gradient's tiles read: rows 32 floats apart rather than a whole input row apart,
// which would put a strip's rows in a few of L1's sets. columnStripsSize floats.
std::int64_t columnStripsSize(std::int64_t batch, std::int64_t cols);
void packColumnStrips(const float* x, std::int64_t batch, std::int64_t cols, float* strips);

// A masked layer's weight gradient kt^T x + sign(w) rowScale for the weight rows
// [rowBegin, rowEnd): kt rows x batch ((g m)^T), x (batch x cols) packed by packColumnStrips,
// rowScale per row (null: none).
// rowKept: 1 or 0 per row (null: all kept); a tile of rows the mask all pruned skips the
// product (their kt rows are 0).
struct WeightGradient {
    const float* kt;
    const float* xStrips;
    std::int64_t batch, cols;
    const float* rowScale;
    const float* rowKept;
};
// ... written to grad (rows x cols),
void weightGradient(const WeightGradient& in, const float* w, float* grad, std::int64_t rowBegin, std::int64_t rowEnd);
// ... or taken by AdamW a register tile at a time (adamwUpdate's arithmetic on w and its
// moments), so that the gradient never reaches memory. Where rowScores is not null, it also
// leaves rowMeanAbs of the updated rows there (the same floats), summed from the registers
// each tile updates, so that the next forward pass need not read w again for its mask.
void weightGradientAdamW(const WeightGradient& in, float* w, float* expAvg, float* expAvgSq, const AdamWScalars& s,
                         float* rowScores, std::int64_t rowBegin, std::int64_t rowEnd);

}  // namespace fmc::detail
