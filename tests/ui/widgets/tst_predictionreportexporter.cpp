// A saved prediction as a DICOM SR from the Classify page's saved predictions: "Export as
// DICOM SR…" writes a file dsrdump accepts, "Send to PACS" stores it on a real Orthanc by
// STOW-RS (the password from the credential store) and by C-STORE, where it is found again
// in the image's study; a photo, a missing password and no selection are explained, and
// the export runs on the exporter's worker thread.
#include "models/prediction_list_model.h"
#include "pages/classify_page.h"
#include "shell/app_settings.h"
#include "widgets/prediction_report_exporter.h"
#include "workspace/site_store_workspace.h"
#include "workspace/task_runner.h"

#include "../../pacs/pacs_test_support.h"
#include "pacs/credential_store.h"
#include "pacs/dicomweb_client.h"
#include "pacs/dimse_client.h"

#include <QItemSelectionModel>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QtTest>

using namespace fmc;
using namespace fmc::test;
using namespace fmc::ui;

namespace {

QString mrImage() { return sharedDataDir() + "/dicom/pydicom-test-files/MR_small.dcm"; }
QString photo() { return sharedDataDir() + "/dermoscopy-isic9/Test/melanoma/ISIC_0000002.jpg"; }
constexpr auto kMrStudy = "1.3.6.1.4.1.5962.1.2.4.20040826185059.5457";

}  // namespace

