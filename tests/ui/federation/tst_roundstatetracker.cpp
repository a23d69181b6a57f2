// RoundStateTracker: the Train page's one round state, merged from this site's worker and
// the coordinator's (possibly late) answers, worded once, never contradicting itself.
#include "federation/round_state.h"

#include <QTest>

using namespace fmc::ui;

namespace {

RoundStatus status(RoundStatus::State state, int round, int uploaded = -1, int expected = 0, int minimum = 0,
                   bool sent = false) {
    RoundStatus s;
    s.state = state;
    s.round = round;
    s.totalRounds = 6;
    s.sitesUploaded = uploaded;
    s.sitesExpected = expected;
    s.minimumSites = minimum;
    s.thisSiteUploaded = sent;
    return s;
}

}  // namespace

class TestRoundStateTracker : public QObject {
    Q_OBJECT
private slots:
    void sequences_data();
    void sequences();
    void connectingEndsWithTheFirstReport();
    void roundIsNamedOnce();
};

using State = RoundStatus::State;
Q_DECLARE_METATYPE(QList<RoundStatus>)

void TestRoundStateTracker::sequences_data() {
    QTest::addColumn<QList<RoundStatus>>("reports");
    QTest::addColumn<QString>("expected");
    // The coordinator counts 1 active site while the round needs 2: "1 of 2", not "1 of 1".
    QTest::newRow("minimum sites") << QList<RoundStatus>{status(State::Collecting, 1, 1, 1, 2)}
                                   << QStringLiteral("Round 1 of 6 — collecting updates: 1 of 2 sites have sent their "
                                                     "update (the round needs at least 2 sites)");
    // A late answer about round 1 after this site started training round 2 changes nothing.
    QTest::newRow("stale poll") << QList<RoundStatus>{status(State::Training, 2), status(State::Collecting, 1, 1, 2)}
                                << QStringLiteral("Round 2 of 6 — this site is training on its images");
    // This site's update of round 3 is sent; the coordinator then counts the sites.
    QTest::newRow("sent then counted")
        << QList<RoundStatus>{status(State::Training, 3), status(State::Collecting, 3, -1, 0, 0, true),
                              status(State::Collecting, 3, 1, 2, 2, false)}
        << QStringLiteral("Round 3 of 6 — this site's update is sent; 1 of 2 sites have sent their update");
    // Published only when the coordinator says so, not when this site has sent.
    QTest::newRow("published") << QList<RoundStatus>{status(State::Collecting, 3, -1, 0, 0, true),
                                                     status(State::Published, 3, 2, 2, 2)}
                               << QStringLiteral("Round 3 of 6 — the new shared model is published");
    QTest::newRow("an earlier step of the same round")
        << QList<RoundStatus>{status(State::Aggregating, 4, 2, 2), status(State::Collecting, 4, 1, 2)}
        << QStringLiteral("Round 4 of 6 — combining the sites' updates");
    QTest::newRow("finished stays") << QList<RoundStatus>{status(State::Finished, 6), status(State::Collecting, 6, 1, 2)}
                                    << QStringLiteral("Finished: all 6 rounds are done");
}

void TestRoundStateTracker::sequences() {
    QFETCH(QList<RoundStatus>, reports);
    QFETCH(QString, expected);
    RoundStateTracker tracker;
    for (const auto& report : reports) tracker.apply(report);
    QCOMPARE(tracker.text(), expected);
}

void TestRoundStateTracker::connectingEndsWithTheFirstReport() {
    RoundStateTracker tracker;
    tracker.startConnecting(QStringLiteral("https://coordinator.test:8443"));
    QCOMPARE(tracker.text(), QStringLiteral("Connecting to the coordinator…"));
    QCOMPARE(tracker.detailText(), QStringLiteral("Coordinator: https://coordinator.test:8443"));
    // The worker got the federation's task and waits for the first round.
    auto waiting = status(State::Waiting, 0);
    waiting.coordinator.clear();
    tracker.apply(waiting);
    QCOMPARE(tracker.text(), QStringLiteral("Waiting for the federation's first round to open"));
    QCOMPARE(tracker.detailText(), QStringLiteral("Coordinator: https://coordinator.test:8443"));
}

void TestRoundStateTracker::roundIsNamedOnce() {
    RoundStateTracker tracker;
    auto report = status(State::Collecting, 2, 1, 3);
    report.deadline = QDateTime(QDate(2026, 12, 1), QTime(20, 10), Qt::UTC);
    tracker.apply(report);
    const auto all = tracker.text() + QLatin1Char('\n') + tracker.detailText();
    QCOMPARE(all.count(QStringLiteral("Round")), 1);
    // The deadline in local time, never as a raw UTC timestamp.
    QVERIFY(!all.contains(QStringLiteral("2026-12-01T")));
    QVERIFY(all.contains(QLocale().toString(report.deadline.toLocalTime(), QLocale::ShortFormat)));
}

QTEST_APPLESS_MAIN(TestRoundStateTracker)
#include "tst_roundstatetracker.moc"
