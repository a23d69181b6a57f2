#include "common/calibration.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numeric>

namespace fmc {
namespace {

constexpr double kProbabilityFloor = 1e-12;  // as common/metrics.h's NLL

void checkLabels(const FloatMatrix& probabilities, const std::vector<int>& truth, const char* what) {
    if (probabilities.rows != static_cast<std::int64_t>(truth.size()))
        throw Error(std::string(what) + ": " + std::to_string(probabilities.rows) + " probability rows but " +
                    std::to_string(truth.size()) + " labels");
    for (int label : truth)
        if (label < 0 || label >= probabilities.cols)
            throw Error(std::string(what) + ": label " + std::to_string(label) + " is not one of the " +
                        std::to_string(probabilities.cols) + " classes");
}

// NLL at beta = 1/T from the floored log-probabilities.
double nllAtBeta(const std::vector<double>& logs, std::int64_t cols, const std::vector<int>& truth, double beta) {
    double total = 0;
    const auto rows = static_cast<std::int64_t>(truth.size());
    for (std::int64_t r = 0; r < rows; ++r) {
        const double* row = logs.data() + r * cols;
        const double top = *std::max_element(row, row + cols) * beta;
        double sum = 0;
        for (std::int64_t c = 0; c < cols; ++c) sum += std::exp(beta * row[c] - top);
        total += top + std::log(sum) - beta * row[truth[static_cast<size_t>(r)]];
    }
    return total / static_cast<double>(rows);
}

// Class indices by descending probability, lower index first on ties.
std::vector<int> ranking(const double* probabilities, int classes) {
    std::vector<int> order(static_cast<size_t>(classes));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return probabilities[a] > probabilities[b]; });
    return order;
}

std::vector<double> rowAsDouble(const FloatMatrix& matrix, std::int64_t row) {
    return std::vector<double>(matrix.row(row), matrix.row(row) + matrix.cols);
}

std::string upper(std::string text) {
    for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return text;
}

}  // namespace

std::vector<double> applyTemperature(const std::vector<double>& probabilities, double temperature) {
    if (!(temperature > 0)) throw Error("temperature must be positive, not " + std::to_string(temperature));
    std::vector<double> scaled(probabilities.size(), 0.0);
    double top = -std::numeric_limits<double>::infinity();
    for (double p : probabilities)
        if (p > 0) top = std::max(top, std::log(p) / temperature);
    double sum = 0;
    for (size_t c = 0; c < probabilities.size(); ++c)
        if (probabilities[c] > 0) sum += scaled[c] = std::exp(std::log(probabilities[c]) / temperature - top);
    if (sum > 0)
        for (auto& p : scaled) p /= sum;
    return scaled;
}

FloatMatrix applyTemperature(const FloatMatrix& probabilities, double temperature) {
    FloatMatrix scaled(probabilities.rows, probabilities.cols);
    for (std::int64_t r = 0; r < probabilities.rows; ++r) {
        const auto row = applyTemperature(rowAsDouble(probabilities, r), temperature);
        std::transform(row.begin(), row.end(), scaled.row(r), [](double p) { return static_cast<float>(p); });
    }
    return scaled;
}

double meanNegativeLogLikelihood(const FloatMatrix& probabilities, const std::vector<int>& truth) {
    checkLabels(probabilities, truth, "negative log-likelihood");
    if (truth.empty()) throw Error("negative log-likelihood: no images");
    double total = 0;
    for (size_t i = 0; i < truth.size(); ++i)
        total -= std::log(std::max(static_cast<double>(probabilities.at(static_cast<std::int64_t>(i), truth[i])),
                                   kProbabilityFloor));
    return total / static_cast<double>(truth.size());
}

