#pragma once
// A DIMSE client over DCMTK's network module (dcmnet's DcmSCU): C-ECHO, C-FIND at study and
// series level (Study Root), retrieval of a series by C-GET (the instances arrive as C-STORE
// sub-operations on the same association, so no port has to be opened towards the site) or
// by C-MOVE (the client listens as the move destination, a storage SCP on
// DimseSettings::moveDestinationPort, for the duration of the retrieval), and C-STORE. One
// association per call. DCMTK stays inside the .cpp.
#include "pacs/pacs_source.h"

namespace fmc::pacs {

class DimseClient : public PacsSource {
public:
    // Throws fmc::Error for an empty called AE title or host, a port out of range, or an AE
    // title longer than 16 characters (the move destination's too, for C-MOVE).
    explicit DimseClient(DimseSettings settings);

    QString description() const override;
    void verify() override;
    std::vector<StudyResult> findStudies(const StudyQuery& query) override;
    std::vector<SeriesResult> findSeries(const QString& studyInstanceUid) override;
    SeriesRetrieval retrieveSeries(const SeriesSelection& series, const QString& folder,
                                   const std::function<void(int, int)>& progress = {},
                                   const std::atomic<bool>* cancel = nullptr) override;
    void storeFile(const QString& path) override;

private:
    DimseSettings settings_;
};

}  // namespace fmc::pacs
