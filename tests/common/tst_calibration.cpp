// Calibration, conformal prediction sets, novelty and the image-domain check
// (core/common/calibration.h, model_calibration.h) against hand-computed values, plus the
// conformal guarantee measured on exchangeable synthetic data over many seeds.
#include "common/calibration.h"
#include "common/model_calibration.h"

#include <QtTest>

#include <cmath>
#include <random>

using namespace fmc;

namespace {

FloatMatrix matrix(const std::vector<std::vector<float>>& rows) {
    FloatMatrix m(static_cast<std::int64_t>(rows.size()), rows.empty() ? 0 : static_cast<std::int64_t>(rows[0].size()));
    for (size_t r = 0; r < rows.size(); ++r)
        for (size_t c = 0; c < rows[r].size(); ++c) m.at(std::int64_t(r), std::int64_t(c)) = rows[r][c];
    return m;
}

#define QNEAR(actual, expected, tol)                                                                       \
    QVERIFY2(std::fabs(double(actual) - double(expected)) <= (tol),                                       \
             qPrintable(QString("%1 = %2, expected %3").arg(#actual).arg(double(actual), 0, 'g', 12).arg(double(expected), 0, 'g', 12)))

// n images of C classes: probabilities from random logits (spread `sharpness`), the true class
// drawn from the probabilities raised to `truthPower` (1: the model is calibrated; 2: it is
// underconfident), so images are exchangeable whatever the calibration.
void synthetic(std::mt19937& rng, int n, int classes, double sharpness, double truthPower, FloatMatrix& probabilities,
               std::vector<int>& labels) {
    std::normal_distribution<double> logit(0, sharpness);
    std::uniform_real_distribution<double> uniform(0, 1);
    probabilities = FloatMatrix(n, classes);
    labels.clear();
    for (int i = 0; i < n; ++i) {
        std::vector<double> p(static_cast<size_t>(classes));
        double sum = 0;
        for (auto& v : p) sum += v = std::exp(logit(rng));
        for (int c = 0; c < classes; ++c) probabilities.at(i, c) = static_cast<float>(p[size_t(c)] / sum);
        std::vector<double> truth(static_cast<size_t>(classes));
        double truthSum = 0;
        for (int c = 0; c < classes; ++c) truthSum += truth[size_t(c)] = std::pow(probabilities.at(i, c), truthPower);
        double u = uniform(rng) * truthSum;
        int label = classes - 1;
        for (int c = 0; c < classes; ++c) {
            u -= truth[size_t(c)];
            if (u <= 0) {
                label = c;
                break;
            }
        }
        labels.push_back(label);
    }
}

}  // namespace

class TestCalibration : public QObject {
    Q_OBJECT
private slots:
    void temperatureRaisesProbabilitiesToOneOverT() {
        const auto sharper = applyTemperature(std::vector<double>{0.5, 0.25, 0.25}, 0.5);
        QNEAR(sharper[0], 2.0 / 3, 1e-12);
        QNEAR(sharper[1], 1.0 / 6, 1e-12);
        const auto flatter = applyTemperature(std::vector<double>{0.5, 0.25, 0.25}, 2.0);
        QNEAR(flatter[0], std::sqrt(0.5) / (std::sqrt(0.5) + 1.0), 1e-12);
        QNEAR(flatter[2], 0.5 / (std::sqrt(0.5) + 1.0), 1e-12);
        const auto withZero = applyTemperature(std::vector<double>{0.0, 1.0}, 3.0);
        QCOMPARE(withZero[0], 0.0);
        QCOMPARE(withZero[1], 1.0);
        const auto unchanged = applyTemperature(matrix({{0.2f, 0.8f}}), 1.0);
        QNEAR(unchanged.at(0, 1), 0.8, 1e-7);
    }

    // Every row (0.9, 0.1), 3 of 4 truly class 0: the NLL is lowest where the scaled
    // probability is 0.75, beta = logit(0.75) / logit(0.9) = ln 3 / ln 9 = 1/2, so T = 2.
    void temperatureFitMatchesTheClosedForm() {
        const auto probabilities = matrix({{0.9f, 0.1f}, {0.9f, 0.1f}, {0.9f, 0.1f}, {0.9f, 0.1f}});
        const auto fit = fitTemperature(probabilities, {0, 0, 0, 1});
        QNEAR(fit.temperature, 2.0, 1e-6);
        QNEAR(fit.nllBefore, -(0.75 * std::log(0.9f) + 0.25 * std::log(0.1f)), 1e-6);
        QNEAR(fit.nllAfter, -(0.75 * std::log(0.75) + 0.25 * std::log(0.25)), 1e-6);
        QNEAR(meanNegativeLogLikelihood(applyTemperature(probabilities, fit.temperature), {0, 0, 0, 1}), fit.nllAfter,
              1e-6);
    }

    void calibratedProbabilitiesKeepTemperatureOne() {
        const auto fit = fitTemperature(matrix({{0.75f, 0.25f}, {0.75f, 0.25f}, {0.75f, 0.25f}, {0.75f, 0.25f}}),
                                        {0, 0, 1, 0});
        QNEAR(fit.temperature, 1.0, 1e-6);
        QVERIFY(fit.nllAfter <= fit.nllBefore);
    }

    // Always right but only 60 % sure: the sharpest temperature allowed.
    void underconfidentModelGetsTheLowestTemperature() {
        const auto fit = fitTemperature(matrix({{0.6f, 0.4f}, {0.4f, 0.6f}}), {0, 1});
        QNEAR(fit.temperature, kMinTemperature, 1e-6);
        QVERIFY(fit.nllAfter < fit.nllBefore);
    }

    void temperatureNeverRaisesValidationNll_data() {
        QTest::addColumn<int>("seed");
        for (int seed = 1; seed <= 10; ++seed) QTest::newRow(qPrintable(QString("seed %1").arg(seed))) << seed;
    }
    void temperatureNeverRaisesValidationNll() {
        QFETCH(int, seed);
        std::mt19937 rng(static_cast<unsigned>(seed));
        FloatMatrix probabilities;
        std::vector<int> labels;
        synthetic(rng, 200, 5, 0.5 + seed * 0.4, seed % 2 ? 0.5 : 2.0, probabilities, labels);
        const auto fit = fitTemperature(probabilities, labels);
        // Rows of floats sum to 1 only within float precision; the fit renormalises them.
        QNEAR(fit.nllBefore, meanNegativeLogLikelihood(probabilities, labels), 1e-6);
        QVERIFY2(fit.nllAfter <= fit.nllBefore, qPrintable(QString("%1 > %2").arg(fit.nllAfter).arg(fit.nllBefore)));
        // The fitted temperature is a minimum: nearby temperatures are no better.
        for (double factor : {0.9, 1.1})
            QVERIFY(meanNegativeLogLikelihood(applyTemperature(probabilities, fit.temperature * factor), labels) >=
                    fit.nllAfter - 1e-6);
    }

    void apsScoreIsTheMassUpToTheTrueClass() {
        const double p[] = {0.1, 0.6, 0.3};
        QNEAR(apsScore(p, 3, 1), 0.6, 1e-12);
        QNEAR(apsScore(p, 3, 2), 0.9, 1e-12);
        QNEAR(apsScore(p, 3, 0), 1.0, 1e-12);
        const double tie[] = {0.4, 0.4, 0.2};  // equal probabilities: lower index first
        QNEAR(apsScore(tie, 3, 0), 0.4, 1e-12);
        QNEAR(apsScore(tie, 3, 1), 0.8, 1e-12);
    }

    // Nine images whose true class is their top class with probability 0.40, 0.45, ..., 0.80:
    // their scores. The threshold is the ceil(10 * coverage)-th smallest.
    void conformalThresholdIsTheRightOrderStatistic_data() {
        QTest::addColumn<double>("coverage");
        QTest::addColumn<double>("threshold");
        QTest::newRow("80 %: 8th of 9") << 0.8 << 0.75;
        QTest::newRow("90 %: 9th of 9 (10 * 0.9 is not rounded up to 10)") << 0.9 << 0.80;
        QTest::newRow("50 %: 5th of 9") << 0.5 << 0.60;
        QTest::newRow("95 %: rank 10 of 9, every class") << 0.95 << std::numeric_limits<double>::infinity();
    }
    void conformalThresholdIsTheRightOrderStatistic() {
        QFETCH(double, coverage);
        QFETCH(double, threshold);
        std::vector<std::vector<float>> rows;
        std::vector<int> labels;
        for (int i = 0; i < 9; ++i) {
            const float top = 0.4f + 0.05f * static_cast<float>(8 - i);  // shuffled order on purpose
            rows.push_back({(1 - top) / 2, top, (1 - top) / 2});
            labels.push_back(1);
        }
        const auto calibration = calibrateConformal(matrix(rows), labels, coverage);
        QCOMPARE(calibration.calibrationImages, 9);
        if (std::isinf(threshold)) QVERIFY(std::isinf(calibration.threshold));
        else QNEAR(calibration.threshold, threshold, 1e-6);
    }

    // 25 * 0.28 is 7.000000000000001 in doubles: the rank is still 7, not 8.
    void conformalRankIgnoresRoundingAboveAWholeNumber() {
        std::vector<std::vector<float>> rows;
        std::vector<int> labels;
        for (int i = 0; i < 24; ++i) {
            const float top = 0.40f + 0.02f * static_cast<float>(i);
            rows.push_back({top, (1 - top) / 2, (1 - top) / 2});
            labels.push_back(0);
        }
        QNEAR(calibrateConformal(matrix(rows), labels, 0.28).threshold, 0.40f + 0.02f * 6, 1e-6);
    }

    void predictionSetTakesClassesUpToTheThreshold() {
        const std::vector<double> p{0.1, 0.6, 0.3};
        QCOMPARE(predictionSet(p, 0.75), (std::vector<int>{1}));
        QCOMPARE(predictionSet(p, 0.95), (std::vector<int>{1, 2}));
        QCOMPARE(predictionSet(p, 0.9), (std::vector<int>{1, 2}));  // a score equal to the threshold is in
        QCOMPARE(predictionSet(p, 0.5), (std::vector<int>{1}));     // never empty
        QCOMPARE(predictionSet(p, std::numeric_limits<double>::infinity()), (std::vector<int>{1, 2, 0}));
        const auto measure = measureCoverage(matrix({{0.1f, 0.6f, 0.3f}, {0.7f, 0.2f, 0.1f}}), {2, 1}, 0.75);
        QCOMPARE(measure.covered, 0);  // sets {1} and {0}
        QCOMPARE(measure.meanSetSize, 1.0);
        const auto wider = measureCoverage(matrix({{0.1f, 0.6f, 0.3f}, {0.7f, 0.2f, 0.1f}}), {2, 1}, 0.95);
        QCOMPARE(wider.covered, 2);  // sets {1, 2} and {0, 1}
        QCOMPARE(wider.coverage, 1.0);
        QCOMPARE(wider.meanSetSize, 2.0);
    }

    // The guarantee: on exchangeable images the set {y : score <= threshold} covers the true
    // class with probability >= target and at most target + 1/(n+1) (scores without ties);
    // measured as the mean over 20 seeds, calibrated or not. The displayed set adds the top
    // class when that set is empty, which can only raise coverage.
    void conformalCoverageHoldsOverSeeds_data() {
        QTest::addColumn<double>("truthPower");
        QTest::addColumn<double>("coverage");
        QTest::newRow("calibrated model, 90 %") << 1.0 << 0.9;
        QTest::newRow("underconfident model, 90 %") << 2.0 << 0.9;
        QTest::newRow("overconfident model, 80 %") << 0.5 << 0.8;
    }
    void conformalCoverageHoldsOverSeeds() {
        QFETCH(double, truthPower);
        QFETCH(double, coverage);
        double exactTotal = 0;
        const int seeds = 20;
        for (int seed = 1; seed <= seeds; ++seed) {
            std::mt19937 rng(static_cast<unsigned>(1000 + seed));
            FloatMatrix calibrationP, testP;
            std::vector<int> calibrationY, testY;
            synthetic(rng, 400, 7, 1.5, truthPower, calibrationP, calibrationY);
            synthetic(rng, 2000, 7, 1.5, truthPower, testP, testY);
            const auto calibration = calibrateConformal(calibrationP, calibrationY, coverage);
            int covered = 0;
            for (std::int64_t r = 0; r < testP.rows; ++r) {
                const std::vector<double> row(testP.row(r), testP.row(r) + testP.cols);
                covered += apsScore(row.data(), 7, testY[size_t(r)]) <= calibration.threshold;
            }
            const double exact = double(covered) / testP.rows;
            const auto shown = measureCoverage(testP, testY, calibration.threshold).coverage;
            QVERIFY2(std::fabs(exact - coverage) < 0.05, qPrintable(QString("seed %1: coverage %2").arg(seed).arg(exact)));
            QVERIFY(shown >= exact);
            exactTotal += exact;
        }
        const double mean = exactTotal / seeds;
        QVERIFY2(mean >= coverage - 0.01 && mean <= coverage + 1.0 / 401 + 0.01,
                 qPrintable(QString("mean coverage %1").arg(mean)));
    }

    void kNearestDistancesAreCosine() {
        const auto reference = matrix({{1, 0}, {0, 1}, {2, 2}});
        QCOMPARE(kNearestCosineDistances(reference, matrix({{3, 0}}), 1).front(), 0.0);
        QNEAR(kNearestCosineDistances(reference, matrix({{3, 0}}), 2).front(), 1 - std::sqrt(0.5), 1e-6);
        QNEAR(kNearestCosineDistances(reference, matrix({{3, 0}}), 9).front(), 1.0, 1e-6);  // k capped at 3
        QNEAR(kNearestCosineDistances(reference, matrix({{-1, 0}}), 1).front(), 1.0, 1e-6);  // (0, 1) is nearest
        QNEAR(kNearestCosineDistances(reference, matrix({{-1, 0}}), 2).front(), 1 + std::sqrt(0.5), 1e-6);
    }

    void percentileInterpolatesLinearly() {
        QCOMPARE(percentile({4, 1, 3, 2}, 50), 2.5);
        QNEAR(percentile({4, 1, 3, 2}, 95), 3.85, 1e-12);
        QCOMPARE(percentile({4, 1, 3, 2}, 0), 1.0);
        QCOMPARE(percentile({4, 1, 3, 2}, 100), 4.0);
        QCOMPARE(percentile({7}, 95), 7.0);
    }

    // Training features around (1, 0), validation close to them: the threshold is the 95th
    // percentile of the validation distances; an orthogonal feature is far above it.
    void noveltyThresholdIsTheValidationPercentile() {
        const auto train = matrix({{1, 0}, {1, 0.1f}, {1, -0.1f}, {1, 0.2f}});
        const auto validation = matrix({{1, 0.05f}, {1, 0.3f}});
        const auto model = fitNovelty(train, validation, 1, 95);
        const auto distances = kNearestCosineDistances(train, validation, 1);
        QNEAR(model.threshold, distances[0] + 0.95 * (distances[1] - distances[0]), 1e-9);
        const float inside[] = {1, 0.1f}, outside[] = {0, 1};
        QVERIFY(noveltyScore(model, inside, 2) <= model.threshold);
        QVERIFY(noveltyScore(model, outside, 2) > model.threshold);
        QCOMPARE(model.reference.rows, std::int64_t(4));
        QCOMPARE(fitNovelty(train, validation, 1, 95, 2).reference.rows, std::int64_t(2));
    }

    void photometricKind() {
        const std::uint8_t grey[] = {10, 10, 10, 200, 200, 200};
        QCOMPARE(photometricKindOfPixels(grey, 2), std::string("grey"));
        const std::uint8_t almostGrey[] = {100, 100, 102};  // mean channel difference 4/3
        QCOMPARE(photometricKindOfPixels(almostGrey, 1), std::string("grey"));
        const std::uint8_t tinted[] = {100, 100, 103};  // mean channel difference 2: colour
        QCOMPARE(photometricKindOfPixels(tinted, 1), std::string("colour"));
        QCOMPARE(photometricKindOfDicom("MONOCHROME2"), std::string("grey"));
        QCOMPARE(photometricKindOfDicom("monochrome1"), std::string("grey"));
        QCOMPARE(photometricKindOfDicom("YBR_FULL_422"), std::string("colour"));
        QCOMPARE(photometricKindOfDicom("PALETTE COLOR"), std::string("colour"));
    }

    void domainMismatchesNameEachAttribute() {
        ImageDomain dermoscopy;
        dermoscopy.modalities = {"photo"};
        dermoscopy.photometric = {"colour"};
        const auto ct = domainMismatches(dermoscopy, {"CT", "HEAD", "grey"});
        QCOMPARE(ct.size(), size_t(2));
        QCOMPARE(ct[0].attribute, std::string("modality"));
        QCOMPARE(describeMismatch(ct[0]), std::string("modality CT, expected photo"));
        QCOMPARE(describeMismatch(ct[1]), std::string("photometric grey, expected colour"));
        QVERIFY(domainMismatches(dermoscopy, {"photo", "", "colour"}).empty());
        QCOMPARE(domainMismatches(dermoscopy, {"photo", "", "grey"}).size(), size_t(1));

        ImageDomain headCt;
        headCt.modalities = {"CT"};
        headCt.bodyParts = {"HEAD", "BRAIN"};
        QVERIFY(domainMismatches(headCt, {"ct", "", "grey"}).empty());  // case; body part not stated
        const auto chest = domainMismatches(headCt, {"CT", "CHEST", "grey"});
        QCOMPARE(chest.size(), size_t(1));
        QCOMPARE(describeMismatch(chest[0]), std::string("body part CHEST, expected HEAD or BRAIN"));
        QVERIFY(domainMismatches(ImageDomain{}, {"MR", "KNEE", "grey"}).empty());  // nothing declared
    }

    void chanceBoundIsTwoStandardErrorsAboveOneOverC() {
        QNEAR(chanceBalancedAccuracyBound(7, 100), 1.0 / 7 + 2 * std::sqrt((1.0 / 7) * (6.0 / 7) / 100), 1e-12);
        QVERIFY(noBetterThanChance(0.143, 7, 100));
        QVERIFY(noBetterThanChance(0.21, 7, 100));
        QVERIFY(!noBetterThanChance(0.22, 7, 100));
        QVERIFY(noBetterThanChance(0.5, 2, 1000));
        QVERIFY(!noBetterThanChance(0.54, 2, 1000));
    }

    void withoutValidationNothingIsFitted() {
        CalibrationInputs inputs;
        inputs.classes = {"a", "b"};
        inputs.trainLabels = {0, 1, 1};
        inputs.trainFeatures = matrix({{1, 0}, {0, 1}, {0, 1}});
        inputs.test.ensemble = matrix({{0.7f, 0.3f}});
        inputs.test.famOnly = inputs.test.ensemble;
        inputs.testLabels = {0};
        const auto calibration = fitModelCalibration(inputs);
        QVERIFY(!calibration.ensemble.fitted);
        QVERIFY(!calibration.hasNovelty);
        QCOMPARE(calibration.notes.size(), size_t(1));
        QCOMPARE(calibration.trainImagesPerClass, (std::vector<int>{1, 2}));
        QVERIFY(calibration.test);
        const auto shown = calibratePrediction(&calibration, {0.7, 0.3}, {0.7, 0.3}, {0.2, 0.8}, {1, 0}, {});
        QVERIFY(!shown.ensemble.calibrated);
        QVERIFY(shown.ensemble.predictionSet.empty());
        QCOMPARE(shown.ensemble.probabilities, (std::vector<double>{0.7, 0.3}));
        QVERIFY(shown.branchDisagreement);
        QVERIFY(!shown.outOfDistribution);
    }

    // Fitted end to end: the ensemble's displayed probabilities are the raw ones at the fitted
    // temperature, the set uses that view's threshold, the novelty flags a far feature.
    void calibratedPredictionUsesEachViewsFit() {
        std::mt19937 rng(5);
        CalibrationInputs inputs;
        inputs.classes = {"a", "b", "c"};
        synthetic(rng, 300, 3, 2.0, 0.5, inputs.validation.ensemble, inputs.validationLabels);
        std::vector<int> ignored;
        synthetic(rng, 300, 3, 0.7, 1.0, inputs.validation.famOnly, ignored);
        inputs.trainFeatures = matrix({{1, 0, 0}, {0.9f, 0.1f, 0}, {1, 0.2f, 0}});
        inputs.validationFeatures = matrix({{1, 0.05f, 0}, {1, 0.1f, 0.05f}});
        inputs.trainLabels = {0, 1, 2};
        const auto calibration = fitModelCalibration(inputs);
        QVERIFY(calibration.ensemble.fitted && calibration.famOnly.fitted && !calibration.mlpOnly.fitted);
        QVERIFY(calibration.ensemble.temperature.temperature > 1);  // overconfident ensemble
        QVERIFY(calibration.ensemble.temperature.temperature != calibration.famOnly.temperature.temperature);
        const std::vector<double> raw{0.8, 0.15, 0.05};
        const auto shown = calibratePrediction(&calibration, raw, raw, {}, {0, 0, 1}, {"photo", "", "colour"});
        QCOMPARE(shown.ensemble.probabilities, applyTemperature(raw, calibration.ensemble.temperature.temperature));
        QCOMPARE(shown.famOnly.probabilities, applyTemperature(raw, calibration.famOnly.temperature.temperature));
        QCOMPARE(shown.ensemble.predictionSet,
                 predictionSet(shown.ensemble.probabilities, calibration.ensemble.conformal.threshold));
        QVERIFY(shown.novelFeature && shown.outOfDistribution);
        QCOMPARE(shown.reasons().size(), size_t(1));
        QVERIFY(!shown.branchDisagreement);  // no MLP
        const auto near = calibratePrediction(&calibration, raw, raw, {}, {1, 0.1f, 0}, {});
        QVERIFY(!near.outOfDistribution);
    }

    void badInputIsNamed() {
        QVERIFY_THROWS_EXCEPTION(Error, fitTemperature(matrix({{0.5f, 0.5f}}), {2}));
        QVERIFY_THROWS_EXCEPTION(Error, fitTemperature(FloatMatrix(0, 2), {}));
        QVERIFY_THROWS_EXCEPTION(Error, calibrateConformal(matrix({{0.5f, 0.5f}}), {0}, 1.0));
        QVERIFY_THROWS_EXCEPTION(Error, kNearestCosineDistances(FloatMatrix(0, 2), matrix({{1, 0}}), 1));
        QVERIFY_THROWS_EXCEPTION(Error, percentile({}, 50));
    }

    // A federation's declared kind against the kinds seen in a site's images.
    void domainConflictsSayWhetherAnyImageFits_data() {
        QTest::addColumn<QStringList>("declared");
        QTest::addColumn<QStringList>("seen");
        QTest::addColumn<QStringList>("outside");
        QTest::addColumn<bool>("noneFit");
        QTest::newRow("any") << QStringList{} << QStringList{"CT"} << QStringList{} << false;
        QTest::newRow("unknown") << QStringList{"CT"} << QStringList{} << QStringList{} << false;
        QTest::newRow("fits, case ignored") << QStringList{"ct", "MR"} << QStringList{"CT"} << QStringList{} << false;
        QTest::newRow("none") << QStringList{"photo"} << QStringList{"CT", "MR"} << QStringList{"CT", "MR"} << true;
        QTest::newRow("some") << QStringList{"photo"} << QStringList{"CT", "photo"} << QStringList{"CT"} << false;
    }
    void domainConflictsSayWhetherAnyImageFits() {
        QFETCH(QStringList, declared);
        QFETCH(QStringList, seen);
        QFETCH(QStringList, outside);
        QFETCH(bool, noneFit);
        ImageDomain federation, site;
        for (const auto& m : declared) federation.modalities.push_back(m.toStdString());
        for (const auto& m : seen) site.modalities.push_back(m.toStdString());
        const auto conflicts = domainConflicts(federation, site);
        QCOMPARE(conflicts.size(), size_t(outside.isEmpty() ? 0 : 1));
        if (outside.isEmpty()) return;
        QCOMPARE(conflicts[0].attribute, std::string("modality"));
        QStringList names;
        for (const auto& value : conflicts[0].outside) names << QString::fromStdString(value);
        QCOMPARE(names, outside);
        QCOMPARE(conflicts[0].noneFit, noneFit);
        QCOMPARE(QString::fromStdString(describeConflict(conflicts[0])),
                 "modality " + outside.join(", ") + " (the federation is for " + declared.join(" or ") + ")");
    }

    void domainsAreDescribedByWhatTheyRestrict() {
        ImageDomain domain;
        QCOMPARE(describeDomain(domain), std::string("any kind of image"));
        QVERIFY(!restrictsAnything(domain));
        domain.modalities = {"CT", "MR"};
        domain.photometric = {kGreyPhotometric};
        QVERIFY(restrictsAnything(domain));
        QCOMPARE(describeDomain(domain), std::string("modality CT or MR; photometric grey"));
    }
};

QTEST_APPLESS_MAIN(TestCalibration)
#include "tst_calibration.moc"
