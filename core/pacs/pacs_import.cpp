#include "pacs/pacs_import.h"

#include "common/sha256.h"
#include "common/types.h"
#include "pacs/logging.h"
#include "site/site_workspace.h"

#include <QDir>

#include <sstream>

namespace fmc::pacs {
namespace {

QString shortHash(const QString& uid) { return QString::fromStdString(sha256Hex(uid.toStdString()).substr(0, 16)); }

}  // namespace

int PacsImportReport::instancesRetrieved() const {
    int count = 0;
    for (const auto& retrieval : retrievals) count += static_cast<int>(retrieval.files.size());
    return count;
}

bool PacsImportReport::complete() const {
    if (cancelled || !errors.empty()) return false;
    for (const auto& retrieval : retrievals)
        if (!retrieval.complete) return false;
    return true;
}

QString retrievalFolder(const std::string& workspaceFolder, const SeriesSelection& series) {
    return QDir(QString::fromStdString(workspaceFolder))
        .filePath(QStringLiteral("pacs/%1/%2").arg(shortHash(series.studyInstanceUid), shortHash(series.seriesInstanceUid)));
}

PacsImportReport importFromPacs(SiteWorkspace& workspace, PacsSource& source, const std::vector<SeriesSelection>& series,
                                const ImportOptions& options, const PacsImportProgressCallback& progress,
                                const std::atomic<bool>* cancel) {
    if (series.empty()) throw Error("PACS import: no series selected");
    if (options.labelSource == LabelSource::FolderNames || options.labelSource == LabelSource::Csv)
        throw Error("PACS import: labels from folder names or a CSV do not apply to retrieved instances; use none or "
                    "a DICOM attribute (tag:KEYWORD)");
    PacsImportReport report;
    report.source = source.description();
    int instancesBefore = 0;
    for (size_t i = 0; i < series.size(); ++i) {
        if (cancel && cancel->load()) {
            report.cancelled = true;
            break;
        }
        const int seriesIndex = static_cast<int>(i);
        const auto onInstance = [&](int done, int total) {
            if (progress)
                progress({"retrieve", instancesBefore + done, instancesBefore + total, seriesIndex,
                          static_cast<int>(series.size())});
        };
        try {
            auto retrieval = source.retrieveSeries(series[i], retrievalFolder(workspace.folder(), series[i]), onInstance, cancel);
            instancesBefore += static_cast<int>(retrieval.files.size());
            const bool stop = retrieval.cancelled || !retrieval.error.empty();
            report.cancelled = report.cancelled || retrieval.cancelled;
            report.retrievals.push_back(std::move(retrieval));
            if (stop) break;
        } catch (const Error& error) {
            // Nothing retrieved yet: the request itself is at fault (credentials, AE title,
            // address), so say so and import nothing.
            if (report.instancesRetrieved() == 0) throw;
            report.errors.push_back("series " + std::to_string(i + 1) + " of " + std::to_string(series.size()) + ": " +
                                    error.what());
            break;
        }
    }
    std::vector<std::string> files;
    for (const auto& retrieval : report.retrievals) files.insert(files.end(), retrieval.files.begin(), retrieval.files.end());
    if (!files.empty()) {
        // The retrieved files are imported even after a cancel: they are complete, and the
        // store then matches what is on disk.
        report.import = workspace.importPaths(
            files, options,
            [&](const ImportProgress& p) {
                if (progress) progress({"import", p.done, p.total, static_cast<int>(series.size()), static_cast<int>(series.size())});
            });
    }
    qCInfo(lcPacs).noquote() << "PACS import from" << report.source << ":" << report.instancesRetrieved()
                             << "instances retrieved," << report.import.count(ImportOutcome::Imported) << "files imported";
    return report;
}

std::string formatPacsImportReport(const PacsImportReport& report, bool problemsOnly) {
    std::ostringstream out;
    out << "PACS: " << report.source.toStdString() << "\n";
    for (size_t i = 0; i < report.retrievals.size(); ++i) {
        const auto& retrieval = report.retrievals[i];
        out << "series " << i + 1 << ": " << retrieval.files.size();
        if (retrieval.expectedInstances > 0) out << " of " << retrieval.expectedInstances;
        out << " instances retrieved";
        if (retrieval.cancelled) out << " (cancelled; run the import again to fetch the rest)";
        else if (!retrieval.error.empty()) out << "; stopped: " << retrieval.error << " (run the import again to fetch the rest)";
        out << "\n";
    }
    for (const auto& error : report.errors) out << "not retrieved: " << error << " (run the import again to fetch it)\n";
    if (report.cancelled) out << "cancelled: the instances retrieved so far were imported\n";
    if (!report.import.files.empty()) out << formatImportReport(report.import, problemsOnly);
    else out << "nothing to import\n";
    return out.str();
}

}  // namespace fmc::pacs
