#include "common/model_calibration.h"

#include "common/metrics.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace fmc {
namespace {

std::string utcNow() {
    const auto now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

SplitFigures figuresOf(const FloatMatrix& probabilities, const std::vector<int>& labels, int classes) {
    const auto metrics = computeMetrics(labels, probabilities, classes);
    return {static_cast<int>(labels.size()), metrics.accuracy, metrics.balancedAccuracy, metrics.macroF1};
}

ViewCalibration fitView(const FloatMatrix& validation, const std::vector<int>& validationLabels,
                        const FloatMatrix& test, const std::vector<int>& testLabels, double coverage) {
    ViewCalibration view;
    view.fitted = true;
    view.temperature = fitTemperature(validation, validationLabels);
    const double t = view.temperature.temperature;
    view.conformal = calibrateConformal(applyTemperature(validation, t), validationLabels, coverage);
    if (!testLabels.empty() && test.rows == static_cast<std::int64_t>(testLabels.size())) {
        const auto calibrated = applyTemperature(test, t);
        view.testImages = static_cast<int>(testLabels.size());
        view.testEceBefore = expectedCalibrationError(testLabels, test);
        view.testEceAfter = expectedCalibrationError(testLabels, calibrated);
        view.testNllBefore = meanNegativeLogLikelihood(test, testLabels);
        view.testNllAfter = meanNegativeLogLikelihood(calibrated, testLabels);
        view.testCoverage = measureCoverage(calibrated, testLabels, view.conformal.threshold);
    }
    return view;
}

ViewResult resultOf(const ViewCalibration* view, const std::vector<double>& raw) {
    ViewResult result;
    if (raw.empty()) return result;
    result.calibrated = view && view->fitted;
    result.probabilities = result.calibrated ? applyTemperature(raw, view->temperature.temperature) : raw;
    result.topClass = static_cast<int>(std::max_element(result.probabilities.begin(), result.probabilities.end()) -
                                       result.probabilities.begin());
    if (result.calibrated) result.predictionSet = predictionSet(result.probabilities, view->conformal.threshold);
    return result;
}

}  // namespace

const char* modelViewName(ModelView view) {
    switch (view) {
    case ModelView::Ensemble: return "ensemble";
    case ModelView::FamOnly: return "fam_only";
    case ModelView::MlpOnly: return "mlp_only";
    }
    return "ensemble";
}

const ViewCalibration& ModelCalibration::view(ModelView which) const {
    return which == ModelView::FamOnly ? famOnly : which == ModelView::MlpOnly ? mlpOnly : ensemble;
}

const ViewResult& CalibratedPrediction::view(ModelView which) const {
    return which == ModelView::FamOnly ? famOnly : which == ModelView::MlpOnly ? mlpOnly : ensemble;
}

ModelCalibration fitModelCalibration(const CalibrationInputs& in) {
    ModelCalibration calibration;
    calibration.classes = in.classes;
    calibration.domain = in.domain;
    calibration.createdAt = utcNow();
    const int classes = static_cast<int>(in.classes.size());
    calibration.trainImagesPerClass.assign(static_cast<size_t>(classes), 0);
    for (int label : in.trainLabels)
        if (label >= 0 && label < classes) ++calibration.trainImagesPerClass[static_cast<size_t>(label)];
    if (!in.testLabels.empty()) calibration.test = figuresOf(in.test.ensemble, in.testLabels, classes);
    if (in.validationLabels.empty()) {
        calibration.notes.push_back(
            "no validation images: probabilities are not calibrated, there are no prediction sets and no "
            "feature-based out-of-distribution check (import with a validation share to get them)");
        return calibration;
    }
    calibration.validation = figuresOf(in.validation.ensemble, in.validationLabels, classes);
    calibration.noBetterThanChance =
        noBetterThanChance(calibration.validation->balancedAccuracy, classes, calibration.validation->images);
    calibration.ensemble =
        fitView(in.validation.ensemble, in.validationLabels, in.test.ensemble, in.testLabels, in.coverage);
    calibration.famOnly =
        fitView(in.validation.famOnly, in.validationLabels, in.test.famOnly, in.testLabels, in.coverage);
    if (in.validation.mlpOnly.rows > 0)
        calibration.mlpOnly =
            fitView(in.validation.mlpOnly, in.validationLabels, in.test.mlpOnly, in.testLabels, in.coverage);
    if (in.trainFeatures.rows > 0 && in.validationFeatures.rows > 0) {
        calibration.novelty = fitNovelty(in.trainFeatures, in.validationFeatures, in.noveltyNeighbours,
                                         in.noveltyPercentile);
        calibration.hasNovelty = true;
    }
    return calibration;
}

std::string notCalibratedReason(const ModelCalibration* calibration) {
    if (calibration && calibration->ensemble.fitted) return {};
    return calibration ? "the model had no validation images to calibrate on (import with a validation share and train "
                         "again)"
                       : "the model version was saved without a calibration (train again to calibrate it)";
}

bool isLargePredictionSet(int setSize, int classes) { return setSize > 2 && setSize > kLargeSetShare * classes; }

CalibratedPrediction calibratePrediction(const ModelCalibration* calibration, const std::vector<double>& ensemble,
                                         const std::vector<double>& famOnly, const std::vector<double>& mlpOnly,
                                         const std::vector<float>& feature, const ImageAttributes& attributes) {
    CalibratedPrediction result;
    result.ensemble = resultOf(calibration ? &calibration->ensemble : nullptr, ensemble);
    result.famOnly = resultOf(calibration ? &calibration->famOnly : nullptr, famOnly);
    result.mlpOnly = resultOf(calibration ? &calibration->mlpOnly : nullptr, mlpOnly);
    result.branchDisagreement = result.famOnly.topClass >= 0 && result.mlpOnly.topClass >= 0 &&
                                result.famOnly.topClass != result.mlpOnly.topClass;
    if (!calibration) return result;
    if (calibration->ensemble.fitted) result.coverage = calibration->ensemble.conformal.coverage;
    if (calibration->hasNovelty && static_cast<std::int64_t>(feature.size()) == calibration->novelty.reference.cols) {
        result.noveltyScore = noveltyScore(calibration->novelty, feature.data(), calibration->novelty.reference.cols);
        result.noveltyThreshold = calibration->novelty.threshold;
        result.noveltyPercentile = calibration->novelty.percentile;
        result.novelFeature = *result.noveltyScore > calibration->novelty.threshold;
    }
    result.mismatches = domainMismatches(calibration->domain, attributes);
    result.outOfDistribution = result.novelFeature || !result.mismatches.empty();
    return result;
}

std::vector<std::string> outOfDistributionReasons(const std::vector<DomainMismatch>& mismatches, bool novelFeature,
                                                  double noveltyScore, double noveltyThreshold,
                                                  double noveltyPercentile) {
    std::vector<std::string> reasons;
    for (const auto& mismatch : mismatches) reasons.push_back(describeMismatch(mismatch));
    if (novelFeature) {
        char text[200];
        std::snprintf(text, sizeof text,
                      "feature distance %.4f to the nearest training images is above the threshold %.4f (the %.0fth "
                      "percentile of the validation images)",
                      noveltyScore, noveltyThreshold, noveltyPercentile);
        reasons.push_back(text);
    }
    return reasons;
}

std::vector<std::string> CalibratedPrediction::reasons() const {
    return outOfDistributionReasons(mismatches, novelFeature && noveltyScore, noveltyScore.value_or(0),
                                    noveltyThreshold, noveltyPercentile);
}

}  // namespace fmc