TemperatureFit fitTemperature(const FloatMatrix& probabilities, const std::vector<int>& truth) {
    checkLabels(probabilities, truth, "temperature");
    if (truth.empty()) throw Error("temperature: no validation images to fit on");
    std::vector<double> logs(probabilities.data.size());
    std::transform(probabilities.data.begin(), probabilities.data.end(), logs.begin(),
                   [](float p) { return std::log(std::max(static_cast<double>(p), kProbabilityFloor)); });
    const auto nll = [&](double beta) { return nllAtBeta(logs, probabilities.cols, truth, beta); };

    // Golden-section search for the minimum of the convex NLL(beta).
    const double ratio = (std::sqrt(5.0) - 1) / 2;
    double low = 1 / kMaxTemperature, high = 1 / kMinTemperature;
    double a = high - ratio * (high - low), b = low + ratio * (high - low);
    double fa = nll(a), fb = nll(b);
    for (int i = 0; i < 200 && high - low > 1e-9; ++i) {
        if (fa < fb) {
            high = b;
            b = a;
            fb = fa;
            a = high - ratio * (high - low);
            fa = nll(a);
        } else {
            low = a;
            a = b;
            fa = fb;
            b = low + ratio * (high - low);
            fb = nll(b);
        }
    }
    const double beta = (low + high) / 2;
    TemperatureFit fit;
    fit.nllBefore = nll(1.0);
    const double fitted = nll(beta);
    if (fitted < fit.nllBefore) {
        fit.temperature = 1 / beta;
        fit.nllAfter = fitted;
    } else {
        fit.nllAfter = fit.nllBefore;
    }
    return fit;
}

double apsScore(const double* probabilities, int classes, int label) {
    double mass = 0;
    for (int c : ranking(probabilities, classes)) {
        mass += probabilities[c];
        if (c == label) return mass;
    }
    throw Error("conformal score: label " + std::to_string(label) + " is not one of the " + std::to_string(classes) +
                " classes");
}

ConformalCalibration calibrateConformal(const FloatMatrix& probabilities, const std::vector<int>& truth,
                                        double coverage) {
    if (!(coverage > 0 && coverage < 1))
        throw Error("conformal coverage must be between 0 and 1 (exclusive), not " + std::to_string(coverage));
    checkLabels(probabilities, truth, "conformal calibration");
    if (truth.empty()) throw Error("conformal calibration: no validation images");
    std::vector<double> scores;
    for (std::int64_t r = 0; r < probabilities.rows; ++r) {
        const auto row = rowAsDouble(probabilities, r);
        scores.push_back(apsScore(row.data(), static_cast<int>(row.size()), truth[static_cast<size_t>(r)]));
    }
    std::sort(scores.begin(), scores.end());
    ConformalCalibration calibration;
    calibration.coverage = coverage;
    calibration.calibrationImages = static_cast<int>(scores.size());
    const auto n = static_cast<double>(scores.size());
    // The small tolerance keeps (n + 1) * coverage from rounding up past a whole number.
    const auto rank = static_cast<size_t>(std::ceil((n + 1) * coverage - 1e-9));
    if (rank >= 1 && rank <= scores.size()) calibration.threshold = scores[rank - 1];
    return calibration;
}

std::vector<int> predictionSet(const double* probabilities, int classes, double threshold) {
    std::vector<int> set;
    double mass = 0;
    for (int c : ranking(probabilities, classes)) {
        mass += probabilities[c];
        if (mass <= threshold || set.empty()) set.push_back(c);
        else break;
    }
    return set;
}

std::vector<int> predictionSet(const std::vector<double>& probabilities, double threshold) {
    return predictionSet(probabilities.data(), static_cast<int>(probabilities.size()), threshold);
}

CoverageMeasure measureCoverage(const FloatMatrix& probabilities, const std::vector<int>& truth, double threshold) {
    checkLabels(probabilities, truth, "coverage");
    CoverageMeasure measure;
    double sizes = 0;
    for (std::int64_t r = 0; r < probabilities.rows; ++r) {
        const auto set = predictionSet(rowAsDouble(probabilities, r), threshold);
        sizes += static_cast<double>(set.size());
        if (std::find(set.begin(), set.end(), truth[static_cast<size_t>(r)]) != set.end()) ++measure.covered;
        ++measure.images;
    }
    if (measure.images > 0) {
        measure.coverage = static_cast<double>(measure.covered) / measure.images;
        measure.meanSetSize = sizes / measure.images;
    }
    return measure;
}

