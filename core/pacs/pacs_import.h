#pragma once
// Imports the series a user selected on a PACS into a site workspace: retrieves them
// (PacsSource::retrieveSeries) into <workspace>/pacs/<study hash>/<series hash>/, then
// passes the retrieved files through the same import as files and folders (dedup by pixel
// hash, splits by patient, labels from a DICOM attribute, the per-file report).
//
// Consistency: only complete files ever exist in the retrieval folders, and exactly the
// files that arrived are imported, so the store never refers to a partial file. When a
// retrieval stops part-way (the PACS stopped, the connection broke, the user cancelled) the
// instances that did arrive are imported and the report says which series are incomplete;
// running the same import again fetches the rest and reports the others as already imported.
#include "pacs/pacs_source.h"
#include "site/importer.h"

#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace fmc {
class SiteWorkspace;
}

namespace fmc::pacs {

struct PacsImportProgress {
    std::string stage;  // "retrieve" or "import"
    int done = 0, total = 0;  // retrieve: instances over all series (total grows as series are listed); import: files
    int seriesDone = 0, seriesTotal = 0;
};
using PacsImportProgressCallback = std::function<void(const PacsImportProgress&)>;

struct PacsImportReport {
    QString source;  // PacsSource::description()
    std::vector<SeriesRetrieval> retrievals;  // one per selected series, in selection order
    ImportReport import;                      // of the files retrieved
    bool cancelled = false;
    std::vector<std::string> errors;          // a series that could not be retrieved at all

    int instancesRetrieved() const;
    bool complete() const;  // every selected series retrieved in full and nothing cancelled
};

// The folder a series is retrieved to (hashes of the UIDs, which identify the patient).
QString retrievalFolder(const std::string& workspaceFolder, const SeriesSelection& series);

// Throws fmc::Error for an empty selection, or label options that do not apply to a PACS
// (folder names, a CSV); a PACS that refuses the credentials or the AE title before any
// series is retrieved also throws (nothing is imported then).
PacsImportReport importFromPacs(SiteWorkspace& workspace, PacsSource& source, const std::vector<SeriesSelection>& series,
                                const ImportOptions& options, const PacsImportProgressCallback& progress = {},
                                const std::atomic<bool>* cancel = nullptr);

// The retrieval per series, then the import report (formatImportReport).
std::string formatPacsImportReport(const PacsImportReport& report, bool problemsOnly = true);

}  // namespace fmc::pacs
