// TrainPage: real local training on a worker while the GUI thread keeps processing events
// (a timer keeps firing), live rounds in the page's chart model, and cancel; the coordinator's
// round status asked for periodically, off the GUI thread, never twice at once, only while the
// page is shown and the site has joined, less often while the coordinator does not answer.
#include "federation/federation_service.h"
#include "models/history_model.h"
#include "workspace/task_runner.h"
#include "pages/train_page.h"
#include "ui_test_support.h"
#include "pages/history_page.h"
#include "site/site_store.h"
#include "workspace/run_journal.h"
#include "workspace/site_store_workspace.h"

#include <QDir>
#include <QElapsedTimer>
#include <QLabel>
#include <QMutex>
#include <QProgressBar>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <atomic>

using namespace fmc::ui;
using namespace fmc::ui::test;

namespace {

// A coordinator whose round status answers slowly (longer than the poll interval), or not at
// all while `unreachable` is set; it records when each request arrived and how many ran at once.
class PolledCoordinator : public FederationService {
public:
    std::atomic<bool> unreachable{false};
    std::atomic<int> calls{0}, running{0}, mostAtOnce{0};

    QList<qint64> callTimes() const {
        QMutexLocker lock(&mutex_);
        return times_;
    }

    RoundStatus roundStatus(const FederationSetup& setup) override {
        const int now = ++running;
        mostAtOnce = std::max(mostAtOnce.load(), now);
        {
            QMutexLocker lock(&mutex_);
            if (!clock_.isValid()) clock_.start();
            times_ << clock_.elapsed();
        }
        const int call = ++calls;
        QThread::msleep(60);
        --running;
        if (unreachable) throw fmc::Error("no answer from " + setup.coordinatorUrl.toStdString());
        RoundStatus status;
        status.state = RoundStatus::State::Collecting;
        status.round = call;
        status.totalRounds = 50;
        status.sitesUploaded = 1;
        status.sitesExpected = 3;
        status.coordinator = setup.coordinatorUrl;
        return status;
    }
    CoordinatorIdentity fetchIdentity(const QUrl&) override { throw fmc::Error("not used"); }
    FederationTask enroll(const QUrl&, const QString&, const CoordinatorTrust&) override {
        throw fmc::Error("not used");
    }
    QString verifyAuthority(const QUrl&, const QList<QSslCertificate>&) override { throw fmc::Error("not used"); }
    void testConnection(const FederationSetup&) override {}
    TrainingOutcome runFederatedTraining(WorkspaceService&, const TrainingConfig&, TaskContext&) override {
        throw fmc::Error("not used");
    }

private:
    mutable QMutex mutex_;
    QElapsedTimer clock_;
    QList<qint64> times_;
};

// Reports what a real site's worker reports (this site trains round 2) and answers the
// status request late, still about round 1 (1 of the 1 active sites sent; the round needs 2).
class StaleCoordinator : public PolledCoordinator {
public:
    std::atomic<int> polls{0};
    RoundStatus roundStatus(const FederationSetup& setup) override {
        ++polls;
        RoundStatus status;
        status.state = RoundStatus::State::Collecting;
        status.round = 1;
        status.totalRounds = 6;
        status.sitesUploaded = 1;
        status.sitesExpected = 1;
        status.minimumSites = 2;
        status.coordinator = setup.coordinatorUrl;
        return status;
    }
    TrainingOutcome runFederatedTraining(WorkspaceService&, const TrainingConfig&, TaskContext& context) override {
        RoundStatus waiting;
        waiting.totalRounds = 6;
        context.reportPartial(QVariant::fromValue(waiting));
        RoundStatus training;
        training.state = RoundStatus::State::Training;
        training.round = 2;
        context.reportPartial(QVariant::fromValue(training));
        // As the demo federation's worker reports it, for its progress dialog.
        context.reportProgress(1, 6, QStringLiteral("Federated round 2 of 6"));
        trainingReported = true;
        for (;;) {
            context.throwIfCancelled();
            QThread::msleep(10);
        }
    }
    std::atomic<bool> trainingReported{false};
};

// Records a federation's rounds as the real service does (one run per federation through
// runForFederation), two rounds each start, then trains on until cancelled.
class RecordingFederation : public PolledCoordinator {
public:
    TrainingOutcome runFederatedTraining(WorkspaceService& workspace, const TrainingConfig&, TaskContext& context) override {
        const auto runId = runForFederation(workspace, QStringLiteral("fed_skin"),
                                            {QStringLiteral("ignored"), kRunFederated, QDateTime::currentDateTime(),
                                             {QStringLiteral("a"), QStringLiteral("b")}, QStringLiteral("Skin study")});
        context.reportPartial(QVariant::fromValue(runId));
        const int from = workspace.history(runId).size() + 1;
        for (int round = from; round < from + 2; ++round) {
            HistoryRow row;
            row.runId = runId;
            row.runKind = kRunFederated;
            row.round = round;
            row.loss = 1.0 / round;
            workspace.appendHistory(row);
            context.reportPartial(QVariant::fromValue(row));
        }
        for (;;) {
            context.throwIfCancelled();
            QThread::msleep(10);
        }
    }
};

}  // namespace

