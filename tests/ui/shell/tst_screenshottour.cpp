// ScreenshotTour: on a demo workspace it visits every page, classifies an image, runs the
// demo federation and saves one PNG per page.
#include "workspace/demo_workspace.h"
#include "federation/federation_service_factory.h"
#include "shell/main_window.h"
#include "shell/screenshot_tour.h"
#include "workspace/task_runner.h"
#include "ui_test_support.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace fmc::ui;
using namespace fmc::ui::test;

class TestScreenshotTour : public QObject {
    Q_OBJECT
private slots:
    void savesAPictureOfEveryPage();
};

void TestScreenshotTour::savesAPictureOfEveryPage() {
    QStandardPaths::setTestModeEnabled(true);
    QTemporaryDir dir;
    MainWindow window(createFederationService);
    window.show();
    QSignalSpy ready(&window, &MainWindow::demoReady);
    DemoWorkspaceOptions options;
    options.localRounds = 1;
    options.federatedRounds = 2;
    window.openDemoWorkspace(dir.filePath(QStringLiteral("demo")), options);
    QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 1, 300000);
    QVERIFY(window.isDemoBannerShown());

    ScreenshotTour tour(&window, dir.filePath(QStringLiteral("shots")));
    QSignalSpy finished(&tour, &ScreenshotTour::finished);
    tour.start();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 300000);
    QCOMPARE(finished.first().at(1).toString(), QString());
    const auto files = finished.first().at(0).toStringList();
    // Five pages, Settings, and the wizard where the build has a federation client.
    QCOMPARE(files.size(), 7);
    for (const auto& file : files.mid(0, 5)) {
        const QImage image(file);
        QCOMPARE(image.size(), window.size() * window.devicePixelRatioF());
    }
    for (const auto& file : files.mid(5)) QVERIFY(!QImage(file).isNull());
}

QTEST_MAIN(TestScreenshotTour)
#include "tst_screenshottour.moc"
