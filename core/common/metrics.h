#pragma once
// Classification metrics for evaluating a site's or the global model's predictions.
//
// Conventions (all documented choices, matching scikit-learn's defaults with
// zero_division=0):
//   * Confusion matrix is C x C, confusion[t][p] = samples of true class t predicted as p.
//   * Any 0/0 ratio is defined as 0 (precision of a never-predicted class, recall of a class
//     absent from the truth, F1 when precision + recall = 0).
//   * Balanced accuracy = mean recall over the classes PRESENT IN THE TRUTH.
//   * Macro precision / recall / F1 = unweighted mean over the classes present in the truth
//     OR in the predictions (the label set scikit-learn uses by default). Classes that occur
//     in neither are skipped: they carry no information and would only drag the means to 0.
//     A class predicted but never true thus counts with recall 0 and precision 0, which
//     penalises spurious predictions. Macro F1 is the mean of per-class F1 scores, not the
//     F1 of macro precision and macro recall.
//   * Expected calibration error (Guo et al. 2017): confidence = max probability of a row,
//     prediction = its argmax (first index on ties), M = 15 equal-width bins, bin m holds
//     confidences in ((m-1)/M, m/M] (a confidence of exactly 0 goes to the first bin);
//     ECE = sum_m |B_m|/N * |acc(B_m) - conf(B_m)|.
//   * Mean negative log-likelihood = -1/N sum_i log(max(p_i,y_i, 1e-12)); the floor keeps
//     a confidently wrong zero probability finite.
// Probabilities must be finite, in [0, 1], and each row must sum to 1 within 1e-3.
#include "common/types.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace fmc {

struct ClassificationMetrics {
    int numClasses = 0;
    std::int64_t numSamples = 0;
    // confusion[trueClass][predictedClass]
    std::vector<std::vector<std::int64_t>> confusion;
    // Per class: samples with this true label (support) and with this prediction.
    std::vector<std::int64_t> support;
    std::vector<std::int64_t> predictedCount;

    double accuracy = 0.0;
    double balancedAccuracy = 0.0;
    double macroPrecision = 0.0;
    double macroRecall = 0.0;
    double macroF1 = 0.0;
    std::vector<double> perClassPrecision;
    std::vector<double> perClassRecall;  // 0 for classes absent from the truth (check support)
    std::vector<double> perClassF1;

    // Only computed from probabilities; NaN when hasProbabilities is false.
    bool hasProbabilities = false;
    double expectedCalibrationError = 0.0;
    double negativeLogLikelihood = 0.0;
};

constexpr int kEceBins = 15;
constexpr double kNllProbabilityFloor = 1e-12;
constexpr double kProbabilityRowSumTolerance = 1e-3;

// Argmax per row (first index on ties). Throws fmc::Error on an empty or malformed matrix.
std::vector<int> argmaxPredictions(const FloatMatrix& probabilities);

// Predictions are the argmax of each row of `probabilities` (N x numClasses).
ClassificationMetrics computeMetrics(const std::vector<int>& truth, const FloatMatrix& probabilities, int numClasses);

// Without probabilities: ECE and NLL are NaN, hasProbabilities is false.
ClassificationMetrics computeMetrics(const std::vector<int>& truth, const std::vector<int>& predicted, int numClasses);

// Per-class recall with nullopt for a class that has no sample in the truth (where
// perClassRecall holds 0).
std::vector<std::optional<double>> recallOfPresentClasses(const ClassificationMetrics& metrics);

// ECE alone, with a configurable bin count (the metrics above use kEceBins).
double expectedCalibrationError(const std::vector<int>& truth, const FloatMatrix& probabilities, int bins = kEceBins);

}  // namespace fmc
