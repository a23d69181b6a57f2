#include "common/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace fmc {

namespace {

double ratio(double num, double den) { return den == 0.0 ? 0.0 : num / den; }

void checkNumClasses(int numClasses, const char* who) {
    if (numClasses < 1)
        throw Error(std::string(who) + ": numClasses must be at least 1, got " + std::to_string(numClasses));
}

void checkLabels(const std::vector<int>& labels, int numClasses, const char* who, const char* field) {
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (labels[i] < 0 || labels[i] >= numClasses)
            throw Error(std::string(who) + ": " + field + "[" + std::to_string(i) + "] = " + std::to_string(labels[i]) +
                        " is outside [0, " + std::to_string(numClasses) + ")");
    }
}

void checkProbabilities(const FloatMatrix& p, std::size_t expectedRows, int numClasses, const char* who) {
    if (p.rows < 0 || p.cols < 0 || static_cast<std::size_t>(p.rows) * static_cast<std::size_t>(p.cols) != p.data.size())
        throw Error(std::string(who) + ": probabilities matrix holds " + std::to_string(p.data.size()) +
                    " values, not rows x cols = " + std::to_string(p.rows) + " x " + std::to_string(p.cols));
    if (static_cast<std::size_t>(p.rows) != expectedRows)
        throw Error(std::string(who) + ": probabilities has " + std::to_string(p.rows) + " rows but truth has " +
                    std::to_string(expectedRows) + " labels");
    if (p.cols != numClasses)
        throw Error(std::string(who) + ": probabilities has " + std::to_string(p.cols) + " columns but numClasses is " +
                    std::to_string(numClasses));
    for (std::int64_t r = 0; r < p.rows; ++r) {
        double sum = 0.0;
        for (std::int64_t c = 0; c < p.cols; ++c) {
            const float v = p.at(r, c);
            if (!std::isfinite(v) || v < 0.0f || v > 1.0f)
                throw Error(std::string(who) + ": probabilities(" + std::to_string(r) + ", " + std::to_string(c) +
                            ") = " + std::to_string(v) + " is not a probability in [0, 1]");
            sum += v;
        }
        if (std::fabs(sum - 1.0) > kProbabilityRowSumTolerance)
            throw Error(std::string(who) + ": probabilities row " + std::to_string(r) + " sums to " +
                        std::to_string(sum) + ", not 1");
    }
}

int rowArgmax(const FloatMatrix& p, std::int64_t r) {
    const float* row = p.row(r);
    return static_cast<int>(std::max_element(row, row + p.cols) - row);  // first maximum
}

double eceUnchecked(const std::vector<int>& truth, const FloatMatrix& p, int bins) {
    std::vector<double> confSum(static_cast<std::size_t>(bins), 0.0);
    std::vector<double> correct(static_cast<std::size_t>(bins), 0.0);
    std::vector<std::int64_t> count(static_cast<std::size_t>(bins), 0);
    for (std::int64_t r = 0; r < p.rows; ++r) {
        const int pred = rowArgmax(p, r);
        const float confF = p.at(r, pred);
        const double conf = confF;
        // Bin m (0-based) holds (m/M, (m+1)/M], boundaries rounded to float as in the
        // reference implementation: estimate with ceil, then settle on exact boundaries.
        auto upper = [bins](int m) { return static_cast<float>(static_cast<double>(m + 1) / bins); };
        int bin = std::clamp(static_cast<int>(std::ceil(conf * bins)) - 1, 0, bins - 1);
        while (bin > 0 && confF <= upper(bin - 1)) --bin;
        while (bin < bins - 1 && confF > upper(bin)) ++bin;
        confSum[bin] += conf;
        correct[bin] += (pred == truth[static_cast<std::size_t>(r)]) ? 1.0 : 0.0;
        ++count[bin];
    }
    double ece = 0.0;
    const double n = static_cast<double>(p.rows);
    for (int b = 0; b < bins; ++b) {
        if (count[b] == 0) continue;
        const double c = static_cast<double>(count[b]);
        ece += (c / n) * std::fabs(correct[b] / c - confSum[b] / c);
    }
    return ece;
}

