#include "site/image_samples.h"

#include "common/sha256.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

namespace fmc {
namespace {

std::vector<std::uint8_t> readWholeFile(const std::string& path, std::uint64_t maxBytes) {
    std::error_code error;
    const auto size = std::filesystem::file_size(path, error);
    if (error) throw Error(path + ": cannot read the file: " + describeFileError(error.value()));
    if (size == 0) throw Error(path + ": empty file (0 bytes)");
    if (size > maxBytes)
        throw Error(path + ": file is " + std::to_string(size) + " bytes, over the limit of " +
                    std::to_string(maxBytes) + " bytes");
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!file) throw Error(path + ": cannot open the file: " + describeFileError(errno));
    std::vector<std::uint8_t> bytes(size);
    const std::size_t read = std::fread(bytes.data(), 1, bytes.size(), file.get());
    if (read != bytes.size()) {
        const int cause = std::ferror(file.get()) ? errno : 0;
        throw Error(path + ": " +
                    (cause ? "reading the file failed: " + describeFileError(cause)
                           : "the file shrank while it was read (" + std::to_string(read) + " of " +
                                 std::to_string(bytes.size()) + " bytes)"));
    }
    return bytes;
}

}  // namespace

std::string describeFileError(int errorNumber) {
    switch (errorNumber) {
    case EACCES:
    case EPERM: return "permission denied (the account running the import may not read it)";
    case EIO: return "input/output error (a damaged disk or a dropped network share)";
    case ENOENT: return "no such file or folder (it was moved or deleted)";
    case ELOOP: return "too many levels of symbolic links (a link loop)";
    case ENAMETOOLONG: return "the path is too long";
    case EMFILE:
    case ENFILE: return "too many open files";
    case ENOTDIR: return "a part of the path is not a folder";
    case ESTALE: return "stale network file handle (the network share was remounted)";
    default: return std::strerror(errorNumber);
    }
}

std::optional<std::pair<std::string, std::string>> fileAccessProblem(const std::string& path) {
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (file) {
        std::fclose(file);
        return std::nullopt;
    }
    const int cause = errno;
    const std::string errorClass = cause == EACCES || cause == EPERM ? "permission-denied"
                                   : cause == EIO                    ? "io-error"
                                                                     : "unreadable";
    return std::make_pair(errorClass, "cannot open the file: " + describeFileError(cause));
}

std::optional<ImageFileKind> classifyImageFile(const std::string& path) {
    if (looksLikeImageFile(path)) return ImageFileKind::Photo;
    if (looksLikeDicomFile(path)) return ImageFileKind::Dicom;
    return std::nullopt;
}

std::string photoPixelHash(const RgbImage& image) {
    Sha256 hasher;
    hasher.update(std::to_string(image.width) + "x" + std::to_string(image.height) + ":");
    hasher.update(image.pixels.data(), image.pixels.size());
    return hasher.hexDigest();
}

std::string dicomSampleHash(const std::string& nativePixelHash, int frames, int frame) {
    if (frames <= 1) return nativePixelHash;
    return sha256Hex(nativePixelHash + ":frame:" + std::to_string(frame));
}

DecodedFile decodeImageFile(const std::string& path, ImageFileKind kind, const ImageLimits& limits,
                            MultiFramePolicy frames, const std::vector<std::string>& extraDicomAttributes) {
    DecodedFile file;
    file.kind = kind;
    if (kind == ImageFileKind::Photo) {
        const auto bytes = readWholeFile(path, limits.maxFileBytes);
        file.contentHash = sha256Hex(bytes.data(), bytes.size());
        DecodedSample sample;
        sample.image = decodeImageBytes(bytes, path, limits);
        sample.pixelHash = photoPixelHash(sample.image);
        file.samples.push_back(std::move(sample));
        return file;
    }
    DicomReadOptions options;
    options.limits = limits;
    options.frames = frames;
    options.extraAttributes = extraDicomAttributes;
    auto dicom = readDicomFile(path, options);
    // Hashed after the read, which has already checked the size limit.
    file.contentHash = sha256FileHex(path);
    const int count = dicom.meta.frames;
    const int first = frames == MultiFramePolicy::MiddleFrame ? count / 2 : 0;
    for (size_t i = 0; i < dicom.frames.size(); ++i) {
        DecodedSample sample;
        sample.frame = first + static_cast<int>(i);
        sample.pixelHash = dicomSampleHash(dicom.pixelHash, count, sample.frame);
        sample.image = std::move(dicom.frames[i]);
        file.samples.push_back(std::move(sample));
    }
    file.modality = dicom.meta.modality;
    file.identifying = dicom.meta.identifying;
    for (const auto& [keyword, value] : {std::pair<const char*, const std::string&>{"SOPInstanceUID", dicom.meta.sopInstanceUid},
                                         {"StudyInstanceUID", dicom.meta.studyInstanceUid},
                                         {"SeriesInstanceUID", dicom.meta.seriesInstanceUid}})
        if (!value.empty()) file.identifying[keyword] = value;
    file.dicom = std::move(dicom.meta);
    return file;
}

RgbImage decodeStoredSample(const StoredImage& image, const ImageLimits& limits) {
    auto decode = [&](MultiFramePolicy policy) {
        auto file = decodeImageFile(image.sourcePath, image.kind, limits, policy);
        if (file.contentHash != image.contentHash)
            throw Error(image.sourcePath + ": the file changed since it was imported (content hash differs)");
        for (auto& sample : file.samples)
            if (sample.frame == image.frame) return std::optional<RgbImage>(std::move(sample.image));
        return std::optional<RgbImage>();
    };
    // The middle frame alone is cheap; every frame is only decoded for the other frames.
    if (auto sample = decode(MultiFramePolicy::MiddleFrame)) return std::move(*sample);
    if (image.kind == ImageFileKind::Dicom)
        if (auto sample = decode(MultiFramePolicy::EveryFrame)) return std::move(*sample);
    throw Error(image.sourcePath + ": frame " + std::to_string(image.frame) + " is not in the file any more");
}

}  // namespace fmc
