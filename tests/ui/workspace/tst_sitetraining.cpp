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

#include <algorithm>
#include <cmath>

using namespace fmc::ui;
using namespace fmc::ui::test;

class TestSiteTraining : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void evaluateRoundLeavesClassesWithoutImagesAsNaN();
    void localFederationExchangesFamsAndReportsTheRoundStatus();
    void localFederationAggregatesMaskAware_data();
    void localFederationAggregatesMaskAware();

private:
    void writePeers();
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

// This site: class folders; the two peers: a CSV of their own images.
void TestSiteTraining::writePeers() {
    if (QFileInfo::exists(dir_.filePath(QStringLiteral("peers/labels.csv")))) return;
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
}

void TestSiteTraining::localFederationExchangesFamsAndReportsTheRoundStatus() {
    writePeers();
    const auto peers = dir_.filePath(QStringLiteral("peers"));
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

void TestSiteTraining::localFederationAggregatesMaskAware_data() {
    QTest::addColumn<bool>("maskAware");
    QTest::newRow("mask-aware (default)") << true;
    QTest::newRow("plain aggregation") << false;
}

// A round that prunes most FAM rows at every site. Mask-aware: the rows no site kept travel
// back as zeros (so the broadcast compresses far better than an upload), and each site keeps
// its own weights for the rows it pruned (so none of its rows is zero). Plain: every row is
// the mean of what the sites sent.
void TestSiteTraining::localFederationAggregatesMaskAware() {
    QFETCH(bool, maskAware);
    writePeers();
    auto workspace = SiteStoreWorkspace::create(dir_.filePath(maskAware ? QStringLiteral("mask-ws") : QStringLiteral("plain-ws")));
    workspace->setClassNames(classes_);
    ImportRequest request;
    request.paths = {dir_.filePath(QStringLiteral("fed-data"))};
    workspace->importImages(request, {}, {}, nullptr);
    TrainingConfig config;
    config.bundleDirectory = bundle_;
    config.rounds = 1;
    QVERIFY(config.method.maskAwareAggregation);
    config.method.maskAwareAggregation = maskAware;
    config.method.famKeepTarget = 0.2;
    config.method.maskSparsityWeight = 3;
    const PeerSiteSource source{dir_.filePath(QStringLiteral("peers/labels.csv")), {QStringLiteral("peer-1"), QStringLiteral("peer-2")}};
    const auto outcome =
        run([&](TaskContext& context) { return QVariant::fromValue(runLocalFederation(*workspace, config, source, context)); })
            .value<TrainingOutcome>();
    QCOMPARE(outcome.roundsDone, 1);
    const auto row = workspace->history(outcome.runId).first();
    const double ratio = static_cast<double>(row.bytesReceived) / static_cast<double>(row.bytesSent);
    QVERIFY2(maskAware ? ratio < 0.7 : ratio > 0.9, qPrintable(QStringLiteral("broadcast / upload bytes %1").arg(ratio)));

    const auto model = workspace->siteModel();
    const auto tensorOf = [&](const std::string& name) {
        return *std::find_if(model.begin(), model.end(), [&](const fmc::NamedTensor& t) { return t.name == name; });
    };
    const auto weight = tensorOf("fam.fc1.weight"), threshold = tensorOf("fam.fc1.threshold");
    const auto dim = threshold.shape[0];
    int pruned = 0, zeroRows = 0;
    for (std::int64_t r = 0; r < dim; ++r) {
        double score = 0;
        for (std::int64_t j = 0; j < dim; ++j) score += std::abs(weight.values[static_cast<size_t>(r * dim + j)]);
        pruned += score / static_cast<double>(dim) <= threshold.values[static_cast<size_t>(r)];
        zeroRows += score == 0;
    }
    QVERIFY2(pruned > dim / 2, qPrintable(QStringLiteral("%1 of %2 rows pruned").arg(pruned).arg(dim)));
    QCOMPARE(zeroRows, 0);
}

QTEST_GUILESS_MAIN(TestSiteTraining)
#include "tst_sitetraining.moc"
