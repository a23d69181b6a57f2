// SiteStoreWorkspace: the desktop app on the site's SQLite store (core/site): import with a
// per-file report, labels, rounds with their per-class recall (and the federation's accuracy,
// which the store has no column for), predictions of trained and untrained models with the
// model in words, the site model and the federation setup, all surviving a reopen.
#include "ui_test_support.h"
#include "site/site_store.h"
#include "workspace/site_store_workspace.h"

#include <QDir>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace fmc::ui;
using namespace fmc::ui::test;

class TestSiteStoreWorkspace : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void importReportsBrokenFilesAndLabelsComeFromFolders();
    void labelsFromACsvWithNamedColumns();
    void historyPredictionsModelAndSetupSurviveReopening();
};

void TestSiteStoreWorkspace::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
}

void TestSiteStoreWorkspace::importReportsBrokenFilesAndLabelsComeFromFolders() {
    QTemporaryDir dir;
    const auto data = dir.filePath(QStringLiteral("data"));
    writeClassFolders(data, {QStringLiteral("nevus"), QStringLiteral("melanoma")}, 4);
    writeBytes(data + QStringLiteral("/nevus/empty.png"), {});
    writeBytes(data + QStringLiteral("/nevus/notes.txt"), "not an image");
    writeBytes(data + QStringLiteral("/melanoma/fake.jpg"), "GIF89a this is not a jpeg");
    auto workspace = SiteStoreWorkspace::create(dir.filePath(QStringLiteral("ws")));
    QVERIFY(SiteStoreWorkspace::isWorkspace(dir.filePath(QStringLiteral("ws"))));
    QSignalSpy changed(workspace.get(), &WorkspaceService::imagesChanged);
    ImportRequest request;
    request.paths = {data};
    int lastTotal = 0;
    const auto report = workspace->importImages(request, {}, [&](int, int total, const QString&) { lastTotal = total; }, nullptr);
    QCOMPARE(report.imported, 8);
    QCOMPARE(report.failures.size(), 3);
    QVERIFY(lastTotal >= 8);
    QCOMPARE(changed.count(), 1);
    const auto images = workspace->images();
    QCOMPARE(images.size(), 8);
    for (const auto& image : images) {
        QCOMPARE(image.label, QFileInfo(image.path).dir().dirName());
        QCOMPARE(image.modality, kModalityPhoto);
        QVERIFY(image.split == kSplitTrain || image.split == kSplitValidation || image.split == kSplitTest);
    }
    workspace->setLabel(images.first().id, QStringLiteral("relabelled"));
    QVERIFY(workspace->localLabels().contains(QStringLiteral("relabelled")));
    QVERIFY_THROWS_EXCEPTION(fmc::Error, workspace->setLabel(999999, QStringLiteral("x")));
    const auto again = workspace->importImages(request, {}, {}, nullptr);
    QCOMPARE(again.imported, 0);
    QCOMPARE(again.duplicates, 8);
}

// The desktop's CSV import: a CSV with "id" and "finding" columns naming files "<id>.png".
void TestSiteStoreWorkspace::labelsFromACsvWithNamedColumns() {
    QTemporaryDir dir;
    const auto data = dir.filePath(QStringLiteral("data"));
    writeClassFolders(data, {QStringLiteral("scans")}, 3);
    const auto names = QDir(data + QStringLiteral("/scans")).entryList(QDir::Files, QDir::Name);
    QCOMPARE(names.size(), 3);
    QByteArray csv("id,finding\n");
    for (int i = 0; i < names.size(); ++i)
        csv += QFileInfo(names[i]).completeBaseName().toUtf8() + (i == 1 ? ",bleed\n" : ",normal\n");
    writeBytes(data + QStringLiteral("/labels.csv"), csv);
    auto workspace = SiteStoreWorkspace::create(dir.filePath(QStringLiteral("ws")));
    ImportRequest request;
    request.paths = {data + QStringLiteral("/scans")};
    request.labelSource = LabelSource::Csv;
    request.csv.csvPath = data + QStringLiteral("/labels.csv");
    request.csv.pathColumn = QStringLiteral("id");
    request.csv.labelColumn = QStringLiteral("finding");
    request.csv.pathFormat = QStringLiteral("scans/{}.") + QFileInfo(names[0]).suffix();
    const auto report = workspace->importImages(request, {}, {}, nullptr);
    QCOMPARE(report.imported, 3);
    QMap<QString, QString> labels;
    for (const auto& image : workspace->images()) labels[QFileInfo(image.path).fileName()] = image.label;
    QCOMPARE(labels.value(names[0]), QStringLiteral("normal"));
    QCOMPARE(labels.value(names[1]), QStringLiteral("bleed"));
    QCOMPARE(labels.value(names[2]), QStringLiteral("normal"));
}

