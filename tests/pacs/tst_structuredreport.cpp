// The prediction SR (DCMTK dcmsr), checked with DCMTK's own dsrdump: valid without warnings,
// and every value the report must carry is in it.
#include "common/bundle_manifest.h"
#include "common/types.h"
#include "pacs/structured_report.h"
#include "pacs_test_support.h"

#include <QtTest>

using namespace fmc;
using namespace fmc::pacs;
using namespace fmc::test;

namespace {

QString ctSmall() { return sharedDataDir() + "/dicom/pydicom-test-files/CT_small.dcm"; }

}  // namespace

class TestStructuredReport : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;

    std::pair<int, QString> dumpOf(const StructuredReport& report) {
        const auto path = dir_.filePath(report.sopInstanceUid + ".dcm");
        saveStructuredReport(report, path);
        return dsrdump(path);
    }

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        if (!sharedDicomPresent()) QSKIP("../shared/data/dicom is absent: the SR tests reference its CT image");
        if (!dsrdumpInstalled()) QSKIP("dsrdump (Debian package dcmtk) is not installed; tools/setup.sh installs it");
    }

    void content_data() {
        QTest::addColumn<bool>("calibrated");
        QTest::addColumn<bool>("withSetAndFlag");
        QTest::newRow("ensemble probabilities only") << false << false;
        QTest::newRow("calibrated, prediction set, out of distribution") << true << true;
    }

    void content() {
        QFETCH(bool, calibrated);
        QFETCH(bool, withSetAndFlag);
        PredictionReportContent content;
        content.imagePath = ctSmall().toStdString();
        content.predictedClass = "melanoma";
        content.classes = {"melanoma", "nevus", "basal cell carcinoma"};
        content.probabilities = {0.625, 0.25, 0.125};
        content.calibrated = calibrated;
        if (withSetAndFlag) {
            content.predictionSet = std::vector<std::string>{"melanoma", "nevus"};
            content.outOfDistribution = true;
        }
        content.modelDescription = "local-checkpoint version 3";
        content.bundleHash = "feedc0de12345678";
        content.bundleName = "clip-vit-b32-medical";
        content.bundleVersion = "1.2.0";
        const auto report = buildStructuredReport(content);
        const auto [code, dump] = dumpOf(report);
        QVERIFY2(code == 0, qPrintable(dump));
        // Valid, not merely readable: no warning or error, except dsrdump's note that its VR
        // checker cannot check UTF-8 (ISO_IR 192) strings.
        auto lines = dump.split('\n');
        lines.removeAll("W: The VR checker does not support this Specific Character Set: ISO_IR 192");
        for (const auto& line : lines) QVERIFY2(!line.startsWith("W: ") && !line.startsWith("E: "), qPrintable(dump));
        QVERIFY2(dump.contains("Comprehensive SR"), qPrintable(dump));
        // The classified image by its SOP Instance UID (from the file, dcmdump).
        QVERIFY2(dump.contains("1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322"), qPrintable(dump));
        QVERIFY2(dump.contains("=\"melanoma\""), qPrintable(dump));
        QVERIFY2(dump.contains("\"0.625000\"") && dump.contains("\"0.250000\"") && dump.contains("\"0.125000\""),
                 qPrintable(dump));
        QVERIFY2(dump.contains(calibrated ? "Calibrated class probabilities" : "not calibrated"), qPrintable(dump));
        QCOMPARE(dump.contains("\"melanoma, nevus\""), withSetAndFlag);
        QCOMPARE(dump.contains("Out of distribution"), withSetAndFlag);
        if (withSetAndFlag) QVERIFY2(dump.contains("(373066001,SCT,\"Yes\")"), qPrintable(dump));
        QVERIFY2(dump.contains("\"local-checkpoint version 3\"") && dump.contains("\"clip-vit-b32-medical version 1.2.0, bundle hash feedc0de12345678\""),
                 qPrintable(dump));
        QVERIFY2(dump.contains("Research use only. Not a medical device."), qPrintable(dump));
        // It joins the image's study and patient.
        QCOMPARE(report.studyInstanceUid, QString("1.3.6.1.4.1.5962.1.2.1.20040119072730.12322"));
        QVERIFY2(dump.contains("CompressedSamples^CT1"), qPrintable(dump));
    }

    void aPhotoCannotBeReferenced() {
        const auto photo = dir_.filePath("photo.dcm");
        QFile file(photo);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("\xff\xd8\xff\xe0 not dicom");
        file.close();
        PredictionReportContent content;
        content.imagePath = photo.toStdString();
        content.classes = {"a"};
        content.probabilities = {1.0};
        try {
            buildStructuredReport(content);
            QFAIL("an SR referencing a non-DICOM file was built");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains(photo) && QString(error.what()).contains("DICOM image"), error.what());
        }
    }

    void contentComesFromTheSavedPrediction() {
        auto workspace = SiteWorkspace::open(dir_.filePath("ws").toStdString());
        StoredPrediction prediction;
        prediction.sourcePath = ctSmall().toStdString();
        prediction.contentHash = std::string(64, '0');
        prediction.modelDescription = "local-checkpoint version 1";
        prediction.predictedClass = "b";
        // As `fedmedclip-cli predict` and the Classify page store it (site/prediction_details.h).
        prediction.probabilitiesJson = R"({"classes":["a","b"],"ensemble":[0.3,0.7],"fam_only":[0.4,0.6],)"
                                       R"("calibrated":true,"prediction_set":["b"],"coverage":0.9,)"
                                       R"("out_of_distribution":false,"ood_reasons":[]})";
        const auto id = workspace.store().addPrediction(prediction);
        const auto content = predictionReportContent(workspace, id);
        QCOMPARE(content.classes, (std::vector<std::string>{"a", "b"}));
        QVERIFY(content.calibrated);
        QCOMPARE(content.probabilities, (std::vector<double>{0.3, 0.7}));
        QCOMPARE(content.predictionSet.value(), std::vector<std::string>{"b"});
        QCOMPARE(content.outOfDistribution.value(), false);
        QCOMPARE(content.predictedClass, std::string("b"));

        prediction.probabilitiesJson = R"({"classes":["a","b"],"ensemble":[0.4,0.6]})";
        const auto plain = predictionReportContent(workspace, workspace.store().addPrediction(prediction));
        QVERIFY(!plain.calibrated);
        QCOMPARE(plain.probabilities, (std::vector<double>{0.4, 0.6}));
        QVERIFY(!plain.predictionSet && !plain.outOfDistribution);

        // The bundle by name and version: from the workspace's settings, else from the manifest
        // of the workspace's bundle when it has the same hash, else unnamed.
        BundleManifest manifest;
        manifest.name = "tiny-test-bundle";
        manifest.version = "0.3.1";
        manifest.embeddingDim = 8;
        manifest.inputSize = 32;
        manifest.mean = {0.5, 0.5, 0.5};
        manifest.std = {0.25, 0.25, 0.25};
        manifest.imageEncoder = {"image.pt", std::string(64, 'a')};
        manifest.textEncoder = {"text.pt", std::string(64, 'b')};
        manifest.vocabulary = {"vocab.txt", std::string(64, 'c')};
        manifest.bundleHash = computeBundleHash(manifest);
        const auto bundleDir = dir_.filePath("bundle");
        QVERIFY(QDir().mkpath(bundleDir));
        writeManifestFile((bundleDir + "/manifest.json").toStdString(), manifest);
        auto& store = workspace.store();
        workspace.setBundle(bundleDir.toStdString());
        QCOMPARE(store.setting(settings::kBundleName).value_or(""), std::string("tiny-test-bundle"));
        store.setSetting(settings::kBundleName, "named-in-settings");
        store.setSetting(settings::kBundleVersion, "7");
        const auto id2 = store.addPrediction(prediction);
        auto named = predictionReportContent(workspace, id2);
        QCOMPARE(named.bundleHash, manifest.bundleHash);
        QCOMPARE(named.bundleName, std::string("named-in-settings"));
        QCOMPARE(named.bundleVersion, std::string("7"));
        store.setSetting(settings::kBundleName, "");
        store.setSetting(settings::kBundleVersion, "");
        named = predictionReportContent(workspace, id2);
        QCOMPARE(named.bundleName, std::string("tiny-test-bundle"));
        QCOMPARE(named.bundleVersion, std::string("0.3.1"));
        store.setSetting(settings::kBundleHash, std::string(64, 'f'));  // the folder now holds another bundle
        named = predictionReportContent(workspace, id2);
        QVERIFY(named.bundleName.empty() && named.bundleVersion.empty());

        try {
            predictionReportContent(workspace, 999);
            QFAIL("a missing prediction was found");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains("prediction 999"), error.what());
        }
    }
};

QTEST_MAIN(TestStructuredReport)
#include "tst_structuredreport.moc"
