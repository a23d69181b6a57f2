#pragma once
// Transmission codec for the parameters a site sends to the federation (its FAM).
//
// Wire format, version 1. Every integer is little-endian, written byte by byte, so the
// payload is the same on every host.
//
//   offset size  field
//   0      4     magic "FMCP"
//   4      2     format version (u16, currently 1)
//   6      1     codec kind (u8, CodecKind)
//   7      1     flags (u8, must be 0)
//   8      8     total payload length in bytes, checksum included (u64)
//   16     4     tensor count (u32)
//   20     32    MaskAwareInt8DeltaZlib only: SHA-256 of the reference (referenceDigest)
//   20|52  ...   per tensor:
//                  u16 name length, name bytes (UTF-8, no NUL),
//                  u8 rank, rank x u64 dimensions,
//                  u8 body layout (0 = dense, 1 = row-masked (mask-aware kinds only),
//                  2 = int8 rows (the two int8 kinds only, rank 2))
//          8     raw body size: bytes of the body after decompression (u64)
//          8     stored body size: bytes of the body as stored below (u64)
//          ...   stored body
//   end-4  4     CRC-32 (zlib crc32) of every byte before it (u32)
//
// Body (before compression), tensors in header order:
//   Fp32Raw           : numel x f32 per tensor, stored uncompressed (stored == raw size).
//   Fp16Zlib          : numel x f16 per tensor, then zlib (deflate) of the whole body.
//   MaskAwareFp16Zlib : dense tensors as Fp16Zlib; a row-masked tensor is a bitmap of
//                       ceil(rows/8) bytes (bit r%8 of byte r/8 set = row r kept, spare bits
//                       zero) followed by the f16 values of the kept rows only. Then zlib.
//   MaskAwareInt8Zlib : as MaskAwareFp16Zlib, but every row of a rank-2 tensor (layout 2, or
//                       the kept rows of layout 1) is an f32 scale followed by `cols` int8
//                       values, value = q * scale, scale = max |row| / 127 (lossy: at most
//                       scale / 2 per value). Rank-1 tensors stay f16. Then zlib.
//   MaskAwareInt8DeltaZlib : the difference from a reference both ends hold (the global FAM
//                       the site received this round), see encodeDelta. Rank-2 tensors as
//                       MaskAwareInt8Zlib, but a row's f32 and int8 values are a step and
//                       symbols q coding its delta d = row - reference row:
//                       value = reference + q * step (summed in double, rounded to float once),
//                       q = round(d_j / step) (half away from zero), step = the float nearest
//                       max(k * RMS(d), max |d| / 127) (k: the encoder's choice, 0 for the
//                       near-lossless max |d| / 127), raised by float ulps until step * 127 >= max |d| (never zero for a nonzero d). So |q| <= 127
//                       (no symbol is clamped) and, the per-value bound, every decoded value
//                       lies within step / 2 of the sent value before the final rounding to
//                       float, within step / 2 + u / 2 after it (u: the gap from |decoded| to
//                       the next larger float). With k = 1 the RMS term peaks the symbols
//                       around 0 (Huffman coding spends ~2-3 bits on each). One step per row, the unit
//                       the mask keeps or prunes. Pruned rows are not sent and decode as zeros, as
//                       above. Every other tensor (biases, thresholds) is lossless: the bits of
//                       each f32 XOR the reference's, as 4 byte planes (plane b = byte b of
//                       every value), so unchanged sign/exponent bytes become runs of zeros.
//                       Thresholds stay exact, so a zero (pruned) row stays pruned. Then zlib
//                       (level 9; Huffman coding only for k > 0).
//
// A tensor "X.weight" of rank 2 is row-masked when a sibling "X.threshold" holds one value
// per row: row r is kept iff mean_j |W_rj| > threshold_r (strict), the masked linear layer's
// own rule. Pruned rows contribute nothing but their bias, so they are not sent and decode
// as zeros (a zero row stays pruned for any threshold >= 0, and a pruned row always has
// threshold >= mean >= 0). Biases and thresholds are sent in full.
//
// The decoder trusts nothing: it checks magic, version, kind, length, checksum, limits,
// the declared sizes against the header, bounds every zlib inflation by the size the header
// implies (decompression bombs stop there) and rejects non-finite values. Every failure is an
// fmc::Error whose message names the payload field or tensor at fault.
#include "common/types.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace fmc {

enum class CodecKind : std::uint8_t {
    Fp32Raw = 0,
    Fp16Zlib = 1,
    MaskAwareFp16Zlib = 2,
    MaskAwareInt8Zlib = 3,
    MaskAwareInt8DeltaZlib = 4,  // needs the reference: encodeDelta / decodeDelta
};

struct CodecLimits {
    // Bounds both the encoded payload and the decompressed body.
    std::size_t maxPayloadBytes = 64u << 20;
    std::size_t maxTensors = 64;
    // Total elements over all tensors of one payload.
    std::int64_t maxElements = 16'000'000;
};

constexpr std::uint16_t kCodecFormatVersion = 1;

// The delta codec's coarse quantisation step of a kept weight row, per RMS of the row's
// delta, used with error feedback (encodeDeltaWithFeedback; chosen by measurement,
// docs/method.md "Upload codecs against accuracy").
constexpr double kDeltaStepPerRms = 1.0;

// Throws fmc::Error on non-finite values (named by tensor and index), on values outside the
// half range (|x| > 65504 after rounding) for the fp16 kinds, on a tensor whose value count
// does not match its shape, and on empty or duplicate names. The delta kind is refused here
// (it needs a reference): use encodeDelta.
std::vector<std::uint8_t> encodeParameters(const ParameterSet& parameters, CodecKind kind);

