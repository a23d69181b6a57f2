// SiteWorkspace's calibration, prediction sets and out-of-distribution check on real data: a
// site trained on every image of ../shared/data/dermoscopy-isic9 (hash split: 15 %
// validation, 20 % test) with the tiny demo bundle (random weights: the pipeline is what is
// checked, not clinical accuracy). It must flag DICOM CT / MR files and brain MRI JPEGs as
// out of distribution (>= 90 %), at most 20 % of its own test images, keep the conformal
// coverage on the test split near the target for every seed, and never raise validation NLL.
#include "common/calibration.h"
#include "common/metrics.h"
#include "engine/demo_bundle.h"
#include "engine/model_bundle.h"
#include "sim/bundle_inputs.h"
#include "site/image_domain.h"
#include "site/site_workspace.h"

#include <QDirIterator>
#include <QFile>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>

using namespace fmc;

namespace {

QString dataDir() { return QStringLiteral(FMC_SHARED_DATA_DIR); }
QString vocabulary() { return QStringLiteral(FMC_SOURCE_DIR) + "/resources/clip/bpe_simple_vocab_16e6.txt.gz"; }

// Every `step`-th file under `folder` matching `patterns`, sorted by path.
QStringList filesUnder(const QString& folder, const QStringList& patterns, int step = 1) {
    QStringList files;
    QDirIterator it(folder, patterns, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) files << it.next();
    files.sort();
    QStringList picked;
    for (int i = 0; i < files.size(); i += step) picked << files[i];
    return picked;
}

bool flaggedByFeatures(const ImagePrediction& p) {
    return std::any_of(p.outOfDistributionReasons.begin(), p.outOfDistributionReasons.end(),
                       [](const std::string& reason) { return reason.rfind("feature distance", 0) == 0; });
}

struct FlagCount {
    int images = 0, flagged = 0, byFeatures = 0;
    double share() const { return images ? double(flagged) / images : 0; }
    double featureShare() const { return images ? double(byFeatures) / images : 0; }
};

}  // namespace

