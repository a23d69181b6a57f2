#pragma once
// A model version's calibration and model card, fitted once after training on the site's
// validation split and stored with the version (SiteStore::setModelCalibration); and the
// one place that turns a model's raw probabilities for one image into what is shown:
// calibrated probabilities per view, the conformal prediction set, the out-of-distribution
// verdict and its reasons, branch disagreement. Std only (see common/calibration.h).
#include "common/calibration.h"

#include <optional>
#include <string>
#include <vector>

namespace fmc {

// The three views FedMedCLIP predicts with, probabilities N x C each (mlpOnly empty without an MLP).
struct ViewProbabilities {
    FloatMatrix ensemble, famOnly, mlpOnly;
};

enum class ModelView { Ensemble, FamOnly, MlpOnly };
const char* modelViewName(ModelView view);  // "ensemble", "fam_only", "mlp_only"

struct SplitFigures {
    int images = 0;
    double accuracy = 0, balancedAccuracy = 0, macroF1 = 0;
};

struct ViewCalibration {
    bool fitted = false;
    TemperatureFit temperature;       // on validation
    ConformalCalibration conformal;   // on validation, calibrated probabilities
    // On the test split (testImages == 0: none): before (T = 1) and after calibration.
    int testImages = 0;
    double testEceBefore = 0, testEceAfter = 0, testNllBefore = 0, testNllAfter = 0;
    CoverageMeasure testCoverage;  // of the conformal sets (calibrated probabilities)
};

struct ModelCalibration {
    std::vector<std::string> classes;
    ViewCalibration ensemble, famOnly, mlpOnly;
    bool hasNovelty = false;
    NoveltyModel novelty;
    ImageDomain domain;
    // The model card.
    std::vector<int> trainImagesPerClass;
    std::optional<SplitFigures> validation;  // of the ensemble
    std::optional<SplitFigures> test;
    bool noBetterThanChance = false;  // on validation (see common/calibration.h)
    std::string bundleName, bundleHash;
    bool demoBundle = false;
    std::string createdAt;  // ISO 8601 UTC
    std::vector<std::string> notes;  // what could not be fitted and why

    const ViewCalibration& view(ModelView view) const;
};

constexpr double kDefaultConformalCoverage = 0.9;
constexpr int kNoveltyNeighbours = 5;
constexpr double kNoveltyPercentile = 95;

struct CalibrationInputs {
    std::vector<std::string> classes;
    std::vector<int> trainLabels;
    FloatMatrix trainFeatures;
    ViewProbabilities validation;
    std::vector<int> validationLabels;
    FloatMatrix validationFeatures;
    ViewProbabilities test;
    std::vector<int> testLabels;
    double coverage = kDefaultConformalCoverage;
    int noveltyNeighbours = kNoveltyNeighbours;
    double noveltyPercentile = kNoveltyPercentile;
    ImageDomain domain;
};

// Without validation images nothing is fitted (the notes say so): the test split stays unseen.
ModelCalibration fitModelCalibration(const CalibrationInputs& inputs);

// Why a model version's probabilities are raw scores (English, for the CLI and logs); "" when
// its ensemble is calibrated. `calibration` null: the version has none.
std::string notCalibratedReason(const ModelCalibration* calibration);

// Set sizes above this share of the classes (and above 2) are "large".
constexpr double kLargeSetShare = 0.5;
bool isLargePredictionSet(int setSize, int classes);

// One image, as displayed.
struct ViewResult {
    std::vector<double> probabilities;  // calibrated when the view is
    bool calibrated = false;
    std::vector<int> predictionSet;     // empty when the view has no conformal threshold
    int topClass = -1;
};
struct CalibratedPrediction {
    ViewResult ensemble, famOnly, mlpOnly;
    std::optional<double> noveltyScore;
    double noveltyThreshold = 0, noveltyPercentile = 0;
    bool novelFeature = false;
    std::vector<DomainMismatch> mismatches;
    bool outOfDistribution = false;  // novelFeature or any mismatch
    bool branchDisagreement = false;  // FAM and MLP have different top classes
    double coverage = 0;              // the sets' target (0: no sets)

    const ViewResult& view(ModelView view) const;
    // Plain English reasons, e.g. "modality CT, expected photo", "feature distance 0.31 above
    // the threshold 0.12 (95th percentile of the validation images)".
    std::vector<std::string> reasons() const;
};

// The reasons of CalibratedPrediction::reasons() from its parts.
std::vector<std::string> outOfDistributionReasons(const std::vector<DomainMismatch>& mismatches, bool novelFeature,
                                                  double noveltyScore, double noveltyThreshold,
                                                  double noveltyPercentile);

// `calibration` null: raw probabilities, no sets, no novelty; attribute checks need a domain.
CalibratedPrediction calibratePrediction(const ModelCalibration* calibration, const std::vector<double>& ensemble,
                                         const std::vector<double>& famOnly, const std::vector<double>& mlpOnly,
                                         const std::vector<float>& feature, const ImageAttributes& attributes);

}  // namespace fmc
