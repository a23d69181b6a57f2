// FolderWorkspace: import with a per-file report (broken files never stop the import),
// duplicates, labels from sub-folders, splits from content, and everything surviving a
// reopen.
#include "folder_workspace.h"
#include "ui_test_support.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace fmc::ui;
using namespace fmc::ui::test;

class TestFolderWorkspace : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void importReportsEveryBrokenFileAndImportsTheRest();
    void importCanBeCancelled();
    void createRefusesANonEmptyFolderAndOpenNamesTheMissingFile();
    void labelsHistoryPredictionsAndModelSurviveReopening();
    void appendHistoryRefusesAnUnknownRun();
    void splitFollowsTheContentHash_data();
    void splitFollowsTheContentHash();
};

void TestFolderWorkspace::importReportsEveryBrokenFileAndImportsTheRest() {
    QTemporaryDir dir;
    const auto data = dir.filePath(QStringLiteral("data"));
    writeClassFolders(data, {QStringLiteral("nevus"), QStringLiteral("melanoma")}, 3);
    // A copy of an image under another name: same bytes, a duplicate.
    QFile::copy(data + QStringLiteral("/nevus/0.png"), data + QStringLiteral("/melanoma/copy-of-nevus.png"));
    writeBytes(data + QStringLiteral("/nevus/empty.png"), {});
    writeBytes(data + QStringLiteral("/nevus/notes.txt"), "not an image");
    QFile png(data + QStringLiteral("/nevus/1.png"));
    QVERIFY(png.open(QIODevice::ReadOnly));
    writeBytes(data + QStringLiteral("/melanoma/truncated.png"), png.readAll().left(60));
    writeBytes(data + QStringLiteral("/melanoma/fake.jpg"), "GIF89a this is not a jpeg");
    writeBytes(data + QStringLiteral("/.hidden/ignored.png"), "hidden folders are not imported");

    auto workspace = FolderWorkspace::create(dir.filePath(QStringLiteral("ws")));
    QSignalSpy changed(workspace.get(), &WorkspaceService::imagesChanged);
    ImportRequest request;
    request.paths = {data, dir.filePath(QStringLiteral("missing-folder"))};
    request.site = QStringLiteral("site A");
    int lastDone = -1, lastTotal = -1;
    const auto report = workspace->importImages(request, {}, [&](int done, int total, const QString&) {
        lastDone = done;
        lastTotal = total;
    }, nullptr);

    QCOMPARE(report.imported, 6);
    QCOMPARE(report.duplicates, 1);
    QCOMPARE(report.cancelled, false);
    QCOMPARE(lastDone, lastTotal);
    QMap<QString, QString> reasons;
    for (const auto& failure : report.failures) reasons.insert(QFileInfo(failure.path).fileName(), failure.reason);
    QCOMPARE(reasons.size(), 5);
    QVERIFY2(reasons.value(QStringLiteral("empty.png")).contains(QStringLiteral("empty")), qPrintable(reasons.value("empty.png")));
    QVERIFY(reasons.contains(QStringLiteral("notes.txt")));
    QVERIFY(reasons.contains(QStringLiteral("truncated.png")));
    QVERIFY(reasons.contains(QStringLiteral("fake.jpg")));
    QVERIFY2(reasons.value(QStringLiteral("missing-folder")).contains(QStringLiteral("does not exist")),
             qPrintable(reasons.value("missing-folder")));
    QCOMPARE(changed.count(), 1);

    const auto images = workspace->images();
    QCOMPARE(images.size(), 6);
    for (const auto& image : images) {
        QCOMPARE(image.site, QStringLiteral("site A"));
        QCOMPARE(image.modality, kModalityPhoto);
        QCOMPARE(image.label, QFileInfo(image.path).dir().dirName());
        QCOMPARE(image.width, 48);
        QCOMPARE(image.height, 40);
        QCOMPARE(image.contentHash.size(), 64);
    }
    QCOMPARE(workspace->localLabels(), (QStringList{QStringLiteral("melanoma"), QStringLiteral("nevus")}));

    // Importing again finds only duplicates.
    const auto again = workspace->importImages(request, {}, {}, nullptr);
    QCOMPARE(again.imported, 0);
    QCOMPARE(again.duplicates, 7);
}