FloatMatrix normalizedRows(const FloatMatrix& features) {
    FloatMatrix normalized = features;
    for (std::int64_t r = 0; r < normalized.rows; ++r) {
        float* row = normalized.row(r);
        double norm = 0;
        for (std::int64_t c = 0; c < normalized.cols; ++c) norm += static_cast<double>(row[c]) * row[c];
        norm = std::sqrt(norm);
        if (norm > 0)
            for (std::int64_t c = 0; c < normalized.cols; ++c) row[c] = static_cast<float>(row[c] / norm);
    }
    return normalized;
}

std::vector<double> kNearestCosineDistances(const FloatMatrix& reference, const FloatMatrix& queries, int k) {
    if (reference.rows == 0) throw Error("novelty: no training features to compare with");
    if (k < 1) throw Error("novelty: k must be at least 1, not " + std::to_string(k));
    if (reference.cols != queries.cols)
        throw Error("novelty: features have " + std::to_string(queries.cols) + " values, the training features " +
                    std::to_string(reference.cols));
    const auto ref = normalizedRows(reference);
    const auto query = normalizedRows(queries);
    const auto kth = static_cast<size_t>(std::min<std::int64_t>(k, ref.rows));
    std::vector<double> distances, result;
    distances.resize(static_cast<size_t>(ref.rows));
    for (std::int64_t q = 0; q < query.rows; ++q) {
        const float* x = query.row(q);
        for (std::int64_t r = 0; r < ref.rows; ++r) {
            const float* y = ref.row(r);
            double dot = 0;
            for (std::int64_t c = 0; c < ref.cols; ++c) dot += static_cast<double>(x[c]) * y[c];
            distances[static_cast<size_t>(r)] = 1 - dot;
        }
        std::nth_element(distances.begin(), distances.begin() + static_cast<std::ptrdiff_t>(kth - 1), distances.end());
        result.push_back(distances[kth - 1]);
    }
    return result;
}

double percentile(std::vector<double> values, double q) {
    if (values.empty()) throw Error("percentile of an empty list");
    if (!(q >= 0 && q <= 100)) throw Error("percentile must be in [0, 100], not " + std::to_string(q));
    std::sort(values.begin(), values.end());
    const double position = q / 100 * static_cast<double>(values.size() - 1);
    const auto below = static_cast<size_t>(std::floor(position));
    const auto above = std::min(below + 1, values.size() - 1);
    return values[below] + (position - static_cast<double>(below)) * (values[above] - values[below]);
}

NoveltyModel fitNovelty(const FloatMatrix& trainFeatures, const FloatMatrix& calibrationFeatures, int k,
                        double percentileOfCalibration, std::int64_t maxReference) {
    if (trainFeatures.rows == 0) throw Error("novelty: no training features");
    if (calibrationFeatures.rows == 0) throw Error("novelty: no validation features to set the threshold on");
    NoveltyModel model;
    model.k = k;
    model.percentile = percentileOfCalibration;
    const auto keep = std::min(trainFeatures.rows, std::max<std::int64_t>(1, maxReference));
    FloatMatrix reference(keep, trainFeatures.cols);
    for (std::int64_t i = 0; i < keep; ++i)
        std::copy_n(trainFeatures.row(i * trainFeatures.rows / keep), trainFeatures.cols, reference.row(i));
    model.reference = normalizedRows(reference);
    model.threshold = percentile(kNearestCosineDistances(model.reference, calibrationFeatures, k), percentileOfCalibration);
    return model;
}

double noveltyScore(const NoveltyModel& model, const float* feature, std::int64_t dim) {
    FloatMatrix query(1, dim);
    std::copy_n(feature, dim, query.row(0));
    return kNearestCosineDistances(model.reference, query, model.k).front();
}

std::string photometricKindOfPixels(const std::uint8_t* rgb, std::int64_t pixels) {
    if (pixels <= 0) return kGreyPhotometric;
    double difference = 0;
    for (std::int64_t i = 0; i < pixels; ++i) {
        const int r = rgb[3 * i], g = rgb[3 * i + 1], b = rgb[3 * i + 2];
        difference += std::abs(r - g) + std::abs(g - b) + std::abs(r - b);
    }
    return difference / (3.0 * static_cast<double>(pixels)) < 2.0 ? kGreyPhotometric : kColourPhotometric;
}

