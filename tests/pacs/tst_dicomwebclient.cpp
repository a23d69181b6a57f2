// DicomWebClient against a real Orthanc (with its DICOMweb plugin) on loopback: QIDO-RS
// search, WADO-RS import through importFromPacs compared with a folder import of the same
// files, a refused password, Orthanc killed mid-retrieve, and an SR stored by STOW-RS and
// read back.
#include "common/types.h"
#include "pacs/dicomweb_client.h"
#include "pacs/pacs_import.h"
#include "pacs/structured_report.h"
#include "pacs_test_support.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>

using namespace fmc;
using namespace fmc::pacs;
using namespace fmc::test;

class TestDicomWebClient : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::unique_ptr<OrthancTestServer> orthanc_;
    std::vector<std::string> folderImportHashes_;
    ImportRunCounts folderImportCounts_;

    DicomWebSettings settings(const QString& password) const {
        DicomWebSettings s;
        s.baseUrl = orthanc_->dicomWebUrl();
        s.auth = AuthKind::Basic;
        s.username = OrthancTestServer::user();
        s.secret = password;
        s.timeoutMs = 10'000;
        return s;
    }
    DicomWebClient client() const { return DicomWebClient(settings(orthanc_->password())); }

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        if (!sharedDicomPresent()) QSKIP("../shared/data/dicom is absent: the PACS tests need its DICOM files");
        if (!OrthancTestServer::installed())
            QSKIP("Orthanc and its DICOMweb plugin are not installed (Debian packages orthanc, orthanc-dicomweb; "
                  "tools/setup.sh installs them)");
        orthanc_ = std::make_unique<OrthancTestServer>(dir_.filePath("orthanc"));
        QString error;
        QVERIFY2(orthanc_->start(&error), qPrintable(error));
        const auto loaded = loadOrthanc(*orthanc_);
        QVERIFY2(loaded.isEmpty(), qPrintable(loaded));

        auto reference = SiteWorkspace::open(dir_.filePath("folder-import").toStdString());
        std::vector<std::string> files;
        for (const auto& file : orthancTestFiles(sharedDataDir())) files.push_back(file.toStdString());
        const auto report = reference.importPaths(files, {});
        folderImportCounts_ = report.counts();
        folderImportHashes_ = pixelHashes(reference);
        QVERIFY(!folderImportHashes_.empty());
    }

    void multipartParts_data() {
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QList<QByteArray>>("parts");
        QTest::addColumn<bool>("fails");
        QTest::newRow("one part, quoted boundary")
            << QByteArray("multipart/related; type=\"application/dicom\"; boundary=\"b1\"")
            << QByteArray("--b1\r\nContent-Type: application/dicom\r\n\r\nDATA\r\n--b1--\r\n") << QList<QByteArray>{"DATA"}
            << false;
        QTest::newRow("two parts, preamble, CRLF inside")
            << QByteArray("multipart/related; boundary=xyz")
            << QByteArray("preamble\r\n--xyz\r\nA: 1\r\n\r\nfirst\r\nline\r\n--xyz\r\nB: 2\r\n\r\nsecond\r\n--xyz--")
            << QList<QByteArray>{"first\r\nline", "second"} << false;
        QTest::newRow("no boundary") << QByteArray("multipart/related") << QByteArray("--x\r\n\r\nA\r\n--x--")
                                     << QList<QByteArray>{} << true;
        QTest::newRow("cut off") << QByteArray("multipart/related; boundary=x")
                                 << QByteArray("--x\r\nA: 1\r\n\r\npartial data") << QList<QByteArray>{} << true;
    }

    void multipartParts() {
        QFETCH(QByteArray, contentType);
        QFETCH(QByteArray, body);
        QFETCH(QList<QByteArray>, parts);
        QFETCH(bool, fails);
        if (fails) {
            QVERIFY_THROWS_EXCEPTION(Error, pacs::multipartParts(contentType, body));
            return;
        }
        const auto got = pacs::multipartParts(contentType, body);
        QCOMPARE(QList<QByteArray>(got.begin(), got.end()), parts);
    }

    void wildcards_data() {
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<bool>("matches");
        QTest::newRow("exact") << "DOE^JOHN" << "DOE^JOHN" << true;
        QTest::newRow("case") << "Doe^John" << "DOE^JOHN" << true;
        QTest::newRow("star at end") << "DOE^JOHN" << "DOE*" << true;
        QTest::newRow("star inside") << "Müller^Hans" << "M*ler^H*" << true;
        QTest::newRow("question mark") << "DOE^JON" << "DOE^J?N" << true;
        QTest::newRow("question mark needs a character") << "DOE^JN" << "DOE^J?N" << false;
        QTest::newRow("prefix only is no match") << "DOE^JOHN" << "DOE" << false;
        QTest::newRow("star matches empty") << "DOE" << "DOE*" << true;
        QTest::newRow("backtracking") << "AXBXC" << "A*X*C" << true;
        QTest::newRow("different") << "SMITH" << "DOE*" << false;
    }

    void wildcards() {
        QFETCH(QString, value);
        QFETCH(QString, pattern);
        QFETCH(bool, matches);
        QCOMPARE(matchesDicomWildcard(value, pattern), matches);
    }

    void rejectsUrlsThatAreNotHttp() {
        DicomWebSettings s;
        s.baseUrl = "ftp://pacs/dicom-web";
        QVERIFY_THROWS_EXCEPTION(Error, DicomWebClient{s});
    }

    // HTTPS through the hospital's reverse proxy: trusted with the hospital's CA given,
    // refused (naming the CA setting) without it.
    void httpsWithTheHospitalsCa() {
        if (!QFileInfo(TlsProxy::executable()).isExecutable()) QSKIP("nginx (Debian nginx-light) is not installed");
        const auto certificates = makeTestCertificates(dir_.filePath("pki"));
        QVERIFY2(!certificates.ca.isEmpty(), "openssl could not make the test certificates");
        TlsProxy proxy(dir_.filePath("proxy"), certificates, orthanc_->httpPort());
        QVERIFY2(proxy.start(), "nginx did not start");
        auto s = settings(orthanc_->password());
        s.baseUrl = proxy.url("/dicom-web");
        s.caCertificatesPath = certificates.ca;
        DicomWebClient trusted(s);
        QCOMPARE(trusted.findStudies({}).size(), size_t(6));
        const auto series = everySeries(trusted).front();
        QVERIFY(trusted.retrieveSeries(series, dir_.filePath("over-https")).complete);
        s.caCertificatesPath.clear();
        try {
            DicomWebClient(s).findStudies({});
            QFAIL("a certificate of an unknown CA was accepted");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains("CA certificate"), error.what());
        }
    }

    // A bearer token goes in the Authorization header as such (Orthanc has no tokens of its
    // own, so a loopback listener of the test's plays the server).
    void bearerTokenIsSent() {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        QByteArray received;
        connect(&server, &QTcpServer::newConnection, this, [&] {
            auto* socket = server.nextPendingConnection();
            connect(socket, &QTcpSocket::readyRead, socket, [&received, socket] {
                received += socket->readAll();
                if (!received.contains("\r\n\r\n")) return;
                socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/dicom+json\r\nContent-Length: 2\r\n\r\n[]");
                socket->disconnectFromHost();
            });
        });
        DicomWebSettings s;
        s.baseUrl = QStringLiteral("http://127.0.0.1:%1/dicom-web").arg(server.serverPort());
        s.auth = AuthKind::Bearer;
        s.secret = "tok-123.abc";
        QVERIFY(DicomWebClient(s).findStudies({}).empty());
        QVERIFY2(received.contains("\r\nAuthorization: Bearer tok-123.abc\r\n"), received.constData());
        QVERIFY2(received.startsWith("GET /dicom-web/studies?"), received.constData());
    }

    void findStudies_data() { addStudyQueryRows(); }

    void findStudies() {
        QFETCH(StudyQuery, query);
        QFETCH(QStringList, patientIds);
        auto web = client();
        QCOMPARE(patientIdsOf(web.findStudies(query)), patientIds);
    }

    void findSeriesListsTheInstances() {
        auto web = client();
        StudyQuery query;
        query.patientId = "ID1";
        const auto studies = web.findStudies(query);
        QCOMPARE(studies.size(), size_t(1));
        const auto series = web.findSeries(studies.front().studyInstanceUid);
        QCOMPARE(series.size(), size_t(1));
        QCOMPARE(series.front().modality, QString("OT"));
        QCOMPARE(series.front().instanceCount, 2);  // SC_rgb_jpeg_dcmtk.dcm and SC_rgb_rle.dcm
        QCOMPARE(web.findInstances({studies.front().studyInstanceUid, series.front().seriesInstanceUid}).size(), 2);
    }

    void importMatchesAFolderImport() {
        auto web = client();
        const QString folder = dir_.filePath("web-import");
        auto workspace = SiteWorkspace::open(folder.toStdString());
        const auto selection = everySeries(web);
        QCOMPARE(selection.size(), size_t(6));
        int lastDone = 0;
        const auto report = importFromPacs(workspace, web, selection, {}, [&](const PacsImportProgress& p) {
            if (p.stage == "retrieve") lastDone = p.done;
        });
        QVERIFY2(report.complete(), formatPacsImportReport(report).c_str());
        QCOMPARE(report.instancesRetrieved(), 7);
        QCOMPARE(lastDone, 7);
        QCOMPARE(pixelHashes(workspace), folderImportHashes_);
        const auto counts = report.import.counts();
        QCOMPARE(counts.imported, folderImportCounts_.imported);
        QCOMPARE(counts.duplicates, folderImportCounts_.duplicates);
        QCOMPARE(counts.errors, 0);
        // No UID in any path: they identify the patient.
        for (const auto& image : workspace.store().images())
            QVERIFY2(image.sourcePath.find("1.3.6.1.4.1.5962") == std::string::npos, image.sourcePath.c_str());

        // Again: nothing is fetched twice and nothing is imported twice.
        const auto again = importFromPacs(workspace, web, selection, {});
        QVERIFY(again.complete());
        QCOMPARE(again.import.counts().imported, 0);
        QCOMPARE(pixelHashes(workspace), folderImportHashes_);
    }

    void onlyTheSelectedSeriesIsRetrieved() {
        auto web = client();
        auto workspace = SiteWorkspace::open(dir_.filePath("one-series").toStdString());
        StudyQuery query;
        query.modality = "CT";
        const auto study = web.findStudies(query).at(0);
        const auto series = web.findSeries(study.studyInstanceUid).at(0);
        const auto report = importFromPacs(workspace, web, {{study.studyInstanceUid, series.seriesInstanceUid}}, {});
        QVERIFY(report.complete());
        QCOMPARE(workspace.store().imageCount(), 1);
        QCOMPARE(retrievedFiles(dir_.filePath("one-series")).size(), 1);
        QCOMPARE(workspace.store().images().front().modality, std::string("CT"));
    }

    void cancelledRetrievalImportsWhatArrived() {
        auto web = client();
        const QString folder = dir_.filePath("cancelled");
        auto workspace = SiteWorkspace::open(folder.toStdString());
        std::atomic<bool> cancel{false};
        const auto report = importFromPacs(workspace, web, everySeries(web), {}, [&](const PacsImportProgress& p) {
            if (p.stage == "retrieve" && p.done == 3) cancel = true;
        }, &cancel);
        QVERIFY(report.cancelled);
        QVERIFY(!report.complete());
        QCOMPARE(report.instancesRetrieved(), 3);
        QCOMPARE(retrievedFiles(folder).size(), 3);
        QCOMPARE(workspace.store().imageCount(), 3);  // the seven test images are all distinct
        QVERIFY(workspace.store().importRuns().back().finishedAt.has_value());
        QVERIFY(QString::fromStdString(formatPacsImportReport(report)).contains("cancelled"));
    }

    void wrongPasswordIsRefusedClearlyAndImportsNothing() {
        DicomWebClient wrong(settings("not-the-password"));
        auto workspace = SiteWorkspace::open(dir_.filePath("wrong-password").toStdString());
        try {
            wrong.findStudies({});
            QFAIL("a wrong password was accepted");
        } catch (const Error& error) {
            const QString message = error.what();
            QVERIFY2(message.contains("refused the credentials") && message.contains("HTTP 401") &&
                         message.contains(orthanc_->dicomWebUrl()),
                     error.what());
            QVERIFY2(!message.contains("not-the-password"), error.what());
        }
        auto web = client();
        const auto selection = everySeries(web);
        QVERIFY_THROWS_EXCEPTION(Error, importFromPacs(workspace, wrong, selection, {}));
        QCOMPARE(workspace.store().imageCount(), 0);
        QCOMPARE(workspace.store().importRuns().size(), size_t(0));
        QCOMPARE(retrievedFiles(dir_.filePath("wrong-password")).size(), 0);
    }

    void storedReportIsReadBackFromOrthanc() {
        if (!dsrdumpInstalled()) QSKIP("dsrdump (Debian package dcmtk) is not installed");
        PredictionReportContent content;
        content.imagePath = (sharedDataDir() + "/dicom/pydicom-test-files/CT_small.dcm").toStdString();
        content.predictedClass = "tumour";
        content.classes = {"normal", "tumour"};
        content.probabilities = {0.25, 0.75};
        content.modelDescription = "local-checkpoint version 7";
        content.bundleHash = "0123456789abcdef";
        const auto report = buildStructuredReport(content);
        auto web = client();
        web.store(report.part10);

        // QIDO-RS finds the new SR series in the CT study; WADO-RS brings it back intact.
        SeriesResult srSeries;
        for (const auto& series : web.findSeries(report.studyInstanceUid))
            if (series.seriesInstanceUid == report.seriesInstanceUid) srSeries = series;
        QCOMPARE(srSeries.modality, QString("SR"));
        const auto back = web.retrieveSeries({report.studyInstanceUid, report.seriesInstanceUid}, dir_.filePath("sr-back"));
        QVERIFY(back.complete);
        QCOMPARE(back.files.size(), size_t(1));
        QFile file(QString::fromStdString(back.files.front()));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), report.part10);
        const auto [code, dump] = dsrdump(QString::fromStdString(back.files.front()));
        QVERIFY2(code == 0, qPrintable(dump));
        QVERIFY2(dump.contains("\"tumour\"") && dump.contains("Research use only"), qPrintable(dump));
    }

    // Last: it kills and restarts Orthanc.
    void orthancStoppedMidRetrieveLeavesAConsistentStore() {
        auto web = client();
        const QString folder = dir_.filePath("killed");
        auto workspace = SiteWorkspace::open(folder.toStdString());
        auto selection = everySeries(web);
        // Only the image series (the SR of the previous test is not in the folder import).
        selection.erase(std::remove_if(selection.begin(), selection.end(),
                                       [&](const SeriesSelection& s) {
                                           for (const auto& found : web.findSeries(s.studyInstanceUid))
                                               if (found.seriesInstanceUid == s.seriesInstanceUid) return found.modality == "SR";
                                           return false;
                                       }),
                        selection.end());
        QCOMPARE(selection.size(), size_t(6));
        const auto report = importFromPacs(workspace, web, selection, {}, [&](const PacsImportProgress& p) {
            if (p.stage == "retrieve" && p.done == 2) orthanc_->kill();
        });
        QVERIFY(!report.complete());
        QCOMPARE(report.instancesRetrieved(), 2);
        const auto text = QString::fromStdString(formatPacsImportReport(report));
        QVERIFY2(text.contains("Connection refused") && text.contains("run the import again"), qPrintable(text));
        // The store holds exactly the complete files that arrived; nothing partial anywhere.
        QCOMPARE(retrievedFiles(folder).size(), 2);
        QCOMPARE(workspace.store().imageCount() + report.import.counts().duplicates, 2);
        QCOMPARE(workspace.store().integrityCheck(), std::string("ok"));
        QVERIFY(workspace.store().importRuns().back().finishedAt.has_value());

        // Orthanc back: the same import finishes the job, the first instances already imported.
        QString error;
        QVERIFY2(orthanc_->start(&error), qPrintable(error));
        const auto resumed = importFromPacs(workspace, web, selection, {});
        QVERIFY2(resumed.complete(), formatPacsImportReport(resumed).c_str());
        QCOMPARE(resumed.import.count(ImportOutcome::AlreadyImported), report.import.count(ImportOutcome::Imported));
        QCOMPARE(pixelHashes(workspace), folderImportHashes_);
    }
};

QTEST_MAIN(TestDicomWebClient)
#include "tst_dicomwebclient.moc"