class TestPredictionReportExporter : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::unique_ptr<OrthancTestServer> orthanc_;
    std::unique_ptr<SiteStoreWorkspace> workspace_;

    // Selects the saved prediction of `imagePath` in the page's list.
    static bool select(ClassifyPage& page, const QString& imagePath) {
        auto* table = page.findChild<QTableView*>(QStringLiteral("savedPredictions"));
        for (int row = 0; row < page.savedPredictions()->rowCount(); ++row)
            if (page.savedPredictions()->prediction(row).imagePath == imagePath) {
                table->selectionModel()->select(page.savedPredictions()->index(row, 0),
                                                QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
                return true;
            }
        return false;
    }

    static std::pair<bool, QString> waitForReport(ClassifyPage& page, QSignalSpy& finished) {
        if (!finished.wait(60'000)) return {false, QStringLiteral("no reportFinished")};
        return {finished.first().at(0).toBool(), finished.first().at(1).toString()};
    }

    // SR series in the MR image's study, found by DIMSE C-FIND.
    int srSeriesInMrStudy() const {
        pacs::DimseSettings s;
        s.port = orthanc_->dicomPort();
        s.calledAeTitle = OrthancTestServer::aeTitle();
        int count = 0;
        for (const auto& series : pacs::DimseClient(s).findSeries(QString::fromLatin1(kMrStudy)))
            count += series.modality == "SR";
        return count;
    }

    pacs::PacsSettings dicomWebConnection() const {
        pacs::PacsSettings c;
        c.dicomWeb.baseUrl = orthanc_->dicomWebUrl();
        c.dicomWeb.auth = pacs::AuthKind::Basic;
        c.dicomWeb.username = OrthancTestServer::user();
        return c;
    }

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        qputenv("FMC_PACS_CREDENTIALS_FILE_ONLY", "1");
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, dir_.filePath("settings"));
        if (!sharedDicomPresent()) QSKIP("../shared/data/dicom is absent: the SR references its MR image");
        workspace_ = SiteStoreWorkspace::create(dir_.filePath("ws"));
        for (const auto& image : {photo(), mrImage()}) {
            PredictionRecord record;
            record.imagePath = image;
            record.classNames = {"glioma", "meningioma", "notumor"};
            record.probabilities = {0.7, 0.2, 0.1};
            record.madeAt = QDateTime::currentDateTime();
            workspace_->savePrediction(record);
        }
        QCOMPARE(workspace_->predictions().size(), 2);
        QVERIFY(workspace_->predictions().first().id > 0);
    }

    void exportAsDicomSrWritesAValidFile() {
        if (!dsrdumpInstalled()) QSKIP("dsrdump (Debian package dcmtk) is not installed");
        ClassifyPage page;
        page.setWorkspace(workspace_.get());
        auto* exportButton = page.findChild<QPushButton*>(QStringLiteral("exportReportButton"));
        auto* sendButton = page.findChild<QPushButton*>(QStringLiteral("sendReportButton"));
        QVERIFY(exportButton && sendButton);
        QVERIFY(!exportButton->isEnabled() && !sendButton->isEnabled());  // nothing selected
        QVERIFY(!page.exportSelectedReport(dir_.filePath("none.dcm")));
        QVERIFY(select(page, mrImage()));
        QVERIFY(exportButton->isEnabled() && sendButton->isEnabled());

        QSignalSpy finished(&page, &ClassifyPage::reportFinished);
        const auto path = dir_.filePath("mr-report.dcm");
        QVERIFY(page.exportSelectedReport(path));
        QVERIFY(!exportButton->isEnabled());  // while it runs
        const auto [ok, message] = waitForReport(page, finished);
        QVERIFY2(ok, qPrintable(message));
        QVERIFY2(message.contains(path), qPrintable(message));
        QVERIFY(exportButton->isEnabled());
        const auto [code, dump] = dsrdump(path);
        QVERIFY2(code == 0, qPrintable(dump));
        QVERIFY2(dump.contains("=\"glioma\"") && dump.contains("\"0.700000\"") && dump.contains("Research use only"),
                 qPrintable(dump));
        QVERIFY2(dump.contains("1.3.6.1.4.1.5962.1.1.4.1.1.20040826185059.5457"), qPrintable(dump));  // MR's SOP instance
    }

    void aPhotoCannotBeExportedAndTheMessageNamesIt() {
        ClassifyPage page;
        page.setWorkspace(workspace_.get());
        QVERIFY(select(page, photo()));
        QSignalSpy finished(&page, &ClassifyPage::reportFinished);
        const auto path = dir_.filePath("photo-report.dcm");
        QVERIFY(page.exportSelectedReport(path));
        const auto [ok, message] = waitForReport(page, finished);
        QVERIFY(!ok);
        QVERIFY2(message.contains(photo()) && message.contains("DICOM image"), qPrintable(message));
        QVERIFY(!QFileInfo::exists(path));
    }

    void startOrthanc() {
        if (!OrthancTestServer::installed()) QSKIP("Orthanc is not installed (Debian packages orthanc, orthanc-dicomweb)");
        orthanc_ = std::make_unique<OrthancTestServer>(dir_.filePath("orthanc"));
        QString error;
        QVERIFY2(orthanc_->start(&error), qPrintable(error));
        QVERIFY(orthanc_->upload(mrImage()));
        QCOMPARE(srSeriesInMrStudy(), 0);
    }

    void sendToPacsWithoutARememberedPasswordIsExplained() {
        if (!orthanc_) QSKIP("no Orthanc");
        AppSettings::setPacsConnection(dicomWebConnection());
        ClassifyPage page;
        page.setWorkspace(workspace_.get());
        QVERIFY(select(page, mrImage()));
        QSignalSpy finished(&page, &ClassifyPage::reportFinished);
        QVERIFY(page.sendSelectedReport());
        const auto [ok, message] = waitForReport(page, finished);
        QVERIFY(!ok);
        QVERIFY2(message.contains("No password or token is remembered") && message.contains("Settings"), qPrintable(message));
        QCOMPARE(srSeriesInMrStudy(), 0);
    }

    void sendToPacsByStowRsAndByCStore() {
        if (!orthanc_) QSKIP("no Orthanc");
        const auto web = dicomWebConnection();
        pacs::CredentialStore::forUser().setSecret(pacs::credentialAccount(web.dicomWeb), orthanc_->password());
        AppSettings::setPacsConnection(web);
        ClassifyPage page;
        page.setWorkspace(workspace_.get());
        QVERIFY(select(page, mrImage()));
        {
            QSignalSpy finished(&page, &ClassifyPage::reportFinished);
            QVERIFY(page.sendSelectedReport());
            const auto [ok, message] = waitForReport(page, finished);
            QVERIFY2(ok, qPrintable(message));
            QVERIFY2(message.contains("DICOMweb"), qPrintable(message));
        }
        QCOMPARE(srSeriesInMrStudy(), 1);  // a new SR series in the image's own study

        pacs::PacsSettings dimse;
        dimse.protocol = pacs::PacsProtocol::Dimse;
        dimse.dimse.port = orthanc_->dicomPort();
        dimse.dimse.calledAeTitle = OrthancTestServer::aeTitle();
        AppSettings::setPacsConnection(dimse);
        {
            QSignalSpy finished(&page, &ClassifyPage::reportFinished);
            QVERIFY(page.sendSelectedReport());
            const auto [ok, message] = waitForReport(page, finished);
            QVERIFY2(ok, qPrintable(message));
            QVERIFY2(message.contains("DIMSE"), qPrintable(message));
        }
        QCOMPARE(srSeriesInMrStudy(), 2);  // each export is a new SR document in a new series
    }
};

QTEST_MAIN(TestPredictionReportExporter)
#include "tst_predictionreportexporter.moc"