void TestFolderWorkspace::importCanBeCancelled() {
    QTemporaryDir dir;
    writeClassFolders(dir.filePath(QStringLiteral("data")), {QStringLiteral("a")}, 10);
    auto workspace = FolderWorkspace::create(dir.filePath(QStringLiteral("ws")));
    std::atomic<bool> cancel{false};
    ImportRequest request;
    request.paths = {dir.filePath(QStringLiteral("data"))};
    const auto report = workspace->importImages(request, {}, [&](int done, int, const QString&) {
        if (done == 4) cancel = true;
    }, &cancel);
    QVERIFY(report.cancelled);
    QCOMPARE(report.imported, 4);
    // What was imported before the cancel stays, also on disk.
    QCOMPARE(FolderWorkspace::open(workspace->rootPath())->images().size(), 4);
}

void TestFolderWorkspace::createRefusesANonEmptyFolderAndOpenNamesTheMissingFile() {
    QTemporaryDir dir;
    writeBytes(dir.filePath(QStringLiteral("busy/file.txt")), "x");
    try {
        FolderWorkspace::create(dir.filePath(QStringLiteral("busy")));
        QFAIL("a non-empty folder was accepted");
    } catch (const fmc::Error& error) {
        QVERIFY(QString::fromUtf8(error.what()).contains(dir.filePath(QStringLiteral("busy"))));
    }
    try {
        FolderWorkspace::open(dir.filePath(QStringLiteral("busy")));
        QFAIL("a folder without a workspace file was opened");
    } catch (const fmc::Error& error) {
        QVERIFY(QString::fromUtf8(error.what()).contains(QLatin1String(FolderWorkspace::kMarkerFileName)));
    }
    writeBytes(dir.filePath(QStringLiteral("broken/")) + QLatin1String(FolderWorkspace::kMarkerFileName), "{ not json");
    try {
        FolderWorkspace::open(dir.filePath(QStringLiteral("broken")));
        QFAIL("a broken workspace file was accepted");
    } catch (const fmc::Error& error) {
        QVERIFY(QString::fromUtf8(error.what()).contains(QLatin1String(FolderWorkspace::kMarkerFileName)));
    }
}

