#include "dicom/jpeg_header.h"

#include <cstring>

namespace fmc::detail {

JpegColourModel jpegColourModel(const std::uint8_t* data, std::size_t size) {
    if (size < 4 || data[0] != 0xFF || data[1] != 0xD8) return JpegColourModel::Unknown;
    bool jfif = false;
    bool subsampled = false;
    int adobeTransform = -1;
    std::size_t i = 2;
    while (i + 4 <= size) {
        if (data[i] != 0xFF) break;
        const std::uint8_t marker = data[i + 1];
        if (marker == 0xFF) {  // fill byte
            ++i;
            continue;
        }
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {  // no length field
            i += 2;
            continue;
        }
        const std::size_t length = (std::size_t(data[i + 2]) << 8) | data[i + 3];
        if (length < 2 || i + 2 + length > size) break;
        const std::uint8_t* segment = data + i + 4;
        const std::size_t segmentSize = length - 2;
        if (marker == 0xE0 && segmentSize >= 5 && std::memcmp(segment, "JFIF\0", 5) == 0) jfif = true;
        if (marker == 0xEE && segmentSize >= 12 && std::memcmp(segment, "Adobe", 5) == 0)
            adobeTransform = segment[11];
        const bool frameHeader =
            marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (frameHeader && segmentSize >= 6) {
            const std::size_t components = segment[5];
            if (segmentSize >= 6 + 3 * components)
                for (std::size_t c = 1; c < components; ++c)
                    if (segment[6 + 3 * c + 1] != segment[6 + 1]) subsampled = true;
            break;  // everything that decides comes before the frame header
        }
        if (marker == 0xDA) break;  // start of scan
        i += 2 + length;
    }
    if (adobeTransform == 0) return JpegColourModel::Rgb;
    if (adobeTransform == 1) return JpegColourModel::YCbCr;
    if (jfif || subsampled) return JpegColourModel::YCbCr;
    return JpegColourModel::Unknown;
}

}  // namespace fmc::detail
