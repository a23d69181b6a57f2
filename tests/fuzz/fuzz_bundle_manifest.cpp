// A model bundle's manifest.json (a bundle comes from outside) on arbitrary text: parses and
// validates or throws fmc::Error; what parses serialises and parses to the same manifest.
#include "common/bundle_manifest.h"
#include "common/types.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const auto manifest = fmc::parseManifest(text, "fuzz manifest.json");
        const auto json = fmc::manifestToJson(manifest);
        if (fmc::manifestToJson(fmc::parseManifest(json, "round trip")) != json) __builtin_trap();
    } catch (const fmc::Error&) {
    }
    return 0;
}
