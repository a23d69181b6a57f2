// SettingsDialog: a wrong bundle folder is explained and nothing is saved; good input is; the
// PACS connection is saved with its password in the credential store (here the private file:
// FMC_PACS_CREDENTIALS_FILE_ONLY) and not in the settings; Test connection runs on a worker
// thread and reports a PACS that is not there.
#include "pacs/credential_store.h"
#include "shell/app_settings.h"
#include "widgets/settings_dialog.h"
#include "ui_test_support.h"

#include "widgets/pacs_connection_form.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTcpServer>
#include <QSettings>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

using namespace fmc::ui;
using namespace fmc::ui::test;

class TestSettingsDialog : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        qputenv("FMC_PACS_CREDENTIALS_FILE_ONLY", "1");
        QSettings().clear();
    }
    void aFolderWithoutManifestIsRefused();
    void goodSettingsAreSaved();
    void pacsConnectionIsSavedWithThePasswordOutsideTheSettings();
    void testConnectionRunsOffTheGuiThread();
};

void TestSettingsDialog::aFolderWithoutManifestIsRefused() {
    QTemporaryDir dir;
    SettingsDialog dialog;
    dialog.findChild<QLineEdit*>(QStringLiteral("bundleFolder"))->setText(dir.path());
    QVERIFY(dialog.problem().contains(QStringLiteral("manifest.json")));
    dialog.findChild<QLineEdit*>(QStringLiteral("bundleFolder"))->setText(dir.filePath(QStringLiteral("nope")));
    QVERIFY(dialog.problem().contains(QStringLiteral("does not exist")));
    dialog.accept();
    QCOMPARE(dialog.result(), int(QDialog::Rejected));
    QCOMPARE(AppSettings::bundleDirectory(), QString());
}

void TestSettingsDialog::goodSettingsAreSaved() {
    QTemporaryDir dir;
    const auto bundle = makeTinyBundle(dir.filePath(QStringLiteral("bundle")));
    SettingsDialog dialog;
    dialog.findChild<QLineEdit*>(QStringLiteral("bundleFolder"))->setText(bundle);
    QCOMPARE(dialog.problem(), QString());
    auto* language = dialog.findChild<QComboBox*>(QStringLiteral("language"));
    language->setCurrentIndex(language->findData(QStringLiteral("de")));
    dialog.findChild<QSpinBox*>(QStringLiteral("threads"))->setValue(1);
    dialog.findChild<QSpinBox*>(QStringLiteral("maxFileMegabytes"))->setValue(12);
    dialog.findChild<QSpinBox*>(QStringLiteral("maxMegapixels"))->setValue(5);
    dialog.accept();
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QVERIFY(dialog.languageChanged());
    QCOMPARE(AppSettings::bundleDirectory(), bundle);
    QCOMPARE(AppSettings::language(), QStringLiteral("de"));
    QCOMPARE(AppSettings::cpuThreads(), 1);
    QCOMPARE(AppSettings::imageLimits().maxFileBytes, 12ull << 20);
    QCOMPARE(AppSettings::imageLimits().maxPixels, 5'000'000ull);
    QCOMPARE(AppSettings::device(), QStringLiteral("cpu"));
}

template <typename T>
static T* field(QWidget& parent, const char* name) {
    auto* widget = parent.findChild<T*>(QLatin1String(name));
    if (!widget) qFatal("no widget %s", name);
    return widget;
}

