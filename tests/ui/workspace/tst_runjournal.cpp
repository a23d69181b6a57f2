// runForFederation and the interruptions the site store keeps: one federation is one History
// run across cancels, quits and restarts, each interruption marked where it happened, and a
// run never reads "finished" because the app was closed.
#include "workspace/run_journal.h"
#include "ui_test_support.h"
#include "workspace/workspace_factory.h"
#include "workspace/workspace_service.h"

#include "site/site_store.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

using namespace fmc::ui;
using namespace fmc::ui::test;

class TestRunJournal : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void aResumedFederationGoesOnInItsRun();
    void theCliAndTheAppShareAFederationsRun();
    void interruptionsInWords();
};

namespace {

TrainingRun federatedRun(const QString& id) {
    return {id, kRunFederated, QDateTime::currentDateTime(), {QStringLiteral("a"), QStringLiteral("b")},
            QStringLiteral("federation \"Dermoscopy 2026\" at https://coordinator.test:8443")};
}

void addRound(WorkspaceService& workspace, const QString& runId, int round) {
    HistoryRow row;
    row.runId = runId;
    row.runKind = kRunFederated;
    row.round = round;
    row.finishedAt = QDateTime(QDate(2026, 12, 1), QTime(21, round));
    workspace.appendHistory(row);
}

TrainingRun runOf(const WorkspaceService& workspace, const QString& id) {
    for (const auto& run : workspace.runs())
        if (run.id == id) return run;
    return {};
}

}  // namespace

void TestRunJournal::aResumedFederationGoesOnInItsRun() {
    QTemporaryDir dir;
    const auto root = dir.filePath(QStringLiteral("ws"));
    QString first;
    {
        auto workspace = createWorkspaceAt(root);
        first = runForFederation(*workspace, QStringLiteral("fed_1"), federatedRun(QStringLiteral("run-a")));
        addRound(*workspace, first, 1);
        addRound(*workspace, first, 2);
        // Cancelled after round 2 (the Train page marks it), then started again: the same run.
        workspace->interruptRun(first, RunInterruption::Reason::Cancelled);
        QCOMPARE(runOf(*workspace, first).status, kRunCancelled);
        QCOMPARE(runForFederation(*workspace, QStringLiteral("fed_1"), federatedRun(QStringLiteral("run-b"))), first);
        QCOMPARE(runOf(*workspace, first).status, kRunRunning);
        addRound(*workspace, first, 3);
        // The app quits while it runs: closing the workspace marks the run stopped, not finished.
    }
    {
        auto store = fmc::SiteStore::open(QDir(root).filePath(QStringLiteral("workspace.sqlite")).toStdString());
        const auto run = store.trainingRun(first.toLongLong()).value();
        QCOMPARE(run.status, std::string("cancelled"));
        QCOMPARE(run.interruptions.size(), size_t(2));
        QCOMPARE(run.interruptions[1].reason, std::string("stopped"));
    }
    auto workspace = openWorkspaceAt(root);
    QCOMPARE(runForFederation(*workspace, QStringLiteral("fed_1"), federatedRun(QStringLiteral("run-c"))), first);
    QCOMPARE(workspace->runs().size(), 1);
    const auto stops = runOf(*workspace, first).interruptions;
    QCOMPARE(stops.size(), 2);
    QCOMPARE(stops[0].reason, RunInterruption::Reason::Cancelled);
    QCOMPARE(stops[0].afterRound, 2);
    QCOMPARE(stops[1].reason, RunInterruption::Reason::Stopped);
    QCOMPARE(stops[1].afterRound, 3);
    QVERIFY(stops[1].at.isValid());
    QCOMPARE(stops[1].at.timeSpec(), Qt::LocalTime);
    // Finished: started again it stays finished and is not resumed.
    workspace->finishRun(first);
    QCOMPARE(runForFederation(*workspace, QStringLiteral("fed_1"), federatedRun(QStringLiteral("run-d"))), first);
    QCOMPARE(runOf(*workspace, first).status, kRunFinished);
    // Another federation is another run.
    const auto other = runForFederation(*workspace, QStringLiteral("fed_2"), federatedRun(QStringLiteral("run-e")));
    QVERIFY(other != first);
    QCOMPARE(workspace->runs().size(), 2);
    QVERIFY_THROWS_EXCEPTION(fmc::Error, workspace->interruptRun(QStringLiteral("999"), RunInterruption::Reason::Failed));
}

// `fedmedclip-cli site run` keeps a federation's run under the same store setting, so the
// app and the CLI on one workspace go on in one run.
void TestRunJournal::theCliAndTheAppShareAFederationsRun() {
    QTemporaryDir dir;
    auto workspace = createWorkspaceAt(dir.filePath(QStringLiteral("ws")));
    const auto run = runForFederation(*workspace, QStringLiteral("fed_x"), federatedRun(QStringLiteral("run-a")));
    auto store = fmc::SiteStore::open(QDir(workspace->rootPath()).filePath(QStringLiteral("workspace.sqlite")).toStdString());
    QCOMPARE(QString::fromStdString(store.setting("federation.fed_x.training_run").value_or("")), run);
}

void TestRunJournal::interruptionsInWords() {
    const QDateTime at(QDate(2026, 12, 1), QTime(20, 10), Qt::UTC);
    const RunInterruption cancelled{RunInterruption::Reason::Cancelled, 7, at.toLocalTime()};
    // In words and local time.
    QCOMPARE(interruptionText(cancelled), QStringLiteral("cancelled after round 7 (%1)")
                                              .arg(QLocale().toString(at.toLocalTime(), QLocale::ShortFormat)));
    QCOMPARE(interruptionText({RunInterruption::Reason::Stopped, 3, {}}),
             QStringLiteral("interrupted after round 3 (the app was closed)"));
}

QTEST_MAIN(TestRunJournal)
#include "tst_runjournal.moc"
