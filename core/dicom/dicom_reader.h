#pragma once
// DICOM decoding for site imports: one file in, 8-bit RGB frames plus the metadata the site
// store keeps. DCMTK and OpenJPEG are private dependencies of fmc_dicom; this header speaks
// in plain structs only.
//
// Decisions (details in dicom_reader.cpp):
//  * Transfer syntaxes: every one DCMTK 3.6.7 decodes (implicit/explicit little endian,
//    explicit big endian, deflated, RLE, JPEG baseline/extended/lossless, JPEG-LS), with or
//    without file meta information. JPEG 2000 (1.2.840.10008.1.2.4.90/.91) is decoded
//    through OpenJPEG; HTJ2K and the other syntaxes DCMTK cannot decode (MPEG, JPIP, ...) are
//    refused with UnsupportedTransferSyntax naming the syntax.
//  * Rendering: modality rescale, then the file's first VOI window; without a usable window,
//    a robust automatic window over the 0.5th..99.5th percentile of the frame's rescaled
//    values, leaving out Pixel Padding Value / Pixel Padding Range Limit (the area outside
//    the scanned field would otherwise widen the window until soft tissue has a few grey
//    levels). Enhanced multi-frame objects take each frame's rescale and window from its
//    Per-Frame Functional Groups, else the Shared ones (Pixel Value Transformation, Frame VOI
//    LUT). MONOCHROME1 is inverted (low values bright), colour models (YBR_FULL,
//    YBR_FULL_422, YBR_ICT/RCT, PALETTE COLOR) are converted to RGB; 32-bit colour samples
//    render from their 16 most significant bits. Grey frames come back as RGB with R = G = B.
//  * Floating-point pixel data (Float / Double Float Pixel Data, e.g. parametric maps) renders
//    through the file's window, else the robust range of the frame's finite values, with the
//    exact linear function (see dicom_reader.cpp); such images keep no modality values.
//  * Display windows: with DicomReadOptions::keepModalityValues a grey frame also comes back
//    as its modality values (after the rescale, before any VOI window); renderWindow() then
//    renders them through any linear window with the renderer's own arithmetic, so the
//    window the file rendering used gives that rendering exactly. The frame also keeps what
//    the file's visible overlay planes (60xx groups) did to each pixel of the rendering, read
//    from the renderer's own drawing, and renderWindow() does the same after its window.
//  * Frames: MultiFramePolicy::MiddleFrame keeps frame number frames/2 (0-based; the exact
//    middle for odd counts). The automatic window is computed per frame, so a frame decodes
//    the same under either policy.
//  * Limits are checked before any pixel data is read or decompressed: the file size against
//    ImageLimits::maxFileBytes, and Rows x Columns x NumberOfFrames against maxPixels.
//  * Patient-identifying values go to DicomMetadata::identifying only; no error message
//    contains them (messages name the file and the attribute at fault).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/types.h"
#include "imaging/image_loader.h"  // RgbImage, ImageLimits

namespace fmc {

enum class MultiFramePolicy { MiddleFrame, EveryFrame };

struct DicomReadOptions {
    ImageLimits limits;
    MultiFramePolicy frames = MultiFramePolicy::MiddleFrame;
    // Extra attributes (DICOM keywords, e.g. "ViewPosition") to keep for tagValue() besides
    // the default set listed at DicomMetadata::tagValue. An unknown keyword throws fmc::Error
    // naming it; check user input with isKnownDicomKeyword() first.
    std::vector<std::string> extraAttributes;
    // Also return the modality values of every returned grey frame (DicomImage::modality),
    // e.g. for a display window the user chooses. Costs 8 bytes per pixel, plus 8 per pixel an
    // overlay plane draws on.
    bool keepModalityValues = false;
};

enum class DicomErrorKind {
    NotDicom,                   // empty file, not DICOM at all, or unreadable
    Truncated,                  // the file ends inside an element
    NoPixelData,                // a valid object that is not an image (RT plan, SR, DICOMDIR, ...)
    UnsupportedTransferSyntax,  // no decoder for the encoding (names the syntax)
    UnsupportedPixelFormat,     // e.g. unusual bit depths or sample counts
    TooLarge,                   // over ImageLimits (file bytes or pixels)
    Corrupt                     // a DICOM file whose structure or pixel stream is broken
};

class DicomError : public Error {
public:
    DicomError(DicomErrorKind kind, const std::string& message);
    DicomErrorKind kind() const { return kind_; }

private:
    DicomErrorKind kind_;
};

// "not-dicom", "truncated", "no-pixel-data", "unsupported-transfer-syntax",
// "unsupported-pixel-format", "too-large", "corrupt".
const char* dicomErrorKindName(DicomErrorKind kind);

struct DicomMetadata {
    std::string sopInstanceUid, studyInstanceUid, seriesInstanceUid, modality, sopClassUid;
    // As stored in the file (before any decoder changed it), e.g. "YBR_FULL_422".
    std::string transferSyntaxUid, transferSyntaxName, photometricInterpretation;
    int rows = 0, columns = 0, frames = 1, samplesPerPixel = 1, bitsAllocated = 0, bitsStored = 0;
    bool pixelSigned = false;
    double rescaleSlope = 1, rescaleIntercept = 0;
    // The window actually applied to grey images (modality units). For colour images both
    // are 0 and windowFromFile is false. With MultiFramePolicy::EveryFrame and an automatic
    // window these are the values of the first returned frame.
    bool windowFromFile = false;
    double windowCenter = 0, windowWidth = 0;
    // Overlay planes (60xx group: annotations, markers) the renderer drew into grey frames.
    int visibleOverlayPlanes = 0;
    // PatientName, PatientID, PatientBirthDate, PatientSex, OtherPatientIDs, AccessionNumber,
    // InstitutionName, InstitutionAddress, ReferringPhysicianName, PerformingPhysicianName,
    // OperatorsName, StationName, StudyDate, StudyTime, StudyID, when present and non-empty.
    // UTF-8. For the LOCAL store only: never log these.
    std::map<std::string, std::string> identifying;
    // Non-identifying attributes kept for labelling, UTF-8, multiple values joined by '\'.
    std::map<std::string, std::string> attributes;

