#include "dicom/dicom_reader.h"

// DCMTK stays in this file (and OpenJPEG in jpeg2000_decoder.cpp).
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dccodec.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcdict.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcistrmf.h>
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

// DCMTK's condition texts name stream states ("I/O suspension or premature end of stream",
// "Pixel representation cannot be changed"); the message starts with what they mean for
// the file and what a site admin can do, and keeps DCMTK's text at the end for support.
std::string plainDcmtkCause(const OFCondition& condition) {
    if (condition == EC_StreamNotifyClient || condition == EC_EndOfStream)
        return "the file ends before the data it announces (an incomplete copy or transfer: copy it again)";
    if (condition == EC_InvalidStream) return "the data set's byte stream is inconsistent";
    if (condition == EC_SequDelimitationItemMissing || condition == EC_ItemDelimitationItemMissing)
        return "a sequence is not closed (an incomplete or damaged file)";
    if (condition == EC_CannotChangeRepresentation)
        return "no installed decoder could decompress the pixel data";
    if (condition == EC_JLSInvalidCompressedData || condition == EC_JLSTooMuchCompressedData)
        return "the JPEG-LS stream is damaged or does not match the image attributes";
    if (condition == EC_JLSCodecInvalidParameters)
        return "the JPEG-LS decoder does not accept this stream's coding parameters";
    return "";
}

std::string dcmtkSuffix(const OFCondition& condition) {
    return std::string(" [DCMTK: ") + condition.text() + "]";
}

