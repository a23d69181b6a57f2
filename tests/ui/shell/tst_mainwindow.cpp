// MainWindow: one workspace at a time, recent workspaces, the demo banner exactly while a
// demo model is in use, and the research-use notice always.
#include "shell/app_settings.h"
#include "models/image_table_model.h"
#include "pages/images_page.h"
#include "shell/main_window.h"
#include "ui_test_support.h"
#include "workspace/workspace_factory.h"
#include "workspace/workspace_service.h"

#include <QLabel>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>

using namespace fmc::ui;
using namespace fmc::ui::test;

class TestMainWindow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void researchNoticeIsAlwaysShown();
    void demoBannerFollowsTheBundle();
    void openingAWorkspaceReplacesTheOpenOneAndIsRemembered();

private:
    QTemporaryDir dir_;
    QString bundle_;
};

void TestMainWindow::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
    bundle_ = makeTinyBundle(dir_.filePath(QStringLiteral("bundle")));
}

void TestMainWindow::researchNoticeIsAlwaysShown() {
    MainWindow window;
    window.show();
    QVERIFY(window.researchNoticeText().contains(QStringLiteral("Research use only")));
    QVERIFY(window.researchNoticeText().contains(QStringLiteral("not a medical device")));
    auto* notice = window.statusBar()->findChild<QLabel*>(QStringLiteral("researchNotice"));
    QVERIFY(notice && notice->isVisible());
    QVERIFY(!window.isDemoBannerShown());
}

void TestMainWindow::demoBannerFollowsTheBundle() {
    const auto root = dir_.filePath(QStringLiteral("banner-ws"));
    createWorkspaceAt(root);
    MainWindow window;
    window.show();
    QVERIFY(window.openWorkspace(root));
    QVERIFY(!window.isDemoBannerShown());
    // The tiny bundle's manifest says demo: random weights.
    window.workspace()->setBundleDirectory(bundle_);
    QVERIFY(window.closeWorkspace());
    QVERIFY(window.openWorkspace(root));
    QVERIFY(window.isDemoBannerShown());
    QVERIFY(window.demoBannerText().contains(QStringLiteral("not for clinical use")));
    QVERIFY(window.closeWorkspace());
    QVERIFY(!window.isDemoBannerShown());
    QCOMPARE(window.workspace(), nullptr);
}

void TestMainWindow::openingAWorkspaceReplacesTheOpenOneAndIsRemembered() {
    const auto first = dir_.filePath(QStringLiteral("first"));
    const auto second = dir_.filePath(QStringLiteral("second"));
    writeClassFolders(dir_.filePath(QStringLiteral("first-data")), {QStringLiteral("x")}, 3);
    {
        auto workspace = createWorkspaceAt(first);
        ImportRequest request;
        request.paths = {dir_.filePath(QStringLiteral("first-data"))};
        workspace->importImages(request, {}, {}, nullptr);
    }
    MainWindow window;
    QSignalSpy opened(&window, &MainWindow::workspaceOpened);
    QVERIFY(window.createWorkspace(second));
    QVERIFY(window.openWorkspace(first));
    QCOMPARE(opened.count(), 2);
    QCOMPARE(window.workspace()->rootPath(), QDir(first).absolutePath());
    QCOMPARE(window.imagesPage()->imageModel()->rowCount(), 3);
    const auto recent = AppSettings::recentWorkspaces();
    QCOMPARE(recent.value(0), QDir(first).absolutePath());
    QCOMPARE(recent.value(1), QDir(second).absolutePath());
    QVERIFY(window.windowTitle().contains(QStringLiteral("first")));
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
