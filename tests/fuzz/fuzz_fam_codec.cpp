// The FAM codec's decoder (a site's upload payload, a global FAM) on arbitrary bytes: it
// decodes or throws fmc::Error; what it decodes encodes and decodes again to the same values.
// The same bytes also go to the delta decoder against a fixed reference (deltaReference,
// the one corpus/fam_codec/mask-int8-delta-zlib.bin was encoded against).
#include "common/codec.h"
#include "common/types.h"
#include "fuzz_support.h"

#include <cstdlib>

namespace {

const fmc::ParameterSet& deltaReference() {
    static const fmc::ParameterSet reference{{"m.weight", {3, 4}, {1, 1, 1, 1, 0, 0, 0, 0, 2, -2, 2, -2}},
                                             {"m.bias", {3}, {0.1f, 0.2f, 0.3f}},
                                             {"m.threshold", {3}, {0.5f, 0.5f, 0.5f}},
                                             {"p.weight", {2, 2}, {0.25f, -0.5f, 1, 2}}};
    return reference;
}

// Lossless round trip through fp32.
void checkFp32RoundTrip(const fmc::ParameterSet& decoded, const fmc::CodecLimits& limits) {
    const auto again = fmc::decodeParameters(fmc::encodeParameters(decoded, fmc::CodecKind::Fp32Raw), limits);
    if (again.size() != decoded.size()) std::abort();
    for (std::size_t t = 0; t < decoded.size(); ++t)
        if (again[t].name != decoded[t].name || again[t].shape != decoded[t].shape || again[t].values != decoded[t].values)
            std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fmc::CodecLimits limits;
    limits.maxPayloadBytes = 1 << 20;
    limits.maxElements = 1 << 20;
    const auto payload = fmc::fuzz::bytes(data, size);
    try {
        checkFp32RoundTrip(fmc::decodeParameters(payload, limits), limits);
    } catch (const fmc::Error&) {
    }
    try {
        checkFp32RoundTrip(fmc::decodeDelta(payload, deltaReference(), limits), limits);
    } catch (const fmc::Error&) {
    }
    return 0;
}
