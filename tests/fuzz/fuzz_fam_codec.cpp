// The FAM codec's decoder (a site's upload payload, a global FAM) on arbitrary bytes: it
// decodes or throws fmc::Error; what it decodes encodes and decodes again to the same values.
#include "common/codec.h"
#include "common/types.h"
#include "fuzz_support.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fmc::CodecLimits limits;
    limits.maxPayloadBytes = 1 << 20;
    limits.maxElements = 1 << 20;
    fmc::ParameterSet decoded;
    try {
        decoded = fmc::decodeParameters(fmc::fuzz::bytes(data, size), limits);
    } catch (const fmc::Error&) {
        return 0;
    }
    // Lossless round trip through fp32.
    const auto again = fmc::decodeParameters(fmc::encodeParameters(decoded, fmc::CodecKind::Fp32Raw), limits);
    if (again.size() != decoded.size()) std::abort();
    for (std::size_t t = 0; t < decoded.size(); ++t)
        if (again[t].name != decoded[t].name || again[t].shape != decoded[t].shape || again[t].values != decoded[t].values)
            std::abort();
    return 0;
}
