// The on-computer federation: every round is evaluated on the site's
// validation images and recorded; FAMs travel through the real codec; the best model is kept.
#include "engine/fedmedclip_site.h"
#include "federation/federation_types.h"
#include "workspace/site_training.h"
#include "workspace/task_runner.h"
#include "ui_test_support.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace fmc::ui;
using namespace fmc::ui::test;

class TestSiteTraining : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void evaluateRoundLeavesClassesWithoutImagesAsNaN();
    void localFederationExchangesFamsAndReportsTheRoundStatus();

private:
    QVariant run(const TaskRunner::Job& job, QList<QVariant>* partials = nullptr);
    QTemporaryDir dir_;
    QString bundle_;
    const QStringList classes_{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")};
};

void TestSiteTraining::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    bundle_ = makeTinyBundle(dir_.filePath(QStringLiteral("bundle")));
}

QVariant TestSiteTraining::run(const TaskRunner::Job& job, QList<QVariant>* partials) {
    TaskRunner runner;
    QSignalSpy done(&runner, &TaskRunner::succeeded);
    QSignalSpy failed(&runner, &TaskRunner::failed);
    if (partials) connect(&runner, &TaskRunner::partialResult, [partials](const QVariant& v) { partials->append(v); });
    runner.start(QStringLiteral("job"), job);
    [&] { QTRY_VERIFY_WITH_TIMEOUT(done.count() + failed.count() == 1, 180000); }();
    if (!failed.isEmpty()) qWarning() << failed.first().first().toString();
    return done.isEmpty() ? QVariant() : done.first().first();
}

void TestSiteTraining::evaluateRoundLeavesClassesWithoutImagesAsNaN() {
    fmc::FloatMatrix text(3, 4);
    for (int c = 0; c < 3; ++c) text.at(c, c) = 1;
    fmc::FedMedClipSite model(text, 100, fmc::FedMedClipOptions{}, 1);
    LabelledFeatures validation;
    validation.features = fmc::FloatMatrix(4, 4);
    for (int i = 0; i < 4; ++i) validation.features.at(i, i % 2) = 1;
    validation.labels = {0, 1, 0, 1};
    const auto row = evaluateRound(model, validation, 3);
    QCOMPARE(row.perClassRecall.size(), 3);
    QVERIFY(!std::isnan(row.perClassRecall[0]));
    QVERIFY(!std::isnan(row.perClassRecall[1]));
    QVERIFY(std::isnan(row.perClassRecall[2]));
    QVERIFY(row.accuracy >= 0 && row.accuracy <= 1);
    QVERIFY(std::isnan(evaluateRound(model, {}, 3).perClassRecall[0]));
}

void TestSiteTraining::localFederationExchangesFamsAndReportsTheRoundStatus() {
    // This site: class folders; the two peers: a CSV of their own images.
    writeClassFolders(dir_.filePath(QStringLiteral("fed-data")), classes_, 12);
    const auto peers = dir_.filePath(QStringLiteral("peers"));
    QString csv = QStringLiteral("path,label,site\n");
    for (const auto& site : {QStringLiteral("peer-1"), QStringLiteral("peer-2")})
        for (int c = 0; c < classes_.size(); ++c)
            for (int i = 0; i < 10; ++i) {
                const auto relative = QStringLiteral("%1/%2/%3.png").arg(site, classes_[c]).arg(i);
                writeImage(QDir(peers).filePath(relative), patternImage(500 + c * 50 + i + (site.endsWith('2') ? 20 : 0)));
                csv += relative + QLatin1Char(',') + classes_[c] + QLatin1Char(',') + site + QLatin1Char('\n');
            }
    writeBytes(QDir(peers).filePath(QStringLiteral("labels.csv")), csv.toUtf8());

    auto workspace = SiteStoreWorkspace::create(dir_.filePath(QStringLiteral("fed-ws")));
    workspace->setClassNames(classes_);
    ImportRequest request;
    request.paths = {dir_.filePath(QStringLiteral("fed-data"))};
    workspace->importImages(request, {}, {}, nullptr);
    TrainingConfig config;
    config.bundleDirectory = bundle_;
    config.rounds = 4;
    const PeerSiteSource source{QDir(peers).filePath(QStringLiteral("labels.csv")), {QStringLiteral("peer-1"), QStringLiteral("peer-2")}};
    QList<QVariant> partials;
    const auto outcome =
        run([&](TaskContext& context) { return QVariant::fromValue(runLocalFederation(*workspace, config, source, context)); },
            &partials)
            .value<TrainingOutcome>();
    QCOMPARE(outcome.roundsDone, 4);
    const auto rows = workspace->history(outcome.runId);
    QCOMPARE(rows.size(), 4);
    for (const auto& row : rows) {
        QCOMPARE(row.runKind, kRunFederated);
        QVERIFY(row.bytesSent > 1000);      // a compressed FAM
        QVERIFY(row.bytesReceived > 1000);  // the averaged one
        QVERIFY(row.federationAccuracy >= 0 && row.federationAccuracy <= 1);
    }
    QList<RoundStatus::State> states;
    int maxUploaded = 0;
    for (const auto& value : partials)
        if (value.canConvert<RoundStatus>()) {
            const auto status = value.value<RoundStatus>();
            states << status.state;
            QCOMPARE(status.sitesExpected, 3);
            maxUploaded = std::max(maxUploaded, status.sitesUploaded);
        }
    QCOMPARE(maxUploaded, 3);
    QVERIFY(states.contains(RoundStatus::State::Collecting));
    QVERIFY(states.contains(RoundStatus::State::Aggregating));
    QVERIFY(states.contains(RoundStatus::State::Published));
    QCOMPARE(states.last(), RoundStatus::State::Finished);
    QVERIFY(!workspace->siteModel().empty());

    // Without peers there is nothing to federate with: said in plain words.
    TaskRunner runner;
    QSignalSpy failed(&runner, &TaskRunner::failed);
    runner.start(QStringLiteral("no peers"), [&](TaskContext& context) {
        return QVariant::fromValue(runLocalFederation(*workspace, config, {}, context));
    });
    QTRY_COMPARE(failed.count(), 1);
    QVERIFY(failed.first().first().toString().contains(QStringLiteral("no demo federation")));
}

QTEST_GUILESS_MAIN(TestSiteTraining)
#include "tst_sitetraining.moc"