class TestTrainPage : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void windowKeepsProcessingEventsDuringTraining();
    void cancelStopsTrainingAndKeepsTheSavedModel();
    void tooLittleDataIsExplained();
    void siteStoreTrainingReportsTheKeptModelOnTheTestImages();
    void roundStatusIsPolledWhileShownAndJoined();
    void unreachableCoordinatorIsAskedLessOften();
    void statusPanelShowsOneRoundState();
    void aCancelledFederationIsMarkedOnItsOneRun();

private:
    QTemporaryDir dir_;
    std::unique_ptr<SiteStoreWorkspace> workspace_;
};

void TestTrainPage::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    const auto bundle = makeTinyBundle(dir_.filePath(QStringLiteral("bundle")));
    writeClassFolders(dir_.filePath(QStringLiteral("data")), {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")}, 25);
    workspace_ = SiteStoreWorkspace::create(dir_.filePath(QStringLiteral("ws")));
    workspace_->setBundleDirectory(bundle);
    workspace_->setClassNames({QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")});
    ImportRequest request;
    request.paths = {dir_.filePath(QStringLiteral("data"))};
    QCOMPARE(workspace_->importImages(request, {}, {}, nullptr).imported, 75);
}

// The site store holds train, validation and test images: the round is chosen on validation,
// and the page's summary gives the kept model's figures on the test images.
void TestTrainPage::siteStoreTrainingReportsTheKeptModelOnTheTestImages() {
    QTemporaryDir dir;
    auto workspace = SiteStoreWorkspace::create(dir.filePath(QStringLiteral("ws")));
    workspace->setBundleDirectory(dir_.filePath(QStringLiteral("bundle")));
    workspace->setClassNames({QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")});
    ImportRequest request;
    request.paths = {dir_.filePath(QStringLiteral("data"))};
    QCOMPARE(workspace->importImages(request, {}, {}, nullptr).imported, 75);
    int testImages = 0;
    for (const auto& image : workspace->images()) testImages += image.split == kSplitTest;
    TrainPage page;
    page.setWorkspace(workspace.get());
    page.show();
    QSignalSpy finished(&page, &TrainPage::trainingFinished);
    QVERIFY(page.startLocalTraining(3));
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 120000);
    const auto status = page.findChild<QLabel*>(QStringLiteral("trainStatus"))->text();
    QVERIFY2(status.contains(QStringLiteral("On the %1 test image").arg(testImages)) &&
                 status.contains(QStringLiteral("which played no part in choosing it")),
             qPrintable(status));
    QVERIFY2(!status.contains(QStringLiteral("optimistic")), qPrintable(status));
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
    auto empty = SiteStoreWorkspace::create(dir_.filePath(QStringLiteral("empty-ws")));
    empty->setBundleDirectory(workspace_->bundleDirectory());
    empty->setClassNames({QStringLiteral("a"), QStringLiteral("b")});
    TrainPage page;
    page.setWorkspace(empty.get());
    QSignalSpy failed(page.runner(), &TaskRunner::failed);
    page.startLocalTraining(3);
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 60000);
    // The site store's training names the workspace and what is missing.
    const auto expected = empty->rootPath() + QStringLiteral(": no labelled images in the train split");
    QVERIFY2(failed.first().first().toString().contains(expected), qPrintable(failed.first().first().toString()));
    QVERIFY2(page.statusText().contains(expected), qPrintable(page.statusText()));
}

std::unique_ptr<SiteStoreWorkspace> joinedWorkspace(const QString& root) {
    auto workspace = SiteStoreWorkspace::create(root);
    FederationSetup setup;
    setup.coordinatorUrl = QStringLiteral("https://coordinator.test:8443");
    setup.federationName = QStringLiteral("Skin study");
    setup.classNames = {QStringLiteral("a"), QStringLiteral("b")};
    setup.bundleHash = QStringLiteral("abc");
    setup.completedAt = QDateTime::currentDateTime();
    workspace->saveFederationSetup(setup);
    return workspace;
}

void TestTrainPage::roundStatusIsPolledWhileShownAndJoined() {
    auto service = std::make_shared<PolledCoordinator>();
    auto joined = joinedWorkspace(dir_.filePath(QStringLiteral("joined-ws")));
    TrainPage page;
    page.setRoundStatusPollInterval(40);  // shorter than one request (60 ms)
    page.setFederationService(service);
    page.setWorkspace(joined.get());
    // Not shown: nothing is asked.
    QTest::qWait(300);
    QCOMPARE(service->calls.load(), 0);
    QVERIFY(!page.isPollingRoundStatus());

    page.show();
    QTRY_VERIFY_WITH_TIMEOUT(service->calls.load() >= 4, 5000);
    QTRY_VERIFY(page.roundStateText().contains(QStringLiteral("collecting updates: 1 of 3 sites")));
    QVERIFY2(page.roundStateText().contains(QStringLiteral("https://coordinator.test:8443")),
             qPrintable(page.roundStateText()));
    // One request at a time, the next only after the previous answered.
    QCOMPARE(service->mostAtOnce.load(), 1);
    const auto times = service->callTimes();
    for (int i = 1; i < times.size(); ++i)
        QVERIFY2(times[i] - times[i - 1] >= 60 + 0.95 * 40 - 2, qPrintable(QString::number(times[i] - times[i - 1])));
    QCOMPARE(page.nextRoundStatusPollMs(), 40);

    // Hidden: the requests stop (one in flight may still finish).
    page.hide();
    QTRY_VERIFY(!page.statusRunner()->isRunning());
    const int afterHide = service->calls.load();
    QTest::qWait(400);
    QCOMPARE(service->calls.load(), afterHide);
    QVERIFY(!page.isPollingRoundStatus());

    // Shown again: asked at once, and periodically again.
    page.show();
    QTRY_VERIFY(service->calls.load() >= afterHide + 2);

    // No federation set up: nothing to ask.
    auto alone = SiteStoreWorkspace::create(dir_.filePath(QStringLiteral("alone-ws")));
    page.setWorkspace(alone.get());
    QTRY_VERIFY(!page.statusRunner()->isRunning());
    const int afterLeave = service->calls.load();
    QTest::qWait(300);
    QCOMPARE(service->calls.load(), afterLeave);
    QVERIFY(!page.isPollingRoundStatus());
    page.setWorkspace(nullptr);
}

void TestTrainPage::unreachableCoordinatorIsAskedLessOften() {
    auto service = std::make_shared<PolledCoordinator>();
    auto joined = joinedWorkspace(dir_.filePath(QStringLiteral("unreachable-ws")));
    TrainPage page;
    page.setRoundStatusPollInterval(30);
    page.setFederationService(service);
    page.setWorkspace(joined.get());
    service->unreachable = true;
    const auto firstTry = QDateTime::currentDateTime();
    page.show();
    QTRY_VERIFY_WITH_TIMEOUT(service->calls.load() >= 4, 10000);
    QTRY_VERIFY(page.roundStateText().startsWith(QStringLiteral("Coordinator unreachable since")));
    const auto since = page.coordinatorUnreachableSince();
    QVERIFY(since.isValid() && qAbs(since.secsTo(firstTry)) <= 2);
    QVERIFY2(page.roundStateText().contains(since.toString(QStringLiteral("HH:mm"))),
             qPrintable(page.roundStateText()));
    // Plain words on the page; what failed, as it was said, behind Details.
    QVERIFY(!page.roundStateText().contains(QStringLiteral("no answer from")));
    QVERIFY2(page.detailsText().contains(QStringLiteral("no answer from https://coordinator.test:8443")),
             qPrintable(page.detailsText()));
    // Each failure in a row doubles the wait: 60, 120, 240 ms after requests of 60 ms (Qt's
    // coarse timers may fire up to 5 % early).
    const auto times = service->callTimes();
    for (int i = 1; i < 4; ++i) {
        const qint64 gap = times[i] - times[i - 1];
        QVERIFY2(gap >= 60 + 0.95 * (30 << i) - 2, qPrintable(QStringLiteral("gap %1: %2 ms").arg(i).arg(gap)));
    }
    QVERIFY(page.nextRoundStatusPollMs() >= 30 << 3);
    // The first answer ends it: the status shows again and the interval is back to normal.
    service->unreachable = false;
    page.refreshRoundStatus();
    QTRY_VERIFY_WITH_TIMEOUT(page.roundStateText().contains(QStringLiteral("collecting")), 10000);
    QVERIFY(!page.coordinatorUnreachableSince().isValid());
    QCOMPARE(page.nextRoundStatusPollMs(), 30);
    QCOMPARE(service->mostAtOnce.load(), 1);
    page.hide();
    QTRY_VERIFY(!page.statusRunner()->isRunning());
    page.setWorkspace(nullptr);
}

void TestTrainPage::statusPanelShowsOneRoundState() {
    auto service = std::make_shared<StaleCoordinator>();
    auto joined = joinedWorkspace(dir_.filePath(QStringLiteral("stale-ws")));
    TrainPage page;
    page.setRoundStatusPollInterval(20);
    page.setFederationService(service);
    page.setWorkspace(joined.get());
    page.show();
    // Before any training: the coordinator's round, counting the sites the round needs.
    QTRY_VERIFY(service->polls.load() >= 1);
    QTRY_COMPARE(page.roundStateText().section(QLatin1Char('\n'), 0, 0),
                 QStringLiteral("Round 1 of 6 — collecting updates: 1 of 2 sites have sent their update (the round "
                                "needs at least 2 sites)"));

    QVERIFY(page.startFederatedTraining());
    QTRY_VERIFY(service->trainingReported.load());
    const int pollsBefore = service->polls.load();
    QTRY_VERIFY_WITH_TIMEOUT(service->polls.load() >= pollsBefore + 3, 5000);  // late answers keep coming
    QTRY_VERIFY(page.roundStateText().startsWith(QStringLiteral("Round 2 of 6 — this site is training")));
    // Shown once: no other round anywhere on the panel, no "Connecting…" once the worker spoke.
    QVERIFY2(!page.roundStateText().contains(QStringLiteral("Round 1")), qPrintable(page.roundStateText()));
    QVERIFY(!page.roundStateText().contains(QStringLiteral("Connecting")));
    QVERIFY2(!page.statusText().contains(QStringLiteral("round"), Qt::CaseInsensitive), qPrintable(page.statusText()));
    int labelsNamingARound = 0;
    const QRegularExpression namesARound(QStringLiteral("round \\d"), QRegularExpression::CaseInsensitiveOption);
    for (auto* label : page.findChildren<QLabel*>())
        if (label->isVisible() && label->text().contains(namesARound)) ++labelsNamingARound;
    QCOMPARE(labelsNamingARound, 1);
    page.cancel();
    QTRY_VERIFY(!page.runner()->isRunning());
    page.hide();
    QTRY_VERIFY(!page.statusRunner()->isRunning());
    page.setWorkspace(nullptr);
}

// Cancelled twice from the Train page: the site store has the federation as one run, marked
// cancelled (never "finished") after the round each cancel came after, and History says so.
void TestTrainPage::aCancelledFederationIsMarkedOnItsOneRun() {
    auto service = std::make_shared<RecordingFederation>();
    const auto root = dir_.filePath(QStringLiteral("cancelled-federation-ws"));
    auto joined = joinedWorkspace(root);
    TrainPage page;
    page.setFederationService(service);
    page.setWorkspace(joined.get());
    QSignalSpy cancelled(page.runner(), &TaskRunner::cancelled);
    for (int start = 1; start <= 2; ++start) {
        QVERIFY(page.startFederatedTraining());
        QTRY_COMPARE_WITH_TIMEOUT(page.liveModel()->rowCount(), 2 * start, 10000);
        page.cancel();
        QTRY_COMPARE_WITH_TIMEOUT(cancelled.count(), start, 10000);
        QTRY_VERIFY(!page.runner()->isRunning());
    }
    QCOMPARE(joined->runs().size(), 1);
    const auto runId = joined->runs().first().id;
    {
        auto store = fmc::SiteStore::open(QDir(root).filePath(QStringLiteral("workspace.sqlite")).toStdString());
        const auto run = store.trainingRun(runId.toLongLong()).value();
        QCOMPARE(run.status, std::string("cancelled"));
        QCOMPARE(run.rounds.size(), size_t(4));
        QCOMPARE(run.interruptions.size(), size_t(2));
        QCOMPARE(run.interruptions[0].reason, std::string("cancelled"));
        QCOMPARE(run.interruptions[0].afterRound, 2);
        QCOMPARE(run.interruptions[1].afterRound, 4);
    }
    HistoryPage history;
    history.setWorkspace(joined.get());
    QVERIFY2(history.runChoiceText(0).contains(QStringLiteral("interrupted 2 time")), qPrintable(history.runChoiceText(0)));
    QVERIFY2(history.interruptionText().contains(QStringLiteral("cancelled after round 2")) &&
                 history.interruptionText().contains(QStringLiteral("cancelled after round 4")),
             qPrintable(history.interruptionText()));
    history.setWorkspace(nullptr);
    page.setWorkspace(nullptr);
}

QTEST_MAIN(TestTrainPage)
#include "tst_trainpage.moc"
