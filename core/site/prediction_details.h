#pragma once
// What a stored prediction keeps beside its class (StoredPrediction::probabilitiesJson), the
// same whether `fedmedclip-cli predict` or the desktop's Classify page saved it: every view's
// probabilities (calibrated when the model version is), the conformal prediction set, the
// out-of-distribution verdict with its two checks (the image kind against the model's image
// domain, the feature's novelty), branch disagreement and a model no better than chance.
#include "common/model_calibration.h"

#include <optional>
#include <string>
#include <vector>

namespace fmc {

struct PredictionDetails {
    std::vector<std::string> classes;
    std::vector<double> ensemble, famOnly, mlpOnly;  // mlpOnly empty without an MLP
    double ensembleEntropy = 0, famEntropy = 0, mlpEntropy = 0;  // natural log
    bool calibrated = false;  // false: raw model scores (no validation images, or no model version)
    std::vector<std::string> predictionSet;  // class names, most probable first; empty uncalibrated
    double coverage = 0;                     // the set's target (0: no set)
    bool outOfDistribution = false;
    std::vector<std::string> outOfDistributionReasons;  // plain English, both checks
    std::vector<std::string> domainMismatches;          // the image-kind check alone (describeMismatch)
    bool novelFeature = false;
    std::optional<double> noveltyScore;
    bool branchDisagreement = false;
    bool noBetterThanChance = false;
    // The record holds the checks above (false for one saved before calibration existed: its
    // flags say nothing).
    bool checksRecorded = false;
};

// The details of one displayed prediction (`shown` as calibratePrediction made it).
PredictionDetails predictionDetailsOf(const std::vector<std::string>& classes, const CalibratedPrediction& shown,
                                      bool noBetterThanChance);

std::string predictionDetailsToJson(const PredictionDetails& details);
// Keys that are absent read as their defaults: predictions saved before calibration existed
// hold only classes and ensemble (uncalibrated, no set, no flags). Throws fmc::Error naming
// `origin` and the field when the text is not such an object.
PredictionDetails predictionDetailsFromJson(const std::string& text, const std::string& origin);

}  // namespace fmc
