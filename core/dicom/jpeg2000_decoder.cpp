#include "dicom/jpeg2000_decoder.h"

#include <openjpeg.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "dicom/dicom_reader.h"

namespace fmc::detail {
namespace {

constexpr std::uint8_t kCodestreamStart[] = {0xFF, 0x4F, 0xFF, 0x51};  // SOC then SIZ
constexpr std::uint8_t kJp2Signature[] = {0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20};

bool startsWith(const std::uint8_t* data, std::size_t size, const std::uint8_t* prefix,
                std::size_t prefixSize) {
    return size >= prefixSize && std::memcmp(data, prefix, prefixSize) == 0;
}

// OpenJPEG reads through callbacks; this one serves a memory buffer.
struct MemoryStream {
    const std::uint8_t* data;
    std::size_t size;
    std::size_t offset = 0;
};

OPJ_SIZE_T readBytes(void* buffer, OPJ_SIZE_T count, void* user) {
    auto* s = static_cast<MemoryStream*>(user);
    if (s->offset >= s->size) return static_cast<OPJ_SIZE_T>(-1);  // end of stream
    const std::size_t n = std::min<std::size_t>(count, s->size - s->offset);
    std::memcpy(buffer, s->data + s->offset, n);
    s->offset += n;
    return n;
}

OPJ_OFF_T skipBytes(OPJ_OFF_T count, void* user) {
    auto* s = static_cast<MemoryStream*>(user);
    if (count < 0) {
        const auto back = std::min<std::size_t>(static_cast<std::size_t>(-count), s->offset);
        s->offset -= back;
        return -static_cast<OPJ_OFF_T>(back);
    }
    const auto forward = std::min<std::size_t>(static_cast<std::size_t>(count), s->size - s->offset);
    s->offset += forward;
    return static_cast<OPJ_OFF_T>(forward);
}

OPJ_BOOL seekTo(OPJ_OFF_T position, void* user) {
    auto* s = static_cast<MemoryStream*>(user);
    if (position < 0 || static_cast<std::size_t>(position) > s->size) return OPJ_FALSE;
    s->offset = static_cast<std::size_t>(position);
    return OPJ_TRUE;
}

// OpenJPEG reports problems through callbacks; keep the first error for our message
// instead of letting it print to stderr.
void recordError(const char* message, void* user) {
    auto* first = static_cast<std::string*>(user);
    if (first->empty() && message) {
        *first = message;
        while (!first->empty() && (first->back() == '\n' || first->back() == ' ')) first->pop_back();
    }
}
void ignoreMessage(const char*, void*) {}

struct CodecDeleter {
    void operator()(opj_codec_t* c) const { opj_destroy_codec(c); }
};
struct StreamDeleter {
    void operator()(opj_stream_t* s) const { opj_stream_destroy(s); }
};
struct ImageDeleter {
    void operator()(opj_image_t* i) const { opj_image_destroy(i); }
};

}  // namespace

bool startsJpeg2000Frame(const std::uint8_t* data, std::size_t size) {
    return startsWith(data, size, kCodestreamStart, sizeof kCodestreamStart) ||
           startsWith(data, size, kJp2Signature, sizeof kJp2Signature);
}

Jpeg2000Frame decodeJpeg2000Frame(const std::uint8_t* data, std::size_t size, int expectedWidth,
                                  int expectedHeight, const std::string& context) {
    auto fail = [&](DicomErrorKind kind, const std::string& why) -> DicomError {
        return DicomError(kind, context + ": " + why);
    };
    OPJ_CODEC_FORMAT format;
    if (startsWith(data, size, kCodestreamStart, sizeof kCodestreamStart))
        format = OPJ_CODEC_J2K;
    else if (startsWith(data, size, kJp2Signature, sizeof kJp2Signature))
        format = OPJ_CODEC_JP2;
    else
        throw fail(DicomErrorKind::Corrupt,
                   "the JPEG 2000 frame starts with neither a codestream (FF4F) nor a JP2 signature");

    std::unique_ptr<opj_codec_t, CodecDeleter> codec(opj_create_decompress(format));
    std::string openjpegError;
    opj_set_error_handler(codec.get(), recordError, &openjpegError);
    opj_set_warning_handler(codec.get(), ignoreMessage, nullptr);
    opj_set_info_handler(codec.get(), ignoreMessage, nullptr);
    opj_dparameters_t parameters;
    opj_set_default_decoder_parameters(&parameters);
    if (!opj_setup_decoder(codec.get(), &parameters))
        throw fail(DicomErrorKind::Corrupt, "OpenJPEG could not set up a decoder");
    opj_decoder_set_strict_mode(codec.get(), OPJ_TRUE);  // a truncated codestream is an error, not grey tiles

    MemoryStream memory{data, size};
    std::unique_ptr<opj_stream_t, StreamDeleter> stream(opj_stream_create(64 * 1024, OPJ_TRUE));
    opj_stream_set_user_data(stream.get(), &memory, nullptr);
    opj_stream_set_user_data_length(stream.get(), size);
    opj_stream_set_read_function(stream.get(), readBytes);
    opj_stream_set_skip_function(stream.get(), skipBytes);
    opj_stream_set_seek_function(stream.get(), seekTo);

    opj_image_t* rawImage = nullptr;
    if (!opj_read_header(stream.get(), codec.get(), &rawImage)) {
        std::unique_ptr<opj_image_t, ImageDeleter> discard(rawImage);
        throw fail(DicomErrorKind::Corrupt, "unreadable JPEG 2000 header (" +
                                                (openjpegError.empty() ? "no details" : openjpegError) + ")");
    }
    std::unique_ptr<opj_image_t, ImageDeleter> image(rawImage);
    const auto width = static_cast<std::uint64_t>(image->x1 - image->x0);
    const auto height = static_cast<std::uint64_t>(image->y1 - image->y0);
    if (width != static_cast<std::uint64_t>(expectedWidth) ||
        height != static_cast<std::uint64_t>(expectedHeight))
        throw fail(DicomErrorKind::Corrupt, "the JPEG 2000 header says " + std::to_string(width) + " x " +
                                                std::to_string(height) + " pixels but Columns x Rows say " +
                                                std::to_string(expectedWidth) + " x " +
                                                std::to_string(expectedHeight));
    if (image->numcomps != 1 && image->numcomps != 3)
        throw fail(
            DicomErrorKind::UnsupportedPixelFormat,
            "JPEG 2000 frame with " + std::to_string(image->numcomps) + " components (1 or 3 supported)");

    if (!opj_decode(codec.get(), stream.get(), image.get()) || !opj_end_decompress(codec.get(), stream.get()))
        throw fail(DicomErrorKind::Corrupt, "JPEG 2000 decoding failed (" +
                                                (openjpegError.empty() ? "no details" : openjpegError) + ")");

    Jpeg2000Frame frame;
    frame.width = expectedWidth;
    frame.height = expectedHeight;
    frame.components = static_cast<int>(image->numcomps);
    frame.precision = static_cast<int>(image->comps[0].prec);
    frame.isSigned = image->comps[0].sgnd != 0;
    for (OPJ_UINT32 c = 0; c < image->numcomps; ++c) {
        const opj_image_comp_t& comp = image->comps[c];
        if (comp.dx != 1 || comp.dy != 1 || comp.w != width || comp.h != height)
            throw fail(DicomErrorKind::UnsupportedPixelFormat, "JPEG 2000 frame with subsampled components");
        if (static_cast<int>(comp.prec) != frame.precision || (comp.sgnd != 0) != frame.isSigned)
            throw fail(DicomErrorKind::UnsupportedPixelFormat,
                       "JPEG 2000 components with different bit depths");
        if (!comp.data) throw fail(DicomErrorKind::Corrupt, "JPEG 2000 component without decoded data");
    }
    if (frame.precision < 1 || frame.precision > 16)
        throw fail(DicomErrorKind::UnsupportedPixelFormat,
                   "JPEG 2000 samples of " + std::to_string(frame.precision) + " bits (1..16 supported)");

    const std::size_t pixels = static_cast<std::size_t>(width * height);
    frame.samples.resize(pixels * image->numcomps);
    for (std::size_t i = 0; i < pixels; ++i)
        for (OPJ_UINT32 c = 0; c < image->numcomps; ++c)
            frame.samples[i * image->numcomps + c] = image->comps[c].data[i];
    return frame;
}

}  // namespace fmc::detail
