#include "engine/cpu_products.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define FMC_OWN_PRODUCTS 1
#include <immintrin.h>
#define FMC_AVX512 __attribute__((target("avx512f")))
#define FMC_AVX512_INLINE __attribute__((target("avx512f"), always_inline)) inline
#else
#define FMC_AVX512
#endif

namespace fmc::detail {

using Index = std::int64_t;

#ifdef FMC_OWN_PRODUCTS
namespace {
bool cpuHasAvx512f() {
    static const bool has = __builtin_cpu_supports("avx512f") != 0;
    return has;
}
}  // namespace
#endif

bool ownProductsAvailable() {
#ifdef FMC_OWN_PRODUCTS
    static const bool available = [] {
        const char* choice = std::getenv("FMC_CPU_PRODUCTS");
        if (choice && std::strcmp(choice, "blas") == 0) return false;
        return cpuHasAvx512f();
    }();
    return available;
#else
    return false;
#endif
}

namespace {
// A register tile: up to 8 rows of 32 floats (two AVX-512 registers each), 16 accumulators.
constexpr Index kTileRows = 8, kTileCols = 32;
}  // namespace

Index packedBatchSize(Index batch, Index cols) { return (batch + kTileCols - 1) / kTileCols * kTileCols * cols; }

#ifdef FMC_OWN_PRODUCTS
namespace {

// Lanes [0, n) of a 16-float register, n clamped to [0, 16].
FMC_AVX512_INLINE __mmask16 lanes(Index n) {
    return n >= 16 ? __mmask16(0xFFFF) : (n <= 0 ? __mmask16(0) : __mmask16((1u << n) - 1));
}

// 16 floats, or the lanes of `mask` (others 0) in a tile's last columns.
template <bool Full>
FMC_AVX512_INLINE __m512 load(__mmask16 mask, const float* p) {
    return Full ? _mm512_loadu_ps(p) : _mm512_maskz_loadu_ps(mask, p);
}

// Stores, where a tile may end early, masked only when it does: AMD's Zen cores take many
// times longer over a masked store, even with every lane set.
template <bool Full>
FMC_AVX512_INLINE void store(float* p, __mmask16 mask, __m512 value) {
    if (Full)
        _mm512_storeu_ps(p, value);
    else
        _mm512_mask_storeu_ps(p, mask, value);
}

// One step of a tile's sum: row t of the tile += b[t * stride] (broadcast) times (v0, v1).
template <int R>
FMC_AVX512_INLINE void accumulate(__m512 (&lo)[R], __m512 (&hi)[R], const float* b, Index stride, __m512 v0, __m512 v1) {
    for (int t = 0; t < R; ++t) {
        const __m512 scalar = _mm512_set1_ps(b[t * stride]);
        lo[t] = _mm512_fmadd_ps(scalar, v0, lo[t]);
        hi[t] = _mm512_fmadd_ps(scalar, v1, hi[t]);
    }
}

// The tile's rows to out, `stride` floats apart, lanes low/high of the 32 columns.
template <int R>
FMC_AVX512_INLINE void storeTile(const __m512 (&lo)[R], const __m512 (&hi)[R], float* out, Index stride,
                                 __mmask16 low, __mmask16 high) {
    const bool full = high == __mmask16(0xFFFF);
    for (int t = 0; t < R; ++t) {
        if (full) {
            store<true>(out + t * stride, low, lo[t]);
            store<true>(out + t * stride + 16, high, hi[t]);
        } else {
            store<false>(out + t * stride, low, lo[t]);
            store<false>(out + t * stride + 16, high, hi[t]);
        }
    }
}

// R weight rows x 32 batch columns: sum over k of w[t][k] (broadcast) times xt[k][0..32).
template <int R>
FMC_AVX512 void forwardTile(const float* w, Index cols, const float* xt, float* p, Index batch, __mmask16 low,
                            __mmask16 high) {
    __m512 lo[R], hi[R];
    for (int t = 0; t < R; ++t) lo[t] = hi[t] = _mm512_setzero_ps();
    for (Index k = 0; k < cols; ++k) {
        accumulate(lo, hi, w + k, cols, _mm512_loadu_ps(xt + k * kTileCols), _mm512_loadu_ps(xt + k * kTileCols + 16));
    }
    storeTile(lo, hi, p, batch, low, high);
}

// R batch rows x 32 weight columns: sum over the kept weight rows r of k[t][r] times w[r][..].
template <int R, bool Full>
FMC_AVX512 void gradInputTile(const float* k, Index rows, const float* w, Index cols, const Index* kept,
                              Index keptCount, float* g, __mmask16 low, __mmask16 high) {
    __m512 lo[R], hi[R];
    for (int t = 0; t < R; ++t) lo[t] = hi[t] = _mm512_setzero_ps();
    for (Index c = 0; c < keptCount; ++c) {
        const Index r = kept[c];
        const float* wr = w + r * cols;
        accumulate(lo, hi, k + r, rows, load<Full>(low, wr), load<Full>(high, wr + 16));
    }
    storeTile(lo, hi, g, cols, low, high);
}

// _mm512_sqrt_ps passes _mm512_undefined_ps() too (GCC bug 105593, see transposeBlock).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// AdamW's arithmetic on 16 entries whose gradient is in a register, adamwUpdate's operation for
// operation so that both round alike; returns the updated weights.
template <bool Full>
FMC_AVX512_INLINE __m512 adamwLanes(float* w, float* m, float* v, __m512 g, __mmask16 mask, const AdamWScalars& s) {
    const __m512 p = _mm512_mul_ps(load<Full>(mask, w), _mm512_set1_ps(s.decay));
    const __m512 mNew = _mm512_add_ps(_mm512_mul_ps(load<Full>(mask, m), _mm512_set1_ps(s.beta1)),
                                      _mm512_mul_ps(_mm512_set1_ps(s.oneMinusBeta1), g));
    const __m512 vNew = _mm512_add_ps(_mm512_mul_ps(load<Full>(mask, v), _mm512_set1_ps(s.beta2)),
                                      _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(s.oneMinusBeta2), g), g));
    const __m512 denominator =
        _mm512_add_ps(_mm512_div_ps(_mm512_sqrt_ps(vNew), _mm512_set1_ps(s.biasCorrection2Sqrt)), _mm512_set1_ps(s.eps));
    const __m512 wNew = _mm512_add_ps(p, _mm512_div_ps(_mm512_mul_ps(_mm512_set1_ps(s.negativeStepSize), mNew), denominator));
    store<Full>(m, mask, mNew);
    store<Full>(v, mask, vNew);
    store<Full>(w, mask, wNew);
    return wNew;
}
#pragma GCC diagnostic pop

