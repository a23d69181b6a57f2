// SiteStoreRecorder, what `fedmedclip-cli site run` records into the site store: one run per
// federation across restarts of the agent; a stop (a signal, a lost connection) and a kill
// (found at the next start) are marked on that run after its last round, and a finished
// federation started again stays finished.
#include "site_trainers/site_store_recorder.h"
#include "site/site_workspace.h"

#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace fmc;
using namespace fmc::federation;

class TestSiteStoreRecorder : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void stopsAndRestartsAreMarkedOnTheFederationsRun() {
        QTemporaryDir dir;
        auto workspace = SiteWorkspace::open(dir.filePath(QStringLiteral("ws")).toStdString());
        FederationTask task;
        task.federationId = "fed_cli";
        task.settings.classNames = {"a", "b"};
        const auto record = [](int round) {
            SiteRoundRecord r;
            r.round = round;
            r.outcome = "accepted";
            r.sampleCount = 10;
            return r;
        };
        std::int64_t runId = 0;
        {
            SiteStoreRecorder recorder(workspace, "https://coordinator.test");
            recorder.federationStarted(task);
            recorder.recordRound(record(1));
            recorder.recordRound(record(2));
            runId = recorder.trainingRunId().value();
            recorder.federationStopped();  // Ctrl-C
        }
        auto run = workspace.store().trainingRun(runId).value();
        QCOMPARE(run.status, std::string("cancelled"));
        QCOMPARE(run.interruptions.size(), size_t(1));
        QCOMPARE(run.interruptions[0].reason, std::string("stopped"));
        QCOMPARE(run.interruptions[0].afterRound, 2);
        {
            SiteStoreRecorder recorder(workspace, "https://coordinator.test");
            recorder.federationStarted(task);  // run again: the same run goes on
            QCOMPARE(workspace.store().trainingRun(runId)->status, std::string("running"));
            recorder.recordRound(record(3));
            QCOMPARE(recorder.trainingRunId().value(), runId);
            // killed: no stop recorded
        }
        {
            SiteStoreRecorder recorder(workspace, "https://coordinator.test");
            recorder.federationStarted(task);
            run = workspace.store().trainingRun(runId).value();
            QCOMPARE(run.interruptions.size(), size_t(2));
            QCOMPARE(run.interruptions[1].reason, std::string("stopped"));
            QCOMPARE(run.interruptions[1].afterRound, 3);
            recorder.recordRound(record(4));
            recorder.federationFinished();
        }
        {
            SiteStoreRecorder recorder(workspace, "https://coordinator.test");
            recorder.federationStarted(task);  // the federation is over
            recorder.federationStopped();
        }
        run = workspace.store().trainingRun(runId).value();
        QCOMPARE(run.status, std::string("finished"));
        QCOMPARE(run.rounds.size(), size_t(4));
        QCOMPARE(run.interruptions.size(), size_t(2));
        QCOMPARE(workspace.store().trainingRuns().size(), size_t(1));
    }
};

QTEST_GUILESS_MAIN(TestSiteStoreRecorder)
#include "tst_sitestorerecorder.moc"
