// The DICOM reader on arbitrary files: it returns an image or throws DicomError; every
// allocation stays bounded (run with -malloc_limit_mb: a garbage length field must not
// become an allocation).
#include "dicom/dicom_reader.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto path = fmc::fuzz::writeInputFile(data, size, ".dcm");
    fmc::DicomReadOptions options;
    options.keepModalityValues = size % 2 == 0;
    try {
        const auto image = fmc::readDicomFile(path, options);
        for (const auto& frame : image.frames)
            if (frame.pixels.size() != static_cast<std::size_t>(frame.width) * frame.height * 3) __builtin_trap();
    } catch (const fmc::Error&) {
    }
    return 0;
}