// The tile's rows take their AdamW step with the gradient still in registers; where partial is
// not null, each updated row's whole groups of 16 (`groups`: 0, 1 or 2 of the tile's two) are
// added to that row's rowMeanAbs partial sums.
template <int R, bool Full>
FMC_AVX512_INLINE void adamwTile(const __m512 (&lo)[R], const __m512 (&hi)[R], float* w, float* m, float* v, Index stride,
                                 __mmask16 low, __mmask16 high, const AdamWScalars& s, float (*partial)[16], int groups) {
    for (int t = 0; t < R; ++t) {
        const Index at = t * stride;
        const __m512 w0 = adamwLanes<Full>(w + at, m + at, v + at, lo[t], low, s);
        const __m512 w1 = adamwLanes<Full>(w + at + 16, m + at + 16, v + at + 16, hi[t], high, s);
        if (partial && groups > 0) {
            __m512 sum = _mm512_add_ps(_mm512_load_ps(partial[t]), _mm512_abs_ps(w0));
            if (groups > 1) sum = _mm512_add_ps(sum, _mm512_abs_ps(w1));
            _mm512_store_ps(partial[t], sum);
        }
    }
}

// Where a weight-gradient tile takes its AdamW step: w and the moments at the tile's first
// entry, and the row block's rowMeanAbs partial sums (null: none) with the tile's whole groups.
struct TileAdamW {
    float* w;
    float* m;
    float* v;
    const AdamWScalars* scalars;
    float (*partial)[16];
    int groups;
};
// R weight rows x 32 columns of kt^T x + sign(w) rowScale, written to out (rows outStride apart),
// or with `adam` not null applied by AdamW from registers instead; the product only where
// `product` (some of the rows kept). Branch-free after the product, so that the accumulators
// stay in registers.
template <int R, bool Full, bool Signed, bool Adam>
FMC_AVX512 void weightGradientTile(const WeightGradient& in, const float* w, Index r, Index j, bool product,
                                   __mmask16 low, __mmask16 high, float* out, Index outStride, const TileAdamW* adam) {
    __m512 lo[R], hi[R];
    for (int t = 0; t < R; ++t) lo[t] = hi[t] = _mm512_setzero_ps();
    if (product) {
        const float* kt = in.kt + r * in.batch;
        const Index batch = in.batch;
        const float* strip = in.xStrips + j * batch;  // j / 32 strips of batch x 32 before it
        for (Index i = 0; i < batch; ++i) {
            const float* x = strip + i * kTileCols;
            accumulate(lo, hi, kt + i, batch, _mm512_loadu_ps(x), _mm512_loadu_ps(x + 16));
        }
    }
    if constexpr (Signed) {
        // + scale where w > 0, - scale where w < 0 (scale with w's sign bit), nothing where w is 0.
        const __m512i signBit = _mm512_set1_epi32(static_cast<int>(0x80000000u));
        const __m512 zero = _mm512_setzero_ps();
        for (int t = 0; t < R; ++t) {
            const __m512i scale = _mm512_castps_si512(_mm512_set1_ps(in.rowScale[r + t]));
            const float* wr = w + (r + t) * in.cols + j;
            const __m512 w0 = load<Full>(low, wr), w1 = load<Full>(high, wr + 16);
            const __m512 s0 = _mm512_castsi512_ps(_mm512_xor_si512(scale, _mm512_and_si512(_mm512_castps_si512(w0), signBit)));
            const __m512 s1 = _mm512_castsi512_ps(_mm512_xor_si512(scale, _mm512_and_si512(_mm512_castps_si512(w1), signBit)));
            lo[t] = _mm512_mask_add_ps(lo[t], _mm512_cmp_ps_mask(w0, zero, _CMP_NEQ_OQ), lo[t], s0);
            hi[t] = _mm512_mask_add_ps(hi[t], _mm512_cmp_ps_mask(w1, zero, _CMP_NEQ_OQ), hi[t], s1);
        }
    }
    if constexpr (Adam)
        adamwTile<R, Full>(lo, hi, adam->w, adam->m, adam->v, in.cols, low, high, *adam->scalars, adam->partial, adam->groups);
    else
        storeTile(lo, hi, out, outStride, low, high);
}

