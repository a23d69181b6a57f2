#include "common/codec.h"

#include "common/sha256.h"

#include <zlib.h>
#ifdef FMC_HAVE_LIBDEFLATE
#include <libdeflate.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <sstream>

namespace fmc {

namespace {

constexpr char kMagic[4] = {'F', 'M', 'C', 'P'};
constexpr std::size_t kFixedHeaderBytes = 20;  // magic, version, kind, flags, length, count
constexpr std::size_t kCrcBytes = 4;
constexpr std::size_t kMaxNameBytes = 1024;
constexpr std::size_t kMaxRank = 8;
constexpr std::uint8_t kLayoutDense = 0;
constexpr std::uint8_t kLayoutRowMasked = 1;
constexpr std::uint8_t kLayoutInt8Rows = 2;
constexpr std::size_t kDigestBytes = 32;
// The coarse step's peaked int8 symbols are noise to LZ77, whose short matches cost more
// than they save: Huffman coding only (3% smaller over a 20-round run, 6% on tst_codec's FAM).
// The near-lossless step's near-uniform symbols do better with the default strategy (5%).
int deltaDeflateStrategy(double stepPerRms) { return stepPerRms > 0 ? Z_HUFFMAN_ONLY : Z_DEFAULT_STRATEGY; }

std::uint32_t floatBits(float f) {
    std::uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    return u;
}

float bitsFloat(std::uint32_t u) {
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}

// ---- little-endian writer -------------------------------------------------------------

struct Writer {
    std::vector<std::uint8_t> bytes;
    void u8(std::uint8_t v) { bytes.push_back(v); }
    void u16(std::uint16_t v) {
        for (int i = 0; i < 2; ++i) bytes.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    }
    void u32(std::uint32_t v) {
        for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    }
    void u64(std::uint64_t v) {
        for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    }
    void raw(const std::uint8_t* p, std::size_t n) { bytes.insert(bytes.end(), p, p + n); }
    void patchU64(std::size_t at, std::uint64_t v) {
        for (int i = 0; i < 8; ++i) bytes[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
    }
};

// ---- bounds-checked little-endian reader ----------------------------------------------

struct Reader {
    const std::uint8_t* data;
    std::size_t size;  // readable bytes (the checksum is excluded by the caller)
    std::size_t pos = 0;

