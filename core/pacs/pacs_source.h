#pragma once
// A PACS the site can search and retrieve from, and store results to: DICOMweb
// (DicomWebClient) or DIMSE (DimseClient). The calls block the calling thread (the desktop
// app runs them on a worker thread) and throw fmc::Error with a message that names the
// PACS and says what to check: the address, the credentials, the AE titles.
#include "pacs/pacs_types.h"

#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace fmc::pacs {

class PacsSource {
public:
    virtual ~PacsSource() = default;

    // E.g. "DICOMweb http://127.0.0.1:8042/dicom-web" or "DIMSE ORTHANC@127.0.0.1:4242".
    virtual QString description() const = 0;

    // Checks that the PACS answers and accepts this client (C-ECHO; for DICOMweb an
    // authenticated one-study search). Throws fmc::Error otherwise.
    virtual void verify() = 0;

    virtual std::vector<StudyResult> findStudies(const StudyQuery& query) = 0;
    virtual std::vector<SeriesResult> findSeries(const QString& studyInstanceUid) = 0;

    // Retrieves the instances of one series into `folder` (created if needed), one file per
    // instance named after a hash of its SOP Instance UID, each written under a temporary
    // name and renamed once complete. Instances whose file is already there are not fetched
    // again, so a retrieval cut short continues where it stopped. A failure part-way (the
    // connection lost, the PACS stopped) is reported in SeriesRetrieval::error, with the
    // files that did arrive; a failure before anything could be asked (refused credentials
    // or AE title) throws. progress(done, total) after each instance; total 0 when unknown.
    virtual SeriesRetrieval retrieveSeries(const SeriesSelection& series, const QString& folder,
                                           const std::function<void(int done, int total)>& progress = {},
                                           const std::atomic<bool>* cancel = nullptr) = 0;

    // Stores one DICOM file (STOW-RS or C-STORE). Throws fmc::Error when the PACS refuses it.
    virtual void storeFile(const QString& path) = 0;
};

// The file name an instance is retrieved to: the first 24 hex digits of the SHA-256 of its
// SOP Instance UID, ".dcm". UIDs identify a patient's images, so they stay out of paths
// (paths are copied into the workspace's image table and reports).
QString instanceFileName(const QString& sopInstanceUid);

}  // namespace fmc::pacs
