// TrainPage: real local training on a worker while the GUI thread keeps processing events
// (a timer keeps firing), live rounds in the page's chart model, and cancel.
#include "history_model.h"
#include "task_runner.h"
#include "train_page.h"
#include "ui_test_support.h"

#include <QElapsedTimer>
#include <QProgressBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace fmc::ui;
using namespace fmc::ui::test;

class TestTrainPage : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void windowKeepsProcessingEventsDuringTraining();
    void cancelStopsTrainingAndKeepsTheSavedModel();
    void tooLittleDataIsExplained();

private:
    QTemporaryDir dir_;
    std::unique_ptr<FolderWorkspace> workspace_;
};

void TestTrainPage::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    const auto bundle = makeTinyBundle(dir_.filePath(QStringLiteral("bundle")));
    writeClassFolders(dir_.filePath(QStringLiteral("data")), {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")}, 25);
    workspace_ = FolderWorkspace::create(dir_.filePath(QStringLiteral("ws")));
    workspace_->setBundleDirectory(bundle);
    workspace_->setClassNames({QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")});
    ImportRequest request;
    request.paths = {dir_.filePath(QStringLiteral("data"))};
    QCOMPARE(workspace_->importImages(request, {}, {}, nullptr).imported, 75);
}

void TestTrainPage::windowKeepsProcessingEventsDuringTraining() {
    TrainPage page;
    page.setWorkspace(workspace_.get());
    page.show();
    QSignalSpy finished(&page, &TrainPage::trainingFinished);
    QSignalSpy succeeded(page.runner(), &TaskRunner::succeeded);
    int ticks = 0;
    QTimer timer;
    timer.setInterval(20);
    connect(&timer, &QTimer::timeout, [&] { ++ticks; });
    QElapsedTimer clock;
    clock.start();
    timer.start();
    const int rounds = 60;
    QVERIFY(page.startLocalTraining(rounds));
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 180000);
    timer.stop();
    const auto elapsed = clock.elapsed();
    QCOMPARE(succeeded.count(), 1);
    // A GUI thread blocked by training would tick once or twice in all that time.
    const double expected = elapsed / 20.0;
    qInfo("training took %lld ms; the 20 ms timer fired %d times (%.0f %% of %.0f)", elapsed, ticks,
          100.0 * ticks / expected, expected);
    QVERIFY2(ticks >= 0.5 * expected, qPrintable(QStringLiteral("%1 ticks in %2 ms").arg(ticks).arg(elapsed)));
    QCOMPARE(page.liveModel()->rowCount(), rounds);
    const auto runs = workspace_->runs();
    QCOMPARE(workspace_->history(runs.last().id).size(), rounds);
    QVERIFY(!workspace_->siteModelVersion().isEmpty());
    QCOMPARE(page.findChild<QProgressBar*>(QStringLiteral("trainProgress"))->value(), 1);
}

void TestTrainPage::cancelStopsTrainingAndKeepsTheSavedModel() {
    const auto modelBefore = workspace_->siteModelVersion();
    TrainPage page;
    page.setWorkspace(workspace_.get());
    QSignalSpy cancelled(page.runner(), &TaskRunner::cancelled);
    QVERIFY(page.startLocalTraining(500));
    QTRY_VERIFY_WITH_TIMEOUT(page.liveModel()->rowCount() >= 2, 60000);
    page.cancel();
    QTRY_COMPARE_WITH_TIMEOUT(cancelled.count(), 1, 10000);
    const auto rows = workspace_->history(workspace_->runs().last().id).size();
    QVERIFY2(rows >= 2 && rows < 500, qPrintable(QString::number(rows)));
    QCOMPARE(workspace_->siteModelVersion(), modelBefore);
    QVERIFY(page.statusText().contains(QStringLiteral("Cancelled")));
}

void TestTrainPage::tooLittleDataIsExplained() {
    auto empty = FolderWorkspace::create(dir_.filePath(QStringLiteral("empty-ws")));
    empty->setBundleDirectory(workspace_->bundleDirectory());
    empty->setClassNames({QStringLiteral("a"), QStringLiteral("b")});
    TrainPage page;
    page.setWorkspace(empty.get());
    QSignalSpy failed(page.runner(), &TaskRunner::failed);
    page.startLocalTraining(3);
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 60000);
    QVERIFY2(failed.first().first().toString().contains(QStringLiteral("Import and label more images")),
             qPrintable(failed.first().first().toString()));
    QVERIFY(page.statusText().contains(QStringLiteral("Import and label more images")));
}

QTEST_MAIN(TestTrainPage)
#include "tst_trainpage.moc"