// The tile for R rows with its width, sign term and AdamW step known at compile time.
template <int R, bool Adam>
FMC_AVX512_INLINE void weightGradientTileFor(const WeightGradient& in, const float* w, Index r, Index j, bool product,
                                             Index width, __mmask16 low, __mmask16 high, float* out, Index outStride,
                                             const TileAdamW* adam) {
    const bool full = width == kTileCols, signed_ = in.rowScale != nullptr;
    if (full && signed_)
        weightGradientTile<R, true, true, Adam>(in, w, r, j, product, low, high, out, outStride, adam);
    else if (full)
        weightGradientTile<R, true, false, Adam>(in, w, r, j, product, low, high, out, outStride, adam);
    else if (signed_)
        weightGradientTile<R, false, true, Adam>(in, w, r, j, product, low, high, out, outStride, adam);
    else
        weightGradientTile<R, false, false, Adam>(in, w, r, j, product, low, high, out, outStride, adam);
}

// Whether any of rows [r, r + count) is kept (rowKept null: all are).
inline bool anyRowKept(const float* rowKept, Index r, Index count) {
    if (!rowKept) return true;
    for (Index t = r; t < r + count; ++t)
        if (rowKept[t] != 0) return true;
    return false;
}

// CALL with the constant R = rows (1..8): each tile height is its own instantiation.
#define FMC_WITH_TILE_ROWS(rows, CALL)                      \
    switch (rows) {                                         \
    case 1: { constexpr int R = 1; CALL; } break;           \
    case 2: { constexpr int R = 2; CALL; } break;           \
    case 3: { constexpr int R = 3; CALL; } break;           \
    case 4: { constexpr int R = 4; CALL; } break;           \
    case 5: { constexpr int R = 5; CALL; } break;           \
    case 6: { constexpr int R = 6; CALL; } break;           \
    case 7: { constexpr int R = 7; CALL; } break;           \
    default: { constexpr int R = 8; CALL; } break;          \
    }

