#pragma once
// What a JPEG stream says about its own colour model. Private to fmc_dicom.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace fmc::detail {

enum class JpegColourModel { Unknown, Rgb, YCbCr };

// From the stream's markers, in libjpeg's order of trust: the Adobe APP14 transform flag,
// then a JFIF APP0 segment (JFIF is always YCbCr), then chroma subsampling in the frame
// header (never used for RGB). Unknown when none of them decides.
JpegColourModel jpegColourModel(const std::uint8_t* data, std::size_t size);

// A JPEG-LS stream of fewer than 8 bits per sample (e.g. 7 bits stored in 8 allocated) that
// relies on the default coding parameters: the same stream with those defaults written out
// in a preset-parameters (LSE, id 1) segment before its scan, computed as ITU-T T.87
// C.2.4.1.1.1 defines them. DCMTK's JPEG-LS decoder derives different defaults for such
// precisions and then rejects valid data as "invalid compressed image data"; stated
// explicitly, it uses the right ones. nullopt when the stream needs no change (8 bits or
// more, presets already present, not JPEG-LS).
std::optional<std::vector<std::uint8_t>> withExplicitJpegLsDefaults(const std::uint8_t* data, std::size_t size);

// The NEAR parameter (the largest error per sample) of a JPEG-LS stream's first scan; nullopt
// when the stream has no readable scan header.
std::optional<int> jpegLsNearValue(const std::uint8_t* data, std::size_t size);

}  // namespace fmc::detail
