// SettingsDialog: a wrong bundle folder is explained and nothing is saved; good input is.
#include "shell/app_settings.h"
#include "widgets/settings_dialog.h"
#include "ui_test_support.h"

#include <QComboBox>
#include <QLineEdit>
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
        QSettings().clear();
    }
    void aFolderWithoutManifestIsRefused();
    void goodSettingsAreSaved();
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

QTEST_MAIN(TestSettingsDialog)
#include "tst_settingsdialog.moc"
