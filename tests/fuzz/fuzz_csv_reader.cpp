// The labelled-image CSV reader (simulations, site imports) on arbitrary files.
#include "fuzz_support.h"
#include "sim/dataset.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto path = fmc::fuzz::writeInputFile(data, size, ".csv");
    try {
        fmc::loadCsv(path);
    } catch (const fmc::Error&) {
    }
    return 0;
}