[[noreturn]] void throwDcmtkFailure(const OFCondition& condition, DcmtkStep step, const std::string& file,
                                    DcmObject* elementBeingRead = nullptr, const std::string& syntaxName = {}) {
    const std::string cause = plainDcmtkCause(condition);
    const std::string because = cause.empty() ? std::string() : ": " + cause;
    const std::string dcmtk = dcmtkSuffix(condition);
    if (step == DcmtkStep::Parse) {
        const bool streamBroke = condition == EC_StreamNotifyClient || condition == EC_InvalidStream ||
                                 condition == EC_EndOfStream || condition == EC_SequDelimitationItemMissing ||
                                 condition == EC_ItemDelimitationItemMissing;
        // A stream that ends inside a recognisable element is a cut-off copy; one that runs into
        // an unknown tag with an absurd length is garbage.
        if (streamBroke && elementBeingRead && isKnownPublicTag(elementBeingRead->getTag()))
            throw DicomError(DicomErrorKind::Truncated, file + ": truncated: the file ends inside " +
                                                            attributeName(elementBeingRead->getTag()) +
                                                            " (an incomplete copy or transfer: copy it again)" + dcmtk);
        // The length as read from the file: asking the element for its length would try to
        // load the value the stream does not hold.
        if (streamBroke && elementBeingRead)
            throw DicomError(DicomErrorKind::Corrupt,
                             file + ": corrupt data set: unreadable element " +
                                 tagText(elementBeingRead->getTag()) + " with length " +
                                 // The length field as read: getLength() would load the declared
                                 // value first (a 4 GB allocation for a garbage length).
                                 std::to_string(elementBeingRead->getLengthField()) +
                                 " (garbage where an element should start: not a readable DICOM file)" + dcmtk);
        throw DicomError(DicomErrorKind::Corrupt, file + ": corrupt data set" + because + dcmtk);
    }
    const std::string decoder = syntaxName.empty() ? std::string("the decoder") : "the " + syntaxName + " decoder";
    if (condition == EJ_UnsupportedBitDepth || condition == EJ_UnsupportedPhotometricInterpretation ||
        condition == EJ_UnsupportedColorConversion || condition == EC_JLSUnsupportedBitDepth ||
        condition == EC_JLSUnsupportedImageType || condition == EC_JLSCodecUnsupportedImageType ||
        condition == EC_JLSUnsupportedColorTransform ||
        condition == EC_JLSUnsupportedPhotometricInterpretation ||
        condition == EC_JLSUnsupportedPixelRepresentation ||
        condition == EC_JLSUnsupportedBitDepthForTransform || condition == EC_JLSCodecInvalidParameters)
        throw DicomError(DicomErrorKind::UnsupportedPixelFormat,
                         file + ": unsupported: " + decoder +
                             " cannot decode this pixel format (bit depth, colour model or coding parameters); "
                             "a PACS or dcmtk/gdcm tool can convert the file to an uncompressed transfer syntax" +
                             dcmtk);
    if (condition == EC_MemoryExhausted)
        throw DicomError(DicomErrorKind::TooLarge, file + ": out of memory while decompressing" + dcmtk);
    throw DicomError(DicomErrorKind::Corrupt,
                     file + ": corrupt: " + decoder + " found the compressed pixel data broken" +
                         (cause.empty() ? std::string() : " (" + cause + ")") + dcmtk);
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
    if (meta.bitsAllocated != 1 && meta.bitsAllocated != 8 && meta.bitsAllocated != 16)
        throw DicomError(DicomErrorKind::UnsupportedPixelFormat, file + ": JPEG 2000 with BitsAllocated " +
                                                                     std::to_string(meta.bitsAllocated) +
                                                                     " (1, 8 or 16 supported)");
    const auto groups = fragmentsPerFrame(*sequence, meta.frames, file);
    const std::size_t samplesPerFrame =
        std::size_t(meta.rows) * std::size_t(meta.columns) * std::size_t(meta.samplesPerPixel);
    std::vector<Uint8> native8;
    std::vector<Uint16> native16;
    // BitsAllocated 1 (segmentations): native cells are bits, packed across frames, the first
    // pixel in the lowest bit (PS3.5 8.1.1).
    std::uint64_t bitCount = 0;
    if (meta.bitsAllocated == 1)
        native8.assign(std::size_t(nativePixelBytes(meta, meta.photometricInterpretation)), 0);
    else if (meta.bitsAllocated == 8)
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
            if (meta.bitsAllocated == 1) {
                if (cell) native8[std::size_t(bitCount / 8)] |= Uint8(1u << (bitCount % 8));
                ++bitCount;
            } else if (meta.bitsAllocated == 8)
                native8.push_back(static_cast<Uint8>(cell));
            else
                native16.push_back(static_cast<Uint16>(cell));
        }
    }
    auto native = std::make_unique<DcmPixelData>(DCM_PixelData);
    OFCondition put;
    if (meta.bitsAllocated <= 8) {
        native->setVR(EVR_OB);
        if (native8.size() % 2) native8.push_back(0);  // even length, as every element
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

// DCMTK renders colour samples of up to 16 bits. 32-bit colour (after hashing, so the hash
// stays that of the stored pixels) keeps its 16 most significant stored bits: the renderer
// scales to 8 bits anyway, so the rendering is that of the full-precision samples.
void narrowColourTo16Bits(DcmDataset& dataset, const DicomMetadata& meta, const std::string& file) {
    if (meta.samplesPerPixel != 3 || meta.bitsAllocated != 32) return;
    DcmPixelData* pixelData = pixelDataElement(dataset);
    Uint16* words = nullptr;
    const std::uint64_t samples = nativePixelBytes(meta, meta.photometricInterpretation) / 4;
    if (!pixelData || pixelData->getUint16Array(words).bad() || !words || pixelData->getLength() < samples * 4)
        throw DicomError(DicomErrorKind::Corrupt, file + ": unreadable 32-bit colour Pixel Data");
    const int shift = std::max(0, meta.bitsStored - 16);
    const std::uint32_t storedMask = meta.bitsStored >= 32 ? 0xFFFFFFFFu : ((1u << meta.bitsStored) - 1u);
    std::vector<Uint16> narrowed(static_cast<std::size_t>(samples));
    for (std::uint64_t i = 0; i < samples; ++i) {
        const std::uint32_t value = (std::uint32_t(words[2 * i]) | (std::uint32_t(words[2 * i + 1]) << 16)) & storedMask;
        narrowed[std::size_t(i)] = Uint16(value >> shift);
    }
    pixelData->setVR(EVR_OW);
    if (pixelData->putUint16Array(narrowed.data(), static_cast<unsigned long>(narrowed.size())).bad())
        throw DicomError(DicomErrorKind::TooLarge, file + ": cannot hold the 32-bit colour pixels in memory");
    const auto bits = Uint16(std::min(meta.bitsStored, 16));
    dataset.putAndInsertUint16(DCM_BitsAllocated, 16);
    dataset.putAndInsertUint16(DCM_BitsStored, bits);
    dataset.putAndInsertUint16(DCM_HighBit, Uint16(bits - 1));
}

// Segmented Palette Color LUT Data (PS3.3 C.7.9.2; e.g. 16-bit ultrasound palettes), which
// DCMTK's renderer does not read: each colour's segments are expanded into the plain LUT
// Data it reads. Discrete segments copy their values; linear ones run from the last value to
// their end value in `length` steps, rounded to the nearest integer (halves to even, as
// pydicom and GDCM); indirect ones repeat `length` earlier segments from a byte offset.
void expandSegments(const Uint16* words, std::size_t count, std::size_t position, std::size_t segmentLimit,
                    std::vector<Uint16>& lut, int depth, const std::string& context) {
    if (depth > 4) throw DicomError(DicomErrorKind::Corrupt, context + ": indirect segments nest too deeply");
    for (std::size_t segment = 0; position < count && segment < segmentLimit; ++segment) {
        if (position + 2 > count) break;
        const Uint16 opcode = words[position], length = words[position + 1];
        position += 2;
        if (opcode == 0) {
            if (position + length > count) throw DicomError(DicomErrorKind::Corrupt, context + ": a discrete segment runs past the data");
            lut.insert(lut.end(), words + position, words + position + length);
            position += length;
        } else if (opcode == 1) {
            if (lut.empty() || position >= count)
                throw DicomError(DicomErrorKind::Corrupt, context + ": a linear segment without a start value");
            const double start = lut.back(), end = words[position++];
            for (Uint16 i = 1; i <= length; ++i)
                lut.push_back(static_cast<Uint16>(std::nearbyint(start + (end - start) * double(i) / double(length))));
        } else if (opcode == 2) {
            if (lut.empty() || position + 2 > count)
                throw DicomError(DicomErrorKind::Corrupt, context + ": an indirect segment without an offset");
            const std::size_t byteOffset = std::size_t(words[position]) | (std::size_t(words[position + 1]) << 16);
            position += 2;
            expandSegments(words, count, byteOffset / 2, length, lut, depth + 1, context);
        } else {
            throw DicomError(DicomErrorKind::Corrupt, context + ": unknown segment type " + std::to_string(opcode));
        }
        if (lut.size() > 65536) throw DicomError(DicomErrorKind::Corrupt, context + ": expands to over 65536 entries");
    }
}

void expandSegmentedPalettes(DcmDataset& dataset, const std::string& file) {
    struct Colour {
        const char* name;
        DcmTagKey descriptor, data, segmented;
    };
    const Colour colours[] = {
        {"Red", DCM_RedPaletteColorLookupTableDescriptor, DCM_RedPaletteColorLookupTableData,
         DCM_SegmentedRedPaletteColorLookupTableData},
        {"Green", DCM_GreenPaletteColorLookupTableDescriptor, DCM_GreenPaletteColorLookupTableData,
         DCM_SegmentedGreenPaletteColorLookupTableData},
        {"Blue", DCM_BluePaletteColorLookupTableDescriptor, DCM_BluePaletteColorLookupTableData,
         DCM_SegmentedBluePaletteColorLookupTableData}};
    for (const Colour& colour : colours) {
        if (!dataset.tagExists(colour.segmented) || dataset.tagExists(colour.data)) continue;
        const std::string context = file + ": Segmented " + colour.name + " Palette Color LUT Data";
        const Uint16* words = nullptr;
        unsigned long count = 0;
        if (dataset.findAndGetUint16Array(colour.segmented, words, &count).bad() || !words)
            throw DicomError(DicomErrorKind::Corrupt, context + " is unreadable");
        std::vector<Uint16> lut;
        expandSegments(words, count, 0, std::numeric_limits<std::size_t>::max(), lut, 0, context);
        Uint16 entries = 0;
        if (dataset.findAndGetUint16(colour.descriptor, entries, 0).bad())
            throw DicomError(DicomErrorKind::Corrupt, file + ": " + colour.name + " Palette Color LUT Descriptor is missing");
        const std::size_t expected = entries == 0 ? 65536 : entries;
        if (lut.size() != expected)
            throw DicomError(DicomErrorKind::Corrupt, context + " expands to " + std::to_string(lut.size()) +
                                                          " entries, but its LUT Descriptor says " +
                                                          std::to_string(expected));
        if (dataset.putAndInsertUint16Array(colour.data, lut.data(), static_cast<unsigned long>(lut.size())).bad())
            throw DicomError(DicomErrorKind::TooLarge, context + ": cannot hold the expanded table");
    }
}

// JPEG-LS frames of fewer than 8 bits per sample get their default coding parameters written
// out (see withExplicitJpegLsDefaults), which DCMTK's decoder would otherwise get wrong.
void writeOutJpegLsDefaults(DcmPixelData& pixelData, E_TransferSyntax xfer, const std::string& file) {
    DcmPixelSequence* sequence = nullptr;
    if (pixelData.getEncapsulatedRepresentation(xfer, nullptr, sequence).bad() || !sequence) return;
    for (unsigned long i = 1; i < sequence->card(); ++i) {
        DcmPixelItem* item = nullptr;
        Uint8* bytes = nullptr;
        if (sequence->getItem(item, i).bad() || !item || item->getUint8Array(bytes).bad() || !bytes) continue;
        auto rewritten = detail::withExplicitJpegLsDefaults(bytes, item->getLength());
        if (!rewritten) continue;
        if (rewritten->size() % 2) rewritten->push_back(0);  // after the end-of-image marker
        if (item->putUint8Array(rewritten->data(), static_cast<unsigned long>(rewritten->size())).bad())
            throw DicomError(DicomErrorKind::TooLarge, file + ": cannot hold the JPEG-LS frame in memory");
    }
}

// The NEAR parameter of near-lossless JPEG-LS (its first frame's), 0 for every other encoding.
int nearLosslessError(DcmDataset& dataset) {
    if (dataset.getOriginalXfer() != EXS_JPEGLSLossy) return 0;
    DcmPixelData* pixelData = pixelDataElement(dataset);
    DcmPixelSequence* sequence = nullptr;
    DcmPixelItem* fragment = nullptr;
    Uint8* bytes = nullptr;
    if (!pixelData || pixelData->getEncapsulatedRepresentation(EXS_JPEGLSLossy, nullptr, sequence).bad() ||
        !sequence || sequence->getItem(fragment, 1).bad() || !fragment || fragment->getUint8Array(bytes).bad() ||
        !bytes)
        return 0;
    return detail::jpegLsNearValue(bytes, fragment->getLength()).value_or(0);
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
// Pixel Padding Value (0028,0120) and Pixel Padding Range Limit (0028,0121), in stored-value
// units, as the closed range of modality values they become after the frame's rescale. The
// renderer truncates fractional rescale results, so the bounds are widened to whole numbers.
struct PaddingRange {
    double low = 0, high = 0;
    bool contains(double value) const { return value >= low && value <= high; }
};

// A US or SS value read as the stored pixel it stands for (PS3.3 C.7.5.1.1.2: its VR follows
// Pixel Representation).
std::optional<double> storedPixelValue(DcmItem& item, const DcmTagKey& key, const DicomMetadata& meta) {
    Uint16 unsignedValue = 0;
    Sint16 signedValue = 0;
    if (item.findAndGetUint16(key, unsignedValue).good())
        return meta.pixelSigned && meta.bitsAllocated == 16 ? double(Sint16(unsignedValue)) : double(unsignedValue);
    if (item.findAndGetSint16(key, signedValue).good()) return double(signedValue);
    return std::nullopt;
}

// `tolerance` (stored values) widens the range on both sides: near-lossless JPEG-LS moves each
// sample by up to its NEAR parameter, so padding comes back as pv - NEAR .. pv + NEAR.
std::optional<PaddingRange> paddingRange(DcmDataset& dataset, const DicomMetadata& meta, double slope,
                                         double intercept, int tolerance) {
    const auto value = storedPixelValue(dataset, DCM_PixelPaddingValue, meta);
    if (!value) return std::nullopt;
    const double limit = storedPixelValue(dataset, DCM_PixelPaddingRangeLimit, meta).value_or(*value);
    const double a = (std::min(*value, limit) - tolerance) * slope + intercept;
    const double b = (std::max(*value, limit) + tolerance) * slope + intercept;
    return PaddingRange{std::floor(std::min(a, b)), std::ceil(std::max(a, b))};
}

// ---------------------------------------------------------------------------------------------
// Enhanced multi-frame objects (Enhanced CT/MR/XA, ...) keep the rescale and the window per
// frame in functional groups (PS3.3 C.7.6.16): Pixel Value Transformation (0028,9145) and
// Frame VOI LUT (0028,9132), in the Per-Frame Functional Groups item of the frame, else in the
// Shared Functional Groups. DCMTK's renderer reads neither per frame, so the values of the
// frame being rendered are copied to the top level, where it reads them.
DcmItem* sequenceItem(DcmItem& item, const DcmTagKey& key, unsigned long index) {
    DcmItem* found = nullptr;
    if (item.findAndGetSequenceItem(key, found, static_cast<signed long>(index)).bad()) return nullptr;
    return found;
}

bool hasFunctionalGroups(DcmDataset& dataset) {
    return dataset.tagExists(DCM_SharedFunctionalGroupsSequence) ||
           dataset.tagExists(DCM_PerFrameFunctionalGroupsSequence);
}

const DcmTagKey kFrameTransformAttributes[] = {DCM_RescaleSlope, DCM_RescaleIntercept, DCM_WindowCenter,
                                               DCM_WindowWidth, DCM_VOILUTFunction};

using TopLevelTransform = std::map<DcmTagKey, std::string>;  // attribute -> value; absent: not in the file

TopLevelTransform topLevelTransform(DcmDataset& dataset) {
    TopLevelTransform values;
    for (const DcmTagKey& key : kFrameTransformAttributes)
        if (dataset.tagExists(key)) values[key] = stringValue(dataset, key);
    return values;
}

void applyFrameFunctionalGroups(DcmDataset& dataset, const TopLevelTransform& original, unsigned long frame) {
    for (const DcmTagKey& key : kFrameTransformAttributes) {
        const auto it = original.find(key);
        if (it == original.end())
            dataset.findAndDeleteElement(key);
        else
            dataset.putAndInsertString(key, it->second.c_str());
    }
    DcmItem* shared = sequenceItem(dataset, DCM_SharedFunctionalGroupsSequence, 0);
    DcmItem* perFrame = sequenceItem(dataset, DCM_PerFrameFunctionalGroupsSequence, frame);
    auto macro = [&](const DcmTagKey& key) -> DcmItem* {
        if (perFrame)
            if (DcmItem* item = sequenceItem(*perFrame, key, 0)) return item;
        return shared ? sequenceItem(*shared, key, 0) : nullptr;
    };
    auto copy = [&](DcmItem& from, std::initializer_list<DcmTagKey> keys) {
        for (const DcmTagKey& key : keys) {
            const std::string value = stringValue(from, key);
            if (!value.empty()) dataset.putAndInsertString(key, value.c_str());
        }
    };
    if (DcmItem* transform = macro(DCM_PixelValueTransformationSequence))
        copy(*transform, {DCM_RescaleSlope, DCM_RescaleIntercept});
    if (DcmItem* voi = macro(DCM_FrameVOILUTSequence)) {
        // A frame's window replaces any top-level one, also where it gives only some values.
        for (const DcmTagKey& key : {DCM_WindowCenter, DCM_WindowWidth, DCM_VOILUTFunction})
            dataset.findAndDeleteElement(key);
        copy(*voi, {DCM_WindowCenter, DCM_WindowWidth, DCM_VOILUTFunction});
    }
}

std::pair<double, double> rescaleOf(DcmDataset& dataset) {
    Float64 slope = 1, intercept = 0, value = 0;
    if (dataset.findAndGetFloat64(DCM_RescaleSlope, value).good() && value != 0) slope = value;
    if (dataset.findAndGetFloat64(DCM_RescaleIntercept, value).good()) intercept = value;
    return {slope, intercept};
}

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
// Pixel padding (outside the scanned field, e.g. -3024 HU around a CT's circle) takes no part
// in the automatic window: it would widen the window until soft tissue has a few grey levels.
// When every sampled pixel is padding, the padding itself sets the window.
std::pair<double, double> robustRange(const ::DicomImage& image, unsigned long frame,
                                      std::size_t pixelsPerFrame, const std::optional<PaddingRange>& padding) {
    std::vector<double> values, paddingValues;
    visitFrameValues(image, frame, pixelsPerFrame, [&](const auto* frameValues, std::size_t count) {
        const std::size_t stride = std::max<std::size_t>(1, count / kPercentileSamples);
        values.reserve(count / stride + 1);
        for (std::size_t i = 0; i < count; i += stride) {
            const auto value = static_cast<double>(frameValues[i]);
            if (padding && padding->contains(value))
                paddingValues.push_back(value);
            else
                values.push_back(value);
        }
    });
    if (values.empty()) values.swap(paddingValues);
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
// Floating-point pixel data (Float / Double Float Pixel Data: parametric maps such as ADC or
// perfusion maps). They are real-world values with no stored-value range, so they render
// through the frame's window from the file (top level or Frame VOI LUT) when there is one, else
// through the robust range of the frame's finite values (the 0.5th..99.5th percentile, as for
// integer images), with the exact linear function (PS3.3 C.11.2.1.3.2, LINEAR_EXACT): the
// integer-oriented DICOM linear function would need a width of at least 1, which a map in
// [0, 1] does not have. NaN and infinite values render black. No modality values are kept:
// renderWindow() speaks the integer renderer's arithmetic.
bool hasFloatPixelData(DcmDataset& dataset) {
    return !dataset.tagExists(DCM_PixelData) &&
           (dataset.tagExists(DCM_FloatPixelData) || dataset.tagExists(DCM_DoubleFloatPixelData));
}

std::vector<double> floatPixelValues(DcmDataset& dataset, const DicomMetadata& meta, const std::string& path) {
    const std::size_t count = std::size_t(meta.rows) * std::size_t(meta.columns) * std::size_t(meta.frames);
    DcmElement* element = nullptr;
    std::vector<double> values;
    if (meta.bitsAllocated == 64) {
        Float64* data = nullptr;
        if (dataset.findAndGetElement(DCM_DoubleFloatPixelData, element).good() && element &&
            element->getFloat64Array(data).good() && data && element->getLength() >= count * 8)
            values.assign(data, data + count);
    } else {
        Float32* data = nullptr;
        if (dataset.findAndGetElement(DCM_FloatPixelData, element).good() && element &&
            element->getFloat32Array(data).good() && data && element->getLength() >= count * 4)
            values.assign(data, data + count);
    }
    if (values.empty())
        throw DicomError(DicomErrorKind::Corrupt, path + ": the floating-point Pixel Data holds fewer than the " +
                                                      std::to_string(count) +
                                                      " values Rows x Columns x NumberOfFrames need");
    return values;
}

// SHA-256 of the values as stored (IEEE 754, little-endian), like hashNativePixels.
std::string hashFloatPixels(const std::vector<double>& values, int bitsAllocated) {
    Sha256 hash;
    std::vector<std::uint8_t> chunk;
    chunk.reserve(1 << 16);
    for (double value : values) {
        std::uint64_t bits = 0;
        int bytes = 8;
        if (bitsAllocated == 32) {
            const auto single = static_cast<float>(value);
            std::uint32_t word = 0;
            std::memcpy(&word, &single, 4);
            bits = word;
            bytes = 4;
        } else {
            std::memcpy(&bits, &value, 8);
        }
        for (int b = 0; b < bytes; ++b) chunk.push_back(static_cast<std::uint8_t>(bits >> (8 * b)));
        if (chunk.size() >= (1 << 16)) {
            hash.update(chunk.data(), chunk.size());
            chunk.clear();
        }
    }
    hash.update(chunk.data(), chunk.size());
    return hash.hexDigest();
}

std::optional<std::pair<double, double>> fileWindowOf(DcmDataset& dataset) {
    Float64 center = 0, width = 0;
    if (dataset.findAndGetFloat64(DCM_WindowCenter, center, 0).good() &&
        dataset.findAndGetFloat64(DCM_WindowWidth, width, 0).good() && width > 0)
        return std::make_pair(double(center), double(width));
    return std::nullopt;
}

// {center, width} over the robust range of the finite values; nullopt when there are none.
std::optional<std::pair<double, double>> floatWindow(const double* values, std::size_t count) {
    std::vector<double> finite;
    const std::size_t stride = std::max<std::size_t>(1, count / kPercentileSamples);
    for (std::size_t i = 0; i < count; i += stride)
        if (std::isfinite(values[i])) finite.push_back(values[i]);
    if (finite.empty()) return std::nullopt;
    const auto lowIndex = static_cast<std::size_t>(std::floor(0.005 * double(finite.size() - 1)));
    const auto highIndex = static_cast<std::size_t>(std::ceil(0.995 * double(finite.size() - 1)));
    std::nth_element(finite.begin(), finite.begin() + lowIndex, finite.end());
    double low = finite[lowIndex];
    std::nth_element(finite.begin(), finite.begin() + highIndex, finite.end());
    double high = finite[highIndex];
    if (!(low < high)) std::tie(low, high) = [&] {
        const auto [minIt, maxIt] = std::minmax_element(finite.begin(), finite.end());
        return std::make_pair(*minIt, *maxIt);
    }();
    return std::make_pair((low + high) / 2, high - low);
}

RgbImage renderFloatFrame(const double* values, const DicomMetadata& meta, double center, double width) {
    RgbImage rgb;
    rgb.width = meta.columns;
    rgb.height = meta.rows;
    const std::size_t count = std::size_t(meta.rows) * std::size_t(meta.columns);
    rgb.pixels.resize(count * 3);
    const bool inverted = meta.photometricInterpretation == "MONOCHROME1";
    for (std::size_t i = 0; i < count; ++i) {
        const double value = values[i];
        double grey = 0;
        if (std::isfinite(value)) {
            // A constant frame (width 0) renders black, as the integer path does.
            grey = width > 0 ? std::clamp(((value - center) / width + 0.5) * 255.0, 0.0, 255.0)
                             : (value > center ? 255.0 : 0.0);
            if (inverted) grey = 255.0 - grey;
        }
        const auto byte = static_cast<std::uint8_t>(std::lround(grey));
        rgb.pixels[3 * i] = rgb.pixels[3 * i + 1] = rgb.pixels[3 * i + 2] = byte;
    }
    return rgb;
}

std::vector<RgbImage> renderFloatPixels(DcmDataset& dataset, const std::vector<double>& values,
                                        MultiFramePolicy policy, DicomMetadata& meta) {
    const bool everyFrame = policy == MultiFramePolicy::EveryFrame;
    const unsigned long firstFrame = everyFrame ? 0 : static_cast<unsigned long>(meta.frames / 2);
    const unsigned long frameCount = everyFrame ? static_cast<unsigned long>(meta.frames) : 1;
    const std::size_t pixelsPerFrame = std::size_t(meta.rows) * std::size_t(meta.columns);
    const TopLevelTransform original = topLevelTransform(dataset);
    std::vector<RgbImage> frames;
    for (unsigned long frame = firstFrame; frame < firstFrame + frameCount; ++frame) {
        if (hasFunctionalGroups(dataset)) applyFrameFunctionalGroups(dataset, original, frame);
        const double* frameValues = values.data() + frame * pixelsPerFrame;
        const auto fileWindow = fileWindowOf(dataset);
        const auto window = fileWindow ? fileWindow : floatWindow(frameValues, pixelsPerFrame);
        const auto [center, width] = window.value_or(std::make_pair(0.0, 0.0));
        if (frames.empty()) {
            meta.windowFromFile = fileWindow.has_value();
            meta.windowCenter = center;
            meta.windowWidth = width;
        }
        frames.push_back(renderFloatFrame(frameValues, meta, center, width));
    }
    return frames;
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

// Names of transfer syntaxes newer than DCMTK 3.6.7's dictionary, so the message names them.
std::string transferSyntaxName(const std::string& uid) {
    static const std::map<std::string, const char*> newer{
        {"1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 Image Compression (Lossless Only)"},
        {"1.2.840.10008.1.2.4.202", "High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)"},
        {"1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000 Image Compression"},
        {"1.2.840.10008.1.2.4.110", "JPEG XL Lossless"},
        {"1.2.840.10008.1.2.4.111", "JPEG XL JPEG Recompression"},
        {"1.2.840.10008.1.2.4.112", "JPEG XL"},
        {"1.2.840.10008.1.2.8.1", "Deflated Image Frame Compression"}};
    const auto it = newer.find(uid);
    if (it != newer.end()) return it->second;
    return dcmFindNameOfUID(uid.c_str(), "a transfer syntax unknown to this program");
}

// A transfer syntax UID that DCMTK does not know (e.g. HTJ2K for DCMTK 3.6.7).
void rejectUnknownTransferSyntax(DcmMetaInfo& metaInfo, const std::string& path) {
    const std::string declared = stringValue(metaInfo, DCM_TransferSyntaxUID);
    if (!declared.empty() && DcmXfer(declared.c_str()).getXfer() == EXS_Unknown)
        throw DicomError(DicomErrorKind::UnsupportedTransferSyntax,
                         path + ": unsupported transfer syntax " + transferSyntaxName(declared) + " (" + declared +
                             "): no decoder in this program; a PACS or conversion tool can re-encode the file "
                             "(e.g. as JPEG 2000 or uncompressed)");
}

// A deflated data set (Deflated Explicit VR Little Endian) cannot stay on disk: DCMTK
// allocates every element's declared length as it inflates, so a 4 kB file could ask for
// a 3 GB value. Before DCMTK parses one, the inflated stream (bounded) is walked element by
// element, and a defined length beyond the bytes that follow, or an element the walk cannot
// follow, is refused.
void rejectLyingDeflatedLengths(const std::string& path) {
    constexpr std::size_t kMaxInflatedBytes = 256u << 20;
    std::ifstream file(path, std::ios::binary);
    std::string head(132 + 12, '\0');
    if (!file.read(head.data(), static_cast<std::streamsize>(head.size())) || head.compare(128, 4, "DICM") != 0 ||
        head.compare(132, 6, std::string("\x02\x00\x00\x00UL", 6)) != 0)
        return;
    std::uint32_t metaLength = 0;
    std::memcpy(&metaLength, head.data() + 140, 4);
    if (metaLength > (1u << 20)) return;  // DCMTK refuses it
    std::string meta(metaLength, '\0');
    if (!file.read(meta.data(), static_cast<std::streamsize>(meta.size())) ||
        meta.find(UID_DeflatedExplicitVRLittleEndianTransferSyntax) == std::string::npos)
        return;
    DcmInputFileStream stream(path.c_str());
    if (stream.status().bad() || stream.skip(static_cast<offile_off_t>(head.size() + meta.size())) !=
                                     static_cast<offile_off_t>(head.size() + meta.size()) ||
        stream.installCompressionFilter(ESC_zlib).bad())
        return;  // DCMTK says why when it parses
    std::string data;
    char buffer[65536];
    while (!stream.eos() && stream.good()) {
        const auto n = stream.read(buffer, sizeof(buffer));
        if (n <= 0) break;
        data.append(buffer, static_cast<std::size_t>(n));
        if (data.size() > kMaxInflatedBytes)
            throw DicomError(DicomErrorKind::TooLarge, path + ": the deflated data set inflates to more than " +
                                                            std::to_string(kMaxInflatedBytes >> 20) + " MiB");
    }
    const auto u16 = [&](std::size_t at) { return static_cast<std::uint32_t>(static_cast<unsigned char>(data[at]) |
                                                                            static_cast<unsigned char>(data[at + 1]) << 8); };
    const auto u32 = [&](std::size_t at) { return u16(at) | u16(at + 2) << 16; };
    static const std::string longVrs = "OB OD OF OL OV OW SQ SV UC UN UR UT UV";
    std::size_t at = 0;
    while (at + 8 <= data.size()) {
        const DcmTagKey tag(static_cast<Uint16>(u16(at)), static_cast<Uint16>(u16(at + 2)));
        std::uint32_t length = 0;
        std::string vr;
        if (tag.getGroup() == 0xFFFE) {  // items and delimiters: no VR; an item's content follows
            length = u32(at + 4);
            at += 8;
            if (tag.getElement() != 0xE000) continue;
        } else {
            vr = data.substr(at + 4, 2);
            // What the walk cannot follow, DCMTK would read with a guessed length: refused.
            if (!std::isupper(static_cast<unsigned char>(vr[0])) || !std::isupper(static_cast<unsigned char>(vr[1])))
                throw DicomError(DicomErrorKind::Corrupt, path + ": corrupt data set: element " + tagText(tag) +
                                                              " of the deflated data set has no value representation");
            if (longVrs.find(vr) != std::string::npos) {
                if (at + 12 > data.size()) return;
                length = u32(at + 8);
                at += 12;
            } else {
                length = u16(at + 6);
                at += 8;
            }
        }
        if (length == 0xFFFFFFFFu) {
            if (vr == "UN")  // its content is implicit VR, which the walk does not follow
                throw DicomError(DicomErrorKind::Corrupt,
                                 path + ": element " + tagText(tag) +
                                     " of the deflated data set is UN with undefined length, which cannot be checked");
            continue;  // undefined length: the content follows
        }
        if (length > data.size() - at)
            throw DicomError(DicomErrorKind::Corrupt,
                             path + ": corrupt data set: element " + tagText(tag) + " declares " +
                                 std::to_string(length) + " bytes but the inflated data set holds only " +
                                 std::to_string(data.size() - at) + " more");
        if (vr != "SQ" && !vr.empty()) at += length;  // sequences and items: step into their content
    }
}

// Elements over DCMTK's default 4 KiB stay on disk until used, so Pixel Data is not read
// before the checks that follow.
void parseFile(DcmFileFormat& fileFormat, const std::string& path) {
    rejectLyingDeflatedLengths(path);
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
    if (dataset.tagExists(DCM_PixelData) || hasFloatPixelData(dataset)) return;
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
    if (hasFloatPixelData(dataset)) {
        const int floatBits = dataset.tagExists(DCM_DoubleFloatPixelData) ? 64 : 32;
        if (meta.bitsAllocated != floatBits || meta.samplesPerPixel != 1)
            throw DicomError(DicomErrorKind::Corrupt,
                             path + ": " + (floatBits == 64 ? "Double Float" : "Float") + " Pixel Data with " +
                                 std::to_string(meta.samplesPerPixel) + " sample(s) of BitsAllocated " +
                                 std::to_string(meta.bitsAllocated) + " (1 sample of " + std::to_string(floatBits) +
                                 " required)");
        meta.bitsStored = meta.bitsAllocated;
    } else if (meta.bitsAllocated != 1 && meta.bitsAllocated != 8 && meta.bitsAllocated != 16 &&
        meta.bitsAllocated != 32)
        throw DicomError(
            DicomErrorKind::UnsupportedPixelFormat,
            path + ": BitsAllocated " + std::to_string(meta.bitsAllocated) + " (1, 8, 16 or 32 supported)");
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
                         path + ": unsupported transfer syntax " + meta.transferSyntaxName + " (" +
                             meta.transferSyntaxUid + "): no decoder in this program; a PACS or conversion tool "
                             "can re-encode the file (e.g. as JPEG 2000 or uncompressed)");
    correctJpegColourModel(dataset, *pixelData, originalXfer, meta);
    if (originalXfer == EXS_JPEGLSLossless || originalXfer == EXS_JPEGLSLossy)
        writeOutJpegLsDefaults(*pixelData, originalXfer, path);
    const OFCondition decoded = dataset.chooseRepresentation(EXS_LittleEndianExplicit, nullptr);
    if (decoded.bad()) throwDcmtkFailure(decoded, DcmtkStep::Decompress, path, nullptr, meta.transferSyntaxName);
    if (!dataset.canWriteXfer(EXS_LittleEndianExplicit))
        throw DicomError(DicomErrorKind::Corrupt, path + ": the compressed pixel data could not be decoded");
    return EXS_LittleEndianExplicit;
}

// Frames [first, first + count) by one DCMTK renderer: modality rescale, VOI window (the
// file's first, else the robust automatic one, per frame), MONOCHROME1 inversion and colour
// conversion. Appends to `frames` (and, for grey frames, their modality values to `modality`);
// `meta` takes the window of the first frame rendered.
void renderFrames(DcmDataset& dataset, E_TransferSyntax xfer, unsigned long first, unsigned long count,
                  int paddingTolerance, DicomMetadata& meta, const std::string& path, std::vector<RgbImage>& frames,
                  std::vector<ModalityFrame>* modality) {
    ::DicomImage image(&dataset, xfer, 0, first, count);
    if (image.getStatus() != EIS_Normal) {
        const EI_Status status = image.getStatus();
        const DicomErrorKind kind = status == EIS_NotSupportedValue ? DicomErrorKind::UnsupportedPixelFormat
                                    : status == EIS_MemoryFailure   ? DicomErrorKind::TooLarge
                                                                    : DicomErrorKind::Corrupt;
        throw DicomError(kind, path + ": cannot render " + meta.photometricInterpretation + " with " +
                                   std::to_string(meta.samplesPerPixel) + " sample(s) of " +
                                   std::to_string(meta.bitsAllocated) + " bits (" + statusText(status) + ")");
    }
    const bool firstCall = frames.empty();
    const bool monochrome = image.isMonochrome() != 0;
    if (monochrome && firstCall)
        for (unsigned int plane = 0; plane < image.getOverlayCount(); ++plane)
            meta.visibleOverlayPlanes += image.isOverlayVisible(plane) == 1 ? 1 : 0;
    bool fileWindow = false;
    double fileCenter = 0, fileWidth = 0;
    if (monochrome && image.getWindowCount() > 0 && image.setWindow(0) != 0)
        fileWindow = image.getWindow(fileCenter, fileWidth) != 0;
    const auto [slope, intercept] = rescaleOf(dataset);
    const auto padding = paddingRange(dataset, meta, slope, intercept, paddingTolerance);

    const std::size_t pixelsPerFrame = std::size_t(meta.rows) * std::size_t(meta.columns);
    for (unsigned long f = 0; f < count; ++f) {
        double center = fileCenter, width = fileWidth;
        if (monochrome && !fileWindow) std::tie(center, width) = windowFor(robustRange(image, f, pixelsPerFrame, padding));
        if (monochrome && frames.empty()) {
            meta.windowFromFile = fileWindow;
            meta.windowCenter = center;
            meta.windowWidth = width;
        }
        // Set for every frame: drawnOverlay() renders with windows of its own.
        if (monochrome) image.setWindow(center, width);
        if (monochrome && modality) modality->push_back(modalityFrame(image, f, meta, {center, width}, path));
        const auto* output = static_cast<const Uint8*>(image.getOutputData(8, f, 0));
        if (!output)
            throw DicomError(DicomErrorKind::Corrupt,
                             path + ": rendering frame " + std::to_string(first + f) + " failed");
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
}

// The frames the policy keeps. With functional groups each frame is rendered with its own
// rescale and window (see applyFrameFunctionalGroups); `meta` reports those of the first.
std::vector<RgbImage> render(DcmDataset& dataset, E_TransferSyntax xfer, MultiFramePolicy policy,
                             int paddingTolerance, DicomMetadata& meta, const std::string& path,
                             std::vector<ModalityFrame>* modality) {
    const bool everyFrame = policy == MultiFramePolicy::EveryFrame;
    const unsigned long firstFrame = everyFrame ? 0 : static_cast<unsigned long>(meta.frames / 2);
    const unsigned long frameCount = everyFrame ? static_cast<unsigned long>(meta.frames) : 1;
    std::vector<RgbImage> frames;
    if (!hasFunctionalGroups(dataset)) {
        renderFrames(dataset, xfer, firstFrame, frameCount, paddingTolerance, meta, path, frames, modality);
        return frames;
    }
    const TopLevelTransform original = topLevelTransform(dataset);
    for (unsigned long frame = firstFrame; frame < firstFrame + frameCount; ++frame) {
        applyFrameFunctionalGroups(dataset, original, frame);
        if (frame == firstFrame) std::tie(meta.rescaleSlope, meta.rescaleIntercept) = rescaleOf(dataset);
        renderFrames(dataset, xfer, frame, 1, paddingTolerance, meta, path, frames, modality);
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
    if (hasFloatPixelData(dataset)) {
        const std::vector<double> values = floatPixelValues(dataset, result.meta, path);
        result.pixelHash = hashFloatPixels(values, result.meta.bitsAllocated);
        result.frames = renderFloatPixels(dataset, values, options.frames, result.meta);
        return result;
    }
    const int paddingTolerance = nearLosslessError(dataset);
    const E_TransferSyntax nativeXfer = decodeToNative(dataset, result.meta, path);
    result.pixelHash = hashNativePixels(dataset, result.meta, path);
    narrowColourTo16Bits(dataset, result.meta, path);
    if (result.meta.photometricInterpretation == "PALETTE COLOR") expandSegmentedPalettes(dataset, path);
    result.frames = render(dataset, nativeXfer, options.frames, paddingTolerance, result.meta, path,
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
