#include "pacs/structured_report.h"

#include "common/bundle_manifest.h"
#include "common/types.h"
#include "site/prediction_details.h"
#include "pacs/logging.h"
#include "site/site_workspace.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmsr/dsrdoc.h>
#include <dcmtk/dcmsr/dsrnumvl.h>


#include <QFile>
#include <QSaveFile>
#include <QTemporaryDir>

#include <cstdio>
#include <filesystem>

namespace fmc::pacs {
namespace {

std::string ss(const QString& text) { return text.toStdString(); }

std::string value(DcmItem& item, const DcmTagKey& key) {
    OFString text;
    item.findAndGetOFStringArray(key, text);
    return text.c_str();
}

DSRCodedEntryValue fmcCode(const char* code, const std::string& meaning) {
    return DSRCodedEntryValue(code, "99FMC", meaning.c_str());
}

void check(const OFCondition& condition, const char* what) {
    if (condition.bad()) throw Error(std::string("structured report: ") + what + ": " + condition.text());
}

std::string decimal(double number) {
    char text[32];
    std::snprintf(text, sizeof text, "%.6f", number);
    return text;
}

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
    return out;
}

// "<name> version <version>, bundle hash <hash>"; the hash alone when the name is unknown.
std::string bundleText(const PredictionReportContent& content) {
    std::string text = content.bundleName;
    if (!content.bundleVersion.empty()) text += (text.empty() ? "version " : " version ") + content.bundleVersion;
    if (!content.bundleHash.empty()) text += (text.empty() ? "bundle hash " : ", bundle hash ") + content.bundleHash;
    return text;
}

}  // namespace

PredictionReportContent predictionReportContent(SiteWorkspace& workspace, std::int64_t predictionId) {
    auto& store = workspace.store();
    std::optional<StoredPrediction> prediction;
    for (auto& candidate : store.predictions())
        if (candidate.id == predictionId) prediction = candidate;
    if (!prediction) throw Error("prediction " + std::to_string(predictionId) + ": no such prediction in the workspace");
    PredictionReportContent content;
    content.imagePath = prediction->sourcePath;
    content.predictedClass = prediction->predictedClass;
    content.modelDescription = prediction->modelDescription;
    content.createdAt = prediction->createdAt;
    if (prediction->modelVersionId)
        if (const auto version = store.modelVersion(*prediction->modelVersionId)) content.bundleHash = version->bundleHash;
    if (content.bundleHash.empty()) content.bundleHash = store.setting(settings::kBundleHash).value_or("");
    if (!content.bundleHash.empty() && store.setting(settings::kBundleHash) == content.bundleHash) {
        content.bundleName = store.setting(settings::kBundleName).value_or("");
        content.bundleVersion = store.setting(settings::kBundleVersion).value_or("");
        // Workspaces set up before the name was kept: the bundle's own manifest.
        const auto dir = store.setting(settings::kBundleDir);
        if (content.bundleName.empty() && dir) {
            try {
                const auto manifest = readManifestFile((std::filesystem::path(*dir) / kBundleManifestFileName).string());
                if (manifest.bundleHash == content.bundleHash) {
                    content.bundleName = manifest.name;
                    content.bundleVersion = manifest.version;
                }
            } catch (const std::exception& error) {
                qCInfo(lcPacs).noquote() << "structured report: the bundle's manifest is unreadable:" << error.what();
            }
        }
    }
    const auto where = "prediction " + std::to_string(predictionId);
    // The record the CLI's predict and the desktop's Classify page both write.
    const auto details = predictionDetailsFromJson(prediction->probabilitiesJson, where);
    content.classes = details.classes;
    content.calibrated = details.calibrated;
    content.probabilities = details.ensemble;
    if (!details.predictionSet.empty()) content.predictionSet = details.predictionSet;
    if (details.checksRecorded) content.outOfDistribution = details.outOfDistribution;
    return content;
}

