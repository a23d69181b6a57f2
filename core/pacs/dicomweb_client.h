#pragma once
// A DICOMweb client over Qt Network: QIDO-RS to search (studies, series, instances),
// WADO-RS to retrieve instance by instance (so progress, cancel and a lost connection are
// per instance and memory stays at one instance), STOW-RS to store. HTTPS with the
// hospital's CA (DicomWebSettings::caCertificatesPath), basic or bearer authentication.
#include "pacs/pacs_source.h"

#include <QByteArray>

#include <memory>

namespace fmc::pacs {

class DicomWebClient : public PacsSource {
public:
    // Throws fmc::Error for a URL that is not http(s) or a CA file without certificates.
    explicit DicomWebClient(DicomWebSettings settings);
    ~DicomWebClient() override;

    QString description() const override;
    void verify() override;
    std::vector<StudyResult> findStudies(const StudyQuery& query) override;
    std::vector<SeriesResult> findSeries(const QString& studyInstanceUid) override;
    QStringList findInstances(const SeriesSelection& series);  // SOP Instance UIDs
    SeriesRetrieval retrieveSeries(const SeriesSelection& series, const QString& folder,
                                   const std::function<void(int, int)>& progress = {},
                                   const std::atomic<bool>* cancel = nullptr) override;
    void storeFile(const QString& path) override;
    // STOW-RS of DICOM Part 10 bytes.
    void store(const QByteArray& part10);

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

// The parts of a multipart/related body (RFC 2046), given the response's Content-Type.
// Throws fmc::Error when there is no boundary or the body is cut off.
std::vector<QByteArray> multipartParts(const QByteArray& contentType, const QByteArray& body);

// DICOM wildcard matching ('*', '?'), case-insensitive.
bool matchesDicomWildcard(const QString& value, const QString& pattern);

}  // namespace fmc::pacs
