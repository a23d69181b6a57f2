// The image loader (JPEG, PNG, BMP, TIFF... through OpenCV) on arbitrary bytes.
#include "fuzz_support.h"
#include "imaging/image_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fmc::ImageLimits limits;
    limits.maxPixels = 4'000'000;
    try {
        const auto image = fmc::decodeImageBytes(fmc::fuzz::bytes(data, size), "fuzz input", limits);
        if (image.pixels.size() != static_cast<std::size_t>(image.width) * image.height * 3) __builtin_trap();
    } catch (const fmc::Error&) {
    }
    return 0;
}