// GCC 12's unpack and lane-shuffle intrinsics pass _mm512_undefined_ps() as the unused merge
// source, which it then reports as uninitialised (GCC bug 105593, fixed in 13).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// dst (cols x rows) = src^T for a block of at most 16 x 16: four rounds of shuffles on the
// 16 rows (rows past `rows` 0), stores masked to the block.
FMC_AVX512 void transposeBlock(const float* src, Index rows, Index cols, Index srcStride, float* dst, Index dstStride) {
    const __mmask16 colLanes = lanes(cols), rowLanes = lanes(rows);
    __m512 a[16], b[16];
    for (Index r = 0; r < 16; ++r)
        a[r] = r < rows ? _mm512_maskz_loadu_ps(colLanes, src + r * srcStride) : _mm512_setzero_ps();
    // Pairs of rows interleaved: per 128-bit lane, (r, c) (r + 1, c) (r, c + 1) (r + 1, c + 1).
    for (int r = 0; r < 16; r += 2) {
        b[r] = _mm512_unpacklo_ps(a[r], a[r + 1]);
        b[r + 1] = _mm512_unpackhi_ps(a[r], a[r + 1]);
    }
    // a[4g + k], lane L: column 4L + k of rows 4g .. 4g + 3.
    for (int g = 0; g < 16; g += 4) {
        a[g] = _mm512_shuffle_ps(b[g], b[g + 2], 0x44);
        a[g + 1] = _mm512_shuffle_ps(b[g], b[g + 2], 0xEE);
        a[g + 2] = _mm512_shuffle_ps(b[g + 1], b[g + 3], 0x44);
        a[g + 3] = _mm512_shuffle_ps(b[g + 1], b[g + 3], 0xEE);
    }
    // Column 4L + k gathers lane L of a[k], a[4 + k], a[8 + k], a[12 + k].
    for (int k = 0; k < 4; ++k) {
        const __m512 low01 = _mm512_shuffle_f32x4(a[k], a[4 + k], 0x44), low23 = _mm512_shuffle_f32x4(a[8 + k], a[12 + k], 0x44);
        const __m512 high01 = _mm512_shuffle_f32x4(a[k], a[4 + k], 0xEE), high23 = _mm512_shuffle_f32x4(a[8 + k], a[12 + k], 0xEE);
        b[k] = _mm512_shuffle_f32x4(low01, low23, 0x88);
        b[4 + k] = _mm512_shuffle_f32x4(low01, low23, 0xDD);
        b[8 + k] = _mm512_shuffle_f32x4(high01, high23, 0x88);
        b[12 + k] = _mm512_shuffle_f32x4(high01, high23, 0xDD);
    }
    for (Index c = 0; c < cols; ++c) _mm512_mask_storeu_ps(dst + c * dstStride, rowLanes, b[c]);
}
#pragma GCC diagnostic pop

}  // namespace
#endif

