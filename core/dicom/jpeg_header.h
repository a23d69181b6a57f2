#pragma once
// What a JPEG stream says about its own colour model. Private to fmc_dicom.
#include <cstddef>
#include <cstdint>

namespace fmc::detail {

enum class JpegColourModel { Unknown, Rgb, YCbCr };

// From the stream's markers, in libjpeg's order of trust: the Adobe APP14 transform flag,
// then a JFIF APP0 segment (JFIF is always YCbCr), then chroma subsampling in the frame
// header (never used for RGB). Unknown when none of them decides.
JpegColourModel jpegColourModel(const std::uint8_t* data, std::size_t size);

}  // namespace fmc::detail
