#pragma once
// A saved prediction as a DICOM Comprehensive SR (DCMTK dcmsr), for the PACS or a file.
//
// The document joins the classified image's study (same patient, study UID, accession
// number) as a new SR series and contains, under a "Diagnostic imaging report" container:
//  * the classified image, referenced by SOP Class and SOP Instance UID (also in the
//    Current Requested Procedure Evidence),
//  * the predicted class,
//  * every class's probability: the calibrated one when the prediction has it, else the
//    ensemble's, with the kind said in the concept name,
//  * the prediction set and the out-of-distribution flag when the prediction has them,
//  * the algorithm name, the model version and the model bundle (its name and version from
//    the manifest, and its hash),
//  * "Research use only. Not a medical device."
// Codes: LOINC 18748-4 for the container, DCM 111001/111003 for the algorithm, SNOMED CT
// yes/no for the flag, and the private scheme 99FMC for the concepts that have no standard
// code.
#include "site/site_store.h"

#include <QByteArray>
#include <QString>

#include <optional>
#include <string>
#include <vector>

namespace fmc {
class SiteWorkspace;
}

namespace fmc::pacs {

struct PredictionReportContent {
    std::string imagePath;  // the classified DICOM file
    std::string predictedClass;
    std::vector<std::string> classes;
    std::vector<double> probabilities;  // per class
    bool calibrated = false;            // probabilities are calibrated ones
    std::optional<std::vector<std::string>> predictionSet;
    std::optional<bool> outOfDistribution;
    std::string modelDescription;  // e.g. "local-checkpoint version 3"
    std::string bundleHash;
    std::string bundleName, bundleVersion;  // the manifest's; empty when unknown
    std::string createdAt;  // ISO 8601 UTC, when the prediction was made
};

// Reads a saved prediction (its probabilities JSON: "calibrated" or "ensemble", and
// optionally "prediction_set" and "out_of_distribution"/"ood") and its model version. The
// bundle's name and version come from the workspace's bundle settings, or else its manifest,
// when that bundle has the prediction's hash; they stay empty for a bundle no longer there.
// Throws fmc::Error naming the prediction when it does not exist.
PredictionReportContent predictionReportContent(SiteWorkspace& workspace, std::int64_t predictionId);

struct StructuredReport {
    QByteArray part10;  // the DICOM file's bytes
    QString sopInstanceUid, seriesInstanceUid, studyInstanceUid;
};

// Throws fmc::Error naming the image when it is not a readable DICOM file with the UIDs a
// reference needs (an SR can only reference a DICOM image).
StructuredReport buildStructuredReport(const PredictionReportContent& content);

// Writes the report's bytes to `path` atomically; throws fmc::Error naming the path.
void saveStructuredReport(const StructuredReport& report, const QString& path);

}  // namespace fmc::pacs