void transpose(const float* src, Index rows, Index cols, Index srcStride, float* dst, Index dstStride) {
#ifdef FMC_OWN_PRODUCTS
    if (cpuHasAvx512f()) {
        for (Index r = 0; r < rows; r += 16)
            for (Index c = 0; c < cols; c += 16)
                transposeBlock(src + r * srcStride + c, std::min<Index>(16, rows - r), std::min<Index>(16, cols - c),
                               srcStride, dst + c * dstStride + r, dstStride);
        return;
    }
#endif
    for (Index r = 0; r < rows; ++r)
        for (Index c = 0; c < cols; ++c) dst[c * dstStride + r] = src[r * srcStride + c];
}

void packBatchColumns(const float* x, Index batch, Index cols, float* packed) {
    for (Index c0 = 0; c0 < batch; c0 += kTileCols) {
        const Index count = std::min(kTileCols, batch - c0);
        float* chunk = packed + c0 * cols;
        if (count < kTileCols) std::fill_n(chunk, cols * kTileCols, 0.0f);
        transpose(x + c0 * cols, count, cols, cols, chunk, kTileCols);
    }
}

Index columnStripsSize(Index batch, Index cols) { return (cols + kTileCols - 1) / kTileCols * kTileCols * batch; }

void packColumnStrips(const float* x, Index batch, Index cols, float* strips) {
    for (Index j = 0; j < cols; j += kTileCols) {
        const Index width = std::min(kTileCols, cols - j);
        float* strip = strips + j * batch;
        for (Index i = 0; i < batch; ++i) {
            std::copy_n(x + i * cols + j, width, strip + i * kTileCols);
            std::fill(strip + i * kTileCols + width, strip + (i + 1) * kTileCols, 0.0f);
        }
    }
}

FMC_AVX512
void productWeightInput(const float* w, Index cols, const float* packed, Index batch, float* p, Index rowBegin,
                        Index rowEnd) {
#ifdef FMC_OWN_PRODUCTS
    for (Index c0 = 0; c0 < batch; c0 += kTileCols) {
        const Index count = std::min(kTileCols, batch - c0);
        const __mmask16 low = lanes(count), high = lanes(count - 16);
        const float* chunk = packed + c0 * cols;
        for (Index r = rowBegin; r < rowEnd; r += kTileRows) {
            const Index tileRows = std::min(kTileRows, rowEnd - r);
            const float* wr = w + r * cols;
            float* pr = p + r * batch + c0;
            FMC_WITH_TILE_ROWS(tileRows, forwardTile<R>(wr, cols, chunk, pr, batch, low, high));
        }
    }
#else
    (void)w, (void)cols, (void)packed, (void)batch, (void)p, (void)rowBegin, (void)rowEnd;
#endif
}

FMC_AVX512
void productInputGradient(const float* k, Index batch, const float* w, Index rows, Index cols, const Index* keptRows,
                           Index keptCount, float* g, Index colBegin, Index colEnd) {
#ifdef FMC_OWN_PRODUCTS
    for (Index j = colBegin; j < colEnd; j += kTileCols) {
        const Index width = std::min(kTileCols, colEnd - j);
        const __mmask16 low = lanes(width), high = lanes(width - 16);
        for (Index i = 0; i < batch; i += kTileRows) {
            const Index tileRows = std::min(kTileRows, batch - i);
            const float* ki = k + i * rows;
            float* gi = g + i * cols + j;
            if (width == kTileCols)
                FMC_WITH_TILE_ROWS(tileRows, (gradInputTile<R, true>(ki, rows, w + j, cols, keptRows, keptCount, gi, low, high)))
            else
                FMC_WITH_TILE_ROWS(tileRows, (gradInputTile<R, false>(ki, rows, w + j, cols, keptRows, keptCount, gi, low, high)))
        }
    }
#else
    (void)k, (void)batch, (void)w, (void)rows, (void)cols, (void)keptRows, (void)keptCount, (void)g, (void)colBegin,
        (void)colEnd;
#endif
}

