// The Import from PACS dialog against a real Orthanc: search by DICOMweb and by DIMSE, the
// study/series tree, retrieval of the checked series only (C-GET and C-MOVE), Test
// connection, and a refused password reported in the dialog with nothing retrieved.
#include "shell/app_settings.h"
#include "widgets/pacs_connection_form.h"
#include "widgets/pacs_import_dialog.h"

#include "../../pacs/pacs_test_support.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QtTest>

using namespace fmc;
using namespace fmc::test;
using namespace fmc::ui;

class TestPacsImportDialog : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::unique_ptr<OrthancTestServer> orthanc_;

    template <typename T>
    static T* field(PacsImportDialog& dialog, const char* name) {
        auto* widget = dialog.findChild<T*>(QLatin1String(name));
        if (!widget) qFatal("no widget %s", name);
        return widget;
    }

    void useDicomWeb(PacsImportDialog& dialog, const QString& password) {
        field<QComboBox>(dialog, "protocol")->setCurrentIndex(0);
        field<QLineEdit>(dialog, "url")->setText(orthanc_->dicomWebUrl());
        field<QComboBox>(dialog, "auth")->setCurrentIndex(1);
        field<QLineEdit>(dialog, "user")->setText(OrthancTestServer::user());
        field<QLineEdit>(dialog, "password")->setText(password);
    }

    void useDimse(PacsImportDialog& dialog) {
        field<QComboBox>(dialog, "protocol")->setCurrentIndex(1);
        field<QLineEdit>(dialog, "host")->setText("127.0.0.1");
        field<QSpinBox>(dialog, "port")->setValue(orthanc_->dicomPort());
        field<QLineEdit>(dialog, "callingAe")->setText("FMCGUI");
        field<QLineEdit>(dialog, "calledAe")->setText(OrthancTestServer::aeTitle());
    }

    static int search(PacsImportDialog& dialog) {
        QSignalSpy found(&dialog, &PacsImportDialog::searchFinished);
        dialog.search();
        if (!found.wait(30'000)) return -1;
        return found.first().first().toInt();
    }

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        qputenv("FMC_PACS_CREDENTIALS_FILE_ONLY", "1");
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, dir_.filePath("settings"));
        if (!sharedDicomPresent()) QSKIP("../shared/data/dicom is absent: the PACS tests need its DICOM files");
        if (!OrthancTestServer::installed()) QSKIP("Orthanc is not installed (Debian packages orthanc, orthanc-dicomweb)");
        orthanc_ = std::make_unique<OrthancTestServer>(dir_.filePath("orthanc"));
        QString error;
        QVERIFY2(orthanc_->start(&error), qPrintable(error));
        const auto loaded = loadOrthanc(*orthanc_);
        QVERIFY2(loaded.isEmpty(), qPrintable(loaded));
    }

    void dicomWebSearchAndRetrieveTheCheckedSeries() {
        PacsImportDialog dialog(dir_.filePath("workspace-web"));
        useDicomWeb(dialog, orthanc_->password());
        QCOMPARE(search(dialog), 6);
        QCOMPARE(dialog.results()->rowCount(), 6);
        field<QLineEdit>(dialog, "modality")->setText("OT");
        QCOMPARE(search(dialog), 1);
        auto* study = dialog.results()->item(0);
        QCOMPARE(study->rowCount(), 1);                                  // one series
        QCOMPARE(dialog.results()->item(0, 4)->text(), QString("2"));  // of two images
        study->setCheckState(Qt::Checked);
        QCOMPARE(study->child(0)->checkState(), Qt::Checked);  // checking a study checks its series
        QSignalSpy retrieved(&dialog, &PacsImportDialog::filesRetrieved);
        QSignalSpy finished(&dialog, &PacsImportDialog::retrievalFinished);
        dialog.retrieveChecked();
        QVERIFY(finished.wait(30'000));
        QCOMPARE(finished.first().first().toBool(), true);
        QCOMPARE(retrieved.size(), 1);
        const auto files = retrieved.first().first().toStringList();
        QCOMPARE(files.size(), 2);
        for (const auto& file : files) QVERIFY(file.startsWith(dir_.filePath("workspace-web/pacs/")));
        QCOMPARE(retrievedFiles(dir_.filePath("workspace-web")).size(), 2);  // only what was checked
    }

    void dimseSearchAndRetrieve() {
        PacsImportDialog dialog(dir_.filePath("workspace-dimse"));
        useDimse(dialog);
        QCOMPARE(search(dialog), 6);
        for (int row = 0; row < dialog.results()->rowCount(); ++row) dialog.results()->item(row)->setCheckState(Qt::Checked);
        QSignalSpy retrieved(&dialog, &PacsImportDialog::filesRetrieved);
        QSignalSpy finished(&dialog, &PacsImportDialog::retrievalFinished);
        dialog.retrieveChecked();
        QVERIFY(finished.wait(60'000));
        QCOMPARE(finished.first().first().toBool(), true);
        QCOMPARE(retrieved.first().first().toStringList().size(), 7);
    }

    void dimseMoveRetrieveAndTestConnection() {
        PacsImportDialog dialog(dir_.filePath("workspace-move"));
        useDimse(dialog);
        field<QLineEdit>(dialog, "callingAe")->setText(OrthancTestServer::moveAeTitle());
        field<QComboBox>(dialog, "retrieve")->setCurrentIndex(1);
        field<QSpinBox>(dialog, "movePort")->setValue(orthanc_->moveDestinationPort());
        auto* form = dialog.findChild<PacsConnectionForm*>();
        QSignalSpy tested(form, &PacsConnectionForm::testFinished);
        dialog.testConnection();
        QVERIFY(tested.wait(30'000));
        QVERIFY2(tested.first().at(0).toBool(), qPrintable(tested.first().at(1).toString()));
        QVERIFY(form->testStatus().contains("answers and accepts this site"));
        QCOMPARE(search(dialog), 6);
        for (int row = 0; row < dialog.results()->rowCount(); ++row) dialog.results()->item(row)->setCheckState(Qt::Checked);
        QSignalSpy retrieved(&dialog, &PacsImportDialog::filesRetrieved);
        QSignalSpy finished(&dialog, &PacsImportDialog::retrievalFinished);
        dialog.retrieveChecked();
        QVERIFY(finished.wait(60'000));
        QVERIFY2(finished.first().first().toBool(), qPrintable(dialog.reportText()));
        QCOMPARE(retrieved.first().first().toStringList().size(), 7);
        QCOMPARE(retrievedFiles(dir_.filePath("workspace-move")).size(), 7);
        // The connection used is the one Settings shows.
        QCOMPARE(AppSettings::pacsConnection().dimse.retrieve, pacs::DimseRetrieve::Move);
    }

    void aRefusedPasswordIsShownAndNothingRetrieved() {
        PacsImportDialog dialog(dir_.filePath("workspace-wrong"));
        useDicomWeb(dialog, "wrong-password");
        QSignalSpy found(&dialog, &PacsImportDialog::searchFinished);
        dialog.search();
        QTRY_VERIFY_WITH_TIMEOUT(dialog.reportText().contains("refused the credentials"), 30'000);
        QVERIFY(field<QLabel>(dialog, "status")->text().contains("HTTP 401"));
        QCOMPARE(found.size(), 0);
        QCOMPARE(dialog.results()->rowCount(), 0);
        QCOMPARE(retrievedFiles(dir_.filePath("workspace-wrong")).size(), 0);
    }
};

QTEST_MAIN(TestPacsImportDialog)
#include "tst_pacsimportdialog.moc"