    // The value of `keyword` in `attributes`, "" when absent. Read at load time by default:
    // BodyPartExamined, SeriesDescription, StudyDescription, ProtocolName, ImageType,
    // ViewPosition, Laterality, ImageLaterality, Manufacturer, ManufacturerModelName,
    // SeriesNumber, InstanceNumber, ContrastBolusAgent, ScanningSequence, SequenceName,
    // plus DicomReadOptions::extraAttributes.
    std::string tagValue(const std::string& keyword) const;
};

// A pixel of a grey frame's rendering that the file's visible overlay planes (60xx groups)
// changed. The renderer draws them into the 8-bit rendering after the VOI window and the
// MONOCHROME1 inversion: a graphics plane (Overlay Type "G": annotations, markers) replaces
// the grey with white whatever the window; a region-of-interest plane ("R") darkens the
// pixels of its area outside the region to a sixteenth of their grey (grey >> 4).
struct OverlayPixel {
    enum class Effect : std::uint8_t { Replace, Darken };
    std::uint32_t index = 0;  // row * width + column
    Effect effect = Effect::Replace;
    std::uint8_t grey = 255;  // the grey drawn (Replace only)
};

// One grey frame's values after the modality rescale (Rescale Slope/Intercept), before any
// VOI window, in modality units (e.g. Hounsfield units for CT), row by row. They are the
// renderer's own values, which are integers (a fractional rescale result is truncated).
struct ModalityFrame {
    int width = 0;
    int height = 0;
    std::vector<double> values;
    double minimum = 0, maximum = 0;
    // The window this frame's rendering used (the file's or the automatic one), and
    // whether low values are bright (MONOCHROME1).
    double windowCenter = 0, windowWidth = 0;
    bool inverted = false;
    // What the overlay planes did to this frame's rendering, by ascending index; empty
    // without visible overlay planes.
    std::vector<OverlayPixel> overlay;
};

struct DicomImage {
    DicomMetadata meta;
    // 8-bit RGB after rescale, VOI window (file's or automatic), MONOCHROME1 inversion and
    // colour conversion. One entry for MiddleFrame, meta.frames entries for EveryFrame.
    std::vector<RgbImage> frames;
    // SHA-256 (lowercase hex) of the decoded native pixel data of ALL frames, before any
    // windowing: samples in little-endian byte order, planar configuration as stored, padding
    // excluded. Identical for every lossless encoding of the same pixels.
    std::string pixelHash;
    // With DicomReadOptions::keepModalityValues and a grey integer image: one entry per entry
    // of `frames`; empty otherwise (colour images have no modality values to window, and
    // floating-point ones are not rendered by the integer renderer).
    std::vector<ModalityFrame> modality;
};

// Throws DicomError (kind + message naming the file) on any failure.
DicomImage readDicomFile(const std::string& path, const DicomReadOptions& options = {});

// 8-bit rendering (R = G = B) of `frame` through the linear VOI window (center, width) in
// modality units (DICOM PS3.3 C.11.2.1.2.1), inverted when frame.inverted, then frame.overlay
// drawn on it. The arithmetic is the renderer's, so frame.windowCenter/windowWidth give
// exactly the frame readDicomFile returned, overlay planes included. Throws fmc::Error when
// width < 1, the frame holds fewer values than its size or an overlay pixel lies outside it.
RgbImage renderWindow(const ModalityFrame& frame, double center, double width);

// Cheap check for folder imports (reads at most 132 bytes): "DICM" at offset 128, or a
// .dcm/.dicom extension (case-insensitive), or no extension and a start that looks like a
// data set without preamble (group 0002 or 0008, either byte order, explicit or implicit VR).
bool looksLikeDicomFile(const std::string& path);

// True for keywords of DCMTK's data dictionary, e.g. "BodyPartExamined".
bool isKnownDicomKeyword(const std::string& keyword);

}  // namespace fmc