    void need(std::size_t n, const std::string& what) const {
        if (n > size - pos) {
            std::ostringstream msg;
            msg << "decodeParameters: payload malformed: " << what << " at offset " << pos << " needs " << n
                << " bytes but only " << (size - pos) << " remain before the checksum";
            throw Error(msg.str());
        }
    }
    std::uint8_t u8(const std::string& what) {
        need(1, what);
        return data[pos++];
    }
    std::uint16_t u16(const std::string& what) {
        need(2, what);
        std::uint16_t v = static_cast<std::uint16_t>(data[pos] | (data[pos + 1] << 8));
        pos += 2;
        return v;
    }
    std::uint32_t u32(const std::string& what) {
        need(4, what);
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(data[pos + i]) << (8 * i);
        pos += 4;
        return v;
    }
    std::uint64_t u64(const std::string& what) {
        need(8, what);
        std::uint64_t v = 0;
        for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(data[pos + i]) << (8 * i);
        pos += 8;
        return v;
    }
};

std::uint32_t readU32At(const std::vector<std::uint8_t>& p, std::size_t at) {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(p[at + i]) << (8 * i);
    return v;
}

std::uint64_t readU64At(const std::vector<std::uint8_t>& p, std::size_t at) {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(p[at + i]) << (8 * i);
    return v;
}

// ---- row masks ------------------------------------------------------------------------

bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::map<std::size_t, std::vector<bool>> keptRowsOf(const ParameterSet& parameters) {
    std::map<std::string, std::size_t> byName;
    for (std::size_t i = 0; i < parameters.size(); ++i) byName[parameters[i].name] = i;

    std::map<std::size_t, std::vector<bool>> masks;
    for (std::size_t i = 0; i < parameters.size(); ++i) {
        const NamedTensor& w = parameters[i];
        if (!endsWith(w.name, ".weight") || w.shape.size() != 2) continue;
        const std::string stem = w.name.substr(0, w.name.size() - std::string(".weight").size());
        auto it = byName.find(stem + ".threshold");
        if (it == byName.end()) continue;
        const NamedTensor& t = parameters[it->second];
        const std::int64_t rows = w.shape[0];
        const std::int64_t cols = w.shape[1];
        if (rows <= 0 || cols <= 0 || t.numel() != rows) continue;
        std::vector<bool> kept(static_cast<std::size_t>(rows));
        for (std::int64_t r = 0; r < rows; ++r) {
            double sum = 0.0;
            const float* row = w.values.data() + r * cols;
            for (std::int64_t j = 0; j < cols; ++j) sum += std::fabs(static_cast<double>(row[j]));
            kept[static_cast<std::size_t>(r)] = sum / static_cast<double>(cols) > static_cast<double>(t.values[r]);
        }
        masks.emplace(i, std::move(kept));
    }
    return masks;
}

namespace {

// ---- zlib -----------------------------------------------------------------------------

std::vector<std::uint8_t> deflateBytes(const std::vector<std::uint8_t>& raw) {
    uLongf bound = compressBound(static_cast<uLong>(raw.size()));
    std::vector<std::uint8_t> out(bound);
    int rc = compress2(out.data(), &bound, raw.data(), static_cast<uLong>(raw.size()), Z_DEFAULT_COMPRESSION);
    if (rc != Z_OK) throw Error("encodeParameters: zlib compress2 failed with code " + std::to_string(rc));
    out.resize(bound);
    return out;
}

// The delta body: int8 symbols and zero-heavy byte planes, at zlib's strongest level.
std::vector<std::uint8_t> deflateDeltaBody(const std::vector<std::uint8_t>& raw, double stepPerRms) {
    z_stream s{};
    if (deflateInit2(&s, Z_BEST_COMPRESSION, Z_DEFLATED, 15, 9, deltaDeflateStrategy(stepPerRms)) != Z_OK)
        throw Error("encodeDelta: zlib deflateInit2 failed");
    std::vector<std::uint8_t> out(deflateBound(&s, static_cast<uLong>(raw.size())));
    s.next_in = const_cast<Bytef*>(raw.data());
    s.avail_in = static_cast<uInt>(raw.size());
    s.next_out = out.data();
    s.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&s, Z_FINISH);
    const std::size_t produced = s.total_out;
    deflateEnd(&s);
    if (rc != Z_STREAM_END) throw Error("encodeDelta: zlib deflate failed with code " + std::to_string(rc));
    out.resize(produced);
    return out;
}

#ifdef FMC_HAVE_LIBDEFLATE
// A whole, well-formed stream of exactly `rawSize` bytes and nothing after it, or nothing:
// zlib then inflates again to say what is wrong. Output is capped at the buffer, so a
// decompression bomb stops there.
bool inflateWithLibdeflate(const std::uint8_t* stored, std::size_t storedSize, std::vector<std::uint8_t>& out) {
    struct Free {
        void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
    };
    thread_local const std::unique_ptr<libdeflate_decompressor, Free> decompressor(libdeflate_alloc_decompressor());
    if (!decompressor) return false;
    std::size_t consumed = 0, produced = 0;
    return libdeflate_zlib_decompress_ex(decompressor.get(), stored, storedSize, out.data(), out.size(), &consumed,
                                         &produced) == LIBDEFLATE_SUCCESS &&
           consumed == storedSize && produced == out.size();
}
#endif

// Inflates `stored` into exactly `rawSize` bytes. Output is capped at rawSize + 1 bytes, so a
// stream that would expand further (a decompression bomb) stops there and is rejected.
std::vector<std::uint8_t> inflateBounded(const std::uint8_t* stored, std::size_t storedSize, std::size_t rawSize) {
    if (storedSize >= std::numeric_limits<uInt>::max() || rawSize >= std::numeric_limits<uInt>::max())
        throw Error("decodeParameters: body sizes beyond 4 GiB are not supported");
#ifdef FMC_HAVE_LIBDEFLATE
    {
        std::vector<std::uint8_t> exact(rawSize);
        if (inflateWithLibdeflate(stored, storedSize, exact)) return exact;
    }
#endif
    std::vector<std::uint8_t> out(rawSize + 1);
    z_stream s{};
    if (inflateInit(&s) != Z_OK) throw Error("decodeParameters: zlib inflateInit failed");
    s.next_in = const_cast<Bytef*>(stored);
    s.avail_in = static_cast<uInt>(storedSize);
    s.next_out = out.data();
    s.avail_out = static_cast<uInt>(out.size());
    int rc = Z_OK;
    while (rc == Z_OK) rc = inflate(&s, Z_NO_FLUSH);
    const std::size_t produced = s.total_out;
    const std::size_t leftIn = s.avail_in;
    const std::string zmsg = s.msg ? s.msg : "";
    inflateEnd(&s);

    if (produced > rawSize || (rc == Z_BUF_ERROR && s.avail_out == 0)) {
        throw Error("decodeParameters: body inflates beyond the declared raw body size of " +
                    std::to_string(rawSize) + " bytes (decompression bomb or corrupt header); rejected");
    }
    if (rc == Z_STREAM_END) {
        if (produced != rawSize)
            throw Error("decodeParameters: body inflates to " + std::to_string(produced) +
                        " bytes but the raw body size field declares " + std::to_string(rawSize));
        if (leftIn != 0)
            throw Error("decodeParameters: " + std::to_string(leftIn) +
                        " stray bytes follow the zlib stream inside the stored body");
        out.resize(rawSize);
        return out;
    }
    if (rc == Z_BUF_ERROR)
        throw Error("decodeParameters: zlib stream of the body ends early after " + std::to_string(produced) +
                    " of " + std::to_string(rawSize) + " bytes");
    throw Error("decodeParameters: body is not a valid zlib stream (zlib code " + std::to_string(rc) +
                (zmsg.empty() ? "" : ": " + zmsg) + ")");
}

// ---- validation -----------------------------------------------------------------------

void checkFinite(const NamedTensor& t, const char* who) {
    for (std::size_t i = 0; i < t.values.size(); ++i) {
        if (!std::isfinite(t.values[i])) {
            std::ostringstream msg;
            msg << who << ": tensor '" << t.name << "' value " << i << " is not finite (" << t.values[i]
                << "); NaN/Inf parameters are refused";
            throw Error(msg.str());
        }
    }
}

void checkEncodable(const ParameterSet& parameters, CodecKind kind, const char* who) {
    if (parameters.size() > std::numeric_limits<std::uint32_t>::max())
        throw Error(std::string(who) + ": too many tensors");
    std::set<std::string> names;
    for (const NamedTensor& t : parameters) {
        if (t.name.empty()) throw Error(std::string(who) + ": a tensor has an empty name");
        if (t.name.size() > kMaxNameBytes)
            throw Error(std::string(who) + ": tensor name '" + t.name.substr(0, 64) + "...' is longer than " +
                        std::to_string(kMaxNameBytes) + " bytes");
        if (!names.insert(t.name).second) throw Error(std::string(who) + ": duplicate tensor name '" + t.name + "'");
        if (t.shape.size() > kMaxRank)
            throw Error(std::string(who) + ": tensor '" + t.name + "' has rank " + std::to_string(t.shape.size()) +
                        ", more than " + std::to_string(kMaxRank));
        for (auto d : t.shape)
            if (d < 0) throw Error(std::string(who) + ": tensor '" + t.name + "' has negative dimension in shape " + shapeString(t.shape));
        if (static_cast<std::int64_t>(t.values.size()) != t.numel())
            throw Error(std::string(who) + ": tensor '" + t.name + "' has " + std::to_string(t.values.size()) +
                        " values but shape " + shapeString(t.shape) + " needs " + std::to_string(t.numel()));
        checkFinite(t, who);
        if (kind != CodecKind::Fp32Raw && kind != CodecKind::MaskAwareInt8DeltaZlib) {
            for (std::size_t i = 0; i < t.values.size(); ++i) {
                if ((floatToHalf(t.values[i]) & 0x7fffu) == 0x7c00u) {
                    std::ostringstream msg;
                    msg << who << ": tensor '" << t.name << "' value " << i << " (" << t.values[i]
                        << ") overflows half precision (max 65504); use the fp32 codec";
                    throw Error(msg.str());
                }
            }
        }
    }
}

void appendHalf(std::vector<std::uint8_t>& body, float v) {
    std::uint16_t h = floatToHalf(v);
    body.push_back(static_cast<std::uint8_t>(h));
    body.push_back(static_cast<std::uint8_t>(h >> 8));
}

// One row as an f32 scale and int8 values (symmetric, round to nearest).
void appendInt8Row(std::vector<std::uint8_t>& body, const float* row, std::size_t cols) {
    float largest = 0;
    for (std::size_t j = 0; j < cols; ++j) largest = std::max(largest, std::fabs(row[j]));
    const float scale = largest / 127.0f;
    const std::uint32_t bits = floatBits(scale);
    for (int b = 0; b < 4; ++b) body.push_back(static_cast<std::uint8_t>(bits >> (8 * b)));
    for (std::size_t j = 0; j < cols; ++j) {
        const long q = scale > 0 ? std::lround(row[j] / scale) : 0;
        body.push_back(static_cast<std::uint8_t>(static_cast<std::int8_t>(std::clamp(q, -127L, 127L))));
    }
}

struct TensorHeader {
    std::string name;
    std::vector<std::int64_t> shape;
    std::int64_t numel = 0;
    std::uint8_t layout = kLayoutDense;
};

}  // namespace

// ---- half conversion ------------------------------------------------------------------

std::uint16_t floatToHalf(float value) {
    const std::uint32_t x = floatBits(value);
    const std::uint16_t sign = static_cast<std::uint16_t>((x >> 16) & 0x8000u);
    std::uint32_t a = x & 0x7fffffffu;

    if (a >= 0x7f800000u) {  // inf or NaN
        if (a == 0x7f800000u) return sign | 0x7c00u;
        return static_cast<std::uint16_t>(sign | 0x7e00u | ((a >> 13) & 0x3ffu));  // quiet NaN, keep payload
    }
    if (a >= 0x477ff000u) return sign | 0x7c00u;  // >= 65520 rounds (ties to even) to inf
    if (a >= 0x38800000u) {                       // normal half (>= 2^-14)
        const std::uint32_t odd = (a >> 13) & 1u;
        a += 0xfffu + odd;                        // round to nearest, ties to even
        a -= (127u - 15u) << 23;                  // rebias exponent
        return static_cast<std::uint16_t>(sign | (a >> 13));
    }
    // Subnormal half or zero: result = round(value / 2^-24).
    const std::uint32_t exponent = a >> 23;
    if (exponent < 102) return sign;  // value < 2^-25: rounds to zero (float subnormals too)
    const std::uint32_t mant = (a & 0x7fffffu) | 0x800000u;  // value = mant * 2^(exponent-150)
    const std::uint32_t shift = 126u - exponent;             // 14..24
    std::uint32_t q = mant >> shift;
    const std::uint32_t rem = mant & ((1u << shift) - 1u);
    const std::uint32_t half = 1u << (shift - 1u);
    if (rem > half || (rem == half && (q & 1u))) ++q;  // may carry into the smallest normal: still right
    return static_cast<std::uint16_t>(sign | q);
}

float halfToFloat(std::uint16_t h) {
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
    const std::uint32_t exponent = (h >> 10) & 0x1fu;
    std::uint32_t mant = h & 0x3ffu;
    if (exponent == 0x1f) return bitsFloat(sign | 0x7f800000u | (mant << 13));
    if (exponent == 0) {
        if (mant == 0) return bitsFloat(sign);
        std::uint32_t e = 113;  // 127 - 14
        while (!(mant & 0x400u)) {
            mant <<= 1;
            --e;
        }
        mant &= 0x3ffu;
        return bitsFloat(sign | (e << 23) | (mant << 13));
    }
    return bitsFloat(sign | ((exponent + 112u) << 23) | (mant << 13));
}

namespace {
// n little-endian halves to floats through a table of all 65,536 (built once): a megabyte-sized
// upload decodes several times faster than value by value.
void halvesToFloats(const std::uint8_t* src, float* dst, std::size_t n) {
    static const std::vector<float> table = [] {
        std::vector<float> t(65536);
        for (std::uint32_t h = 0; h < 65536; ++h) t[h] = halfToFloat(static_cast<std::uint16_t>(h));
        return t;
    }();
    for (std::size_t i = 0; i < n; ++i) dst[i] = table[src[2 * i] | (src[2 * i + 1] << 8)];
}
}  // namespace

const char* payloadInflater() {
#ifdef FMC_HAVE_LIBDEFLATE
    return "libdeflate";
#else
    return "zlib";
#endif
}

std::uint32_t payloadCrc32(const std::uint8_t* data, std::size_t size) {
    return static_cast<std::uint32_t>(crc32_z(crc32_z(0L, Z_NULL, 0), data, size));
}

// ---- names ----------------------------------------------------------------------------

std::string codecName(CodecKind kind) {
    switch (kind) {
        case CodecKind::Fp32Raw: return "fp32";
        case CodecKind::Fp16Zlib: return "fp16-zlib";
        case CodecKind::MaskAwareFp16Zlib: return "mask-fp16-zlib";
        case CodecKind::MaskAwareInt8Zlib: return "mask-int8-zlib";
        case CodecKind::MaskAwareInt8DeltaZlib: return "mask-int8-delta-zlib";
    }
    throw Error("codecName: unknown codec kind " + std::to_string(static_cast<int>(kind)));
}

CodecKind codecFromName(const std::string& name) {
    for (CodecKind k : {CodecKind::Fp32Raw, CodecKind::Fp16Zlib, CodecKind::MaskAwareFp16Zlib,
                        CodecKind::MaskAwareInt8Zlib, CodecKind::MaskAwareInt8DeltaZlib})
        if (codecName(k) == name) return k;
    throw Error("codecFromName: unknown codec name '" + name +
                "' (expected fp32, fp16-zlib, mask-fp16-zlib, mask-int8-zlib or mask-int8-delta-zlib)");
}

bool codecNeedsReference(CodecKind kind) { return kind == CodecKind::MaskAwareInt8DeltaZlib; }

std::array<std::uint8_t, 32> referenceDigest(const ParameterSet& reference) {
    const auto fp32 = encodeParameters(reference, CodecKind::Fp32Raw);
    Sha256 hash;
    hash.update(fp32.data(), fp32.size());
    return hash.digest();
}

// ---- encode ---------------------------------------------------------------------------

namespace {

// One row's difference from the reference as an f32 step and int8 symbols: value =
// reference + q * step, q = round(delta / step) (half away from zero), step = max(
// stepPerRms * RMS(delta), max |delta| / 127). The RMS term makes the symbols peaked
// around 0 (zlib's Huffman coding then spends ~2-3 bits on each); the max term keeps
// |q| <= 127, so no symbol is ever clamped and every value is within step / 2.
void appendInt8DeltaRow(std::vector<std::uint8_t>& body, const float* row, const float* reference, std::size_t cols,
                        double stepPerRms) {
    std::vector<double> delta(cols);
    double largest = 0, sumSquares = 0;
    for (std::size_t j = 0; j < cols; ++j) {
        delta[j] = static_cast<double>(row[j]) - static_cast<double>(reference[j]);
        largest = std::max(largest, std::fabs(delta[j]));
        sumSquares += delta[j] * delta[j];
    }
    const double rms = cols > 0 ? std::sqrt(sumSquares / static_cast<double>(cols)) : 0.0;
    float step = static_cast<float>(std::max(stepPerRms * rms, largest / 127.0));
    // The float step may round below largest / 127 (or to zero for subnormal deltas): step up.
    while (static_cast<double>(step) * 127.0 < largest) step = std::nextafter(step, std::numeric_limits<float>::infinity());
    const std::uint32_t bits = floatBits(step);
    for (int b = 0; b < 4; ++b) body.push_back(static_cast<std::uint8_t>(bits >> (8 * b)));
    for (std::size_t j = 0; j < cols; ++j) {
        const long q = step > 0 ? std::lround(delta[j] / static_cast<double>(step)) : 0;
        body.push_back(static_cast<std::uint8_t>(static_cast<std::int8_t>(q)));
    }
}

// A tensor's f32 bits XOR the reference's, as 4 byte planes (lossless).
void appendXorPlanes(std::vector<std::uint8_t>& body, const std::vector<float>& values, const std::vector<float>& reference) {
    for (int plane = 0; plane < 4; ++plane)
        for (std::size_t i = 0; i < values.size(); ++i)
            body.push_back(static_cast<std::uint8_t>((floatBits(values[i]) ^ floatBits(reference[i])) >> (8 * plane)));
}

void checkSameNamesAndShapes(const ParameterSet& update, const ParameterSet& reference) {
    if (update.size() != reference.size())
        throw Error("encodeDelta: the update holds " + std::to_string(update.size()) + " tensors, the reference " +
                    std::to_string(reference.size()));
    for (std::size_t i = 0; i < update.size(); ++i) {
        if (update[i].name != reference[i].name)
            throw Error("encodeDelta: update tensor " + std::to_string(i) + " is '" + update[i].name +
                        "', the reference's is '" + reference[i].name + "'");
        if (update[i].shape != reference[i].shape)
            throw Error("encodeDelta: tensor '" + update[i].name + "' has shape " + shapeString(update[i].shape) +
                        " in the update, " + shapeString(reference[i].shape) + " in the reference");
    }
}

using RowMasks = std::map<std::size_t, std::vector<bool>>;

// `keptRows`: the rows the payload keeps when they are not those of `parameters` (error
// feedback: the site's own mask, not that of its update plus the residual). `digest`: the
// reference's referenceDigest when the caller has it (many payloads against one reference).
std::vector<std::uint8_t> encodeImpl(const ParameterSet& parameters, CodecKind kind, const ParameterSet* reference,
                                     double stepPerRms = 0, const RowMasks* keptRows = nullptr,
                                     const std::array<std::uint8_t, 32>* digest = nullptr) {
    const bool delta = kind == CodecKind::MaskAwareInt8DeltaZlib;
    const bool int8 = kind == CodecKind::MaskAwareInt8Zlib || delta;
    RowMasks masks;
    if (keptRows) masks = *keptRows;
    else if (kind == CodecKind::MaskAwareFp16Zlib || int8) masks = keptRowsOf(parameters);
    auto layoutOf = [&](std::size_t i) {
        if (masks.count(i)) return kLayoutRowMasked;
        return int8 && parameters[i].shape.size() == 2 ? kLayoutInt8Rows : kLayoutDense;
    };

    Writer w;
    w.raw(reinterpret_cast<const std::uint8_t*>(kMagic), 4);
    w.u16(kCodecFormatVersion);
    w.u8(static_cast<std::uint8_t>(kind));
    w.u8(0);  // flags
    const std::size_t lengthAt = w.bytes.size();
    w.u64(0);  // total length, patched below
    w.u32(static_cast<std::uint32_t>(parameters.size()));
    if (delta) {
        const auto named = digest ? *digest : referenceDigest(*reference);
        w.raw(named.data(), named.size());
    }
    for (std::size_t i = 0; i < parameters.size(); ++i) {
        const NamedTensor& t = parameters[i];
        w.u16(static_cast<std::uint16_t>(t.name.size()));
        w.raw(reinterpret_cast<const std::uint8_t*>(t.name.data()), t.name.size());
        w.u8(static_cast<std::uint8_t>(t.shape.size()));
        for (auto d : t.shape) w.u64(static_cast<std::uint64_t>(d));
        w.u8(layoutOf(i));
    }

    // The rows of a rank-2 tensor in the int8 kinds: absolute, or the delta from the reference.
    auto appendRow = [&](std::size_t i, std::size_t r, std::vector<std::uint8_t>& body) {
        const std::size_t cols = static_cast<std::size_t>(parameters[i].shape[1]);
        const float* row = parameters[i].values.data() + r * cols;
        if (delta)
            appendInt8DeltaRow(body, row, (*reference)[i].values.data() + r * cols, cols, stepPerRms);
        else
            appendInt8Row(body, row, cols);
    };

    std::vector<std::uint8_t> body;
    if (kind == CodecKind::Fp32Raw) {
        std::size_t total = 0;
        for (const NamedTensor& t : parameters) total += t.values.size();
        w.u64(total * 4);
        w.u64(total * 4);
        // Little-endian f32, the wire's byte order: the values' own bytes (the digest of a
        // reference hashes this payload, so it is built in one copy).
        std::size_t at = w.bytes.size();
        w.bytes.resize(at + total * 4);
        for (const NamedTensor& t : parameters) {
            if constexpr (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__) {
                std::memcpy(w.bytes.data() + at, t.values.data(), t.values.size() * 4);
            } else {
                for (std::size_t i = 0; i < t.values.size(); ++i) {
                    const std::uint32_t u = floatBits(t.values[i]);
                    for (int b = 0; b < 4; ++b) w.bytes[at + 4 * i + b] = static_cast<std::uint8_t>(u >> (8 * b));
                }
            }
            at += t.values.size() * 4;
        }
    } else {
        for (std::size_t i = 0; i < parameters.size(); ++i) {
            const NamedTensor& t = parameters[i];
            auto m = masks.find(i);
            if (layoutOf(i) == kLayoutInt8Rows) {
                for (std::size_t r = 0; r < static_cast<std::size_t>(t.shape[0]); ++r) appendRow(i, r, body);
                continue;
            }
            if (m == masks.end()) {
                if (delta)
                    appendXorPlanes(body, t.values, (*reference)[i].values);
                else
                    for (float v : t.values) appendHalf(body, v);
                continue;
            }
            const std::vector<bool>& kept = m->second;
            const std::size_t rows = kept.size();
            const std::size_t cols = static_cast<std::size_t>(t.shape[1]);
            std::vector<std::uint8_t> bitmap((rows + 7) / 8, 0);
            for (std::size_t r = 0; r < rows; ++r)
                if (kept[r]) bitmap[r / 8] |= static_cast<std::uint8_t>(1u << (r % 8));
            body.insert(body.end(), bitmap.begin(), bitmap.end());
            for (std::size_t r = 0; r < rows; ++r) {
                if (!kept[r]) continue;
                if (int8)
                    appendRow(i, r, body);
                else
                    for (std::size_t j = 0; j < cols; ++j) appendHalf(body, t.values[r * cols + j]);
            }
        }
        std::vector<std::uint8_t> stored = delta ? deflateDeltaBody(body, stepPerRms) : deflateBytes(body);
        w.u64(body.size());
        w.u64(stored.size());
        w.raw(stored.data(), stored.size());
    }

    w.patchU64(lengthAt, w.bytes.size() + kCrcBytes);
    w.u32(payloadCrc32(w.bytes.data(), w.bytes.size()));
    return std::move(w.bytes);
}

}  // namespace

std::vector<std::uint8_t> encodeParameters(const ParameterSet& parameters, CodecKind kind) {
    if (codecNeedsReference(kind))
        throw Error("encodeParameters: codec " + codecName(kind) +
                    " encodes the difference from a reference global FAM; use encodeDelta with that reference");
    if (kind != CodecKind::Fp32Raw && kind != CodecKind::Fp16Zlib && kind != CodecKind::MaskAwareFp16Zlib &&
        kind != CodecKind::MaskAwareInt8Zlib)
        throw Error("encodeParameters: unknown codec kind " + std::to_string(static_cast<int>(kind)));
    checkEncodable(parameters, kind, "encodeParameters");
    return encodeImpl(parameters, kind, nullptr);
}

namespace {

void checkStep(double stepPerRms) {
    if (!(stepPerRms >= 0) || !std::isfinite(stepPerRms))
        throw Error("encodeDelta: the step per RMS must be finite and >= 0, not " + std::to_string(stepPerRms));
}

void checkDeltaInputs(const ParameterSet& update, const ParameterSet& reference) {
    checkEncodable(update, CodecKind::MaskAwareInt8DeltaZlib, "encodeDelta: update");
    checkEncodable(reference, CodecKind::MaskAwareInt8DeltaZlib, "encodeDelta: reference");
    checkSameNamesAndShapes(update, reference);
}

using Digest = std::array<std::uint8_t, 32>;

// encodeDeltaWithFeedback once its update and reference are checked and the reference's
// digest is known.
std::vector<std::uint8_t> encodeCheckedWithFeedback(const ParameterSet& update, const ParameterSet& reference,
                                                    const Digest& digest, double stepPerRms, ParameterSet& residual);

}  // namespace

std::vector<std::uint8_t> encodeDelta(const ParameterSet& update, const ParameterSet& reference, double stepPerRms) {
    checkStep(stepPerRms);
    checkDeltaInputs(update, reference);
    return encodeImpl(update, CodecKind::MaskAwareInt8DeltaZlib, &reference, stepPerRms);
}

std::vector<std::uint8_t> encodeDeltaWithFeedback(const ParameterSet& update, const ParameterSet& reference,
                                                  double stepPerRms, ParameterSet& residual) {
    checkStep(stepPerRms);
    checkDeltaInputs(update, reference);
    return encodeCheckedWithFeedback(update, reference, referenceDigest(reference), stepPerRms, residual);
}

namespace {

std::vector<std::uint8_t> encodeCheckedWithFeedback(const ParameterSet& update, const ParameterSet& reference,
                                                    const Digest& digest, double stepPerRms, ParameterSet& residual) {
    if (!residual.empty()) {
        checkEncodable(residual, CodecKind::MaskAwareInt8DeltaZlib, "encodeDelta: residual");
        try {
            checkSameNamesAndShapes(update, residual);
        } catch (const Error& error) {
            throw Error(std::string(error.what()) + " (the residual's layout is not the update's)");
        }
    }
    // The residual enters only the int8 rows, and the payload keeps the rows the update keeps.
    const RowMasks kept = keptRowsOf(update);
    auto sentAsInt8 = [&](std::size_t i, std::size_t r) {
        const auto m = kept.find(i);
        if (m != kept.end()) return static_cast<bool>(m->second[r]);
        return update[i].shape.size() == 2;
    };
    // carries[i][r]: row r of tensor i is sent as update + residual.
    std::vector<std::vector<bool>> carries(update.size());
    for (std::size_t i = 0; i < update.size(); ++i)
        if (update[i].shape.size() == 2 && !residual.empty())
            for (std::size_t r = 0; r < static_cast<std::size_t>(update[i].shape[0]); ++r)
                carries[i].push_back(sentAsInt8(i, r));
    auto targetOf = [&] {
        ParameterSet target = update;
        for (std::size_t i = 0; i < target.size(); ++i) {
            const std::size_t cols = carries[i].empty() ? 0 : static_cast<std::size_t>(target[i].shape[1]);
            for (std::size_t r = 0; r < carries[i].size(); ++r)
                if (carries[i][r])
                    for (std::size_t j = r * cols; j < (r + 1) * cols; ++j) target[i].values[j] += residual[i].values[j];
        }
        checkEncodable(target, CodecKind::MaskAwareInt8DeltaZlib, "encodeDelta: update plus residual");
        return target;
    };
    ParameterSet target = targetOf();
    auto payload = encodeImpl(target, CodecKind::MaskAwareInt8DeltaZlib, &reference, stepPerRms, &kept, &digest);
    // What the receiver will hold, by the receiver's own decoder.
    ParameterSet decoded = decodeDelta(payload, reference, digest);
    // The receiver reads a row's mask from the decoded values and the exact thresholds: a row
    // the residual pushed to its threshold is sent again without it, so the update's mask holds
    // as far as encodeDelta's own rounding keeps it.
    bool dropped = false;
    for (const auto& [i, decodedKept] : keptRowsOf(decoded))
        for (std::size_t r = 0; r < decodedKept.size(); ++r)
            if (!decodedKept[r] && !carries[i].empty() && carries[i][r]) {
                carries[i][r] = false;
                dropped = true;
            }
    if (dropped) {
        target = targetOf();
        payload = encodeImpl(target, CodecKind::MaskAwareInt8DeltaZlib, &reference, stepPerRms, &kept, &digest);
        decoded = decodeDelta(payload, reference, digest);
    }
    ParameterSet next = update;
    for (std::size_t i = 0; i < next.size(); ++i) {
        std::fill(next[i].values.begin(), next[i].values.end(), 0.0f);
        if (next[i].shape.size() != 2) continue;
        const std::size_t cols = static_cast<std::size_t>(next[i].shape[1]);
        for (std::size_t r = 0; r < static_cast<std::size_t>(next[i].shape[0]); ++r)
            if (sentAsInt8(i, r))
                for (std::size_t j = r * cols; j < (r + 1) * cols; ++j)
                    next[i].values[j] = static_cast<float>(static_cast<double>(target[i].values[j]) - decoded[i].values[j]);
    }
    residual = std::move(next);
    return payload;
}

}  // namespace

BudgetedDelta encodeDeltaWithinBudget(const ParameterSet& update, const ParameterSet& reference, double minStepPerRms,
                                      std::size_t maxBytes, ParameterSet* residual) {
    checkStep(minStepPerRms);
    checkDeltaInputs(update, reference);
    // Checked and hashed once for all the tries.
    const Digest digest = referenceDigest(reference);
    const auto fits = [&](const std::vector<std::uint8_t>& payload) { return maxBytes == 0 || payload.size() <= maxBytes; };
    // The residual of the last try that fit: every try that fits becomes the chosen one.
    ParameterSet chosenResidual;
    auto encodeAt = [&](double step) {
        if (!residual) return encodeImpl(update, CodecKind::MaskAwareInt8DeltaZlib, &reference, step, nullptr, &digest);
        ParameterSet tried = *residual;
        auto payload = encodeCheckedWithFeedback(update, reference, digest, step, tried);
        if (fits(payload)) chosenResidual = std::move(tried);
        return payload;
    };
    BudgetedDelta best{encodeAt(minStepPerRms), minStepPerRms};
    auto finish = [&] {
        if (residual) *residual = std::move(chosenResidual);
        return std::move(best);
    };
    if (fits(best.payload)) return finish();
    // From this step on every symbol is 0: a row's max |d| is at most sqrt(cols) x its RMS, and
    // the step is at least step x RMS > 2 max |d|.
    std::int64_t widest = 1;
    for (const auto& tensor : update)
        if (tensor.shape.size() == 2) widest = std::max(widest, tensor.shape[1]);
    const double zeroingStep = 2.0 * std::sqrt(static_cast<double>(widest)) + 1.0;
    double tooSmall = minStepPerRms;
    double large = std::max(2.0 * minStepPerRms, 0.25);
    std::size_t smallest = best.payload.size();
    for (;;) {
        large = std::min(large, zeroingStep);
        auto payload = encodeAt(large);
        smallest = std::min(smallest, payload.size());
        if (fits(payload)) {
            best = {std::move(payload), large};
            break;
        }
        if (large >= zeroingStep)
            throw Error("encodeDelta: no step fits the upload in the budget of " + std::to_string(maxBytes) +
                        " bytes; the smallest payload is " + std::to_string(smallest) +
                        " bytes (every symbol zero), raise the budget");
        tooSmall = large;
        large *= 2.0;
    }
    for (int i = 0; i < 6; ++i) {
        const double middle = 0.5 * (tooSmall + best.stepPerRms);
        auto payload = encodeAt(middle);
        if (fits(payload))
            best = {std::move(payload), middle};
        else
            tooSmall = middle;
    }
    return finish();
}

// ---- decode ---------------------------------------------------------------------------

namespace {

// One int8 row: q * scale, or with a reference row (the delta codec, whose q lies in
// -127..127) reference + q * scale, summed in double and rounded to float once.
void readInt8Row(Reader& b, float* row, const float* reference, std::size_t cols, const std::string& what) {
    const float scale = bitsFloat(b.u32(what + " scale"));
    if (!std::isfinite(scale) || scale < 0)
        throw Error("decodeParameters: " + what + " has an invalid scale");
    b.need(cols, what);
    for (std::size_t j = 0; j < cols; ++j) {
        const auto q = static_cast<std::int8_t>(b.data[b.pos + j]);
        if (reference && q == -128) throw Error("decodeParameters: " + what + " value " + std::to_string(j) + " is -128, outside -127..127");
        row[j] = reference ? static_cast<float>(static_cast<double>(reference[j]) + q * static_cast<double>(scale))
                           : static_cast<float>(q) * scale;
    }
    b.pos += cols;
}

std::string hexPrefix(const std::uint8_t* digest) {
    static const char* hex = "0123456789abcdef";
    std::string text;
    for (int i = 0; i < 8; ++i) {
        text += hex[digest[i] >> 4];
        text += hex[digest[i] & 15];
    }
    return text;
}

// `reference`: set by decodeDelta only (then also the expected layout).
ParameterSet decodeImpl(const std::vector<std::uint8_t>& payload, const ParameterSet* expected,
                        const ParameterSet* reference, const CodecLimits& limits,
                        const std::array<std::uint8_t, 32>* knownDigest = nullptr) {
    const std::size_t size = payload.size();
    if (size > limits.maxPayloadBytes)
        throw Error("decodeParameters: payload of " + std::to_string(size) + " bytes exceeds the limit of " +
                    std::to_string(limits.maxPayloadBytes) + " bytes");
    if (size < 4)
        throw Error("decodeParameters: payload truncated: " + std::to_string(size) +
                    " bytes, too short for the magic");
    if (std::memcmp(payload.data(), kMagic, 4) != 0)
        throw Error("decodeParameters: bad magic: payload does not start with \"FMCP\"");
    if (size < kFixedHeaderBytes + kCrcBytes)
        throw Error("decodeParameters: payload truncated: " + std::to_string(size) +
                    " bytes, shorter than the fixed header and checksum (" +
                    std::to_string(kFixedHeaderBytes + kCrcBytes) + ")");
    const std::uint16_t version = static_cast<std::uint16_t>(payload[4] | (payload[5] << 8));
    if (version != kCodecFormatVersion)
        throw Error("decodeParameters: unsupported format version " + std::to_string(version) +
                    " (this build reads version " + std::to_string(kCodecFormatVersion) + ")");
    const std::uint8_t kindByte = payload[6];
    if (kindByte > static_cast<std::uint8_t>(CodecKind::MaskAwareInt8DeltaZlib))
        throw Error("decodeParameters: unsupported codec kind " + std::to_string(kindByte));
    const CodecKind kind = static_cast<CodecKind>(kindByte);
    const bool delta = codecNeedsReference(kind);
    if (delta && !reference)
        throw Error("decodeParameters: payload codec " + codecName(kind) +
                    " is a difference from a reference global FAM; decode it with decodeDelta and that reference");
    if (!delta && reference)
        throw Error("decodeDelta: payload codec is " + codecName(kind) + ", not " +
                    codecName(CodecKind::MaskAwareInt8DeltaZlib));
    if (payload[7] != 0)
        throw Error("decodeParameters: unsupported flags field " + std::to_string(payload[7]) + " (must be 0)");
    const std::uint64_t declared = readU64At(payload, 8);
    if (declared > size)
        throw Error("decodeParameters: payload truncated: " + std::to_string(size) + " bytes, the length field declares " +
                    std::to_string(declared));
    if (declared < size)
        throw Error("decodeParameters: " + std::to_string(size - declared) +
                    " trailing bytes after the declared payload length of " + std::to_string(declared));
    const std::uint32_t storedCrc = readU32At(payload, size - kCrcBytes);
    const std::uint32_t actualCrc = payloadCrc32(payload.data(), size - kCrcBytes);
    if (storedCrc != actualCrc) {
        std::ostringstream msg;
        msg << "decodeParameters: checksum mismatch (stored CRC-32 0x" << std::hex << storedCrc << ", computed 0x"
            << actualCrc << "): payload corrupted";
        throw Error(msg.str());
    }

    Reader in{payload.data(), size - kCrcBytes, 16};
    const std::uint32_t count = in.u32("tensor count");
    if (count > limits.maxTensors)
        throw Error("decodeParameters: tensor count " + std::to_string(count) + " exceeds the limit of " +
                    std::to_string(limits.maxTensors));
    if (delta) {
        in.need(kDigestBytes, "reference digest");
        const auto expectedDigest = knownDigest ? *knownDigest : referenceDigest(*reference);
        if (std::memcmp(in.data + in.pos, expectedDigest.data(), kDigestBytes) != 0)
            throw Error("decodeDelta: reference mismatch: the payload is a delta from the global FAM with SHA-256 " +
                        hexPrefix(in.data + in.pos) + "..., the reference given has " +
                        hexPrefix(expectedDigest.data()) + "... (a different round's or site's global FAM)");
        in.pos += kDigestBytes;
    }

    std::vector<TensorHeader> headers(count);
    std::set<std::string> names;
    std::int64_t totalElements = 0;
    for (std::uint32_t i = 0; i < count; ++i) {
        TensorHeader& h = headers[i];
        const std::string where = "tensor " + std::to_string(i);
        const std::uint16_t nameLength = in.u16(where + " name length");
        if (nameLength == 0 || nameLength > kMaxNameBytes)
            throw Error("decodeParameters: " + where + " name length " + std::to_string(nameLength) +
                        " is outside 1.." + std::to_string(kMaxNameBytes));
        in.need(nameLength, where + " name");
        h.name.assign(reinterpret_cast<const char*>(in.data + in.pos), nameLength);
        in.pos += nameLength;
        if (h.name.find('\0') != std::string::npos)
            throw Error("decodeParameters: " + where + " name contains a NUL byte");
        if (!names.insert(h.name).second)
            throw Error("decodeParameters: duplicate tensor name '" + h.name + "'");
        const std::uint8_t rank = in.u8("tensor '" + h.name + "' rank");
        if (rank > kMaxRank)
            throw Error("decodeParameters: tensor '" + h.name + "' rank " + std::to_string(rank) + " exceeds " +
                        std::to_string(kMaxRank));
        h.numel = 1;
        for (std::uint8_t d = 0; d < rank; ++d) {
            const std::uint64_t dim = in.u64("tensor '" + h.name + "' dimension");
            if (dim > static_cast<std::uint64_t>(limits.maxElements) ||
                (dim != 0 && static_cast<std::uint64_t>(h.numel) > static_cast<std::uint64_t>(limits.maxElements) / dim))
                throw Error("decodeParameters: tensor '" + h.name + "' element count exceeds the limit of " +
                            std::to_string(limits.maxElements));
            h.shape.push_back(static_cast<std::int64_t>(dim));
            h.numel *= static_cast<std::int64_t>(dim);
        }
        totalElements += h.numel;
        if (totalElements > limits.maxElements)
            throw Error("decodeParameters: total element count exceeds the limit of " +
                        std::to_string(limits.maxElements) + " at tensor '" + h.name + "'");
        h.layout = in.u8("tensor '" + h.name + "' layout");
        if (h.layout == kLayoutInt8Rows) {
            if ((kind != CodecKind::MaskAwareInt8Zlib && !delta) || h.shape.size() != 2)
                throw Error("decodeParameters: tensor '" + h.name + "' has int8 rows, which need an int8 codec "
                            "and rank 2 (codec " + codecName(kind) + ", shape " + shapeString(h.shape) + ")");
        } else if (h.layout == kLayoutRowMasked) {
            if (kind != CodecKind::MaskAwareFp16Zlib && kind != CodecKind::MaskAwareInt8Zlib && !delta)
                throw Error("decodeParameters: tensor '" + h.name + "' is row-masked but the codec is " + codecName(kind));
            if (h.shape.size() != 2)
                throw Error("decodeParameters: row-masked tensor '" + h.name + "' has shape " + shapeString(h.shape) +
                            ", rank 2 required");
        } else if (h.layout != kLayoutDense) {
            throw Error("decodeParameters: tensor '" + h.name + "' has unknown layout " + std::to_string(h.layout));
        }
    }

    if (expected) {
        if (expected->size() != headers.size())
            throw Error("decodeParameters: payload holds " + std::to_string(headers.size()) +
                        " tensors, the federation layout expects " + std::to_string(expected->size()));
        for (std::size_t i = 0; i < headers.size(); ++i) {
            const NamedTensor& e = (*expected)[i];
            if (headers[i].name != e.name)
                throw Error("decodeParameters: payload tensor " + std::to_string(i) + " is '" + headers[i].name +
                            "', the federation layout expects '" + e.name + "'");
            if (headers[i].shape != e.shape)
                throw Error("decodeParameters: payload tensor '" + e.name + "' has shape " +
                            shapeString(headers[i].shape) + ", the federation layout expects " + shapeString(e.shape));
        }
    }

    // Sizes the header implies for the raw body.
    std::uint64_t minRaw = 0, maxRaw = 0;
    for (const TensorHeader& h : headers) {
        const std::uint64_t n = static_cast<std::uint64_t>(h.numel);
        if (kind == CodecKind::Fp32Raw) {
            minRaw += 4 * n;
            maxRaw += 4 * n;
        } else if (h.layout == kLayoutInt8Rows) {
            const std::uint64_t rows = static_cast<std::uint64_t>(h.shape[0]);
            minRaw += 4 * rows + n;
            maxRaw += 4 * rows + n;
        } else if (h.layout == kLayoutRowMasked) {
            const std::uint64_t rows = static_cast<std::uint64_t>(h.shape[0]);
            const std::uint64_t bitmap = (rows + 7) / 8;
            minRaw += bitmap;
            maxRaw += bitmap + (kind == CodecKind::MaskAwareInt8Zlib || delta ? 4 * rows + n : 2 * n);
        } else if (delta) {  // f32 XOR planes
            minRaw += 4 * n;
            maxRaw += 4 * n;
        } else {
            minRaw += 2 * n;
            maxRaw += 2 * n;
        }
    }
    const std::uint64_t rawSize = in.u64("raw body size");
    const std::uint64_t storedSize = in.u64("stored body size");
    if (rawSize < minRaw || rawSize > maxRaw)
        throw Error("decodeParameters: raw body size field " + std::to_string(rawSize) +
                    " does not fit the tensor header (expected " +
                    (minRaw == maxRaw ? std::to_string(minRaw)
                                      : std::to_string(minRaw) + ".." + std::to_string(maxRaw)) + " bytes)");
    if (rawSize > limits.maxPayloadBytes)
        throw Error("decodeParameters: decompressed body of " + std::to_string(rawSize) +
                    " bytes exceeds the limit of " + std::to_string(limits.maxPayloadBytes) + " bytes");
    if (storedSize != in.size - in.pos)
        throw Error("decodeParameters: stored body size field " + std::to_string(storedSize) + " disagrees with the " +
                    std::to_string(in.size - in.pos) + " bytes between the header and the checksum");
    if (kind == CodecKind::Fp32Raw && storedSize != rawSize)
        throw Error("decodeParameters: fp32 body must be stored uncompressed, but stored size " +
                    std::to_string(storedSize) + " != raw size " + std::to_string(rawSize));

    std::vector<std::uint8_t> inflated;
    const std::uint8_t* body = in.data + in.pos;
    if (kind != CodecKind::Fp32Raw) {
        inflated = inflateBounded(body, static_cast<std::size_t>(storedSize), static_cast<std::size_t>(rawSize));
        body = inflated.data();
    }
    Reader b{body, static_cast<std::size_t>(rawSize), 0};

    ParameterSet out;
    out.reserve(headers.size());
    for (const TensorHeader& h : headers) {
        NamedTensor t;
        t.name = h.name;
        t.shape = h.shape;
        t.values.assign(static_cast<std::size_t>(h.numel), 0.0f);
        const std::string what = "body of tensor '" + h.name + "'";
        const std::size_t index = out.size();
        const float* base = delta ? (*reference)[index].values.data() : nullptr;
        if (kind == CodecKind::Fp32Raw) {
            for (auto& v : t.values) v = bitsFloat(b.u32(what));
        } else if (delta && h.layout == kLayoutDense) {
            const std::size_t n = t.values.size();
            b.need(4 * n, what);
            for (std::size_t i = 0; i < n; ++i) {
                std::uint32_t x = 0;
                for (int plane = 0; plane < 4; ++plane)
                    x |= static_cast<std::uint32_t>(b.data[b.pos + plane * n + i]) << (8 * plane);
                t.values[i] = bitsFloat(floatBits(base[i]) ^ x);
            }
            b.pos += 4 * n;
        } else if (h.layout == kLayoutDense) {
            b.need(2 * t.values.size(), what);
            halvesToFloats(b.data + b.pos, t.values.data(), t.values.size());
            b.pos += 2 * t.values.size();
        } else if (h.layout == kLayoutInt8Rows) {
            const std::size_t cols = static_cast<std::size_t>(h.shape[1]);
            for (std::size_t r = 0; r < static_cast<std::size_t>(h.shape[0]); ++r)
                readInt8Row(b, t.values.data() + r * cols, base ? base + r * cols : nullptr, cols,
                            what + " row " + std::to_string(r));
        } else {
            const std::size_t rows = static_cast<std::size_t>(h.shape[0]);
            const std::size_t cols = static_cast<std::size_t>(h.shape[1]);
            const std::size_t bitmapBytes = (rows + 7) / 8;
            b.need(bitmapBytes, "row bitmap of tensor '" + h.name + "'");
            const std::uint8_t* bitmap = b.data + b.pos;
            b.pos += bitmapBytes;
            if (rows % 8 != 0 && (bitmap[bitmapBytes - 1] >> (rows % 8)) != 0)
                throw Error("decodeParameters: row bitmap of tensor '" + h.name + "' has bits set beyond row " +
                            std::to_string(rows));
            for (std::size_t r = 0; r < rows; ++r) {
                if (!(bitmap[r / 8] & (1u << (r % 8)))) continue;
                if (kind == CodecKind::MaskAwareInt8Zlib || delta) {
                    readInt8Row(b, t.values.data() + r * cols, base ? base + r * cols : nullptr, cols,
                                what + " row " + std::to_string(r));
                    continue;
                }
                b.need(2 * cols, what + " row " + std::to_string(r));
                halvesToFloats(b.data + b.pos, t.values.data() + r * cols, cols);
                b.pos += 2 * cols;
            }
        }
        checkFinite(t, "decodeParameters");
        out.push_back(std::move(t));
    }
    if (b.pos != b.size)
        throw Error("decodeParameters: " + std::to_string(b.size - b.pos) +
                    " unused bytes at the end of the decoded body");
    return out;
}

}  // namespace

ParameterSet decodeParameters(const std::vector<std::uint8_t>& payload, const CodecLimits& limits) {
    return decodeImpl(payload, nullptr, nullptr, limits);
}

ParameterSet decodeParameters(const std::vector<std::uint8_t>& payload, const ParameterSet& expectedLayout,
                              const CodecLimits& limits) {
    return decodeImpl(payload, &expectedLayout, nullptr, limits);
}

ParameterSet decodeDelta(const std::vector<std::uint8_t>& payload, const ParameterSet& reference,
                         const CodecLimits& limits) {
    return decodeImpl(payload, &reference, &reference, limits);
}

ParameterSet decodeDelta(const std::vector<std::uint8_t>& payload, const ParameterSet& reference,
                         const std::array<std::uint8_t, 32>& digest, const CodecLimits& limits) {
    return decodeImpl(payload, &reference, &reference, limits, &digest);
}

}  // namespace fmc