class TestSiteCalibration : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::string bundleDir_;
    std::optional<SiteWorkspace> workspace_;
    LocalTrainingResult trained_;

    LocalTrainingConfig training(std::uint64_t seed) const {
        LocalTrainingConfig config;
        config.bundleDir = bundleDir_;
        config.rounds = 10;
        config.seed = seed;
        return config;
    }

    FlagCount predictAll(const QStringList& files) {
        FlagCount count;
        for (const auto& file : files) {
            ImagePrediction p;
            try {
                p = workspace_->predict(file.toStdString());
            } catch (const std::exception& error) {
                qInfo("not readable, left out: %s", error.what());
                continue;
            }
            ++count.images;
            count.flagged += p.outOfDistribution;
            count.byFeatures += flaggedByFeatures(p);
            if (p.outOfDistribution) QVERIFY(!p.outOfDistributionReasons.empty());
        }
        return count;
    }

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(dir_.isValid());
        if (!QFileInfo::exists(dataDir() + "/dermoscopy-isic9"))
            QSKIP(qPrintable(dataDir() + "/dermoscopy-isic9 is absent (shared test data, see ../shared/README.md)"));
        bundleDir_ = dir_.filePath("bundle").toStdString();
        createDemoBundle(bundleDir_, DemoBundleShape::Tiny, vocabulary().toStdString(), 7);
        // path,label without a split column: the importer's hash split makes validation and test.
        const auto csv = dir_.filePath("labels.csv").toStdString();
        std::ofstream out(csv);
        out << "path,label\n";
        for (const auto& file : filesUnder(dataDir() + "/dermoscopy-isic9", {"*.jpg"}))
            out << '"' << file.toStdString() << "\"," << '"' << QFileInfo(file).dir().dirName().toStdString() << "\"\n";
        out.close();
        workspace_.emplace(SiteWorkspace::open(dir_.filePath("site").toStdString()));
        ImportOptions options;
        options.labelSource = LabelSource::Csv;
        options.csvPath = csv;
        const auto report = workspace_->importPaths({(dataDir() + "/dermoscopy-isic9").toStdString()}, options);
        QCOMPARE(report.count(ImportOutcome::Imported), 2359);
        trained_ = workspace_->trainLocal(training(1));
        QVERIFY(trained_.calibration);
        const auto& c = *trained_.calibration;
        qInfo("trained on %d images, %d validation, %d test; validation balanced accuracy %.3f", trained_.trainImages,
              c.validation->images, c.ensemble.testImages, c.validation->balancedAccuracy);
    }

    void calibrationIsStoredWithTheModelVersionAndFitsTheKeptModel() {
        const auto stored = workspace_->store().modelCalibration(trained_.modelVersionId);
        QVERIFY(stored);
        QCOMPARE(stored->ensemble.temperature.temperature, trained_.calibration->ensemble.temperature.temperature);
        QCOMPARE(stored->novelty.reference.rows, std::int64_t(trained_.trainImages));
        QCOMPARE(stored->domain.modalities, std::vector<std::string>{"photo"});
        QCOMPARE(stored->domain.photometric, std::vector<std::string>{"colour"});
        QVERIFY(stored->demoBundle);

        // Independently: the saved model's validation probabilities, fitted again, give the same temperature.
        const auto version = workspace_->store().modelVersion(trained_.modelVersionId).value();
        const auto bundle = ModelBundle::load(bundleDir_);
        auto ofClasses = workspace_->imagesOfClasses(version.classes);
        std::vector<StoredImage> validation;
        std::vector<int> labels;
        for (size_t i = 0; i < ofClasses.images.size(); ++i)
            if (ofClasses.images[i].split == Split::Validation) {
                validation.push_back(ofClasses.images[i]);
                labels.push_back(ofClasses.labels[i]);
            }
        FeatureExtractionSummary summary;
        const auto features = workspace_->features(bundle, validation, summary);
        std::vector<std::string> prompts;
        for (const auto& name : version.classes) prompts.push_back(classPrompt(version.promptTemplate, name));
        FedMedClipSite site(bundle.encodeTexts(prompts), float(bundle.manifest().logitScale), FedMedClipOptions{}, 0);
        site.setFullState(workspace_->loadModelParameters(version));
        const auto prediction = site.predict(features);
        struct View {
            const char* name;
            const FloatMatrix& probabilities;
            const ViewCalibration& calibration;
        };
        for (const auto& view : {View{"ensemble", prediction.ensemble, stored->ensemble},
                                 View{"FAM", prediction.famOnly, stored->famOnly},
                                 View{"MLP", prediction.mlpOnly, stored->mlpOnly}}) {
            const auto fit = fitTemperature(view.probabilities, labels);
            QCOMPARE(fit.temperature, view.calibration.temperature.temperature);
            QVERIFY2(view.calibration.temperature.nllAfter <= view.calibration.temperature.nllBefore, view.name);
            QCOMPARE(view.calibration.temperature.nllBefore, meanNegativeLogLikelihood(view.probabilities, labels));
            qInfo("%s: temperature %.3f, validation NLL %.4f -> %.4f; test ECE %.4f -> %.4f, NLL %.4f -> %.4f, "
                  "coverage %.3f of %d (mean set size %.2f)",
                  view.name, fit.temperature, fit.nllBefore, fit.nllAfter, view.calibration.testEceBefore,
                  view.calibration.testEceAfter, view.calibration.testNllBefore, view.calibration.testNllAfter,
                  view.calibration.testCoverage.coverage, view.calibration.testImages,
                  view.calibration.testCoverage.meanSetSize);
        }
    }

    void predictionsAreCalibratedWithASet() {
        const auto image = filesUnder(dataDir() + "/dermoscopy-isic9/Test/melanoma", {"*.jpg"}).front().toStdString();
        const auto p = workspace_->predict(image);
        QVERIFY(p.calibrated);
        QCOMPARE(p.coverage, 0.9);
        QVERIFY(!p.predictionSet.empty());
        QCOMPARE(p.predictionSet.front(), p.predictedClass);
        const auto json = nlohmann::json::parse(workspace_->store().predictions().back().probabilitiesJson);
        QCOMPARE(json["prediction_set"].get<std::vector<std::string>>(), p.predictionSet);
        QCOMPARE(json["ensemble"].get<std::vector<float>>(), p.ensemble);
    }

    // Coverage of the 90 % sets on the test split, for three training seeds (and 80 % for one).
    void conformalCoverageOnTestIsNearTheTarget_data() {
        QTest::addColumn<int>("seed");
        QTest::addColumn<double>("coverage");
        QTest::newRow("seed 1, 90 %") << 1 << 0.9;
        QTest::newRow("seed 2, 90 %") << 2 << 0.9;
        QTest::newRow("seed 3, 90 %") << 3 << 0.9;
        QTest::newRow("seed 4, 80 %") << 4 << 0.8;
    }
    void conformalCoverageOnTestIsNearTheTarget() {
        QFETCH(int, seed);
        QFETCH(double, coverage);
        workspace_->setConformalCoverage(coverage);
        const auto result = workspace_->trainLocal(training(std::uint64_t(seed)));
        workspace_->setConformalCoverage(kDefaultConformalCoverage);
        const auto& ensemble = result.calibration->ensemble;
        QCOMPARE(ensemble.conformal.coverage, coverage);
        qInfo("seed %d: %.0f %% sets cover %.1f %% of %d test images, mean set size %.2f", seed, 100 * coverage,
              100 * ensemble.testCoverage.coverage, ensemble.testImages, ensemble.testCoverage.meanSetSize);
        QVERIFY(ensemble.testImages > 300);
        QVERIFY2(std::fabs(ensemble.testCoverage.coverage - coverage) <= 0.05,
                 qPrintable(QString("coverage %1, target %2").arg(ensemble.testCoverage.coverage).arg(coverage)));
    }

    void outOfDistributionImagesAreFlagged() {
        // The last model (seed 4) is the one predicting now; its calibration was fitted the same way.
        QStringList dicom;
        for (const auto& file : filesUnder(dataDir() + "/dicom", {"*.dcm", "*"})) {
            try {
                const auto decoded = decodeImageFile(file.toStdString(), ImageFileKind::Dicom, ImageLimits{});
                if (decoded.modality == "CT" || decoded.modality == "MR") dicom << file;
            } catch (const std::exception&) {
            }
        }
        QVERIFY2(dicom.size() >= 10, qPrintable(QString("only %1 readable CT/MR files").arg(dicom.size())));
        const auto ctMr = predictAll(dicom);
        const auto brain = predictAll(filesUnder(dataDir() + "/brain-mri", {"*.jpg"}, 13));
        ImageFilter test;
        test.split = Split::Test;
        QStringList own;
        for (const auto& image : workspace_->store().images(test)) own << QString::fromStdString(image.sourcePath);
        const auto ownTest = predictAll(own);
        qInfo("flagged out of distribution: DICOM CT/MR %d of %d (%d by features alone), brain MRI JPEGs %d of %d (%d by "
              "features), own test images %d of %d (%d by features)",
              ctMr.flagged, ctMr.images, ctMr.byFeatures, brain.flagged, brain.images, brain.byFeatures, ownTest.flagged,
              ownTest.images, ownTest.byFeatures);
        QVERIFY(brain.images >= 90);
        QVERIFY(ownTest.images > 300);
        QVERIFY2(ctMr.share() >= 0.9, qPrintable(QString::number(ctMr.share())));
        QVERIFY2(brain.share() >= 0.9, qPrintable(QString::number(brain.share())));
        QVERIFY2(ownTest.share() <= 0.2, qPrintable(QString::number(ownTest.share())));
    }

    // A declared domain replaces the one seen in training: a site declaring CT flags its photos.
    void aDeclaredDomainIsUsed() {
        workspace_->store().setSetting(settings::kImageDomain, R"({"modalities":["CT"],"body_parts":["HEAD"]})");
        const auto result = workspace_->trainLocal(training(1));
        workspace_->store().removeSetting(settings::kImageDomain);
        QVERIFY(result.calibration->domain.declared);
        const auto image = filesUnder(dataDir() + "/dermoscopy-isic9/Test/nevus", {"*.jpg"}).front().toStdString();
        const auto p = workspace_->predict(image);
        QVERIFY(p.outOfDistribution);
        QCOMPARE(p.outOfDistributionReasons.front(), std::string("modality photo, expected CT"));
        workspace_->store().setSetting(settings::kImageDomain, R"({"photometric":["sepia"]})");
        QVERIFY_THROWS_EXCEPTION(Error, workspace_->trainLocal(training(1)));
        workspace_->store().removeSetting(settings::kImageDomain);
    }
};

QTEST_GUILESS_MAIN(TestSiteCalibration)
#include "tst_sitecalibration.moc"