StructuredReport buildStructuredReport(const PredictionReportContent& content) {
    DcmFileFormat image;
    if (image.loadFile(content.imagePath.c_str()).bad())
        throw Error(content.imagePath + ": not a readable DICOM file; a DICOM SR can only reference a DICOM image");
    DcmDataset& source = *image.getDataset();
    const auto sopClass = value(source, DCM_SOPClassUID);
    const auto sopInstance = value(source, DCM_SOPInstanceUID);
    const auto study = value(source, DCM_StudyInstanceUID);
    const auto series = value(source, DCM_SeriesInstanceUID);
    if (sopClass.empty() || sopInstance.empty() || study.empty() || series.empty())
        throw Error(content.imagePath + ": lacks the SOP Class, SOP Instance, Study or Series Instance UID a reference needs");
    if (content.classes.size() != content.probabilities.size() || content.classes.empty())
        throw Error("structured report: one probability per class is needed");

    DSRDocument document(DSRTypes::DT_ComprehensiveSR);
    check(document.setSpecificCharacterSetType(DSRTypes::CS_UTF8), "character set");
    // The patient and study of the classified image: the report joins that study.
    (void)source.convertToUTF8();
    check(document.createNewSeriesInStudy(study.c_str()), "study");
    document.setPatientName(value(source, DCM_PatientName).c_str(), OFFalse);
    document.setPatientID(value(source, DCM_PatientID).c_str(), OFFalse);
    document.setPatientBirthDate(value(source, DCM_PatientBirthDate).c_str(), OFFalse);
    document.setPatientSex(value(source, DCM_PatientSex).c_str(), OFFalse);
    document.setStudyDate(value(source, DCM_StudyDate).c_str(), OFFalse);
    document.setStudyTime(value(source, DCM_StudyTime).c_str(), OFFalse);
    document.setStudyID(value(source, DCM_StudyID).c_str(), OFFalse);
    document.setAccessionNumber(value(source, DCM_AccessionNumber).c_str(), OFFalse);
    document.setReferringPhysicianName(value(source, DCM_ReferringPhysicianName).c_str(), OFFalse);
    document.setStudyDescription(value(source, DCM_StudyDescription).c_str(), OFFalse);
    document.setSeriesDescription("FedMedCLIP classification (research use only)");
    document.setManufacturer("FedMedCLIP Desktop");
    document.setManufacturerModelName("FedMedCLIP");

    auto& tree = document.getTree();
    if (tree.addContentItem(DSRTypes::RT_isRoot, DSRTypes::VT_Container) == 0) throw Error("structured report: no root");
    check(tree.getCurrentContentItem().setConceptName(DSRCodedEntryValue("18748-4", "LN", "Diagnostic imaging report")),
          "root concept");
    check(tree.addChildContentItem(DSRTypes::RT_contains, DSRTypes::VT_Text, DSRCodedEntryValue("121106", "DCM", "Comment")),
          "comment");
    check(tree.getCurrentContentItem().setStringValue(
              "Research use only. Not a medical device. Computed by FedMedCLIP Desktop; not reviewed by a clinician.", OFFalse),
          "comment text");
    check(tree.addContentItem(DSRTypes::RT_contains, DSRTypes::VT_Image, fmcCode("IMG", "Classified image")), "image");
    check(tree.getCurrentContentItem().setImageReference(DSRImageReferenceValue(sopClass.c_str(), sopInstance.c_str()), OFFalse),
          "image reference");
    check(tree.addContentItem(DSRTypes::RT_contains, DSRTypes::VT_Text, fmcCode("CLS", "Predicted class")), "class");
    check(tree.getCurrentContentItem().setStringValue(content.predictedClass.c_str(), OFFalse), "class text");

    check(tree.addContentItem(DSRTypes::RT_contains, DSRTypes::VT_Container,
                              fmcCode("PRB", content.calibrated ? "Calibrated class probabilities"
                                                                : "Class probabilities (ensemble, not calibrated)")),
          "probabilities");
    for (size_t c = 0; c < content.classes.size(); ++c) {
        const auto name = DSRCodedEntryValue(("C" + std::to_string(c)).c_str(), "99FMC", content.classes[c].c_str());
        check(c == 0 ? tree.addChildContentItem(DSRTypes::RT_contains, DSRTypes::VT_Num, name)
                     : tree.addContentItem(DSRTypes::RT_contains, DSRTypes::VT_Num, name),
              "probability");
        check(tree.getCurrentContentItem().setNumericValue(
                  DSRNumericMeasurementValue(decimal(content.probabilities[c]).c_str(), DSRCodedEntryValue("1", "UCUM", "no units")),
                  OFFalse),
              "probability value");
    }
    tree.goUp();
    if (content.predictionSet) {
        check(tree.addContentItem(DSRTypes::RT_contains, DSRTypes::VT_Text, fmcCode("SET", "Prediction set")), "set");
        check(tree.getCurrentContentItem().setStringValue(joined(*content.predictionSet).c_str(), OFFalse), "set text");
    }
    if (content.outOfDistribution) {
        check(tree.addContentItem(DSRTypes::RT_contains, DSRTypes::VT_Code, fmcCode("OOD", "Out of distribution")), "ood");
        check(tree.getCurrentContentItem().setCodeValue(*content.outOfDistribution
                                                            ? DSRCodedEntryValue("373066001", "SCT", "Yes")
                                                            : DSRCodedEntryValue("373067005", "SCT", "No")),
              "ood value");
    }
    check(tree.addContentItem(DSRTypes::RT_contains, DSRTypes::VT_Text, DSRCodedEntryValue("111001", "DCM", "Algorithm Name")),
          "algorithm");
    check(tree.getCurrentContentItem().setStringValue("FedMedCLIP", OFFalse), "algorithm text");
    check(tree.addContentItem(DSRTypes::RT_contains, DSRTypes::VT_Text, DSRCodedEntryValue("111003", "DCM", "Algorithm Version")),
          "version");
    check(tree.getCurrentContentItem().setStringValue(content.modelDescription.c_str(), OFFalse), "version text");
    if (!content.bundleHash.empty() || !content.bundleName.empty()) {
        check(tree.addContentItem(DSRTypes::RT_contains, DSRTypes::VT_Text, fmcCode("BDL", "Model bundle")), "bundle");
        check(tree.getCurrentContentItem().setStringValue(bundleText(content).c_str(), OFFalse), "bundle text");
    }
    check(document.getCurrentRequestedProcedureEvidence().addItem(study.c_str(), series.c_str(), sopClass.c_str(),
                                                                  sopInstance.c_str()),
          "evidence");
    check(document.completeDocument(), "completion");

    DcmFileFormat file;
    check(document.write(*file.getDataset()), "writing");
    StructuredReport report;
    OFString uid;
    document.getSOPInstanceUID(uid);
    report.sopInstanceUid = QString::fromLatin1(uid.c_str());
    document.getSeriesInstanceUID(uid);
    report.seriesInstanceUid = QString::fromLatin1(uid.c_str());
    report.studyInstanceUid = QString::fromLatin1(study.c_str());

    // Part 10 bytes: file meta information and the dataset, explicit little endian.
    QTemporaryDir scratch;
    const auto path = ss(scratch.filePath(QStringLiteral("report.dcm")));
    if (!scratch.isValid()) throw Error("structured report: no temporary folder to encode it in");
    check(file.saveFile(path.c_str(), EXS_LittleEndianExplicit), "encoding");
    QFile encoded(QString::fromStdString(path));
    if (!encoded.open(QIODevice::ReadOnly)) throw Error("structured report: cannot read back the encoded file");
    const auto bytes = encoded.readAll();
    report.part10 = bytes;
    return report;
}

void saveStructuredReport(const StructuredReport& report, const QString& path) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(report.part10) != report.part10.size() || !file.commit())
        throw Error(ss(path) + ": cannot write the structured report (" + ss(file.errorString()) + ")");
}

}  // namespace fmc::pacs
