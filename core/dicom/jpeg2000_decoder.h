#pragma once
// JPEG 2000 frame decoding through OpenJPEG, for the DICOM transfer syntaxes DCMTK's
// open-source build cannot decode (1.2.840.10008.1.2.4.90 / .91). Private to fmc_dicom: no
// OpenJPEG or DCMTK types here.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace fmc::detail {

struct Jpeg2000Frame {
    int width = 0;
    int height = 0;
    int components = 0;
    int precision = 0;  // bits per sample, equal for all components
    bool isSigned = false;
    std::vector<std::int32_t> samples;  // width * height * components, interleaved
};

// Decodes one frame: a J2K codestream (starts with SOC FF4F) or a JP2 file (signature box),
// as some writers store. The header's size is checked against expectedWidth x expectedHeight
// BEFORE the tiles are decoded, so a forged header cannot make us allocate more than the
// DICOM attributes (already checked against the pixel limit) allow.
// Throws DicomError naming `context` (file and frame): Corrupt for undecodable or
// mismatching streams, UnsupportedPixelFormat for subsampled components or over 16 bits.
Jpeg2000Frame decodeJpeg2000Frame(const std::uint8_t* data, std::size_t size, int expectedWidth,
                                  int expectedHeight, const std::string& context);

// True when the bytes start like a J2K codestream or a JP2 file: used to find where frames
// begin when fragments are neither one per frame nor indexed by the offset table.
bool startsJpeg2000Frame(const std::uint8_t* data, std::size_t size);

}  // namespace fmc::detail
