#include "site/image_samples.h"

#include "common/sha256.h"

#include <filesystem>
#include <fstream>

namespace fmc {
namespace {

std::vector<std::uint8_t> readWholeFile(const std::string& path, std::uint64_t maxBytes) {
    std::error_code error;
    const auto size = std::filesystem::file_size(path, error);
    if (error) throw Error(path + ": cannot read file: " + error.message());
    if (size == 0) throw Error(path + ": empty file (0 bytes)");
    if (size > maxBytes)
        throw Error(path + ": file is " + std::to_string(size) + " bytes, over the limit of " +
                    std::to_string(maxBytes) + " bytes");
    std::ifstream in(path, std::ios::binary);
    std::vector<std::uint8_t> bytes(size);
    if (!in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size)))
        throw Error(path + ": read error");
    return bytes;
}

}  // namespace

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
