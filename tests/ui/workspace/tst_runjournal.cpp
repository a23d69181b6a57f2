// RunJournal and runForFederation: one federation is one History run across cancels, quits
// and restarts, and each interruption is marked where it happened.
#include "workspace/run_journal.h"
#include "ui_test_support.h"
#include "workspace/workspace_factory.h"
#include "workspace/workspace_service.h"

#include <QTemporaryDir>
#include <QTest>

using namespace fmc::ui;
using namespace fmc::ui::test;

class TestRunJournal : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void aResumedFederationGoesOnInItsRun();
    void interruptionsAreKeptInOrder();
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

}  // namespace

void TestRunJournal::aResumedFederationGoesOnInItsRun() {
    QTemporaryDir dir;
    auto workspace = createWorkspaceAt(dir.filePath(QStringLiteral("ws")));
    const auto first = runForFederation(*workspace, QStringLiteral("fed_1"), federatedRun(QStringLiteral("run-a")));
    RunJournal journal(workspace->rootPath());
    journal.markOpen(first, true);
    addRound(*workspace, first, 1);
    addRound(*workspace, first, 2);
    // Cancelled after round 2 (the Train page marks it), then started again: the same run.
    journal.addInterruption(first, {RunInterruption::Reason::Cancelled, 2, QDateTime::currentDateTime()});
    QCOMPARE(runForFederation(*workspace, QStringLiteral("fed_1"), federatedRun(QStringLiteral("run-b"))), first);
    journal.markOpen(first, true);
    addRound(*workspace, first, 3);
    // The app quit while it ran (still open): the restart marks it and goes on in the same run.
    QCOMPARE(runForFederation(*workspace, QStringLiteral("fed_1"), federatedRun(QStringLiteral("run-c"))), first);
    QCOMPARE(workspace->runs().size(), 1);
    const auto stops = journal.interruptions(first);
    QCOMPARE(stops.size(), 2);
    QCOMPARE(stops[0].reason, RunInterruption::Reason::Cancelled);
    QCOMPARE(stops[0].afterRound, 2);
    QCOMPARE(stops[1].reason, RunInterruption::Reason::Stopped);
    QCOMPARE(stops[1].afterRound, 3);
    QVERIFY(!journal.isOpen(first));
    // Another federation is another run.
    const auto other = runForFederation(*workspace, QStringLiteral("fed_2"), federatedRun(QStringLiteral("run-d")));
    QVERIFY(other != first);
    QCOMPARE(workspace->runs().size(), 2);
}

void TestRunJournal::interruptionsAreKeptInOrder() {
    QTemporaryDir dir;
    RunJournal journal(dir.path());
    const QDateTime at(QDate(2026, 12, 1), QTime(20, 10), Qt::UTC);
    journal.addInterruption(QStringLiteral("r"), {RunInterruption::Reason::Failed, 4, at});
    journal.addInterruption(QStringLiteral("r"), {RunInterruption::Reason::Cancelled, 7, at.addSecs(60)});
    const auto stops = RunJournal(dir.path()).interruptions(QStringLiteral("r"));
    QCOMPARE(stops.size(), 2);
    QCOMPARE(stops[0].afterRound, 4);
    QCOMPARE(stops[0].at, at.toLocalTime());
    QCOMPARE(stops[1].reason, RunInterruption::Reason::Cancelled);
    // In words and local time.
    QCOMPARE(interruptionText(stops[1]), QStringLiteral("cancelled after round 7 (%1)")
                                             .arg(QLocale().toString(at.addSecs(60).toLocalTime(), QLocale::ShortFormat)));
}

QTEST_MAIN(TestRunJournal)
#include "tst_runjournal.moc"