FMC_AVX512
void weightGradient(const WeightGradient& in, const float* w, float* grad, Index rowBegin, Index rowEnd) {
#ifdef FMC_OWN_PRODUCTS
    for (Index r = rowBegin; r < rowEnd; r += kTileRows) {
        const Index tileRows = std::min(kTileRows, rowEnd - r);
        const bool product = anyRowKept(in.rowKept, r, tileRows);
        for (Index j = 0; j < in.cols; j += kTileCols) {
            const Index width = std::min(kTileCols, in.cols - j);
            const __mmask16 low = lanes(width), high = lanes(width - 16);
            float* out = grad + r * in.cols + j;
            FMC_WITH_TILE_ROWS(tileRows, (weightGradientTileFor<R, false>(in, w, r, j, product, width, low, high, out, in.cols, nullptr)))
        }
    }
#else
    (void)in, (void)w, (void)grad, (void)rowBegin, (void)rowEnd;
#endif
}

FMC_AVX512
void weightGradientAdamW(const WeightGradient& in, float* w, float* expAvg, float* expAvgSq, const AdamWScalars& s,
                         float* rowScores, Index rowBegin, Index rowEnd) {
#ifdef FMC_OWN_PRODUCTS
    alignas(64) float partial[kTileRows][16];  // rowMeanAbs's partial sums of the block's rows
    const AdamWScalars scalars = s;
    const Index wholeCols = in.cols / 16 * 16;
    for (Index r = rowBegin; r < rowEnd; r += kTileRows) {
        const Index tileRows = std::min(kTileRows, rowEnd - r);
        const bool product = anyRowKept(in.rowKept, r, tileRows);
        if (rowScores)
            for (Index t = 0; t < tileRows; ++t) _mm512_store_ps(partial[t], _mm512_setzero_ps());
        for (Index j = 0; j < in.cols; j += kTileCols) {
            const Index width = std::min(kTileCols, in.cols - j);
            const __mmask16 low = lanes(width), high = lanes(width - 16);
            // The moments are read once per step, so they come from L3 or memory: ask for those
            // of the tile two ahead (the next row block's first ones at a row's end) while this
            // one runs.
            {
                Index aheadRow = r, aheadCol = j + 2 * kTileCols;
                if (aheadCol >= in.cols) aheadRow += kTileRows, aheadCol -= (in.cols + kTileCols - 1) / kTileCols * kTileCols;
                for (Index t = aheadRow; t < std::min(aheadRow + kTileRows, rowEnd); ++t)
                    for (const float* moment : {static_cast<const float*>(expAvg), static_cast<const float*>(expAvgSq)}) {
                        const char* line = reinterpret_cast<const char*>(moment + t * in.cols + aheadCol);
                        _mm_prefetch(line, _MM_HINT_T0);
                        _mm_prefetch(line + 64, _MM_HINT_T0);
                    }
            }
            // The tile reads its part of w for the sign terms, then updates it.
            const Index at = r * in.cols + j;
            const int groups = static_cast<int>(std::clamp<Index>((wholeCols - j) / 16, 0, 2));
            const TileAdamW adam{w + at, expAvg + at, expAvgSq + at, &scalars, rowScores ? partial : nullptr, groups};
            FMC_WITH_TILE_ROWS(tileRows, (weightGradientTileFor<R, true>(in, w, r, j, product, width, low, high, nullptr, 0, &adam)))
        }
        if (rowScores)
            for (Index t = 0; t < tileRows; ++t)
                rowScores[r + t] =
                    meanAbsFromPartials(partial[t], w + (r + t) * in.cols + wholeCols, in.cols - wholeCols, in.cols);
    }
#else
    (void)in, (void)w, (void)expAvg, (void)expAvgSq, (void)s, (void)rowScores, (void)rowBegin, (void)rowEnd;
#endif
}

}  // namespace fmc::detail
