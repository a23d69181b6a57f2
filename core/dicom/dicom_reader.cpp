#include "dicom/dicom_reader.h"

// DCMTK stays in this file (and OpenJPEG in jpeg2000_decoder.cpp).
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dccodec.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcdict.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmdata/dcstack.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <dcmtk/dcmimage/diregist.h>  // colour models (RGB, YBR, PALETTE COLOR) for DicomImage
#include <dcmtk/dcmimgle/dcmimage.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpls/djdecode.h>
#include <dcmtk/oflog/oflog.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>
#include <tuple>

#include "common/sha256.h"
#include "common/utf8.h"
#include "dicom/jpeg2000_decoder.h"
#include "dicom/jpeg_header.h"

namespace fmc {

DicomError::DicomError(DicomErrorKind kind, const std::string& message) : Error(message), kind_(kind) {}

const char* dicomErrorKindName(DicomErrorKind kind) {
    switch (kind) {
        case DicomErrorKind::NotDicom:
            return "not-dicom";
        case DicomErrorKind::Truncated:
            return "truncated";
        case DicomErrorKind::NoPixelData:
            return "no-pixel-data";
        case DicomErrorKind::UnsupportedTransferSyntax:
            return "unsupported-transfer-syntax";
        case DicomErrorKind::UnsupportedPixelFormat:
            return "unsupported-pixel-format";
        case DicomErrorKind::TooLarge:
            return "too-large";
        case DicomErrorKind::Corrupt:
            return "corrupt";
    }
    return "unknown";
}

std::string DicomMetadata::tagValue(const std::string& keyword) const {
    const auto it = attributes.find(keyword);
    return it == attributes.end() ? std::string() : it->second;
}

namespace {

// ---------------------------------------------------------------------------------------------
// Process-wide DCMTK set-up: decoders registered once (thread-safe static initialisation) and
// deregistered during static destruction at exit, when import threads must have finished
// (DCMTK forbids deregistering while a decode runs). DCMTK's logger is switched off: it
// writes to stderr by default and its parser warnings can quote attribute values, which may
// identify the patient.
class DcmtkRuntime {
public:
    DcmtkRuntime() {
        OFLog::configure(OFLogger::OFF_LOG_LEVEL);
        // Colour conversion follows the Photometric Interpretation, as the standard says
        // (correctJpegColourModel() fixes mislabelled streams first); no new UIDs: the
        // decompressed data set never leaves memory.
        DJDecoderRegistration::registerCodecs(EDC_photometricInterpretation, EUC_never);
        DJLSDecoderRegistration::registerCodecs(EJLSUC_never);
        DcmRLEDecoderRegistration::registerCodecs();
    }
    ~DcmtkRuntime() {
        DcmRLEDecoderRegistration::cleanup();
        DJLSDecoderRegistration::cleanup();
        DJDecoderRegistration::cleanup();
    }
    DcmtkRuntime(const DcmtkRuntime&) = delete;
    DcmtkRuntime& operator=(const DcmtkRuntime&) = delete;
};

void ensureDcmtkRuntime() {
    static const DcmtkRuntime runtime;
}

std::string tagText(const DcmTagKey& key) {
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "(%04X,%04X)", key.getGroup(), key.getElement());
    return buffer;
}

// "Rows (0028,0010)"
std::string attributeName(const DcmTagKey& key) {
    DcmTag tag(key);
    return std::string(tag.getTagName()) + " " + tagText(key);
}

bool isKnownPublicTag(const DcmTagKey& key) {
    if (key.isPrivate()) return false;
    const DcmDataDictionary& dictionary = dcmDataDict.rdlock();
    const bool known = dictionary.findEntry(key, nullptr) != nullptr;
    dcmDataDict.rdunlock();
    return known;
}

// ---------------------------------------------------------------------------------------------
// The one place where DCMTK's OFCondition becomes a DicomError. DCMTK's own text is kept in
// brackets; it names stream states and tags, never attribute values.
enum class DcmtkStep { Parse, Decompress };

[[noreturn]] void throwDcmtkFailure(const OFCondition& condition, DcmtkStep step, const std::string& file,
                                    DcmObject* elementBeingRead = nullptr) {
    const std::string dcmtk = std::string(" (DCMTK: ") + condition.text() + ")";
    if (step == DcmtkStep::Parse) {
        const bool streamBroke = condition == EC_StreamNotifyClient || condition == EC_InvalidStream ||
                                 condition == EC_EndOfStream || condition == EC_SequDelimitationItemMissing ||
                                 condition == EC_ItemDelimitationItemMissing;
        // A stream that ends inside a recognisable element is a cut-off copy; one that runs into
        // an unknown tag with an absurd length is garbage.
        if (streamBroke && elementBeingRead && isKnownPublicTag(elementBeingRead->getTag()))
            throw DicomError(DicomErrorKind::Truncated, file + ": truncated: the file ends inside " +
                                                            attributeName(elementBeingRead->getTag()) +
                                                            dcmtk);
        if (streamBroke && elementBeingRead)
            throw DicomError(DicomErrorKind::Corrupt,
                             file + ": corrupt data set: unreadable element " +
                                 tagText(elementBeingRead->getTag()) + " with length " +
                                 std::to_string(elementBeingRead->getLength()) + dcmtk);
        throw DicomError(DicomErrorKind::Corrupt, file + ": corrupt data set" + dcmtk);
    }
    if (condition == EJ_UnsupportedBitDepth || condition == EJ_UnsupportedPhotometricInterpretation ||
        condition == EJ_UnsupportedColorConversion || condition == EC_JLSUnsupportedBitDepth ||
        condition == EC_JLSUnsupportedImageType || condition == EC_JLSCodecUnsupportedImageType ||
        condition == EC_JLSUnsupportedColorTransform ||
        condition == EC_JLSUnsupportedPhotometricInterpretation ||
        condition == EC_JLSUnsupportedPixelRepresentation ||
        condition == EC_JLSUnsupportedBitDepthForTransform)
        throw DicomError(DicomErrorKind::UnsupportedPixelFormat,
                         file + ": the decoder does not support this pixel format" + dcmtk);
    if (condition == EC_MemoryExhausted)
        throw DicomError(DicomErrorKind::TooLarge, file + ": out of memory while decompressing" + dcmtk);
    throw DicomError(DicomErrorKind::Corrupt, file + ": the compressed pixel data cannot be decoded" + dcmtk);
}

// The element DCMTK was reading when the parse stopped: the last one in stream order.
DcmObject* lastParsedElement(DcmFileFormat& file) {
    DcmStack stack;
    DcmObject* last = nullptr;
    while (file.nextObject(stack, OFTrue).good()) last = stack.top();
    return last;
}

// ---------------------------------------------------------------------------------------------
// Sniffing. 128-byte preamble + "DICM", or a data set written without preamble and meta
// header (old ACR-NEMA style exports), which starts with group 0002 or 0008.
constexpr std::size_t kHeadBytes = 132;

std::vector<std::uint8_t> readHead(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<std::uint8_t> head(kHeadBytes);
    if (!in) return {};
    in.read(reinterpret_cast<char*>(head.data()), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    return head;
}

bool hasDicmPrefix(const std::vector<std::uint8_t>& head) {
    return head.size() >= kHeadBytes && std::memcmp(head.data() + 128, "DICM", 4) == 0;
}

bool isValueRepresentation(std::uint8_t a, std::uint8_t b) {
    static const char* const kVrs[] = {"AE", "AS", "AT", "CS", "DA", "DS", "DT", "FD", "FL", "IS", "LO", "LT",
                                       "OB", "OD", "OF", "OL", "OV", "OW", "PN", "SH", "SL", "SQ", "SS", "ST",
                                       "SV", "TM", "UC", "UI", "UL", "UN", "UR", "US", "UT", "UV"};
    for (const char* vr : kVrs)
        if (vr[0] == a && vr[1] == b) return true;
    return false;
}

bool looksLikeBareDataSet(const std::vector<std::uint8_t>& head, std::uint64_t fileSize) {
    if (head.size() < 8) return false;
    const auto& h = head;
    const unsigned groupLittle = h[0] | (h[1] << 8u);
    const unsigned groupBig = (h[0] << 8u) | h[1];
    const bool little = groupLittle == 0x0002 || groupLittle == 0x0008;
    const bool big = groupBig == 0x0002 || groupBig == 0x0008;
    if (!little && !big) return false;
    if (isValueRepresentation(h[4], h[5])) return true;  // explicit VR
    // Implicit VR: a 32-bit length that fits in the file.
    const std::uint64_t length = little ? (std::uint64_t(h[4]) | (std::uint64_t(h[5]) << 8) |
                                           (std::uint64_t(h[6]) << 16) | (std::uint64_t(h[7]) << 24))
                                        : ((std::uint64_t(h[4]) << 24) | (std::uint64_t(h[5]) << 16) |
                                           (std::uint64_t(h[6]) << 8) | std::uint64_t(h[7]));
    return length + 8 <= fileSize;
}

std::string lowerExtension(const std::string& path) {
    std::string ext = std::filesystem::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext;
}

// ---------------------------------------------------------------------------------------------
// Attribute access.
// Values whose character set DCMTK could not convert are read as Latin-1, so what reaches the
// store is always valid UTF-8.
std::string sanitizedUtf8(const std::string& text) {
    if (isValidUtf8(text)) return text;
    std::string out;
    for (unsigned char c : text) {
        if (c < 0x80) {
            out += static_cast<char>(c);
        } else {
            out += static_cast<char>(0xC0 | (c >> 6));
            out += static_cast<char>(0x80 | (c & 0x3F));
        }
    }
    return out;
}

std::string stringValue(DcmItem& item, const DcmTagKey& key) {
    OFString value;
    if (item.findAndGetOFStringArray(key, value).bad()) return {};
    std::string text(value.c_str(), value.length());
    // Some writers pad with NUL instead of a space (e.g. "MONOCHROME2\0").
    while (!text.empty() && (text.back() == '\0' || text.back() == ' ')) text.pop_back();
    return sanitizedUtf8(text);
}

std::optional<Uint16> uint16Value(DcmItem& item, const DcmTagKey& key) {
    Uint16 value = 0;
    if (item.findAndGetUint16(key, value).bad()) return std::nullopt;
    return value;
}

const DcmTagKey kIdentifyingAttributes[] = {DCM_PatientName,
                                            DCM_PatientID,
                                            DCM_PatientBirthDate,
                                            DCM_PatientSex,
                                            DCM_OtherPatientIDsSequence,
                                            DCM_AccessionNumber,
                                            DCM_InstitutionName,
                                            DCM_InstitutionAddress,
                                            DCM_ReferringPhysicianName,
                                            DCM_PerformingPhysicianName,
                                            DCM_OperatorsName,
                                            DCM_StationName,
                                            DCM_StudyDate,
                                            DCM_StudyTime,
                                            DCM_StudyID};

const DcmTagKey kLabelAttributes[] = {
    DCM_BodyPartExamined,   DCM_SeriesDescription,     DCM_StudyDescription, DCM_ProtocolName,
    DCM_ImageType,          DCM_ViewPosition,          DCM_Laterality,       DCM_ImageLaterality,
    DCM_Manufacturer,       DCM_ManufacturerModelName, DCM_SeriesNumber,     DCM_InstanceNumber,
    DCM_ContrastBolusAgent, DCM_ScanningSequence,      DCM_SequenceName};

std::string keywordOf(const DcmTagKey& key) {
    DcmTag tag(key);
    return tag.getTagName();
}

void readDescriptiveAttributes(DcmDataset& dataset, const DicomReadOptions& options, DicomMetadata& meta) {
    // Values are stored in the file's Specific Character Set; the store wants UTF-8. A failed
    // conversion (unknown or inconsistent character set) is not fatal for an image: those
    // values fall back to Latin-1 in sanitizedUtf8().
    (void)dataset.convertToUTF8();
    for (const DcmTagKey& key : kIdentifyingAttributes) {
        if (key == DCM_OtherPatientIDsSequence) continue;  // a sequence; OtherPatientIDs below
        const std::string value = stringValue(dataset, key);
        if (!value.empty()) meta.identifying[keywordOf(key)] = value;
    }
    const std::string otherIds = stringValue(dataset, DCM_RETIRED_OtherPatientIDs);
    if (!otherIds.empty()) meta.identifying["OtherPatientIDs"] = otherIds;

    for (const DcmTagKey& key : kLabelAttributes) {
        const std::string value = stringValue(dataset, key);
        if (!value.empty()) meta.attributes[keywordOf(key)] = value;
    }
    for (const std::string& keyword : options.extraAttributes) {
        DcmTag tag;
        if (DcmTag::findTagFromName(keyword.c_str(), tag).bad())
            throw Error("DicomReadOptions::extraAttributes: unknown DICOM keyword '" + keyword + "'");
        const std::string value = stringValue(dataset, tag);
        if (!value.empty()) meta.attributes[keyword] = value;
    }
}

// ---------------------------------------------------------------------------------------------
// Pixel data helpers.
bool isJpeg2000(E_TransferSyntax xfer) {
    return xfer == EXS_JPEG2000LosslessOnly || xfer == EXS_JPEG2000;
}

// Bytes of native pixel data for the current attributes, padding excluded.
std::uint64_t nativePixelBytes(const DicomMetadata& meta, const std::string& photometric) {
    const std::uint64_t pixels =
        std::uint64_t(meta.rows) * std::uint64_t(meta.columns) * std::uint64_t(meta.frames);
    if (meta.bitsAllocated == 1) return (pixels * meta.samplesPerPixel + 7) / 8;
    const bool subsampled = photometric == "YBR_FULL_422" || photometric == "YBR_PARTIAL_422";
    const std::uint64_t samples = subsampled ? 2 : std::uint64_t(meta.samplesPerPixel);
    return pixels * samples * (std::uint64_t(meta.bitsAllocated) / 8);
}

DcmPixelData* pixelDataElement(DcmDataset& dataset) {
    DcmElement* element = nullptr;
    if (dataset.findAndGetElement(DCM_PixelData, element).bad()) return nullptr;
    return dynamic_cast<DcmPixelData*>(element);
}

// Fragments grouped per frame: by the Basic Offset Table when it has one entry per frame, one
// fragment per frame when the counts match, else split where a JPEG 2000 stream starts.
std::vector<std::vector<DcmPixelItem*>> fragmentsPerFrame(DcmPixelSequence& sequence, int frames,
                                                          const std::string& file) {
    std::vector<DcmPixelItem*> fragments;
    for (unsigned long i = 1; i < sequence.card(); ++i) {
        DcmPixelItem* item = nullptr;
        if (sequence.getItem(item, i).good() && item) fragments.push_back(item);
    }
    if (fragments.empty())
        throw DicomError(DicomErrorKind::Corrupt, file + ": encapsulated Pixel Data without fragments");
    std::vector<std::vector<DcmPixelItem*>> grouped;
    if (frames == 1) {
        grouped.push_back(fragments);
        return grouped;
    }
    if (static_cast<int>(fragments.size()) == frames) {
        for (DcmPixelItem* f : fragments) grouped.push_back({f});
        return grouped;
    }
    DcmPixelItem* offsetTable = nullptr;
    Uint32* offsets = nullptr;
    if (sequence.getItem(offsetTable, 0).good() && offsetTable &&
        offsetTable->getLength() == Uint32(frames) * 4u && offsetTable->getUint32Array(offsets).good() &&
        offsets) {
        std::uint64_t position = 0;  // offset of the current fragment's item tag
        std::size_t next = 0;
        for (DcmPixelItem* f : fragments) {
            if (next < std::size_t(frames) && position == offsets[next]) {
                grouped.emplace_back();
                ++next;
            }
            if (grouped.empty()) break;  // first offset is not 0: table unusable
            grouped.back().push_back(f);
            position += 8u + f->getLength();
        }
        if (static_cast<int>(grouped.size()) == frames) return grouped;
        grouped.clear();
    }
    for (DcmPixelItem* f : fragments) {
        Uint8* bytes = nullptr;
        const bool starts =
            f->getUint8Array(bytes).good() && bytes && detail::startsJpeg2000Frame(bytes, f->getLength());
        if (starts || grouped.empty()) grouped.emplace_back();
        grouped.back().push_back(f);
    }
    if (static_cast<int>(grouped.size()) != frames)
        throw DicomError(DicomErrorKind::Corrupt,
                         file + ": cannot split " + std::to_string(fragments.size()) +
                             " Pixel Data fragments into " + std::to_string(frames) + " frames");
    return grouped;
}

// DCMTK has no open-source JPEG 2000 codec: decode every frame with OpenJPEG and put native
// pixel data in place of the encapsulated one, so rendering takes the same path as for
// uncompressed files.
void decodeJpeg2000InPlace(DcmDataset& dataset, DcmPixelData& pixelData, E_TransferSyntax xfer,
                           const DicomMetadata& meta, const std::string& file) {
    DcmPixelSequence* sequence = nullptr;
    if (pixelData.getEncapsulatedRepresentation(xfer, nullptr, sequence).bad() || !sequence)
        throw DicomError(DicomErrorKind::Corrupt, file + ": JPEG 2000 Pixel Data is not encapsulated");
    if (meta.bitsAllocated != 8 && meta.bitsAllocated != 16)
        throw DicomError(DicomErrorKind::UnsupportedPixelFormat, file + ": JPEG 2000 with BitsAllocated " +
                                                                     std::to_string(meta.bitsAllocated) +
                                                                     " (8 or 16 supported)");
    const auto groups = fragmentsPerFrame(*sequence, meta.frames, file);
    const std::size_t samplesPerFrame =
        std::size_t(meta.rows) * std::size_t(meta.columns) * std::size_t(meta.samplesPerPixel);
    std::vector<Uint8> native8;
    std::vector<Uint16> native16;
    if (meta.bitsAllocated == 8)
        native8.reserve(samplesPerFrame * meta.frames);
    else
        native16.reserve(samplesPerFrame * meta.frames);
    // Keep only the low BitsStored bits, as a native Pixel Data cell would hold them; the
    // renderer then applies Pixel Representation. This also settles streams whose signedness
    // disagrees with Pixel Representation the way the standard's cell layout implies.
    const std::uint32_t storedMask = meta.bitsStored >= 32 ? 0xFFFFFFFFu : ((1u << meta.bitsStored) - 1u);
    std::vector<std::uint8_t> frameBytes;
    for (std::size_t f = 0; f < groups.size(); ++f) {
        frameBytes.clear();
        for (DcmPixelItem* fragment : groups[f]) {
            Uint8* bytes = nullptr;
            if (fragment->getUint8Array(bytes).bad() || (!bytes && fragment->getLength() > 0))
                throw DicomError(DicomErrorKind::Corrupt,
                                 file + ": unreadable Pixel Data fragment in frame " + std::to_string(f));
            if (bytes) frameBytes.insert(frameBytes.end(), bytes, bytes + fragment->getLength());
        }
        const std::string context = file + ": frame " + std::to_string(f);
        const detail::Jpeg2000Frame decoded = detail::decodeJpeg2000Frame(
            frameBytes.data(), frameBytes.size(), meta.columns, meta.rows, context);
        if (decoded.components != meta.samplesPerPixel)
            throw DicomError(DicomErrorKind::Corrupt, context + ": the JPEG 2000 stream has " +
                                                          std::to_string(decoded.components) +
                                                          " components but SamplesPerPixel is " +
                                                          std::to_string(meta.samplesPerPixel));
        if (decoded.precision > meta.bitsAllocated)
            throw DicomError(DicomErrorKind::Corrupt, context + ": " + std::to_string(decoded.precision) +
                                                          "-bit JPEG 2000 samples do not fit BitsAllocated " +
                                                          std::to_string(meta.bitsAllocated));
        for (std::int32_t v : decoded.samples) {
            const std::uint32_t cell = static_cast<std::uint32_t>(v) & storedMask;
            if (meta.bitsAllocated == 8)
                native8.push_back(static_cast<Uint8>(cell));
            else
                native16.push_back(static_cast<Uint16>(cell));
        }
    }
    auto native = std::make_unique<DcmPixelData>(DCM_PixelData);
    OFCondition put;
    if (meta.bitsAllocated == 8) {
        native->setVR(EVR_OB);
        put = native->putUint8Array(native8.data(), static_cast<unsigned long>(native8.size()));
    } else {
        native->setVR(EVR_OW);
        put = native->putUint16Array(native16.data(), static_cast<unsigned long>(native16.size()));
    }
    if (put.bad() || dataset.insert(native.release(), OFTrue).bad())
        throw DicomError(DicomErrorKind::TooLarge,
                         file + ": cannot hold the decoded JPEG 2000 pixels in memory");
    // The decoder already undid the codestream's colour transform (ICT/RCT).
    const std::string photometric = stringValue(dataset, DCM_PhotometricInterpretation);
    if (photometric == "YBR_ICT" || photometric == "YBR_RCT")
        dataset.putAndInsertString(DCM_PhotometricInterpretation, "RGB");
    if (meta.samplesPerPixel == 3) dataset.putAndInsertUint16(DCM_PlanarConfiguration, 0);
}

// DCMTK byte-swaps OW data from big-endian files per 16-bit word; 32-bit samples then need
// their two words swapped as well.
void swapWordPairs(DcmPixelData& pixelData, const DicomMetadata& meta, const std::string& file) {
    Uint16* words = nullptr;
    const std::uint64_t count = nativePixelBytes(meta, meta.photometricInterpretation) / 2;
    if (pixelData.getUint16Array(words).bad() || !words || pixelData.getLength() < count * 2)
        throw DicomError(DicomErrorKind::Corrupt, file + ": unreadable 32-bit big-endian Pixel Data");
    for (std::uint64_t i = 0; i + 1 < count; i += 2) std::swap(words[i], words[i + 1]);
}

// Lossy JPEG stores colour as YCbCr almost always. A few writers label such data "RGB";
// DCMTK follows the label and would skip the conversion. When the stream's own markers say
// YCbCr (JFIF, Adobe transform 1, subsampled chroma), relabel before decoding. A stream that
// says nothing keeps its label: RGB-coded JPEG without markers exists (e.g. slide tiles).
void correctJpegColourModel(DcmDataset& dataset, DcmPixelData& pixelData, E_TransferSyntax xfer,
                            const DicomMetadata& meta) {
    if ((xfer != EXS_JPEGProcess1 && xfer != EXS_JPEGProcess2_4) || meta.samplesPerPixel != 3 ||
        meta.photometricInterpretation != "RGB")
        return;
    DcmPixelSequence* sequence = nullptr;
    DcmPixelItem* firstFragment = nullptr;
    Uint8* bytes = nullptr;
    if (pixelData.getEncapsulatedRepresentation(xfer, nullptr, sequence).bad() || !sequence ||
        sequence->getItem(firstFragment, 1).bad() || !firstFragment ||
        firstFragment->getUint8Array(bytes).bad() || !bytes)
        return;  // the decoder will report the broken stream
    if (detail::jpegColourModel(bytes, firstFragment->getLength()) == detail::JpegColourModel::YCbCr)
        dataset.putAndInsertString(DCM_PhotometricInterpretation, "YBR_FULL");
}

std::string hashNativePixels(DcmDataset& dataset, const DicomMetadata& meta, const std::string& file) {
    DcmPixelData* pixelData = pixelDataElement(dataset);
    const std::string photometric = stringValue(dataset, DCM_PhotometricInterpretation);
    const std::uint64_t expected = nativePixelBytes(meta, photometric);
    Sha256 hash;
    if (meta.bitsAllocated <= 8) {
        Uint8* bytes = nullptr;
        if (!pixelData || pixelData->getUint8Array(bytes).bad() || !bytes ||
            pixelData->getLength() < expected)
            throw DicomError(DicomErrorKind::Corrupt,
                             file +
                                 ": Pixel Data holds fewer bytes than Rows x Columns x "
                                 "NumberOfFrames x SamplesPerPixel need");
        hash.update(bytes, static_cast<std::size_t>(expected));
    } else {
        Uint16* words = nullptr;
        if (!pixelData || pixelData->getUint16Array(words).bad() || !words ||
            pixelData->getLength() < expected)
            throw DicomError(DicomErrorKind::Corrupt,
                             file +
                                 ": Pixel Data holds fewer bytes than Rows x Columns x "
                                 "NumberOfFrames x SamplesPerPixel need");
        // Little-endian bytes whatever the host, so hashes compare across machines.
        std::vector<std::uint8_t> chunk;
        chunk.reserve(1 << 16);
        for (std::uint64_t i = 0; i < expected / 2; ++i) {
            chunk.push_back(static_cast<std::uint8_t>(words[i] & 0xFF));
            chunk.push_back(static_cast<std::uint8_t>(words[i] >> 8));
            if (chunk.size() >= (1 << 16)) {
                hash.update(chunk.data(), chunk.size());
                chunk.clear();
            }
        }
        hash.update(chunk.data(), chunk.size());
    }
    return hash.hexDigest();
}

// ---------------------------------------------------------------------------------------------
// Rendering.
// Percentiles from at most kPercentileSamples evenly spaced pixels: exact enough for a window
// (the rank error is below 0.01 %) and keeps a 4k x 4k radiograph from dominating import time.
constexpr std::size_t kPercentileSamples = 1u << 18;

// Calls visit(values, count) with one frame's values in the renderer's intermediate
// representation (the modality values, as Uint8 ... Sint32); false when it has none.
template <typename Visit>
bool visitFrameValues(const ::DicomImage& image, unsigned long frame, std::size_t pixelsPerFrame, Visit&& visit) {
    const DiPixel* inter = image.getInterData();
    if (!inter || !inter->getData() || inter->getCount() < (frame + 1) * pixelsPerFrame) return false;
    const std::size_t offset = frame * pixelsPerFrame;
    const void* data = inter->getData();
    switch (inter->getRepresentation()) {
        case EPR_Uint8:
            visit(static_cast<const Uint8*>(data) + offset, pixelsPerFrame);
            return true;
        case EPR_Sint8:
            visit(static_cast<const Sint8*>(data) + offset, pixelsPerFrame);
            return true;
        case EPR_Uint16:
            visit(static_cast<const Uint16*>(data) + offset, pixelsPerFrame);
            return true;
        case EPR_Sint16:
            visit(static_cast<const Sint16*>(data) + offset, pixelsPerFrame);
            return true;
        case EPR_Uint32:
            visit(static_cast<const Uint32*>(data) + offset, pixelsPerFrame);
            return true;
        case EPR_Sint32:
            visit(static_cast<const Sint32*>(data) + offset, pixelsPerFrame);
            return true;
    }
    return false;
}

// 0.5th and 99.5th percentile of the frame's rescaled values; the full range when those
// coincide (e.g. a mostly empty mask), so sparse structures stay visible.
std::pair<double, double> robustRange(const ::DicomImage& image, unsigned long frame,
                                      std::size_t pixelsPerFrame) {
    std::vector<double> values;
    visitFrameValues(image, frame, pixelsPerFrame, [&values](const auto* frameValues, std::size_t count) {
        const std::size_t stride = std::max<std::size_t>(1, count / kPercentileSamples);
        values.reserve(count / stride + 1);
        for (std::size_t i = 0; i < count; i += stride) values.push_back(static_cast<double>(frameValues[i]));
    });
    if (values.empty()) return {0.0, 0.0};
    const auto lowIndex = static_cast<std::size_t>(std::floor(0.005 * double(values.size() - 1)));
    const auto highIndex = static_cast<std::size_t>(std::ceil(0.995 * double(values.size() - 1)));
    std::nth_element(values.begin(), values.begin() + lowIndex, values.end());
    const double low = values[lowIndex];
    std::nth_element(values.begin(), values.begin() + highIndex, values.end());
    const double high = values[highIndex];
    if (low < high) return {low, high};
    const auto [minIt, maxIt] = std::minmax_element(values.begin(), values.end());
    return {*minIt, *maxIt};
}

// The renderer's modality values of one frame, with the window its rendering used.
ModalityFrame modalityFrame(const ::DicomImage& image, unsigned long frame, const DicomMetadata& meta,
                            std::pair<double, double> window, const std::string& path) {
    ModalityFrame result;
    result.width = meta.columns;
    result.height = meta.rows;
    const bool found = visitFrameValues(image, frame, std::size_t(meta.rows) * std::size_t(meta.columns),
                                        [&result](const auto* values, std::size_t count) {
                                            result.values.assign(values, values + count);
                                        });
    if (!found || result.values.empty())
        throw DicomError(DicomErrorKind::Corrupt,
                         path + ": the modality values of frame " + std::to_string(frame) + " are not available");
    const auto [minIt, maxIt] = std::minmax_element(result.values.begin(), result.values.end());
    result.minimum = *minIt;
    result.maximum = *maxIt;
    std::tie(result.windowCenter, result.windowWidth) = window;
    result.inverted = meta.photometricInterpretation == "MONOCHROME1";
    return result;
}

// What the visible overlay planes drew into `frame`, read from two renderings by the renderer
// itself in which the window alone makes every pixel black, then white (width 1, above or
// below all values). The renderer draws the planes after the window (dimoopxt.h): a pixel it
// left alone follows the window (0, then 255), a graphics plane's pixel keeps the plane's grey
// in both, a region-of-interest plane's darkened pixel becomes grey >> 4 (0, then 15). Leaves
// a window on `image` that the caller replaces before its next rendering.
std::vector<OverlayPixel> drawnOverlay(::DicomImage& image, unsigned long frame, const ModalityFrame& values,
                                       const std::string& path) {
    const std::size_t count = values.values.size();
    auto renderUniform = [&](bool white) {
        const bool belowWindow = white == values.inverted;  // MONOCHROME1 renders low values white
        image.setWindow(belowWindow ? values.maximum + 1 : values.minimum - 1, 1);
        const auto* output = static_cast<const Uint8*>(image.getOutputData(8, frame, 0));
        if (!output)
            throw DicomError(DicomErrorKind::Corrupt,
                             path + ": rendering the overlay planes of frame " + std::to_string(frame) + " failed");
        return std::vector<Uint8>(output, output + count);
    };
    const std::vector<Uint8> black = renderUniform(false);
    const std::vector<Uint8> white = renderUniform(true);
    constexpr Uint8 kDarkenedWhite = 255 >> 4;
    std::vector<OverlayPixel> drawn;
    for (std::size_t i = 0; i < count; ++i) {
        if (black[i] == 0 && white[i] == 255) continue;
        OverlayPixel pixel;
        pixel.index = static_cast<std::uint32_t>(i);
        if (black[i] == white[i]) {
            pixel.grey = black[i];
        } else if (black[i] == 0 && white[i] == kDarkenedWhite) {
            pixel.effect = OverlayPixel::Effect::Darken;
        } else {
            // Threshold and complement modes: DCMTK uses them only when a caller asks for them.
            throw DicomError(DicomErrorKind::UnsupportedPixelFormat,
                             path + ": an overlay plane of frame " + std::to_string(frame) +
                                 " is drawn in a mode that cannot be re-windowed");
        }
        drawn.push_back(pixel);
    }
    return drawn;
}

// DICOM's linear VOI function maps [low - 0.5, high + 0.5) onto the output range with
// center = (low + high + 1) / 2 and width = high - low + 1 (as DCMTK's own min/max windows).
// A constant frame gets a window just above its value, so it renders black.
std::pair<double, double> windowFor(std::pair<double, double> range) {
    if (range.first < range.second)
        return {(range.first + range.second + 1.0) / 2.0, range.second - range.first + 1.0};
    return {range.first + 1.0, 1.0};
}

const char* statusText(EI_Status status) {
    return ::DicomImage::getString(status);
}

// ---------------------------------------------------------------------------------------------
// The steps of readDicomFile, in order.

// Existence, size and a DICOM-looking start, before DCMTK sees the file.
void checkFileBeforeParsing(const std::string& path, const ImageLimits& limits) {
    std::error_code error;
    const auto status = std::filesystem::status(path, error);
    if (error || !std::filesystem::exists(status))
        throw DicomError(DicomErrorKind::NotDicom, path + ": file not found");
    if (!std::filesystem::is_regular_file(status))
        throw DicomError(DicomErrorKind::NotDicom, path + ": not a regular file");
    const std::uint64_t fileSize = std::filesystem::file_size(path, error);
    if (error) throw DicomError(DicomErrorKind::NotDicom, path + ": cannot read the file size");
    if (fileSize == 0) throw DicomError(DicomErrorKind::NotDicom, path + ": empty file (0 bytes)");
    if (fileSize > limits.maxFileBytes)
        throw DicomError(DicomErrorKind::TooLarge, path + ": " + std::to_string(fileSize) +
                                                       " bytes is over the file size limit of " +
                                                       std::to_string(limits.maxFileBytes) + " bytes");
    const std::vector<std::uint8_t> head = readHead(path);
    if (head.empty()) throw DicomError(DicomErrorKind::NotDicom, path + ": cannot open the file");
    if (!hasDicmPrefix(head) && !looksLikeBareDataSet(head, fileSize))
        throw DicomError(DicomErrorKind::NotDicom,
                         path + ": not DICOM (no \"DICM\" at offset 128 and no data set at the start)");
}

// A transfer syntax UID that DCMTK does not know (e.g. HTJ2K for DCMTK 3.6.7).
void rejectUnknownTransferSyntax(DcmMetaInfo& metaInfo, const std::string& path) {
    const std::string declared = stringValue(metaInfo, DCM_TransferSyntaxUID);
    if (!declared.empty() && DcmXfer(declared.c_str()).getXfer() == EXS_Unknown)
        throw DicomError(DicomErrorKind::UnsupportedTransferSyntax,
                         path + ": unsupported transfer syntax " + declared + " (" +
                             dcmFindNameOfUID(declared.c_str(), "unknown to DCMTK") + ")");
}

// Elements over DCMTK's default 4 KiB stay on disk until used, so Pixel Data is not read
// before the checks that follow.
void parseFile(DcmFileFormat& fileFormat, const std::string& path) {
    const OFCondition loaded =
        fileFormat.loadFile(path.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect);
    // An unknown encoding can make the data set unparseable: say that rather than "corrupt".
    rejectUnknownTransferSyntax(*fileFormat.getMetaInfo(), path);
    if (loaded.bad()) throwDcmtkFailure(loaded, DcmtkStep::Parse, path, lastParsedElement(fileFormat));
}

void readIdentity(DcmFileFormat& fileFormat, DicomMetadata& meta) {
    DcmDataset& dataset = *fileFormat.getDataset();
    DcmMetaInfo& metaInfo = *fileFormat.getMetaInfo();
    const std::string declared = stringValue(metaInfo, DCM_TransferSyntaxUID);
    const DcmXfer xfer(dataset.getOriginalXfer());
    meta.transferSyntaxUid = declared.empty() ? xfer.getXferID() : declared;
    meta.transferSyntaxName = xfer.getXferName();
    meta.sopClassUid = stringValue(dataset, DCM_SOPClassUID);
    if (meta.sopClassUid.empty()) meta.sopClassUid = stringValue(metaInfo, DCM_MediaStorageSOPClassUID);
    meta.sopInstanceUid = stringValue(dataset, DCM_SOPInstanceUID);
    if (meta.sopInstanceUid.empty())
        meta.sopInstanceUid = stringValue(metaInfo, DCM_MediaStorageSOPInstanceUID);
    meta.studyInstanceUid = stringValue(dataset, DCM_StudyInstanceUID);
    meta.seriesInstanceUid = stringValue(dataset, DCM_SeriesInstanceUID);
    meta.modality = stringValue(dataset, DCM_Modality);
}

// DICOMDIRs, RT plans, structured reports, waveforms, headers without pixels.
void rejectObjectsWithoutImage(DcmDataset& dataset, const DicomMetadata& meta, const std::string& path) {
    if (meta.sopClassUid == UID_MediaStorageDirectoryStorage ||
        dataset.tagExists(DCM_DirectoryRecordSequence))
        throw DicomError(DicomErrorKind::NoPixelData,
                         path + ": a DICOMDIR (media directory index), not an image");
    if (dataset.tagExists(DCM_PixelData)) return;
    if (dataset.tagExists(DCM_FloatPixelData) || dataset.tagExists(DCM_DoubleFloatPixelData))
        throw DicomError(DicomErrorKind::UnsupportedPixelFormat,
                         path + ": floating-point pixel data is not supported");
    const std::string sopClassName =
        meta.sopClassUid.empty()
            ? std::string("no SOP Class UID")
            : std::string(dcmFindNameOfUID(meta.sopClassUid.c_str(), meta.sopClassUid.c_str()));
    const bool imageClass =
        !meta.sopClassUid.empty() && dcmIsImageStorageSOPClassUID(meta.sopClassUid.c_str());
    throw DicomError(
        DicomErrorKind::NoPixelData,
        path + ": no Pixel Data (7FE0,0010) (" + sopClassName +
            (imageClass ? "; an image class, so the file may be incomplete)" : "; not an image)"));
}

// Image Pixel attributes, validated and checked against the pixel limit before any pixel is
// read or decompressed.
void readImageAttributes(DcmDataset& dataset, const ImageLimits& limits, DicomMetadata& meta,
                         const std::string& path) {
    auto required = [&](const DcmTagKey& key) -> int {
        const auto value = uint16Value(dataset, key);
        if (!value)
            throw DicomError(DicomErrorKind::Corrupt,
                             path + ": Pixel Data present but " + attributeName(key) + " is missing");
        return *value;
    };
    meta.rows = required(DCM_Rows);
    meta.columns = required(DCM_Columns);
    meta.bitsAllocated = required(DCM_BitsAllocated);
    meta.samplesPerPixel = uint16Value(dataset, DCM_SamplesPerPixel).value_or(1);
    meta.bitsStored = uint16Value(dataset, DCM_BitsStored).value_or(Uint16(meta.bitsAllocated));
    meta.pixelSigned = uint16Value(dataset, DCM_PixelRepresentation).value_or(0) == 1;
    meta.photometricInterpretation = stringValue(dataset, DCM_PhotometricInterpretation);
    Float64 value = 0;
    if (dataset.findAndGetFloat64(DCM_RescaleSlope, value).good() && value != 0) meta.rescaleSlope = value;
    if (dataset.findAndGetFloat64(DCM_RescaleIntercept, value).good()) meta.rescaleIntercept = value;
    const std::string frames = stringValue(dataset, DCM_NumberOfFrames);
    if (!frames.empty()) {
        const bool digits =
            frames.size() <= 9 &&
            std::all_of(frames.begin(), frames.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
        if (!digits || std::stol(frames) < 1)
            throw DicomError(DicomErrorKind::Corrupt, path + ": NumberOfFrames (0028,0008) is '" + frames +
                                                          "', not a positive integer");
        meta.frames = static_cast<int>(std::stol(frames));
    }

    if (meta.rows == 0 || meta.columns == 0)
        throw DicomError(DicomErrorKind::Corrupt, path + ": Rows or Columns is 0");
    if (meta.samplesPerPixel != 1 && meta.samplesPerPixel != 3)
        throw DicomError(
            DicomErrorKind::UnsupportedPixelFormat,
            path + ": SamplesPerPixel " + std::to_string(meta.samplesPerPixel) + " (1 or 3 supported)");
    if (meta.bitsAllocated != 1 && meta.bitsAllocated != 8 && meta.bitsAllocated != 16 &&
        meta.bitsAllocated != 32)
        throw DicomError(
            DicomErrorKind::UnsupportedPixelFormat,
            path + ": BitsAllocated " + std::to_string(meta.bitsAllocated) + " (1, 8, 16 or 32 supported)");
    if (meta.samplesPerPixel == 3 && meta.bitsAllocated > 16)
        throw DicomError(DicomErrorKind::UnsupportedPixelFormat, path + ": colour with " +
                                                                     std::to_string(meta.bitsAllocated) +
                                                                     "-bit samples (up to 16 supported)");
    if (meta.bitsStored == 0 || meta.bitsStored > meta.bitsAllocated)
        throw DicomError(DicomErrorKind::Corrupt, path + ": BitsStored " + std::to_string(meta.bitsStored) +
                                                      " does not fit BitsAllocated " +
                                                      std::to_string(meta.bitsAllocated));
    const std::uint64_t totalPixels =
        std::uint64_t(meta.rows) * std::uint64_t(meta.columns) * std::uint64_t(meta.frames);
    if (totalPixels > limits.maxPixels)
        throw DicomError(DicomErrorKind::TooLarge,
                         path + ": Rows x Columns x NumberOfFrames = " + std::to_string(meta.rows) + " x " +
                             std::to_string(meta.columns) + " x " + std::to_string(meta.frames) + " = " +
                             std::to_string(totalPixels) + " pixels is over the limit of " +
                             std::to_string(limits.maxPixels));
}

// Leaves native pixel data in the data set (decompressed when needed) and returns the transfer
// syntax to render it with.
E_TransferSyntax decodeToNative(DcmDataset& dataset, const DicomMetadata& meta, const std::string& path) {
    const E_TransferSyntax originalXfer = dataset.getOriginalXfer();
    DcmPixelData* pixelData = pixelDataElement(dataset);
    if (!pixelData)
        throw DicomError(DicomErrorKind::Corrupt, path + ": Pixel Data (7FE0,0010) is unreadable");
    if (!DcmXfer(originalXfer).isEncapsulated()) {
        const std::uint64_t needed = nativePixelBytes(meta, meta.photometricInterpretation);
        if (pixelData->getLength() < needed)
            throw DicomError(DicomErrorKind::Corrupt,
                             path + ": Pixel Data holds " + std::to_string(pixelData->getLength()) +
                                 " bytes but " + std::to_string(needed) +
                                 " are needed for Rows x Columns x NumberOfFrames x SamplesPerPixel");
        if (originalXfer == EXS_BigEndianExplicit && meta.bitsAllocated == 32)
            swapWordPairs(*pixelData, meta, path);
        return originalXfer;
    }
    if (isJpeg2000(originalXfer)) {
        decodeJpeg2000InPlace(dataset, *pixelData, originalXfer, meta, path);
        return EXS_LittleEndianExplicit;
    }
    if (!DcmCodecList::canChangeCoding(originalXfer, EXS_LittleEndianExplicit))
        throw DicomError(DicomErrorKind::UnsupportedTransferSyntax,
                         path + ": unsupported transfer syntax " + meta.transferSyntaxUid + " (" +
                             meta.transferSyntaxName + "): no decoder available");
    correctJpegColourModel(dataset, *pixelData, originalXfer, meta);
    const OFCondition decoded = dataset.chooseRepresentation(EXS_LittleEndianExplicit, nullptr);
    if (decoded.bad()) throwDcmtkFailure(decoded, DcmtkStep::Decompress, path);
    if (!dataset.canWriteXfer(EXS_LittleEndianExplicit))
        throw DicomError(DicomErrorKind::Corrupt, path + ": the compressed pixel data could not be decoded");
    return EXS_LittleEndianExplicit;
}

// Modality rescale, VOI window (the file's first, else the robust automatic one, per frame),
// MONOCHROME1 inversion and colour conversion, by DCMTK's renderer.
// With `modality`, grey frames also leave their modality values there.
std::vector<RgbImage> render(DcmDataset& dataset, E_TransferSyntax xfer, MultiFramePolicy policy,
                             DicomMetadata& meta, const std::string& path, std::vector<ModalityFrame>* modality) {
    const bool everyFrame = policy == MultiFramePolicy::EveryFrame;
    const unsigned long firstFrame = everyFrame ? 0 : static_cast<unsigned long>(meta.frames / 2);
    const unsigned long frameCount = everyFrame ? static_cast<unsigned long>(meta.frames) : 1;
    ::DicomImage image(&dataset, xfer, 0, firstFrame, frameCount);
    if (image.getStatus() != EIS_Normal) {
        const EI_Status status = image.getStatus();
        const DicomErrorKind kind = status == EIS_NotSupportedValue ? DicomErrorKind::UnsupportedPixelFormat
                                    : status == EIS_MemoryFailure   ? DicomErrorKind::TooLarge
                                                                    : DicomErrorKind::Corrupt;
        throw DicomError(kind, path + ": cannot render " + meta.photometricInterpretation + " with " +
                                   std::to_string(meta.samplesPerPixel) + " sample(s) of " +
                                   std::to_string(meta.bitsAllocated) + " bits (" + statusText(status) + ")");
    }
    const bool monochrome = image.isMonochrome() != 0;
    if (monochrome)
        for (unsigned int plane = 0; plane < image.getOverlayCount(); ++plane)
            meta.visibleOverlayPlanes += image.isOverlayVisible(plane) == 1 ? 1 : 0;
    if (monochrome && image.getWindowCount() > 0 && image.setWindow(0) != 0)
        meta.windowFromFile = image.getWindow(meta.windowCenter, meta.windowWidth) != 0;

    const std::size_t pixelsPerFrame = std::size_t(meta.rows) * std::size_t(meta.columns);
    std::vector<RgbImage> frames;
    for (unsigned long f = 0; f < frameCount; ++f) {
        double center = meta.windowCenter, width = meta.windowWidth;
        if (monochrome && !meta.windowFromFile) {
            std::tie(center, width) = windowFor(robustRange(image, f, pixelsPerFrame));
            if (f == 0) {
                meta.windowCenter = center;
                meta.windowWidth = width;
            }
        }
        // Set for every frame: drawnOverlay() renders with windows of its own.
        if (monochrome) image.setWindow(center, width);
        if (monochrome && modality) modality->push_back(modalityFrame(image, f, meta, {center, width}, path));
        const auto* output = static_cast<const Uint8*>(image.getOutputData(8, f, 0));
        if (!output)
            throw DicomError(DicomErrorKind::Corrupt,
                             path + ": rendering frame " + std::to_string(firstFrame + f) + " failed");
        RgbImage rgb;
        rgb.width = meta.columns;
        rgb.height = meta.rows;
        rgb.pixels.resize(pixelsPerFrame * 3);
        if (monochrome) {
            for (std::size_t i = 0; i < pixelsPerFrame; ++i)
                rgb.pixels[3 * i] = rgb.pixels[3 * i + 1] = rgb.pixels[3 * i + 2] = output[i];
        } else {
            std::memcpy(rgb.pixels.data(), output, pixelsPerFrame * 3);
        }
        frames.push_back(std::move(rgb));
        if (monochrome && modality && meta.visibleOverlayPlanes > 0)
            modality->back().overlay = drawnOverlay(image, f, modality->back(), path);
    }
    return frames;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

bool isKnownDicomKeyword(const std::string& keyword) {
    ensureDcmtkRuntime();
    DcmTag tag;
    return !keyword.empty() && DcmTag::findTagFromName(keyword.c_str(), tag).good();
}

bool looksLikeDicomFile(const std::string& path) {
    const std::string name = std::filesystem::path(path).filename().string();
    if (name.empty() || name.rfind("._", 0) == 0) return false;  // AppleDouble metadata files
    const std::string ext = lowerExtension(path);
    if (ext == ".dcm" || ext == ".dicom") return true;
    std::error_code error;
    const auto size = std::filesystem::file_size(path, error);
    if (error || size == 0) return false;
    const std::vector<std::uint8_t> head = readHead(path);
    if (hasDicmPrefix(head)) return true;
    // PACS exports often name files by number or UID ("IM000123", "1.2.840.113619.2.5"):
    // no extension, or a numeric one.
    const bool numericExtension =
        ext.size() > 1 &&
        std::all_of(ext.begin() + 1, ext.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
    return (ext.empty() || numericExtension) && looksLikeBareDataSet(head, size);
}

DicomImage readDicomFile(const std::string& path, const DicomReadOptions& options) {
    ensureDcmtkRuntime();
    checkFileBeforeParsing(path, options.limits);
    DcmFileFormat fileFormat;
    parseFile(fileFormat, path);
    DcmDataset& dataset = *fileFormat.getDataset();

    DicomImage result;
    readIdentity(fileFormat, result.meta);
    readDescriptiveAttributes(dataset, options, result.meta);
    rejectObjectsWithoutImage(dataset, result.meta, path);
    readImageAttributes(dataset, options.limits, result.meta, path);
    const E_TransferSyntax nativeXfer = decodeToNative(dataset, result.meta, path);
    result.pixelHash = hashNativePixels(dataset, result.meta, path);
    result.frames = render(dataset, nativeXfer, options.frames, result.meta, path,
                           options.keepModalityValues ? &result.modality : nullptr);
    return result;
}

RgbImage renderWindow(const ModalityFrame& frame, double center, double width) {
    if (!(width >= 1))
        throw Error("renderWindow: window width " + std::to_string(width) + " (at least 1 is needed)");
    const std::size_t count = std::size_t(std::max(frame.width, 0)) * std::size_t(std::max(frame.height, 0));
    if (frame.values.size() < count)
        throw Error("renderWindow: " + std::to_string(frame.values.size()) + " values for a " +
                    std::to_string(frame.width) + " x " + std::to_string(frame.height) + " frame");
    // DCMTK's linear VOI transformation without presentation LUT or display function
    // (dimoopxt.h), term by term, so both give the same byte for every value.
    const double low = frame.inverted ? 255 : 0, high = frame.inverted ? 0 : 255;
    const double width1 = width - 1;
    const double leftBorder = center - 0.5 - width1 / 2;
    const double rightBorder = center - 0.5 + width1 / 2;
    const double outputRange = high - low;
    const double offset = width1 == 0 ? 0 : high - ((center - 0.5) / width1 + 0.5) * outputRange;
    const double gradient = width1 == 0 ? 0 : outputRange / width1;
    const auto lowByte = static_cast<std::uint8_t>(low), highByte = static_cast<std::uint8_t>(high);
    RgbImage image;
    image.width = frame.width;
    image.height = frame.height;
    image.pixels.resize(count * 3);
    std::uint8_t* out = image.pixels.data();
    for (std::size_t i = 0; i < count; ++i, out += 3) {
        const double value = frame.values[i];
        const std::uint8_t grey = value <= leftBorder    ? lowByte
                                  : value > rightBorder ? highByte
                                                        : static_cast<std::uint8_t>(offset + value * gradient);
        out[0] = out[1] = out[2] = grey;
    }
    // After the window and the inversion, as the renderer draws overlay planes.
    for (const OverlayPixel& overlay : frame.overlay) {
        if (overlay.index >= count)
            throw Error("renderWindow: overlay pixel " + std::to_string(overlay.index) + " outside the " +
                        std::to_string(frame.width) + " x " + std::to_string(frame.height) + " frame");
        std::uint8_t* pixel = image.pixels.data() + 3 * std::size_t(overlay.index);
        const std::uint8_t grey =
            overlay.effect == OverlayPixel::Effect::Replace ? overlay.grey : std::uint8_t(pixel[0] >> 4);
        pixel[0] = pixel[1] = pixel[2] = grey;
    }
    return image;
}

}  // namespace fmc