void TestSettingsDialog::pacsConnectionIsSavedWithThePasswordOutsideTheSettings() {
    const QString password = QStringLiteral("pacs-password-0815");
    {
        SettingsDialog dialog;
        field<QLineEdit>(dialog, "bundleFolder")->clear();  // the earlier case's bundle is gone
        QVERIFY2(field<QLabel>(dialog, "credentialStore")->text().contains(QStringLiteral("readable by you alone")),
                 qPrintable(field<QLabel>(dialog, "credentialStore")->text()));
        field<QComboBox>(dialog, "protocol")->setCurrentIndex(0);
        field<QLineEdit>(dialog, "url")->setText(QStringLiteral("https://pacs.example.org/dicom-web"));
        field<QComboBox>(dialog, "auth")->setCurrentIndex(1);
        field<QLineEdit>(dialog, "user")->setText(QStringLiteral("radiology"));
        field<QLineEdit>(dialog, "password")->setText(password);
        field<QCheckBox>(dialog, "rememberPassword")->setChecked(true);
        field<QLineEdit>(dialog, "host")->setText(QStringLiteral("pacs.local"));
        field<QSpinBox>(dialog, "port")->setValue(4242);
        field<QLineEdit>(dialog, "callingAe")->setText(QStringLiteral("SITEA"));
        field<QLineEdit>(dialog, "calledAe")->setText(QStringLiteral("MAINPACS"));
        field<QComboBox>(dialog, "retrieve")->setCurrentIndex(1);
        QVERIFY(field<QSpinBox>(dialog, "movePort")->isEnabled());
        field<QLineEdit>(dialog, "moveAe")->setText(QStringLiteral("SITEA-STORE"));
        field<QSpinBox>(dialog, "movePort")->setValue(4006);
        dialog.accept();
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
    }
    const auto saved = AppSettings::pacsConnection();
    QCOMPARE(saved.protocol, fmc::pacs::PacsProtocol::DicomWeb);
    QCOMPARE(saved.dicomWeb.baseUrl, QStringLiteral("https://pacs.example.org/dicom-web"));
    QCOMPARE(saved.dicomWeb.auth, fmc::pacs::AuthKind::Basic);
    QCOMPARE(saved.dicomWeb.username, QStringLiteral("radiology"));
    QCOMPARE(saved.dicomWeb.secret, QString());
    QCOMPARE(saved.dimse.host, QStringLiteral("pacs.local"));
    QCOMPARE(saved.dimse.port, 4242);
    QCOMPARE(saved.dimse.callingAeTitle, QStringLiteral("SITEA"));
    QCOMPARE(saved.dimse.calledAeTitle, QStringLiteral("MAINPACS"));
    QCOMPARE(saved.dimse.retrieve, fmc::pacs::DimseRetrieve::Move);
    QCOMPARE(saved.dimse.moveDestinationAeTitle, QStringLiteral("SITEA-STORE"));
    QCOMPARE(saved.dimse.moveDestinationPort, 4006);
    // The password is in the credential store's private file, not in the settings file.
    QSettings settings;
    settings.sync();
    QFile settingsFile(settings.fileName());
    QVERIFY(settingsFile.open(QIODevice::ReadOnly));
    QVERIFY(!settingsFile.readAll().contains(password.toUtf8()));
    QCOMPARE(fmc::pacs::CredentialStore::forUser().secret(QStringLiteral("radiology@https://pacs.example.org/dicom-web")),
             std::optional<QString>(password));
    {
        // Shown again, password included; unticking Remember forgets it.
        SettingsDialog dialog;
        QCOMPARE(field<QLineEdit>(dialog, "password")->text(), password);
        QVERIFY(field<QCheckBox>(dialog, "rememberPassword")->isChecked());
        QCOMPARE(field<QComboBox>(dialog, "retrieve")->currentIndex(), 1);
        field<QCheckBox>(dialog, "rememberPassword")->setChecked(false);
        dialog.accept();
    }
    QVERIFY(!fmc::pacs::CredentialStore::forUser().secret(QStringLiteral("radiology@https://pacs.example.org/dicom-web")));
}

void TestSettingsDialog::testConnectionRunsOffTheGuiThread() {
    quint16 closedPort = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        closedPort = probe.serverPort();
    }
    SettingsDialog dialog;
    field<QComboBox>(dialog, "protocol")->setCurrentIndex(1);
    field<QLineEdit>(dialog, "host")->setText(QStringLiteral("127.0.0.1"));
    field<QSpinBox>(dialog, "port")->setValue(closedPort);
    field<QLineEdit>(dialog, "calledAe")->setText(QStringLiteral("NOBODY"));
    auto* form = dialog.findChild<PacsConnectionForm*>();
    QVERIFY(form);
    QSignalSpy finished(form, &PacsConnectionForm::testFinished);
    field<QPushButton>(dialog, "testConnection")->click();
    // Back at once with the test still running: the connection is tried on a worker thread.
    QVERIFY(form->isTesting());
    QVERIFY(!field<QPushButton>(dialog, "testConnection")->isEnabled());
    QCOMPARE(form->testStatus(), QStringLiteral("Connecting…"));
    QVERIFY(finished.wait(30'000));
    QCOMPARE(finished.first().at(0).toBool(), false);
    QVERIFY2(form->testStatus().contains(QStringLiteral("cannot connect")), qPrintable(form->testStatus()));
    QVERIFY(field<QPushButton>(dialog, "testConnection")->isEnabled());
}

QTEST_MAIN(TestSettingsDialog)
#include "tst_settingsdialog.moc"
