// AppSettings: recent workspaces (newest first, no duplicates, bounded) and safe defaults.
#include "shell/app_settings.h"

#include <QDir>
#include <QSettings>
#include <QStandardPaths>
#include <QTest>

using namespace fmc::ui;

class TestAppSettings : public QObject {
    Q_OBJECT
private slots:
    void init() {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
    }
    void recentWorkspacesAreNewestFirstWithoutDuplicates();
    void defaultsAndBounds();
};

void TestAppSettings::recentWorkspacesAreNewestFirstWithoutDuplicates() {
    for (int i = 0; i < 10; ++i) AppSettings::addRecentWorkspace(QStringLiteral("/ws/%1").arg(i));
    AppSettings::addRecentWorkspace(QStringLiteral("/ws/5/"));
    const auto recent = AppSettings::recentWorkspaces();
    QCOMPARE(recent.size(), AppSettings::kMaxRecentWorkspaces);
    QCOMPARE(recent.first(), QStringLiteral("/ws/5"));
    QCOMPARE(recent.count(QStringLiteral("/ws/5")), 1);
    QCOMPARE(recent.at(1), QStringLiteral("/ws/9"));
    AppSettings::removeRecentWorkspace(QStringLiteral("/ws/5"));
    QVERIFY(!AppSettings::recentWorkspaces().contains(QStringLiteral("/ws/5")));
}

void TestAppSettings::defaultsAndBounds() {
    QCOMPARE(AppSettings::device(), QStringLiteral("cpu"));
    QCOMPARE(AppSettings::cpuThreads(), 0);
    QCOMPARE(AppSettings::language(), QString());
    QCOMPARE(AppSettings::imageLimits().maxFileBytes, fmc::ImageLimits{}.maxFileBytes);
    QCOMPARE(AppSettings::imageLimits().maxPixels, fmc::ImageLimits{}.maxPixels);
    AppSettings::setLanguage(QStringLiteral("xx"));
    QCOMPARE(AppSettings::language(), QString());
    AppSettings::setDevice(QStringLiteral("tpu"));
    QCOMPARE(AppSettings::device(), QStringLiteral("cpu"));
    AppSettings::setMaxFileMegabytes(0);
    QCOMPARE(AppSettings::maxFileMegabytes(), 1);
}

QTEST_GUILESS_MAIN(TestAppSettings)
#include "tst_appsettings.moc"
