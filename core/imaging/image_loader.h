#pragma once
// Image decoding and CLIP preprocessing for FedMedCLIP Desktop.
//
// No OpenCV (or other heavy) header here on purpose: OpenCV is a private dependency of
// fmc_imaging, so callers see plain structs only.
//
// Decisions (see image_loader.cpp for the details):
//  * Formats: JPEG, PNG (grey, grey+alpha, RGB, RGBA, palette, 1..16 bit), BMP, TIFF. The
//    format is recognised by its magic bytes, not by the file name; anything else is refused.
//  * Alpha is DROPPED (the colour stored under it is kept), as PIL's Image.convert("RGB")
//    does in both CLIP's own preprocessing and the released FedMedCLIP code, so that features
//    match the reference pipeline. Palette transparency (tRNS) is dropped the same way.
//  * 16-bit samples are scaled to 8 bit with rounding over the full range
//    (round(v * 255 / 65535): 65535 -> 255, 32768 -> 128, 65280 -> 254), not truncated.
//  * EXIF orientation (JPEG APP1, tags 1..8) is applied by our own small parser, so the
//    result does not depend on the OpenCV version's defaults. Orientation tags in PNG or
//    TIFF files are not applied.
//  * Decompression bombs: the pixel count is read from the header (JPEG SOF, PNG IHDR, BMP
//    info header, TIFF IFD0) and checked against ImageLimits::maxPixels BEFORE the full
//    decode; the decoded size is checked again afterwards (covers e.g. BigTIFF, whose header
//    we do not parse).
//  * A JPEG without its end-of-image marker (truncated download/copy) is an error, although
//    libjpeg would silently fill the missing part with grey.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "common/types.h"

namespace fmc {

struct ImageLimits {
    std::uint64_t maxFileBytes = 256ull << 20;
    std::uint64_t maxPixels = 100'000'000;
};

// 8-bit RGB, interleaved, row-major, no padding: pixels.size() == width * height * 3.
struct RgbImage {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> pixels;
};

// Reads the file into memory (size limits enforced before reading) and decodes it.
// Throws fmc::Error naming the file for: missing file, not a regular file, zero bytes, over
// maxFileBytes, not a supported image, undecodable, over maxPixels, truncated JPEG.
RgbImage loadImageFile(const std::string& path, const ImageLimits& limits = {});

// Same as loadImageFile for bytes already in memory; nameForErrors is used in every message.
RgbImage decodeImageBytes(const std::vector<std::uint8_t>& bytes, const std::string& nameForErrors,
                          const ImageLimits& limits = {});

enum class ResizeMode {
    // CLIP's own preprocessing: resize the shorter side to S with PIL-style bicubic
    // (antialiased when shrinking), centre crop S x S (torchvision's rounding).
    ShorterSideCenterCrop,
    // The released FedMedCLIP code: transforms.Resize([S, S]), i.e. PIL-style bilinear
    // (antialiased when shrinking) straight to S x S, aspect ratio not kept.
    // Note: that code normalises with ImageNet mean/std (0.485,0.456,0.406)/(0.229,0.224,0.225);
    // set Preprocessing::mean/std accordingly when reproducing it.
    Stretch
};

struct Preprocessing {
    int inputSize = 224;
    std::array<float, 3> mean{0.48145466f, 0.4578275f, 0.40821073f};
    std::array<float, 3> std{0.26862954f, 0.26130258f, 0.27577711f};
    ResizeMode mode = ResizeMode::ShorterSideCenterCrop;
};

// CHW float (3 x S x S) in RGB order, (x/255 - mean)/std, appended to `out` so a batch can be
// filled without copies. The resampling reproduces Pillow's fixed-point algorithm (8-bit
// result after each of the horizontal and vertical passes), so values match
// torchvision-on-PIL to within float rounding.
void imageToTensor(const RgbImage& image, const Preprocessing& prep, std::vector<float>& out);

// Lower-case, with the dot: .jpg .jpeg .jpe .jfif .png .bmp .dib .tif .tiff
std::vector<std::string> supportedImageExtensions();

// By extension only (case-insensitive). Hidden AppleDouble files ("._name.jpg", macOS
// metadata that often comes along when data sets are copied) and names that are only an
// extension (".png") are not images.
bool looksLikeImageFile(const std::string& path);

// Encodes an 8-bit RGB image; the format comes from `extension` (".png", ".jpg"/".jpeg",
// ".bmp", ".tif"/".tiff"). Used for demo data, thumbnails and tests (tests cannot include
// OpenCV). jpegQuality is 1..100 and only used for JPEG. Same input -> same bytes.
std::vector<std::uint8_t> encodeImage(const RgbImage& image, const std::string& extension,
                                      int jpegQuality = 95);

// encodeImage by the path's extension, written to `path`. Throws fmc::Error naming the path.
void saveImageFile(const std::string& path, const RgbImage& image, int jpegQuality = 95);

}  // namespace fmc
