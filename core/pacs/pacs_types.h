#pragma once
// What the PACS component speaks in: search criteria, the studies and series a PACS
// answers with, and the connection settings of both protocols (DICOMweb and DIMSE).
// No DCMTK or Qt Network types here.
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace fmc::pacs {

// QIDO-RS / C-FIND search criteria at study level. Empty fields do not restrict.
struct StudyQuery {
    QString patientName;  // DICOM wildcards allowed: "DOE^*"
    QString patientId;
    QString studyDateFrom, studyDateTo;  // YYYYMMDD; either may be empty (an open range)
    QString modality;                    // e.g. "CT" (ModalitiesInStudy)
    QString accessionNumber;
    int limit = 200;
};

struct StudyResult {
    QString studyInstanceUid;
    QString patientName, patientId;
    QString studyDate, studyDescription, accessionNumber;
    QStringList modalities;
    int seriesCount = 0, instanceCount = 0;  // 0 when the PACS did not say
};

struct SeriesResult {
    QString studyInstanceUid, seriesInstanceUid;
    QString modality, seriesDescription;
    int seriesNumber = 0;
    int instanceCount = 0;  // 0 when the PACS did not say
};

// One series the user selected for retrieval.
struct SeriesSelection {
    QString studyInstanceUid, seriesInstanceUid;
};

enum class AuthKind { None, Basic, Bearer };

struct DicomWebSettings {
    QString baseUrl;  // e.g. https://pacs.example.org/dicom-web
    AuthKind auth = AuthKind::None;
    QString username;             // basic authentication
    QString secret;               // the password (basic) or the token (bearer); never stored in the workspace
    QString caCertificatesPath;   // PEM file of the hospital's CA; empty: the system's CAs
    int timeoutMs = 30'000;       // per request, without data moving
};

// How a DIMSE retrieval asks for the instances: C-GET brings them back on the same
// association; C-MOVE has the PACS send them to a move destination, here this app's own
// storage SCP listening on moveDestinationPort while the retrieval runs (the PACS must
// know that AE title with this computer's address and port).
enum class DimseRetrieve { Get, Move };

struct DimseSettings {
    QString host = QStringLiteral("127.0.0.1");
    int port = 104;
    QString callingAeTitle = QStringLiteral("FEDMEDCLIP");
    QString calledAeTitle;
    int timeoutSeconds = 30;
    DimseRetrieve retrieve = DimseRetrieve::Get;
    QString moveDestinationAeTitle;  // empty: the calling AE title
    int moveDestinationPort = 11112;
};

// Progress of a retrieval, instance by instance.
struct RetrieveProgress {
    int seriesDone = 0, seriesTotal = 0;
    int instancesDone = 0;   // of the current series
    int instancesTotal = 0;  // of the current series; 0 when unknown
};
using RetrieveProgressCallback = std::function<void(const RetrieveProgress&)>;

// What the retrieval of one series left on disk: complete DICOM files only (each written to
// a temporary name and renamed), and why it stopped when it did not finish.
struct SeriesRetrieval {
    SeriesSelection series;
    std::vector<std::string> files;  // complete files, received now or on an earlier run
    int expectedInstances = 0;       // 0 when unknown
    bool complete = false;
    bool cancelled = false;
    std::string error;  // set when the retrieval failed part-way
};

}  // namespace fmc::pacs