void TestSiteStoreWorkspace::historyPredictionsModelAndSetupSurviveReopening() {
    QTemporaryDir dir;
    const auto root = dir.filePath(QStringLiteral("ws"));
    const auto bundle = makeTinyBundle(dir.filePath(QStringLiteral("bundle")));
    QString runId;
    {
        auto workspace = SiteStoreWorkspace::create(root);
        workspace->setBundleDirectory(bundle);
        workspace->setDemo(true);
        workspace->setClassNames({QStringLiteral("a"), QStringLiteral("b")});
        runId = workspace->addRun({QStringLiteral("ignored"), kRunFederated, QDateTime::currentDateTime(),
                                   {QStringLiteral("a"), QStringLiteral("b")}, {}});
        for (int round = 1; round <= 2; ++round) {
            HistoryRow row;
            row.runId = runId;
            row.round = round;
            row.loss = 1.0 / round;
            row.accuracy = 0.5;
            row.balancedAccuracy = 0.4;
            row.macroF1 = 0.3;
            row.federationAccuracy = round == 2 ? 0.7 : -1;
            row.bytesSent = 100 * round;
            row.bytesReceived = 200;
            row.perClassRecall = {0.25 * round, std::nan("")};
            workspace->appendHistory(row);
        }
        workspace->saveSiteModel({{"w", {2}, {1.5f, -2.0f}}}, {QStringLiteral("a"), QStringLiteral("b")}, nullptr);
        const auto image = writeImage(dir.filePath(QStringLiteral("elsewhere/x.png")), patternImage(5));
        workspace->savePrediction({0, image, workspace->siteModelVersion(), {QStringLiteral("a"), QStringLiteral("b")},
                                   {0.25, 0.75}, QDateTime::currentDateTime()});
        // The zero-shot shared FAM of an untrained site has no version: it is named in words.
        workspace->savePrediction({0, image, QString(), {QStringLiteral("a"), QStringLiteral("b")}, {0.6, 0.4},
                                   QDateTime::currentDateTime(), QStringLiteral("0123456789abcdef0123")});
        QVERIFY_THROWS_EXCEPTION(fmc::Error, workspace->savePrediction({0, image, QStringLiteral("999"), {}, {}, {}}));
        FederationSetup setup;
        setup.coordinatorUrl = QStringLiteral("https://coordinator.test");
        setup.federationName = QStringLiteral("Skin study");
        setup.bundleHash = QStringLiteral("abc");
        setup.classNames = {QStringLiteral("A"), QStringLiteral("B")};
        setup.labelMapping = {{QStringLiteral("a"), QStringLiteral("A")}, {QStringLiteral("b"), QString()}};
        setup.completedAt = QDateTime::currentDateTime();
        workspace->saveFederationSetup(setup);
    }
    auto workspace = SiteStoreWorkspace::open(root);
    QCOMPARE(QDir(workspace->bundleDirectory()), QDir(bundle));
    QVERIFY(workspace->isDemo());
    const auto runs = workspace->runs();
    QCOMPARE(runs.size(), 1);
    QCOMPARE(runs.first().id, runId);
    QCOMPARE(runs.first().kind, kRunFederated);
    const auto rows = workspace->history(runId);
    QCOMPARE(rows.size(), 2);
    QCOMPARE(rows.at(1).loss, 0.5);
    QCOMPARE(rows.at(1).federationAccuracy, 0.7);
    QCOMPARE(rows.at(0).federationAccuracy, -1.0);
    QCOMPARE(rows.at(1).perClassRecall.at(0), 0.5);
    QVERIFY(std::isnan(rows.at(1).perClassRecall.at(1)));
    {
        // The recall is in the store's rounds, where the CLI sees it too; the settings keep only
        // the federation's accuracy, which has no column.
        auto store =
            fmc::SiteStore::open(QDir(root).filePath(QLatin1String(fmc::kWorkspaceDatabaseFileName)).toStdString());
        const auto stored = store.trainingRun(runId.toLongLong())->rounds;
        QCOMPARE(stored.size(), size_t(2));
        QCOMPARE(stored.at(0).perClassRecall.size(), size_t(2));
        QCOMPARE(stored.at(0).perClassRecall.at(0).value_or(-1), 0.25);
        QVERIFY(!stored.at(1).perClassRecall.at(1));
        const auto extras = store.setting("ui.round_extras." + runId.toStdString()).value_or("");
        QVERIFY2(extras.find("perClassRecall") == std::string::npos &&
                     extras.find("federationAccuracy") != std::string::npos,
                 extras.c_str());
    }
    QCOMPARE(rows.at(1).bytesSent, 200);
    QCOMPARE(workspace->siteModel().front().values, (std::vector<float>{1.5f, -2.0f}));
    QCOMPARE(workspace->siteModelClassNames(), (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
    const auto predictions = workspace->predictions();
    QCOMPARE(predictions.size(), 2);
    QCOMPARE(predictions.first().probabilities, (QVector<double>{0.25, 0.75}));
    const auto bundleHash = QString::fromStdString(
        fmc::readManifestFile((bundle + QStringLiteral("/manifest.json")).toStdString()).bundleHash);
    QCOMPARE(predictions.first().modelDescription, QStringLiteral("model version %1 (local-checkpoint, bundle %2)")
                                                       .arg(workspace->siteModelVersion(), bundleHash.left(12)));
    QVERIFY(predictions.last().modelVersion.isEmpty());
    QCOMPARE(predictions.last().modelDescription, QStringLiteral("zero-shot shared FAM, bundle 0123456789ab"));
    QCOMPARE(predictions.last().probabilities, (QVector<double>{0.6, 0.4}));
    QCOMPARE(workspace->federationSetup().federationName, QStringLiteral("Skin study"));
    // Joined: the federation's classes are what the store trains.
    QCOMPARE(workspace->classNames(), (QStringList{QStringLiteral("A"), QStringLiteral("B")}));
}

QTEST_GUILESS_MAIN(TestSiteStoreWorkspace)
#include "tst_sitestoreworkspace.moc"
