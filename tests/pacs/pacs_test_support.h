#pragma once
// Shared by the PACS tests: an Orthanc loaded with orthancTestFiles(), the study search rows
// both protocols must answer alike, and a folder import of the same files to compare with.
#include "orthanc_test_server.h"
#include "pacs/pacs_source.h"
#include "site/site_workspace.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <set>

Q_DECLARE_METATYPE(fmc::pacs::StudyQuery)

namespace fmc::test {

inline QString sharedDataDir() { return QStringLiteral(FMC_SHARED_DATA_DIR); }

inline bool sharedDicomPresent() {
    return QFileInfo::exists(sharedDataDir() + "/dicom/pydicom-test-files/CT_small.dcm");
}

// Loads the test files and gives two studies an accession number (Orthanc rewrites them in
// place, UIDs kept). Returns an empty string or what went wrong.
inline QString loadOrthanc(OrthancTestServer& orthanc) {
    for (const auto& file : orthancTestFiles(sharedDataDir()))
        if (!orthanc.upload(file)) return "cannot upload " + file;
    for (const auto& [patientId, accession] : {std::pair{"1CT1", "ACC-CT-1"}, std::pair{"4MR1", "ACC-MR-1"}}) {
        const auto [status, found] = orthanc.rest(
            "POST", "/tools/find",
            QJsonDocument(QJsonObject{{"Level", "Study"}, {"Query", QJsonObject{{"PatientID", patientId}}}}).toJson(),
            "application/json");
        const auto ids = QJsonDocument::fromJson(found).array();
        if (status != 200 || ids.size() != 1) return QStringLiteral("cannot find the study of ") + patientId;
        const QJsonObject modify{{"Replace", QJsonObject{{"AccessionNumber", accession}}},
                                 {"Keep", QJsonArray{"StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"}},
                                 {"Force", true}};
        // Modifying with the UIDs kept makes a copy with the same identity; the original goes.
        const auto [modified, body] = orthanc.rest("POST", "/studies/" + ids.first().toString() + "/modify",
                                                   QJsonDocument(modify).toJson(), "application/json");
        if (modified != 200) return QStringLiteral("cannot set the accession number: ") + QString::fromUtf8(body);
    }
    return {};
}

// Patient IDs of the studies a search must find, from the files' own attributes (dcmdump).
inline void addStudyQueryRows() {
    QTest::addColumn<pacs::StudyQuery>("query");
    QTest::addColumn<QStringList>("patientIds");
    const auto row = [](const char* name, const pacs::StudyQuery& query, QStringList ids) {
        ids.sort();
        QTest::newRow(name) << query << ids;
    };
    pacs::StudyQuery all;
    row("everything", all, {"1CT1", "4MR1", "ID1", "8NM1", "13US1", "10RG2"});
    pacs::StudyQuery q;
    q.patientName = "CompressedSamples^C*";
    row("patient name wildcard", q, {"1CT1"});
    q.patientName = "CompressedSamples^MR1";
    row("patient name exact", q, {"4MR1"});
    q.patientName = "compressedsamples^nm1";
    row("patient name in other case", q, {"8NM1"});
    q.patientName = "Lestrade^?";
    row("patient name single-character wildcard", q, {"ID1"});
    q = {};
    q.patientId = "8NM1";
    row("patient id", q, {"8NM1"});
    q = {};
    q.studyDateFrom = "20040101";
    q.studyDateTo = "20040131";
    row("date range", q, {"1CT1"});
    q = {};
    q.studyDateFrom = "20100101";
    row("open-ended date range", q, {"ID1"});
    q = {};
    q.studyDateTo = "20040120";
    row("dates up to", q, {"1CT1"});
    q = {};
    q.modality = "MR";
    row("modality", q, {"4MR1"});
    q = {};
    q.accessionNumber = "ACC-MR-1";
    row("accession number", q, {"4MR1"});
    q = {};
    q.patientId = "1CT1";
    q.modality = "MR";
    row("criteria together", q, {});
}

inline QStringList patientIdsOf(const std::vector<pacs::StudyResult>& studies) {
    QStringList ids;
    for (const auto& study : studies) ids << study.patientId;
    ids.sort();
    return ids;
}

inline std::vector<std::string> pixelHashes(SiteWorkspace& workspace) {
    std::vector<std::string> hashes;
    ImageFilter filter;
    filter.readableOnly = false;
    for (const auto& image : workspace.store().images(filter)) hashes.push_back(image.pixelHash);
    std::sort(hashes.begin(), hashes.end());
    return hashes;
}

// Every series on the PACS, study by study.
inline std::vector<pacs::SeriesSelection> everySeries(pacs::PacsSource& source) {
    std::vector<pacs::SeriesSelection> selection;
    for (const auto& study : source.findStudies({}))
        for (const auto& series : source.findSeries(study.studyInstanceUid))
            selection.push_back({study.studyInstanceUid, series.seriesInstanceUid});
    return selection;
}

// Files under the workspace's pacs/ folder, and whether any is a partial (".part") one.
inline QStringList retrievedFiles(const QString& workspace) {
    QStringList files;
    QDir dir(workspace + "/pacs");
    const std::function<void(const QDir&)> walk = [&](const QDir& d) {
        for (const auto& entry : d.entryInfoList(QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot))
            entry.isDir() ? walk(QDir(entry.filePath())) : void(files << entry.filePath());
    };
    if (dir.exists()) walk(dir);
    return files;
}

// Runs DCMTK's dsrdump on a file: (exit code, output).
inline std::pair<int, QString> dsrdump(const QString& path) {
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(QStringLiteral("dsrdump"), {QStringLiteral("+Pu"), QStringLiteral("+Pl"), QStringLiteral("+Pc"), path});
    if (!process.waitForFinished(30'000)) return {-1, QStringLiteral("dsrdump did not finish")};
    return {process.exitCode(), QString::fromUtf8(process.readAll())};
}

inline bool dsrdumpInstalled() { return !QStandardPaths::findExecutable(QStringLiteral("dsrdump")).isEmpty(); }

}  // namespace fmc::test