void TestFolderWorkspace::labelsHistoryPredictionsAndModelSurviveReopening() {
    QTemporaryDir dir;
    writeClassFolders(dir.filePath(QStringLiteral("data")), {QStringLiteral("a"), QStringLiteral("b")}, 2);
    const auto root = dir.filePath(QStringLiteral("ws"));
    {
        auto workspace = FolderWorkspace::create(root, QStringLiteral("Ward 3"));
        ImportRequest request;
        request.paths = {dir.filePath(QStringLiteral("data"))};
        workspace->importImages(request, {}, {}, nullptr);
        const auto first = workspace->images().first();
        workspace->setLabel(first.id, QStringLiteral("  relabelled  "));
        workspace->setClassNames({QStringLiteral("a"), QStringLiteral("b")});
        workspace->setBundleDirectory(QStringLiteral("/bundles/x"));
        workspace->setDemo(true);
        workspace->addRun({QStringLiteral("run-1"), kRunFederated, QDateTime::currentDateTime(),
                           {QStringLiteral("a"), QStringLiteral("b")}, QStringLiteral("test run")});
        for (int round = 2; round >= 1; --round) {
            HistoryRow row;
            row.runId = QStringLiteral("run-1");
            row.runKind = kRunFederated;
            row.round = round;
            row.loss = 1.0 / round;
            row.accuracy = 0.5 + 0.1 * round;
            row.federationAccuracy = round == 2 ? 0.7 : -1;
            row.bytesSent = 1000 * round;
            row.perClassRecall = {0.25 * round, std::nan("")};
            workspace->appendHistory(row);
        }
        workspace->savePrediction({first.id, first.path, QStringLiteral("v1"), {QStringLiteral("a"), QStringLiteral("b")},
                                   {0.25, 0.75}, QDateTime::currentDateTime()});
        workspace->saveSiteModel({{"w", {2}, {1.5f, -2.0f}}}, {QStringLiteral("a"), QStringLiteral("b")});
        FederationSetup setup;
        setup.coordinatorUrl = QStringLiteral("https://coordinator.test:8443");
        setup.bundleHash = QStringLiteral("abc");
        setup.classNames = {QStringLiteral("A"), QStringLiteral("B")};
        setup.labelMapping = {{QStringLiteral("a"), QStringLiteral("A")}, {QStringLiteral("b"), QString()}};
        setup.completedAt = QDateTime::currentDateTime();
        workspace->saveFederationSetup(setup);
    }
    auto workspace = FolderWorkspace::open(root);
    QCOMPARE(workspace->displayName(), QStringLiteral("Ward 3"));
    QCOMPARE(workspace->images().first().label, QStringLiteral("relabelled"));
    QCOMPARE(workspace->bundleDirectory(), QStringLiteral("/bundles/x"));
    QVERIFY(workspace->isDemo());
    // Once joined, the federation's classes are the workspace's.
    QCOMPARE(workspace->classNames(), (QStringList{QStringLiteral("A"), QStringLiteral("B")}));
    const auto indices = workspace->classIndexOfLabels();
    QCOMPARE(indices.value(QStringLiteral("a"), -1), 0);
    QVERIFY(!indices.contains(QStringLiteral("b")));  // mapped to "not used"
    const auto rows = workspace->history(QStringLiteral("run-1"));
    QCOMPARE(rows.size(), 2);
    QCOMPARE(rows.at(0).round, 1);  // sorted by round
    QCOMPARE(rows.at(1).federationAccuracy, 0.7);
    QCOMPARE(rows.at(0).federationAccuracy, -1.0);
    QCOMPARE(rows.at(1).bytesSent, 2000);
    QCOMPARE(rows.at(1).perClassRecall.at(0), 0.5);
    QVERIFY(std::isnan(rows.at(1).perClassRecall.at(1)));
    QCOMPARE(workspace->predictions().size(), 1);
    QCOMPARE(workspace->predictions().first().probabilities, (QVector<double>{0.25, 0.75}));
    const auto model = workspace->siteModel();
    QCOMPARE(model.size(), size_t(1));
    QCOMPARE(model.front().values, (std::vector<float>{1.5f, -2.0f}));
    QCOMPARE(workspace->siteModelVersion().size(), 12);
    QCOMPARE(workspace->federationSetup().labelMapping.value(QStringLiteral("a")), QStringLiteral("A"));
}

void TestFolderWorkspace::appendHistoryRefusesAnUnknownRun() {
    QTemporaryDir dir;
    auto workspace = FolderWorkspace::create(dir.filePath(QStringLiteral("ws")));
    HistoryRow row;
    row.runId = QStringLiteral("nope");
    QVERIFY_THROWS_EXCEPTION(fmc::Error, workspace->appendHistory(row));
    QVERIFY_THROWS_EXCEPTION(fmc::Error, workspace->setLabel(12345, QStringLiteral("x")));
}

void TestFolderWorkspace::splitFollowsTheContentHash_data() {
    QTest::addColumn<QString>("hash");
    QTest::addColumn<QString>("split");
    QTest::newRow("00 -> train") << QStringLiteral("00ab") << kSplitTrain;
    QTest::newRow("05 -> train") << QStringLiteral("05ab") << kSplitTrain;
    QTest::newRow("06 -> validation") << QStringLiteral("06ab") << kSplitValidation;
    QTest::newRow("07 -> validation") << QStringLiteral("07ab") << kSplitValidation;
    QTest::newRow("08 -> test") << QStringLiteral("08ab") << kSplitTest;
    QTest::newRow("13 (19) -> test") << QStringLiteral("13ab") << kSplitTest;
    QTest::newRow("ff (255) -> train") << QStringLiteral("ffab") << kSplitTrain;
}

void TestFolderWorkspace::splitFollowsTheContentHash() {
    QFETCH(QString, hash);
    QFETCH(QString, split);
    QCOMPARE(FolderWorkspace::splitForHash(hash), split);
}

QTEST_GUILESS_MAIN(TestFolderWorkspace)
#include "tst_folderworkspace.moc"
