#pragma once
// Turning one image file into the samples a site stores and trains on, shared by the
// importer (at import) and the workspace (feature extraction and prediction).
#include "dicom/dicom_reader.h"
#include "imaging/image_loader.h"
#include "site/site_store.h"

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace fmc {

// What a failed file operation's errno means, in words a site admin can act on:
// "permission denied (the account running the import cannot read it)", "input/output
// error (a damaged disk or a dropped network share)", ... Falls back to strerror.
std::string describeFileError(int errorNumber);
// {error class, cause} when `path` cannot be opened for reading ("permission-denied",
// "io-error" or "unreadable"); nullopt when it can.
std::optional<std::pair<std::string, std::string>> fileAccessProblem(const std::string& path);

// Photo by extension (looksLikeImageFile), DICOM by looksLikeDicomFile; nullopt otherwise.
std::optional<ImageFileKind> classifyImageFile(const std::string& path);

struct DecodedSample {
    int frame = 0;
    RgbImage image;
    std::string pixelHash;
};

struct DecodedFile {
    ImageFileKind kind = ImageFileKind::Photo;
    std::string contentHash;  // SHA-256 of the file's bytes
    std::vector<DecodedSample> samples;
    std::string modality;                                // DICOM only
    std::map<std::string, std::string> identifying;      // DICOM only: identifying values and instance UIDs
    std::optional<DicomMetadata> dicom;                  // DICOM only
};

// Reads and decodes a file. Throws DicomError for DICOM problems and fmc::Error (naming the
// file) for anything else, including a file over limits.maxFileBytes or an empty one.
DecodedFile decodeImageFile(const std::string& path, ImageFileKind kind, const ImageLimits& limits,
                            MultiFramePolicy frames = MultiFramePolicy::MiddleFrame,
                            const std::vector<std::string>& extraDicomAttributes = {});

// The sample `frame` of a stored file, after checking the file still has the content hash
// it was imported with (fmc::Error naming the file when it changed or vanished).
RgbImage decodeStoredSample(const StoredImage& image, const ImageLimits& limits);

// SHA-256 of "<width>x<height>:" followed by the RGB bytes.
std::string photoPixelHash(const RgbImage& image);
// The reader's native pixel hash for single-frame files; SHA-256("<hash>:frame:<n>") for a
// frame of a multi-frame file.
std::string dicomSampleHash(const std::string& nativePixelHash, int frames, int frame);

}  // namespace fmc