ClassificationMetrics fromPredictions(const std::vector<int>& truth, const std::vector<int>& predicted, int numClasses,
                                      const char* who) {
    checkNumClasses(numClasses, who);
    if (truth.empty()) throw Error(std::string(who) + ": truth is empty; metrics need at least one sample");
    if (predicted.size() != truth.size())
        throw Error(std::string(who) + ": predicted has " + std::to_string(predicted.size()) + " labels but truth has " +
                    std::to_string(truth.size()));
    checkLabels(truth, numClasses, who, "truth");
    checkLabels(predicted, numClasses, who, "predicted");

    const std::size_t C = static_cast<std::size_t>(numClasses);
    ClassificationMetrics m;
    m.numClasses = numClasses;
    m.numSamples = static_cast<std::int64_t>(truth.size());
    m.confusion.assign(C, std::vector<std::int64_t>(C, 0));
    m.support.assign(C, 0);
    m.predictedCount.assign(C, 0);
    for (std::size_t i = 0; i < truth.size(); ++i) {
        ++m.confusion[static_cast<std::size_t>(truth[i])][static_cast<std::size_t>(predicted[i])];
        ++m.support[static_cast<std::size_t>(truth[i])];
        ++m.predictedCount[static_cast<std::size_t>(predicted[i])];
    }

    std::int64_t diagonal = 0;
    m.perClassPrecision.assign(C, 0.0);
    m.perClassRecall.assign(C, 0.0);
    m.perClassF1.assign(C, 0.0);
    double recallSumTruth = 0.0;
    int classesInTruth = 0;
    double pSum = 0.0, rSum = 0.0, fSum = 0.0;
    int classesInEither = 0;
    for (std::size_t c = 0; c < C; ++c) {
        const double tp = static_cast<double>(m.confusion[c][c]);
        diagonal += m.confusion[c][c];
        const double precision = ratio(tp, static_cast<double>(m.predictedCount[c]));
        const double recall = ratio(tp, static_cast<double>(m.support[c]));
        const double f1 = ratio(2.0 * precision * recall, precision + recall);
        m.perClassPrecision[c] = precision;
        m.perClassRecall[c] = recall;
        m.perClassF1[c] = f1;
        if (m.support[c] > 0) {
            recallSumTruth += recall;
            ++classesInTruth;
        }
        if (m.support[c] > 0 || m.predictedCount[c] > 0) {
            pSum += precision;
            rSum += recall;
            fSum += f1;
            ++classesInEither;
        }
    }
    m.accuracy = static_cast<double>(diagonal) / static_cast<double>(m.numSamples);
    m.balancedAccuracy = ratio(recallSumTruth, classesInTruth);
    m.macroPrecision = ratio(pSum, classesInEither);
    m.macroRecall = ratio(rSum, classesInEither);
    m.macroF1 = ratio(fSum, classesInEither);
    m.hasProbabilities = false;
    m.expectedCalibrationError = std::numeric_limits<double>::quiet_NaN();
    m.negativeLogLikelihood = std::numeric_limits<double>::quiet_NaN();
    return m;
}

}  // namespace

std::vector<int> argmaxPredictions(const FloatMatrix& probabilities) {
    if (probabilities.rows < 0 || probabilities.cols <= 0 ||
        static_cast<std::size_t>(probabilities.rows) * static_cast<std::size_t>(probabilities.cols) !=
            probabilities.data.size())
        throw Error("argmaxPredictions: probabilities matrix is empty or its data does not match rows x cols");
    std::vector<int> out(static_cast<std::size_t>(probabilities.rows));
    for (std::int64_t r = 0; r < probabilities.rows; ++r) out[static_cast<std::size_t>(r)] = rowArgmax(probabilities, r);
    return out;
}

ClassificationMetrics computeMetrics(const std::vector<int>& truth, const std::vector<int>& predicted, int numClasses) {
    return fromPredictions(truth, predicted, numClasses, "computeMetrics");
}

ClassificationMetrics computeMetrics(const std::vector<int>& truth, const FloatMatrix& probabilities, int numClasses) {
    const char* who = "computeMetrics";
    checkNumClasses(numClasses, who);
    checkProbabilities(probabilities, truth.size(), numClasses, who);
    ClassificationMetrics m = fromPredictions(truth, argmaxPredictions(probabilities), numClasses, who);

    double nll = 0.0;
    for (std::size_t i = 0; i < truth.size(); ++i) {
        const double p = probabilities.at(static_cast<std::int64_t>(i), truth[i]);
        nll -= std::log(std::max(p, kNllProbabilityFloor));
    }
    m.negativeLogLikelihood = nll / static_cast<double>(truth.size());
    m.expectedCalibrationError = eceUnchecked(truth, probabilities, kEceBins);
    m.hasProbabilities = true;
    return m;
}

std::vector<std::optional<double>> recallOfPresentClasses(const ClassificationMetrics& metrics) {
    std::vector<std::optional<double>> recall;
    for (size_t c = 0; c < metrics.perClassRecall.size(); ++c)
        recall.push_back(metrics.support[c] > 0 ? std::optional<double>(metrics.perClassRecall[c]) : std::nullopt);
    return recall;
}

double expectedCalibrationError(const std::vector<int>& truth, const FloatMatrix& probabilities, int bins) {
    const char* who = "expectedCalibrationError";
    if (bins < 1) throw Error(std::string(who) + ": bins must be at least 1, got " + std::to_string(bins));
    if (truth.empty()) throw Error(std::string(who) + ": truth is empty");
    const int numClasses = static_cast<int>(probabilities.cols);
    checkNumClasses(numClasses, who);
    checkProbabilities(probabilities, truth.size(), numClasses, who);
    checkLabels(truth, numClasses, who, "truth");
    return eceUnchecked(truth, probabilities, bins);
}

}  // namespace fmc
