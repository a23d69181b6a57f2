// DimseClient (DCMTK dcmnet) against a real Orthanc on loopback: C-ECHO, C-FIND at study and
// series level, C-GET and C-MOVE imports through importFromPacs compared with a folder import
// of the same files, a wrong called AE title, the C-MOVE refusals (unknown destination, a
// calling AE the PACS does not know, a destination port nobody listens on, our port taken),
// a PACS that does not answer, Orthanc killed mid-retrieve, and an SR sent by C-STORE and
// found again.
#include "common/types.h"
#include "pacs/dicomweb_client.h"
#include "pacs/dimse_client.h"
#include "pacs/pacs_import.h"
#include "pacs/structured_report.h"
#include "pacs_test_support.h"

#include <QtTest>

using namespace fmc;
using namespace fmc::pacs;
using namespace fmc::test;

class TestDimseClient : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::unique_ptr<OrthancTestServer> orthanc_;
    std::vector<std::string> folderImportHashes_;
    ImportRunCounts folderImportCounts_;

    DimseSettings settings(const QString& calledAe = OrthancTestServer::aeTitle()) const {
        DimseSettings s;
        s.host = "127.0.0.1";
        s.port = orthanc_->dicomPort();
        s.callingAeTitle = "FMCTEST";
        s.calledAeTitle = calledAe;
        s.timeoutSeconds = 10;
        return s;
    }

    DimseSettings moveSettings() const {
        auto s = settings();
        s.retrieve = DimseRetrieve::Move;
        s.callingAeTitle = OrthancTestServer::moveAeTitle();
        s.moveDestinationPort = orthanc_->moveDestinationPort();
        return s;
    }

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        if (!sharedDicomPresent()) QSKIP("../shared/data/dicom is absent: the PACS tests need its DICOM files");
        if (!OrthancTestServer::installed())
            QSKIP("Orthanc is not installed (Debian packages orthanc, orthanc-dicomweb; tools/setup.sh installs them)");
        orthanc_ = std::make_unique<OrthancTestServer>(dir_.filePath("orthanc"));
        QString error;
        QVERIFY2(orthanc_->start(&error), qPrintable(error));
        const auto loaded = loadOrthanc(*orthanc_);
        QVERIFY2(loaded.isEmpty(), qPrintable(loaded));
        auto reference = SiteWorkspace::open(dir_.filePath("folder-import").toStdString());
        std::vector<std::string> files;
        for (const auto& file : orthancTestFiles(sharedDataDir())) files.push_back(file.toStdString());
        folderImportCounts_ = reference.importPaths(files, {}).counts();
        folderImportHashes_ = pixelHashes(reference);
        QVERIFY(!folderImportHashes_.empty());
    }

    void settingsAreChecked_data() {
        QTest::addColumn<QString>("calling");
        QTest::addColumn<QString>("called");
        QTest::addColumn<int>("port");
        QTest::addColumn<QString>("message");
        QTest::newRow("empty called AE") << "FMC" << "" << 104 << "called AE title is empty";
        QTest::newRow("AE over 16 characters") << "FMC" << "A23456789012345678" << 104 << "longer than 16";
        QTest::newRow("port 0") << "FMC" << "PACS" << 0 << "not between 1 and 65535";
    }

    void settingsAreChecked() {
        QFETCH(QString, calling);
        QFETCH(QString, called);
        QFETCH(int, port);
        QFETCH(QString, message);
        DimseSettings s;
        s.callingAeTitle = calling;
        s.calledAeTitle = called;
        s.port = port;
        try {
            DimseClient client(s);
            QFAIL("accepted");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains(message), error.what());
        }
    }

    void echo() { DimseClient(settings()).verify(); }

    void wrongCalledAeTitleIsRejectedClearly() {
        DimseClient wrong(settings("NOT-ORTHANC"));
        for (const auto& call : std::vector<std::function<void()>>{[&] { wrong.verify(); },
                                                                    [&] { wrong.findStudies({}); }}) {
            try {
                call();
                QFAIL("a wrong called AE title was accepted");
            } catch (const Error& error) {
                const QString message = error.what();
                QVERIFY2(message.contains("rejected the association") && message.contains("'NOT-ORTHANC'") &&
                             message.contains("'FMCTEST'"),
                         error.what());
            }
        }
        auto workspace = SiteWorkspace::open(dir_.filePath("wrong-ae").toStdString());
        DimseClient right(settings());
        const auto selection = everySeries(right);
        QVERIFY_THROWS_EXCEPTION(Error, importFromPacs(workspace, wrong, selection, {}));
        QCOMPARE(workspace.store().imageCount(), 0);
        QCOMPARE(retrievedFiles(dir_.filePath("wrong-ae")).size(), 0);
    }

    void nothingListeningIsAClearError() {
        auto s = settings();
        s.port = freeLoopbackPort();
        try {
            DimseClient(s).verify();
            QFAIL("connected to nothing");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains("cannot connect") && QString(error.what()).contains("is the PACS running"),
                     error.what());
        }
    }

    void findStudies_data() { addStudyQueryRows(); }

    void findStudies() {
        QFETCH(StudyQuery, query);
        QFETCH(QStringList, patientIds);
        DimseClient client(settings());
        QCOMPARE(patientIdsOf(client.findStudies(query)), patientIds);
    }

    void findSeriesAgreesWithDicomWeb() {
        DimseClient dimse(settings());
        DicomWebSettings web;
        web.baseUrl = orthanc_->dicomWebUrl();
        web.auth = AuthKind::Basic;
        web.username = OrthancTestServer::user();
        web.secret = orthanc_->password();
        DicomWebClient dicomWeb(web);
        for (const auto& study : dimse.findStudies({})) {
            const auto a = dimse.findSeries(study.studyInstanceUid);
            const auto b = dicomWeb.findSeries(study.studyInstanceUid);
            QCOMPARE(a.size(), b.size());
            for (size_t i = 0; i < a.size(); ++i) {
                QCOMPARE(a[i].seriesInstanceUid, b[i].seriesInstanceUid);
                QCOMPARE(a[i].modality, b[i].modality);
                QCOMPARE(a[i].instanceCount, b[i].instanceCount);
            }
        }
    }

    void getImportMatchesAFolderImport() {
        DimseClient client(settings());
        const QString folder = dir_.filePath("get-import");
        auto workspace = SiteWorkspace::open(folder.toStdString());
        const auto selection = everySeries(client);
        QCOMPARE(selection.size(), size_t(6));
        const auto report = importFromPacs(workspace, client, selection, {});
        QVERIFY2(report.complete(), formatPacsImportReport(report).c_str());
        QCOMPARE(report.instancesRetrieved(), 7);
        QCOMPARE(pixelHashes(workspace), folderImportHashes_);
        QCOMPARE(report.import.counts().imported, folderImportCounts_.imported);
        QCOMPARE(report.import.counts().duplicates, folderImportCounts_.duplicates);
    }

    void moveImportMatchesAFolderImport() {
        DimseClient client(moveSettings());
        const QString folder = dir_.filePath("move-import");
        auto workspace = SiteWorkspace::open(folder.toStdString());
        const auto selection = everySeries(client);
        QCOMPARE(selection.size(), size_t(6));
        int progressCalls = 0;
        const auto report = importFromPacs(workspace, client, selection, {}, [&](const PacsImportProgress& p) {
            if (p.stage == "retrieve") ++progressCalls;
        });
        QVERIFY2(report.complete(), formatPacsImportReport(report).c_str());
        QCOMPARE(report.instancesRetrieved(), 7);
        QVERIFY(progressCalls >= 7);
        QCOMPARE(pixelHashes(workspace), folderImportHashes_);
        QCOMPARE(report.import.counts().imported, folderImportCounts_.imported);
        QCOMPARE(retrievedFiles(folder).size(), 7);
    }

    void moveRefusalsAreClearErrors_data() {
        QTest::addColumn<QString>("calling");
        QTest::addColumn<QString>("destination");
        QTest::addColumn<bool>("portTaken");
        QTest::addColumn<QStringList>("message");
        QTest::newRow("destination unknown to the PACS")
            << OrthancTestServer::moveAeTitle() << "NOSUCHAE" << false
            << QStringList{"knows the move destination 'NOSUCHAE'", "port"};
        QTest::newRow("calling AE not allowed to move")
            << "FMCSTRANGER" << OrthancTestServer::moveAeTitle() << false
            << QStringList{"failed before any instance arrived", "lets the calling AE title 'FMCSTRANGER' retrieve"};
        QTest::newRow("nothing listens where the PACS sends")
            << OrthancTestServer::moveAeTitle() << OrthancTestServer::closedPortAeTitle() << false
            << QStringList{"refused the C-MOVE to 'FMCCLOSED'", "firewall blocks port"};
        QTest::newRow("our port is taken")
            << OrthancTestServer::moveAeTitle() << OrthancTestServer::moveAeTitle() << true
            << QStringList{"cannot listen on port", "another program"};
    }

    void moveRefusalsAreClearErrors() {
        QFETCH(QString, calling);
        QFETCH(QString, destination);
        QFETCH(bool, portTaken);
        QFETCH(QStringList, message);
        auto s = moveSettings();
        s.callingAeTitle = calling;
        s.moveDestinationAeTitle = destination;
        QTcpServer squatter;
        if (portTaken) QVERIFY(squatter.listen(QHostAddress::Any, orthanc_->moveDestinationPort()));
        DimseClient client(s);
        const QString folder = dir_.filePath("move-refused-" + QString::number(qHash(QTest::currentDataTag())));
        auto workspace = SiteWorkspace::open(folder.toStdString());
        const auto selection = everySeries(client);
        try {
            importFromPacs(workspace, client, selection, {});
            QFAIL("the refused C-MOVE was not reported");
        } catch (const Error& error) {
            for (const auto& part : message) QVERIFY2(QString(error.what()).contains(part), error.what());
        }
        QCOMPARE(workspace.store().imageCount(), 0);
        QCOMPARE(retrievedFiles(folder).size(), 0);
    }

    void cancelledMoveKeepsOnlyCompleteFiles() {
        DimseClient client(moveSettings());
        const QString folder = dir_.filePath("move-cancel");
        auto workspace = SiteWorkspace::open(folder.toStdString());
        std::atomic<bool> cancel{false};
        const auto report = importFromPacs(workspace, client, everySeries(client), {}, [&](const PacsImportProgress& p) {
            if (p.stage == "retrieve" && p.done >= 1) cancel = true;
        }, &cancel);
        QVERIFY(report.cancelled);
        QVERIFY(!report.complete());
        QVERIFY(report.instancesRetrieved() < 7);
        QCOMPARE(retrievedFiles(folder).size(), report.instancesRetrieved());
        QCOMPARE(workspace.store().integrityCheck(), std::string("ok"));
    }

    void aSilentPeerTimesOut() {
        // Listening, but never answering the association request (nothing reads the socket).
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost));
        auto s = settings();
        s.port = silent.serverPort();
        s.timeoutSeconds = 2;
        QElapsedTimer clock;
        clock.start();
        try {
            DimseClient(s).verify();
            QFAIL("a silent peer was accepted");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains("no answer within 2 seconds"), error.what());
        }
        QVERIFY(clock.elapsed() < 20'000);
    }

    void reportStoredByCStoreIsFoundAgain() {
        if (!dsrdumpInstalled()) QSKIP("dsrdump (Debian package dcmtk) is not installed");
        PredictionReportContent content;
        content.imagePath = (sharedDataDir() + "/dicom/pydicom-test-files/MR_small.dcm").toStdString();
        content.predictedClass = "glioma";
        content.classes = {"glioma", "meningioma", "notumor"};
        content.probabilities = {0.6, 0.3, 0.1};
        content.modelDescription = "global-fam version 2";
        const auto report = buildStructuredReport(content);
        const QString path = dir_.filePath("report.dcm");
        saveStructuredReport(report, path);
        DimseClient client(settings());
        client.storeFile(path);

        bool found = false;
        for (const auto& series : client.findSeries(report.studyInstanceUid))
            found = found || (series.seriesInstanceUid == report.seriesInstanceUid && series.modality == "SR");
        QVERIFY(found);
        const auto back = client.retrieveSeries({report.studyInstanceUid, report.seriesInstanceUid}, dir_.filePath("sr-back"));
        QVERIFY2(back.complete, back.error.c_str());
        QCOMPARE(back.files.size(), size_t(1));
        const auto [code, dump] = dsrdump(QString::fromStdString(back.files.front()));
        QVERIFY2(code == 0, qPrintable(dump));
        QVERIFY2(dump.contains("\"glioma\"") && dump.contains("Research use only"), qPrintable(dump));
    }

    // Last: it kills Orthanc.
    void orthancStoppedMidRetrieveLeavesAConsistentStore() {
        DimseClient client(settings());
        const QString folder = dir_.filePath("killed");
        auto workspace = SiteWorkspace::open(folder.toStdString());
        std::vector<SeriesSelection> selection;
        for (const auto& study : client.findStudies({}))
            for (const auto& series : client.findSeries(study.studyInstanceUid))
                if (series.modality != "SR") selection.push_back({study.studyInstanceUid, series.seriesInstanceUid});
        const auto report = importFromPacs(workspace, client, selection, {}, [&](const PacsImportProgress& p) {
            if (p.stage == "retrieve" && p.done == 1) orthanc_->kill();
        });
        QVERIFY(!report.complete());
        const auto text = QString::fromStdString(formatPacsImportReport(report));
        QVERIFY2(text.contains("run the import again"), qPrintable(text));
        const int arrived = report.instancesRetrieved();
        QVERIFY2(arrived >= 1 && arrived < 7, qPrintable(text));
        QCOMPARE(retrievedFiles(folder).size(), arrived);  // complete files only, no ".part"
        QCOMPARE(workspace.store().imageCount() + report.import.counts().duplicates, arrived);
        QCOMPARE(workspace.store().integrityCheck(), std::string("ok"));
    }
};

QTEST_MAIN(TestDimseClient)
#include "tst_dimseclient.moc"