ParameterSet decodeParameters(const std::vector<std::uint8_t>& payload, const CodecLimits& limits = {});

// What inflates the zlib bodies in this build: "libdeflate" (~1.7x faster) or "zlib".
const char* payloadInflater();

// As above, and the payload must hold exactly the tensors of `expectedLayout` (names and
// shapes, same order; values are ignored), the layout this federation uses.
ParameterSet decodeParameters(const std::vector<std::uint8_t>& payload, const ParameterSet& expectedLayout,
                              const CodecLimits& limits = {});

// The delta codec (MaskAwareInt8DeltaZlib): `update` as its difference from `reference`, the
// global FAM the site received this round, which must have the update's names and shapes.
// The payload names its reference by referenceDigest; decodeDelta refuses any other
// reference, and a payload that does not match the reference's layout (it is the expected
// layout). Encoding refuses non-finite values in either set and mismatched layouts.
// `stepPerRms`: a kept row's step is max(stepPerRms * RMS(d), max |d| / 127) (wire format
// above); 0, the default, is the near-lossless step max |d| / 127. The step travels in the
// payload, so the decoder is the same for every value.
std::vector<std::uint8_t> encodeDelta(const ParameterSet& update, const ParameterSet& reference,
                                      double stepPerRms = 0);
// Error feedback (EF-SGD, 1-bit SGD): encodes update + residual instead of the update, then
// sets residual to (update + residual) - what the payload decodes to, the quantisation error
// the next upload makes up for. The residual enters only the int8 weight rows the payload
// sends, and the payload keeps exactly the rows the update keeps; a kept row that would
// decode at or under its threshold with the residual (the receiver would read it as pruned)
// is sent without it, so the residual never changes the site's mask. The residual is zero
// elsewhere (lossless tensors, pruned rows: a pruned row's error is not carried). An empty residual is zero (the first upload). Over uploads
// u_1..u_n from references g_1..g_n the decoded deltas sum to sum(u_t - g_t) minus the final
// residual (within step / 2 per value plus float rounding), where encodeDelta's errors add
// up. Throws as encodeDelta, and when a non-empty residual's layout is not the update's.
std::vector<std::uint8_t> encodeDeltaWithFeedback(const ParameterSet& update, const ParameterSet& reference,
                                                  double stepPerRms, ParameterSet& residual);
// The delta codec under a byte budget (rate control): the payload at the smallest step per RMS
// from `minStepPerRms` up whose size is at most `maxBytes`, and that step. minStepPerRms is tried
// first; when it does not fit, the step doubles until a payload fits, then 6 bisections narrow
// it to within 1/64 of the bracket (sizes fall with the step, not strictly: the result always
// fits, and a step a bracket's width below it did not). With `residual` (not null) every try is
// encodeDeltaWithFeedback's from the same residual, which is then set by the chosen one; null:
// encodeDelta. Throws fmc::Error naming the budget and the smallest payload reached when even the
// step that zeroes every symbol does not fit (the lossless tensors and row headers alone are
// larger), and as encodeDelta / encodeDeltaWithFeedback. maxBytes 0: no budget, the payload at
// minStepPerRms (as encodeDelta / encodeDeltaWithFeedback would send it).
struct BudgetedDelta {
    std::vector<std::uint8_t> payload;
    double stepPerRms = 0;
};
BudgetedDelta encodeDeltaWithinBudget(const ParameterSet& update, const ParameterSet& reference, double minStepPerRms,
                                      std::size_t maxBytes, ParameterSet* residual = nullptr);
ParameterSet decodeDelta(const std::vector<std::uint8_t>& payload, const ParameterSet& reference,
                         const CodecLimits& limits = {});
// The same with the reference's referenceDigest computed by the caller, once for the many
// payloads it decodes against one reference (the digest hashes the whole reference).
ParameterSet decodeDelta(const std::vector<std::uint8_t>& payload, const ParameterSet& reference,
                         const std::array<std::uint8_t, 32>& digest, const CodecLimits& limits = {});

// SHA-256 of the set's fp32 payload (names, shapes and every value bit): a reference's identity.
std::array<std::uint8_t, 32> referenceDigest(const ParameterSet& reference);

// True for the kinds encoded against a reference (encodeDelta / decodeDelta).
bool codecNeedsReference(CodecKind kind);

// "fp32", "fp16-zlib", "mask-fp16-zlib", "mask-int8-zlib", "mask-int8-delta-zlib".
std::string codecName(CodecKind kind);
CodecKind codecFromName(const std::string& name);

// IEEE 754 binary16 conversion. floatToHalf rounds to nearest, ties to even; overflow gives
// +-inf, values below half the smallest subnormal give +-0, NaN stays NaN (quiet).
std::uint16_t floatToHalf(float value);
float halfToFloat(std::uint16_t bits);

// The row rule the mask-aware codec and mask-aware aggregation share: for each rank-2 tensor
// "X.weight" with a sibling "X.threshold" of one value per row, by tensor index, one bool per
// row, true where the row is kept (mean_j |W_rj| > threshold_r, the masked layer's own rule).
std::map<std::size_t, std::vector<bool>> keptRowsOf(const ParameterSet& parameters);

// zlib crc32 of a byte range, the checksum the payload ends with (for tools and tests).
std::uint32_t payloadCrc32(const std::uint8_t* data, std::size_t size);

}  // namespace fmc
