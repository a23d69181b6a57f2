#include "imaging/image_loader.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace fmc {
namespace {

// ---------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------

[[noreturn]] void fail(const std::string& name, const std::string& what) {
    throw Error(name + ": " + what);
}

std::string toLower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }
std::uint32_t be32(const std::uint8_t* p) {
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}
std::uint16_t le16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }
std::uint32_t le32(const std::uint8_t* p) {
    return std::uint32_t(p[0]) | (std::uint32_t(p[1]) << 8) | (std::uint32_t(p[2]) << 16) | (std::uint32_t(p[3]) << 24);
}

enum class Format { Unknown, Jpeg, Png, Bmp, Tiff, BigTiff };

const char* formatName(Format f) {
    switch (f) {
        case Format::Jpeg: return "JPEG";
        case Format::Png: return "PNG";
        case Format::Bmp: return "BMP";
        case Format::Tiff: return "TIFF";
        case Format::BigTiff: return "BigTIFF";
        default: return "unknown";
    }
}

Format detectFormat(const std::uint8_t* b, std::size_t n) {
    static const std::uint8_t kPng[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    if (n >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return Format::Jpeg;
    if (n >= 8 && std::memcmp(b, kPng, 8) == 0) return Format::Png;
    if (n >= 2 && b[0] == 'B' && b[1] == 'M') return Format::Bmp;
    if (n >= 4 && ((b[0] == 'I' && b[1] == 'I' && b[2] == 42 && b[3] == 0) ||
                   (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && b[3] == 42)))
        return Format::Tiff;
    if (n >= 4 && ((b[0] == 'I' && b[1] == 'I' && b[2] == 43 && b[3] == 0) ||
                   (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && b[3] == 43)))
        return Format::BigTiff;
    return Format::Unknown;
}

// ---------------------------------------------------------------------------------------
// Header parsing (dimensions before decode, EXIF orientation, JPEG completeness)
// ---------------------------------------------------------------------------------------

struct HeaderInfo {
    bool dimsKnown = false;
    std::uint64_t width = 0;
    std::uint64_t height = 0;
    int orientation = 1;  // EXIF 1..8, JPEG only
};

// Reads the first value of tags in IFD0 of a TIFF structure (a TIFF file or a JPEG's EXIF
// block). Calls onTag(tag, value) for SHORT/LONG entries. Returns false when the structure
// is not a valid TIFF header.
template <typename F>
bool forEachIfd0Tag(const std::uint8_t* t, std::size_t n, F&& onTag) {
    if (n < 8) return false;
    bool little;
    if (t[0] == 'I' && t[1] == 'I') little = true;
    else if (t[0] == 'M' && t[1] == 'M') little = false;
    else return false;
    auto u16 = [&](std::size_t o) { return little ? le16(t + o) : be16(t + o); };
    auto u32 = [&](std::size_t o) { return little ? le32(t + o) : be32(t + o); };
    if (u16(2) != 42) return false;
    const std::uint64_t ifd = u32(4);
    if (ifd + 2 > n) return false;
    const std::uint32_t count = u16(static_cast<std::size_t>(ifd));
    for (std::uint32_t k = 0; k < count; ++k) {
        const std::uint64_t e = ifd + 2 + 12ull * k;
        if (e + 12 > n) break;
        const auto eo = static_cast<std::size_t>(e);
        const std::uint16_t tag = u16(eo);
        const std::uint16_t type = u16(eo + 2);
        const std::uint32_t cnt = u32(eo + 4);
        if (cnt < 1) continue;
        if (type == 3) onTag(tag, static_cast<std::uint32_t>(u16(eo + 8)));       // SHORT
        else if (type == 4) onTag(tag, u32(eo + 8));                               // LONG
    }
    return true;
}

bool isJpegSof(std::uint8_t m) {
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

void parseJpeg(const std::uint8_t* b, std::size_t n, const std::string& name, HeaderInfo& info) {
    std::size_t i = 2;  // after SOI
    bool sawEoi = false;
    bool sawSof = false;
    bool sawOrientation = false;
    while (i < n) {
        if (b[i] != 0xFF) {  // stray bytes between segments: libjpeg skips them too
            ++i;
            continue;
        }
        while (i < n && b[i] == 0xFF) ++i;  // fill bytes
        if (i >= n) break;
        const std::uint8_t m = b[i++];
        if (m == 0xD9) {
            sawEoi = true;
            break;
        }
        if (m == 0x00 || m == 0x01 || m == 0xD8 || (m >= 0xD0 && m <= 0xD7)) continue;  // no length
        if (i + 2 > n) break;
        const std::size_t len = be16(b + i);
        if (len < 2) fail(name, "corrupt JPEG (invalid segment length)");
        if (i + len > n) break;  // segment runs past the end: truncated
        const std::uint8_t* seg = b + i + 2;
        const std::size_t segLen = len - 2;
        if (isJpegSof(m) && !sawSof && segLen >= 6) {
            sawSof = true;
            const std::uint16_t h = be16(seg + 1);
            const std::uint16_t w = be16(seg + 3);
            if (w == 0) fail(name, "corrupt JPEG (zero width in frame header)");
            if (h != 0) {  // h == 0 means "defined later by DNL": checked after decoding
                info.dimsKnown = true;
                info.width = w;
                info.height = h;
            }
        } else if (m == 0xE1 && !sawOrientation && segLen >= 6 && std::memcmp(seg, "Exif\0\0", 6) == 0) {
            forEachIfd0Tag(seg + 6, segLen - 6, [&](std::uint16_t tag, std::uint32_t v) {
                if (tag == 0x0112 && v >= 1 && v <= 8) {
                    info.orientation = static_cast<int>(v);
                    sawOrientation = true;
                }
            });
        }
        i += len;
        if (m == 0xDA) {
            // Entropy-coded data: runs until a marker other than stuffing (FF00), restart
            // markers (FFD0..FFD7) or fill bytes.
            while (i < n) {
                const void* ff = std::memchr(b + i, 0xFF, n - i);
                if (!ff) {
                    i = n;
                    break;
                }
                i = static_cast<std::size_t>(static_cast<const std::uint8_t*>(ff) - b);
                if (i + 1 >= n) {
                    i = n;
                    break;
                }
                const std::uint8_t nx = b[i + 1];
                if (nx == 0x00 || (nx >= 0xD0 && nx <= 0xD7)) {
                    i += 2;
                } else if (nx == 0xFF) {
                    i += 1;
                } else {
                    break;  // a real marker: back to the segment loop
                }
            }
        }
    }
    if (!sawSof && !sawEoi) fail(name, "truncated or corrupt JPEG (no frame header found)");
    if (!sawEoi) fail(name, "truncated JPEG (the end-of-image marker is missing; the file is incomplete)");
    if (!sawSof) fail(name, "corrupt JPEG (no frame header)");
}

void parsePng(const std::uint8_t* b, std::size_t n, const std::string& name, HeaderInfo& info) {
    if (n < 33 || std::memcmp(b + 12, "IHDR", 4) != 0 || be32(b + 8) != 13)
        fail(name, "corrupt PNG (missing or invalid IHDR header)");
    const std::uint32_t w = be32(b + 16);
    const std::uint32_t h = be32(b + 20);
    if (w == 0 || h == 0) fail(name, "corrupt PNG (zero width or height)");
    info.dimsKnown = true;
    info.width = w;
    info.height = h;
}

void parseBmp(const std::uint8_t* b, std::size_t n, const std::string& name, HeaderInfo& info) {
    if (n < 26) fail(name, "corrupt BMP (header too short)");
    const std::uint32_t headerSize = le32(b + 14);
    std::int64_t w = 0, h = 0;
    if (headerSize == 12) {  // OS/2 BITMAPCOREHEADER
        w = le16(b + 18);
        h = le16(b + 20);
    } else if (headerSize >= 16 && n >= 26) {
        w = static_cast<std::int32_t>(le32(b + 18));
        h = static_cast<std::int32_t>(le32(b + 22));
        if (h < 0) h = -h;  // top-down bitmap
    } else {
        fail(name, "corrupt BMP (unknown info header)");
    }
    if (w <= 0 || h <= 0) fail(name, "corrupt BMP (invalid width or height)");
    info.dimsKnown = true;
    info.width = static_cast<std::uint64_t>(w);
    info.height = static_cast<std::uint64_t>(h);
}

void parseTiff(const std::uint8_t* b, std::size_t n, const std::string& name, HeaderInfo& info) {
    std::uint64_t w = 0, h = 0;
    const bool ok = forEachIfd0Tag(b, n, [&](std::uint16_t tag, std::uint32_t v) {
        if (tag == 256) w = v;
        if (tag == 257) h = v;
    });
    if (!ok) fail(name, "corrupt TIFF (invalid header or first directory)");
    if (w == 0 || h == 0) fail(name, "corrupt TIFF (image width or length missing)");
    info.dimsKnown = true;
    info.width = w;
    info.height = h;
}

void checkPixelLimit(std::uint64_t w, std::uint64_t h, const ImageLimits& limits, const std::string& name) {
    const std::uint64_t pixels = w * h;  // w, h < 2^32 each: no overflow
    if (pixels > limits.maxPixels) {
        std::ostringstream os;
        os << "image is " << w << " x " << h << " = " << pixels << " pixels, over the limit of "
           << limits.maxPixels << " pixels (refused before decoding: possible decompression bomb)";
        fail(name, os.str());
    }
}

// ---------------------------------------------------------------------------------------
// Decoded cv::Mat -> RgbImage
// ---------------------------------------------------------------------------------------

template <typename T, typename Conv>
void copyToRgb(const cv::Mat& m, RgbImage& out, Conv conv) {
    const int ch = m.channels();
    for (int y = 0; y < m.rows; ++y) {
        const T* src = m.ptr<T>(y);
        std::uint8_t* dst = out.pixels.data() + static_cast<std::size_t>(y) * m.cols * 3;
        for (int x = 0; x < m.cols; ++x, src += ch, dst += 3) {
            if (ch <= 2) {  // grey (+ alpha, dropped)
                const std::uint8_t g = conv(src[0]);
                dst[0] = dst[1] = dst[2] = g;
            } else {  // OpenCV order BGR(A); alpha dropped
                dst[0] = conv(src[2]);
                dst[1] = conv(src[1]);
                dst[2] = conv(src[0]);
            }
        }
    }
}

RgbImage matToRgb(const cv::Mat& m, const std::string& name) {
    const int ch = m.channels();
    if (ch < 1 || ch > 4) fail(name, "unsupported image with " + std::to_string(ch) + " channels");
    RgbImage out;
    out.width = m.cols;
    out.height = m.rows;
    out.pixels.resize(static_cast<std::size_t>(m.cols) * m.rows * 3);
    switch (m.depth()) {
        case CV_8U:
            copyToRgb<std::uint8_t>(m, out, [](std::uint8_t v) { return v; });
            break;
        case CV_16U:
            // Full-range rounding: round(v * 255 / 65535).
            copyToRgb<std::uint16_t>(m, out, [](std::uint16_t v) {
                return static_cast<std::uint8_t>((std::uint32_t(v) * 255u + 32767u) / 65535u);
            });
            break;
        case CV_32F:
            copyToRgb<float>(m, out, [](float v) {
                if (!(v > 0.0f)) return std::uint8_t(0);  // also NaN
                if (v >= 1.0f) return std::uint8_t(255);
                return static_cast<std::uint8_t>(std::lround(v * 255.0f));
            });
            break;
        case CV_64F:
            copyToRgb<double>(m, out, [](double v) {
                if (!(v > 0.0)) return std::uint8_t(0);
                if (v >= 1.0) return std::uint8_t(255);
                return static_cast<std::uint8_t>(std::lround(v * 255.0));
            });
            break;
        default:
            fail(name, "unsupported sample format (signed integer samples)");
    }
    return out;
}

// Applies EXIF orientation 2..8 so that the result is the image as it should be displayed.
RgbImage applyOrientation(const RgbImage& in, int orientation) {
    if (orientation <= 1 || orientation > 8) return in;
    const int W = in.width, H = in.height;
    const bool swap = orientation >= 5;
    RgbImage out;
    out.width = swap ? H : W;
    out.height = swap ? W : H;
    out.pixels.resize(in.pixels.size());
    for (int yo = 0; yo < out.height; ++yo) {
        for (int xo = 0; xo < out.width; ++xo) {
            int x = 0, y = 0;  // source pixel
            switch (orientation) {
                case 2: x = W - 1 - xo; y = yo; break;                 // mirror horizontal
                case 3: x = W - 1 - xo; y = H - 1 - yo; break;         // rotate 180
                case 4: x = xo; y = H - 1 - yo; break;                 // mirror vertical
                case 5: x = yo; y = xo; break;                         // transpose
                case 6: x = yo; y = H - 1 - xo; break;                 // rotate 90 clockwise
                case 7: x = W - 1 - yo; y = H - 1 - xo; break;         // transverse
                case 8: x = W - 1 - yo; y = xo; break;                 // rotate 90 counter-clockwise
            }
            const std::uint8_t* s = &in.pixels[(static_cast<std::size_t>(y) * W + x) * 3];
            std::uint8_t* d = &out.pixels[(static_cast<std::size_t>(yo) * out.width + xo) * 3];
            d[0] = s[0];
            d[1] = s[1];
            d[2] = s[2];
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------
// Pillow-compatible resampling (Pillow's Resample.c, 8 bits per channel)
// ---------------------------------------------------------------------------------------

constexpr int kPrecisionBits = 32 - 8 - 2;

struct Filter {
    double support;
    double (*fn)(double);
};

double bilinearFilter(double x) {
    if (x < 0.0) x = -x;
    if (x < 1.0) return 1.0 - x;
    return 0.0;
}

double bicubicFilter(double x) {
    constexpr double a = -0.5;
    if (x < 0.0) x = -x;
    if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
    if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
    return 0.0;
}

struct Coeffs {
    int ksize = 0;
    std::vector<int> bounds;  // per output index: first input index, tap count
    std::vector<std::int32_t> kk;
};

Coeffs precomputeCoeffs(int inSize, int outSize, const Filter& filter) {
    Coeffs c;
    const double scale = static_cast<double>(inSize) / outSize;
    double filterscale = scale;
    if (filterscale < 1.0) filterscale = 1.0;
    const double support = filter.support * filterscale;
    c.ksize = static_cast<int>(std::ceil(support)) * 2 + 1;
    c.bounds.resize(static_cast<std::size_t>(outSize) * 2);
    c.kk.assign(static_cast<std::size_t>(outSize) * c.ksize, 0);
    std::vector<double> k(static_cast<std::size_t>(c.ksize));
    for (int xx = 0; xx < outSize; ++xx) {
        const double center = (xx + 0.5) * scale;
        const double ss = 1.0 / filterscale;
        int xmin = static_cast<int>(center - support + 0.5);
        if (xmin < 0) xmin = 0;
        int xmax = static_cast<int>(center + support + 0.5);
        if (xmax > inSize) xmax = inSize;
        xmax -= xmin;
        double ww = 0.0;
        for (int x = 0; x < xmax; ++x) {
            const double w = filter.fn((x + xmin - center + 0.5) * ss);
            k[x] = w;
            ww += w;
        }
        for (int x = 0; x < xmax; ++x) {
            if (ww != 0.0) k[x] /= ww;
        }
        std::int32_t* dst = &c.kk[static_cast<std::size_t>(xx) * c.ksize];
        for (int x = 0; x < xmax; ++x) {
            const double v = k[x] * (1 << kPrecisionBits);
            dst[x] = static_cast<std::int32_t>(v < 0 ? -0.5 + v : 0.5 + v);
        }
        c.bounds[xx * 2] = xmin;
        c.bounds[xx * 2 + 1] = xmax;
    }
    return c;
}

inline std::uint8_t clip8(std::int32_t in) {
    if (in >= (1 << kPrecisionBits << 8)) return 255;
    if (in <= 0) return 0;
    return static_cast<std::uint8_t>(in >> kPrecisionBits);
}

// Resizes `in` to outW x outH exactly as Pillow's Image.resize does (horizontal pass first,
// 8-bit result after each pass) and returns only the region [x0, x0+rw) x [y0, y0+rh) of the
// result. Each output pixel depends only on its own coefficients, so the region equals the
// same crop of the full resize.
RgbImage resamplePilRegion(const RgbImage& in, int outW, int outH, const Filter& filter, int x0, int y0,
                           int rw, int rh) {
    const bool needH = outW != in.width;
    const bool needV = outH != in.height;

    // Input rows needed for the output rows y0..y0+rh.
    Coeffs cv;
    int rowFirst = y0, rowLast = y0 + rh;  // used only when !needV
    if (needV) {
        cv = precomputeCoeffs(in.height, outH, filter);
        rowFirst = in.height;
        rowLast = 0;
        for (int y = y0; y < y0 + rh; ++y) {
            rowFirst = std::min(rowFirst, cv.bounds[y * 2]);
            rowLast = std::max(rowLast, cv.bounds[y * 2] + cv.bounds[y * 2 + 1]);
        }
    }
    const int tempRows = rowLast - rowFirst;

    // Horizontal pass: tempRows x rw (columns of the region only).
    std::vector<std::uint8_t> temp(static_cast<std::size_t>(tempRows) * rw * 3);
    if (needH) {
        const Coeffs ch = precomputeCoeffs(in.width, outW, filter);
        for (int r = 0; r < tempRows; ++r) {
            const std::uint8_t* src = &in.pixels[static_cast<std::size_t>(r + rowFirst) * in.width * 3];
            std::uint8_t* dst = &temp[static_cast<std::size_t>(r) * rw * 3];
            for (int xx = 0; xx < rw; ++xx) {
                const int ox = xx + x0;
                const int xmin = ch.bounds[ox * 2];
                const int xcount = ch.bounds[ox * 2 + 1];
                const std::int32_t* k = &ch.kk[static_cast<std::size_t>(ox) * ch.ksize];
                std::int32_t s0 = 1 << (kPrecisionBits - 1), s1 = s0, s2 = s0;
                const std::uint8_t* p = src + static_cast<std::size_t>(xmin) * 3;
                for (int x = 0; x < xcount; ++x, p += 3) {
                    s0 += p[0] * k[x];
                    s1 += p[1] * k[x];
                    s2 += p[2] * k[x];
                }
                dst[xx * 3] = clip8(s0);
                dst[xx * 3 + 1] = clip8(s1);
                dst[xx * 3 + 2] = clip8(s2);
            }
        }
    } else {
        for (int r = 0; r < tempRows; ++r)
            std::memcpy(&temp[static_cast<std::size_t>(r) * rw * 3],
                        &in.pixels[(static_cast<std::size_t>(r + rowFirst) * in.width + x0) * 3],
                        static_cast<std::size_t>(rw) * 3);
    }

    RgbImage out;
    out.width = rw;
    out.height = rh;
    if (!needV) {
        out.pixels = std::move(temp);
        return out;
    }
    out.pixels.resize(static_cast<std::size_t>(rw) * rh * 3);
    for (int yy = 0; yy < rh; ++yy) {
        const int oy = yy + y0;
        const int ymin = cv.bounds[oy * 2] - rowFirst;
        const int ycount = cv.bounds[oy * 2 + 1];
        const std::int32_t* k = &cv.kk[static_cast<std::size_t>(oy) * cv.ksize];
        std::uint8_t* dst = &out.pixels[static_cast<std::size_t>(yy) * rw * 3];
        for (int xx = 0; xx < rw * 3; ++xx) {
            std::int32_t s = 1 << (kPrecisionBits - 1);
            for (int y = 0; y < ycount; ++y) s += temp[static_cast<std::size_t>(ymin + y) * rw * 3 + xx] * k[y];
            dst[xx] = clip8(s);
        }
    }
    return out;
}

cv::Mat rgbToBgrMat(const RgbImage& image) {
    cv::Mat bgr(image.height, image.width, CV_8UC3);
    for (int y = 0; y < image.height; ++y) {
        const std::uint8_t* s = &image.pixels[static_cast<std::size_t>(y) * image.width * 3];
        std::uint8_t* d = bgr.ptr<std::uint8_t>(y);
        for (int x = 0; x < image.width; ++x) {
            d[x * 3] = s[x * 3 + 2];
            d[x * 3 + 1] = s[x * 3 + 1];
            d[x * 3 + 2] = s[x * 3];
        }
    }
    return bgr;
}

std::string extensionOf(const std::string& path) {
    std::string file = path;
    const auto slash = file.find_last_of("/\\");
    if (slash != std::string::npos) file = file.substr(slash + 1);
    const auto dot = file.find_last_of('.');
    if (dot == std::string::npos || dot == 0) return {};
    return toLower(file.substr(dot));
}

}  // namespace

// -------------------------------------------------------------------------------------------
// Public API
// -------------------------------------------------------------------------------------------

RgbImage loadImageFile(const std::string& path, const ImageLimits& limits) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path p(path);
    const auto st = fs::status(p, ec);
    if (!fs::exists(st)) fail(path, "image file not found");
    if (ec) fail(path, "cannot access image file: " + ec.message());
    if (!fs::is_regular_file(st)) fail(path, "not a regular file");
    const std::uintmax_t size = fs::file_size(p, ec);
    if (ec) fail(path, "cannot determine file size: " + ec.message());
    if (size == 0) fail(path, "image file is empty (0 bytes)");
    if (size > limits.maxFileBytes)
        fail(path, "image file is " + std::to_string(size) + " bytes, over the limit of " +
                       std::to_string(limits.maxFileBytes) + " bytes");

    std::ifstream in(p, std::ios::binary);
    if (!in) fail(path, "cannot open image file for reading");
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
    in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size));
    if (static_cast<std::uintmax_t>(in.gcount()) != size) fail(path, "could not read the whole image file");
    return decodeImageBytes(bytes, path, limits);
}

RgbImage decodeImageBytes(const std::vector<std::uint8_t>& bytes, const std::string& name,
                          const ImageLimits& limits) {
    const std::size_t n = bytes.size();
    if (n == 0) fail(name, "image data is empty (0 bytes)");
    if (n > limits.maxFileBytes)
        fail(name, "image data is " + std::to_string(n) + " bytes, over the limit of " +
                       std::to_string(limits.maxFileBytes) + " bytes");
    if (n > static_cast<std::size_t>(INT_MAX)) fail(name, "image data is too large to decode");

    const std::uint8_t* b = bytes.data();
    const Format format = detectFormat(b, n);
    HeaderInfo info;
    switch (format) {
        case Format::Jpeg: parseJpeg(b, n, name, info); break;
        case Format::Png: parsePng(b, n, name, info); break;
        case Format::Bmp: parseBmp(b, n, name, info); break;
        case Format::Tiff: parseTiff(b, n, name, info); break;
        case Format::BigTiff: break;  // dimensions checked after decoding
        case Format::Unknown:
            fail(name, "not a supported image (expected JPEG, PNG, BMP or TIFF data)");
    }
    if (info.dimsKnown) checkPixelLimit(info.width, info.height, limits, name);

    cv::Mat decoded;
    try {
        const cv::Mat buf(1, static_cast<int>(n), CV_8UC1, const_cast<std::uint8_t*>(b));
        // UNCHANGED: keeps 16-bit samples (we scale them properly) and never applies EXIF
        // orientation itself (we do, see below).
        decoded = cv::imdecode(buf, cv::IMREAD_UNCHANGED);
    } catch (const cv::Exception& e) {
        fail(name, std::string("cannot decode ") + formatName(format) + " image: " + e.what());
    }
    if (decoded.empty() || decoded.cols <= 0 || decoded.rows <= 0)
        fail(name, std::string("cannot decode ") + formatName(format) + " image (corrupt or unsupported variant)");
    checkPixelLimit(static_cast<std::uint64_t>(decoded.cols), static_cast<std::uint64_t>(decoded.rows), limits, name);

    RgbImage rgb = matToRgb(decoded, name);
    if (info.orientation != 1) rgb = applyOrientation(rgb, info.orientation);
    return rgb;
}

void imageToTensor(const RgbImage& image, const Preprocessing& prep, std::vector<float>& out) {
    if (image.width <= 0 || image.height <= 0) throw Error("imageToTensor: image has no pixels (width/height)");
    if (image.pixels.size() != static_cast<std::size_t>(image.width) * image.height * 3)
        throw Error("imageToTensor: RgbImage.pixels size does not match width * height * 3");
    if (prep.inputSize <= 0 || prep.inputSize > 16384)
        throw Error("imageToTensor: Preprocessing.inputSize must be in 1..16384, got " +
                    std::to_string(prep.inputSize));
    for (int c = 0; c < 3; ++c)
        if (!(prep.std[c] != 0.0f) || !std::isfinite(prep.std[c]) || !std::isfinite(prep.mean[c]))
            throw Error("imageToTensor: Preprocessing.std must be finite and non-zero, Preprocessing.mean finite");

    const int S = prep.inputSize;
    RgbImage crop;
    if (prep.mode == ResizeMode::Stretch) {
        static const Filter bilinear{1.0, &bilinearFilter};
        crop = resamplePilRegion(image, S, S, bilinear, 0, 0, S, S);
    } else {
        // torchvision Resize(S): shorter side -> S, longer side -> int(S * long / short).
        const int w = image.width, h = image.height;
        const int shortSide = std::min(w, h), longSide = std::max(w, h);
        const int newLong = static_cast<int>(static_cast<double>(S) * longSide / shortSide);
        const int newW = (w <= h) ? S : newLong;
        const int newH = (w <= h) ? newLong : S;
        // torchvision CenterCrop: int(round((size - S) / 2.0)) with Python's round-half-even.
        const int left = static_cast<int>(std::nearbyint((newW - S) / 2.0));
        const int top = static_cast<int>(std::nearbyint((newH - S) / 2.0));
        static const Filter bicubic{2.0, &bicubicFilter};
        crop = resamplePilRegion(image, newW, newH, bicubic, left, top, S, S);
    }

    // ToTensor (x / 255 in float32) then Normalize ((x - mean) / std in float32).
    float lut[3][256];
    for (int c = 0; c < 3; ++c)
        for (int v = 0; v < 256; ++v) lut[c][v] = (static_cast<float>(v) / 255.0f - prep.mean[c]) / prep.std[c];

    const std::size_t plane = static_cast<std::size_t>(S) * S;
    const std::size_t base = out.size();
    out.resize(base + 3 * plane);
    float* r = out.data() + base;
    float* g = r + plane;
    float* bl = g + plane;
    const std::uint8_t* px = crop.pixels.data();
    for (std::size_t i = 0; i < plane; ++i, px += 3) {
        r[i] = lut[0][px[0]];
        g[i] = lut[1][px[1]];
        bl[i] = lut[2][px[2]];
    }
}

std::vector<std::string> supportedImageExtensions() {
    return {".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".bmp", ".dib", ".tif", ".tiff"};
}

bool looksLikeImageFile(const std::string& path) {
    std::string file = path;
    const auto slash = file.find_last_of("/\\");
    if (slash != std::string::npos) file = file.substr(slash + 1);
    if (file.rfind("._", 0) == 0) return false;  // macOS AppleDouble metadata
    const std::string ext = extensionOf(file);
    if (ext.empty()) return false;
    const auto exts = supportedImageExtensions();
    return std::find(exts.begin(), exts.end(), ext) != exts.end();
}

std::vector<std::uint8_t> encodeImage(const RgbImage& image, const std::string& extension, int jpegQuality) {
    if (image.width <= 0 || image.height <= 0 ||
        image.pixels.size() != static_cast<std::size_t>(image.width) * image.height * 3)
        throw Error("encodeImage: RgbImage is empty or its pixels do not match width * height * 3");
    std::string ext = toLower(extension);
    if (!ext.empty() && ext[0] != '.') ext = "." + ext;
    std::vector<int> params;
    if (ext == ".png") {
        params = {cv::IMWRITE_PNG_COMPRESSION, 3};
    } else if (ext == ".jpg" || ext == ".jpeg" || ext == ".jpe" || ext == ".jfif") {
        if (jpegQuality < 1 || jpegQuality > 100)
            throw Error("encodeImage: jpegQuality must be in 1..100, got " + std::to_string(jpegQuality));
        params = {cv::IMWRITE_JPEG_QUALITY, jpegQuality};
        ext = ".jpg";
    } else if (ext == ".bmp" || ext == ".dib") {
        ext = ".bmp";
    } else if (ext == ".tif" || ext == ".tiff") {
        ext = ".tif";
    } else {
        throw Error("encodeImage: unsupported image extension '" + extension + "' (use .png, .jpg, .bmp or .tif)");
    }
    std::vector<std::uint8_t> bytes;
    try {
        if (!cv::imencode(ext, rgbToBgrMat(image), bytes, params))
            throw Error("encodeImage: encoding " + ext + " failed");
    } catch (const cv::Exception& e) {
        throw Error("encodeImage: encoding " + ext + " failed: " + e.what());
    }
    return bytes;
}

void saveImageFile(const std::string& path, const RgbImage& image, int jpegQuality) {
    const std::string ext = extensionOf(path);
    if (ext.empty()) fail(path, "cannot choose an image format: the file name has no extension");
    std::vector<std::uint8_t> bytes;
    try {
        bytes = encodeImage(image, ext, jpegQuality);
    } catch (const Error& e) {
        fail(path, e.what());
    }
    std::ofstream out(std::filesystem::path(path), std::ios::binary | std::ios::trunc);
    if (!out) fail(path, "cannot open for writing");
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) fail(path, "write failed (disk full?)");
}

}  // namespace fmc
