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
#include "features/bundle_inputs.h"
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
#include <random>

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
    int images = 0, flagged = 0, byFeatures = 0, flaggedWithoutReason = 0;
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
        std::vector<std::string> paths;
        for (const auto& file : files) paths.push_back(file.toStdString());
        FlagCount count;
        for (const auto& p : workspace_->predict(paths)) {
            ++count.images;
            count.flagged += p.outOfDistribution;
            count.byFeatures += flaggedByFeatures(p);
            if (p.outOfDistribution && p.outOfDistributionReasons.empty()) ++count.flaggedWithoutReason;
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
        // The set holds some pixel-identical copies, imported once.
        qInfo("imported %d images, %d duplicates", report.count(ImportOutcome::Imported),
              report.count(ImportOutcome::Duplicate));
        QCOMPARE(report.count(ImportOutcome::Imported) + report.count(ImportOutcome::Duplicate), 2359);
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
            // Float rows sum to 1 within float precision only; the fit renormalises them.
            QVERIFY(std::fabs(view.calibration.temperature.nllBefore -
                              meanNegativeLogLikelihood(view.probabilities, labels)) < 1e-6);
            const auto onValidation = measureCoverage(applyTemperature(view.probabilities, fit.temperature), labels,
                                                      view.calibration.conformal.threshold);
            qInfo("%s: the sets cover %.3f of the %d validation images they were calibrated on", view.name,
                  onValidation.coverage, onValidation.images);
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

    // Coverage of the sets on the test split, over seeds that draw both the model and which
    // held-out images are validation (calibration) and which are test: the guarantee is over
    // both. A seed's coverage varies with sd = sqrt(a (1 - a) (1/n_validation + 1/n_test)) (a the
    // miss rate: about 2.2 points at 90 %, 2.9 at 80 % here), so each seed must be within
    // 3 sd of the target and the mean of 5 seeds within 3 sd / sqrt(5).
    void conformalCoverageOnTestIsNearTheTargetOverSeeds_data() {
        QTest::addColumn<double>("coverage");
        QTest::newRow("90 %") << 0.9;
        QTest::newRow("80 %") << 0.8;
    }
    void conformalCoverageOnTestIsNearTheTargetOverSeeds() {
        QFETCH(double, coverage);
        auto& store = workspace_->store();
        std::vector<StoredImage> heldOut;
        for (auto& image : store.images())
            if (image.label && image.split != Split::Train) heldOut.push_back(image);
        const auto validationCount = static_cast<size_t>(std::count_if(
            heldOut.begin(), heldOut.end(), [](const StoredImage& image) { return image.split == Split::Validation; }));
        workspace_->setConformalCoverage(coverage);
        double total = 0, sd = 0;
        const int seeds = 5;
        for (int seed = 1; seed <= seeds; ++seed) {
            std::mt19937 rng(static_cast<unsigned>(seed));
            std::shuffle(heldOut.begin(), heldOut.end(), rng);
            for (size_t i = 0; i < heldOut.size(); ++i)
                store.relabelFile(heldOut[i].sourcePath, heldOut[i].label,
                                  i < validationCount ? Split::Validation : Split::Test, heldOut[i].site);
            const auto result = workspace_->trainLocal(training(std::uint64_t(seed)));
            const auto& ensemble = result.calibration->ensemble;
            QCOMPARE(ensemble.conformal.coverage, coverage);
            QCOMPARE(ensemble.conformal.calibrationImages, int(validationCount));
            qInfo("seed %d: %.0f %% sets cover %.1f %% of %d test images, mean set size %.2f", seed, 100 * coverage,
                  100 * ensemble.testCoverage.coverage, ensemble.testImages, ensemble.testCoverage.meanSetSize);
            QVERIFY(ensemble.testImages > 300);
            sd = std::sqrt(coverage * (1 - coverage) * (1.0 / validationCount + 1.0 / ensemble.testImages));
            QVERIFY2(std::fabs(ensemble.testCoverage.coverage - coverage) <= 3 * sd,
                     qPrintable(QString("coverage %1, target %2, sd %3").arg(ensemble.testCoverage.coverage).arg(coverage).arg(sd)));
            total += ensemble.testCoverage.coverage;
        }
        workspace_->setConformalCoverage(kDefaultConformalCoverage);
        qInfo("mean coverage over %d seeds: %.1f %% (target %.0f %%, one seed's sd %.1f points)", seeds,
              100 * total / seeds, 100 * coverage, 100 * sd);
        QVERIFY(std::fabs(total / seeds - coverage) <= 3 * sd / std::sqrt(double(seeds)));
    }

    void outOfDistributionImagesAreFlagged() {
        // The last model trained is the one predicting now; its calibration was fitted the same way.
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
        QCOMPARE(ctMr.flaggedWithoutReason + brain.flaggedWithoutReason + ownTest.flaggedWithoutReason, 0);
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