std::string photometricKindOfDicom(const std::string& photometricInterpretation) {
    return upper(photometricInterpretation).rfind("MONOCHROME", 0) == 0 ? kGreyPhotometric : kColourPhotometric;
}

std::vector<DomainMismatch> domainMismatches(const ImageDomain& domain, const ImageAttributes& image) {
    std::vector<DomainMismatch> mismatches;
    auto check = [&](const char* attribute, const std::vector<std::string>& expected, const std::string& value,
                     bool unknownIsFine) {
        if (expected.empty() || (unknownIsFine && value.empty())) return;
        const bool fits = std::any_of(expected.begin(), expected.end(),
                                      [&](const std::string& e) { return upper(e) == upper(value); });
        if (!fits) mismatches.push_back({attribute, value, expected});
    };
    check("modality", domain.modalities, image.modality, false);
    check("body part", domain.bodyParts, image.bodyPart, true);
    check("photometric", domain.photometric, image.photometric, false);
    return mismatches;
}

std::string describeMismatch(const DomainMismatch& mismatch) {
    std::string expected;
    for (const auto& value : mismatch.expected) expected += (expected.empty() ? "" : " or ") + value;
    return mismatch.attribute + " " + (mismatch.value.empty() ? std::string("not stated") : mismatch.value) +
           ", expected " + expected;
}

std::vector<DomainConflict> domainConflicts(const ImageDomain& declared, const ImageDomain& seen) {
    std::vector<DomainConflict> conflicts;
    auto check = [&](const char* attribute, const std::vector<std::string>& expected,
                     const std::vector<std::string>& values) {
        if (expected.empty() || values.empty()) return;
        DomainConflict conflict{attribute, {}, expected, false};
        for (const auto& value : values) {
            const bool fits = std::any_of(expected.begin(), expected.end(),
                                          [&](const std::string& e) { return upper(e) == upper(value); });
            if (!fits) conflict.outside.push_back(value);
        }
        if (conflict.outside.empty()) return;
        conflict.noneFit = conflict.outside.size() == values.size();
        conflicts.push_back(std::move(conflict));
    };
    check("modality", declared.modalities, seen.modalities);
    check("body part", declared.bodyParts, seen.bodyParts);
    check("photometric", declared.photometric, seen.photometric);
    return conflicts;
}

std::string describeConflict(const DomainConflict& conflict) {
    const auto join = [](const std::vector<std::string>& values, const char* separator) {
        std::string text;
        for (const auto& value : values) text += (text.empty() ? "" : separator) + value;
        return text;
    };
    return conflict.attribute + " " + join(conflict.outside, ", ") + " (the federation is for " +
           join(conflict.expected, " or ") + ")";
}

std::string describeDomain(const ImageDomain& domain) {
    std::string text;
    const auto add = [&](const char* attribute, const std::vector<std::string>& values) {
        if (values.empty()) return;
        std::string list;
        for (const auto& value : values) list += (list.empty() ? "" : " or ") + value;
        text += (text.empty() ? "" : "; ") + std::string(attribute) + " " + list;
    };
    add("modality", domain.modalities);
    add("body part", domain.bodyParts);
    add("photometric", domain.photometric);
    return text.empty() ? "any kind of image" : text;
}

bool restrictsAnything(const ImageDomain& domain) {
    return !domain.modalities.empty() || !domain.bodyParts.empty() || !domain.photometric.empty();
}

double chanceBalancedAccuracyBound(int classes, int images) {
    if (classes < 2 || images < 1) return 1.0;
    const double chance = 1.0 / classes;
    return chance + 2 * std::sqrt(chance * (1 - chance) / images);
}

bool noBetterThanChance(double balancedAccuracy, int classes, int images) {
    return balancedAccuracy <= chanceBalancedAccuracyBound(classes, images);
}

}  // namespace fmc
