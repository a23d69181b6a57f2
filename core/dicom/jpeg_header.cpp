#include "dicom/jpeg_header.h"

#include <algorithm>
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

std::optional<std::vector<std::uint8_t>> withExplicitJpegLsDefaults(const std::uint8_t* data, std::size_t size) {
    if (size < 4 || data[0] != 0xFF || data[1] != 0xD8) return std::nullopt;
    int precision = -1;
    std::size_t i = 2;
    while (i + 4 <= size && data[i] == 0xFF) {
        const std::uint8_t marker = data[i + 1];
        const std::size_t length = (std::size_t(data[i + 2]) << 8) | data[i + 3];
        if (length < 2 || i + 2 + length > size) return std::nullopt;
        const std::uint8_t* segment = data + i + 4;
        if (marker == 0xF7 && length >= 3) precision = segment[0];                    // SOF55
        if (marker == 0xF8 && length >= 3 && segment[0] == 1) return std::nullopt;   // presets given
        if (marker == 0xDA) {                                                         // start of scan
            if (precision < 2 || precision >= 8) return std::nullopt;
            const std::size_t components = length >= 3 ? segment[0] : 0;
            if (length < 2 + 1 + 2 * components + 3) return std::nullopt;
            const int near = segment[1 + 2 * components];
            const int maxValue = (1 << precision) - 1;
            auto clamp = [&](int value, int low) { return value > maxValue || value < low ? low : value; };
            // MAXVAL < 128 (T.87 C.2.4.1.1.1): FACTOR = 256 / (MAXVAL + 1), BASIC_T1..3 = 3, 7, 21.
            const int factor = 256 / (maxValue + 1);
            const int t1 = clamp(std::max(2, 3 / factor + 3 * near), near + 1);
            const int t2 = clamp(std::max(3, 7 / factor + 5 * near), t1);
            const int t3 = clamp(std::max(4, 21 / factor + 7 * near), t2);
            const int values[] = {maxValue, t1, t2, t3, 64};
            std::vector<std::uint8_t> out(data, data + i);
            for (std::uint8_t byte : {std::uint8_t(0xFF), std::uint8_t(0xF8), std::uint8_t(0), std::uint8_t(13),
                                      std::uint8_t(1)})
                out.push_back(byte);
            for (int value : values) {
                out.push_back(static_cast<std::uint8_t>(value >> 8));
                out.push_back(static_cast<std::uint8_t>(value & 0xFF));
            }
            out.insert(out.end(), data + i, data + size);
            return out;
        }
        i += 2 + length;
    }
    return std::nullopt;
}

std::optional<int> jpegLsNearValue(const std::uint8_t* data, std::size_t size) {
    if (size < 4 || data[0] != 0xFF || data[1] != 0xD8) return std::nullopt;
    std::size_t i = 2;
    while (i + 4 <= size && data[i] == 0xFF) {
        const std::uint8_t marker = data[i + 1];
        const std::size_t length = (std::size_t(data[i + 2]) << 8) | data[i + 3];
        if (length < 2 || i + 2 + length > size) return std::nullopt;
        if (marker == 0xDA) {
            const std::uint8_t* segment = data + i + 4;
            const std::size_t components = length >= 3 ? segment[0] : 0;
            if (length < 2 + 1 + 2 * components + 3) return std::nullopt;
            return segment[1 + 2 * components];
        }
        i += 2 + length;
    }
    return std::nullopt;
}

}  // namespace fmc::detail
