#pragma once
// What makes a displayed probability trustworthy, std only:
//
//  * Temperature scaling (Guo et al. 2017) on probabilities: p_T(c) = p(c)^(1/T) / sum_k p(k)^(1/T),
//    the same as dividing the logits of a softmax by T (log p = logits - const), and for
//    FedMedCLIP's ensemble (a mix of two softmaxes) a temperature on its log-probabilities.
//    T is fitted on a validation split by minimising the mean negative log-likelihood over
//    beta = 1/T in [1/kMaxTemperature, 1/kMinTemperature]: NLL(beta) = mean(-beta log p_y +
//    log sum_k p_k^beta) is convex in beta, so a golden-section search finds its minimum; T = 1
//    is kept unless the fit lowers the NLL, so calibration never raises the validation NLL.
//  * Split-conformal prediction sets with adaptive prediction sets (APS, Romano et al. 2020),
//    non-randomised: classes ranked by probability (ties: lower index first); the score of
//    class y is the probability mass of the classes ranked before y plus p_y. On n calibration
//    images with scores s_i the threshold q is the ceil((n + 1) * coverage)-th smallest s_i
//    (infinite, i.e. every class, when that rank exceeds n). The set of an image is every class
//    whose score is at most q, and at least the top class. For exchangeable images this covers
//    the true class with probability >= coverage.
//  * A novelty score: the cosine distance (1 - cos) of an image's frozen feature to its k-th
//    nearest training feature (Sun et al. 2022, "deep nearest neighbours"); an image whose
//    score exceeds the chosen percentile of the validation images' scores is flagged.
//  * The image domain a model is for (modalities, body parts, photometric kind) and which of
//    an image's attributes fall outside it.
#include "common/types.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace fmc {

constexpr double kMinTemperature = 0.05;
constexpr double kMaxTemperature = 20.0;

// Rows of `probabilities` (N x C) raised to 1/temperature and renormalised; zeros stay zero.
FloatMatrix applyTemperature(const FloatMatrix& probabilities, double temperature);
std::vector<double> applyTemperature(const std::vector<double>& probabilities, double temperature);

// Mean of -log(max(p_i,y_i, 1e-12)) (the floor of common/metrics.h). Throws fmc::Error when
// sizes do not match or a label is out of range.
double meanNegativeLogLikelihood(const FloatMatrix& probabilities, const std::vector<int>& truth);

struct TemperatureFit {
    double temperature = 1.0;
    double nllBefore = 0;  // at T = 1
    double nllAfter = 0;   // at `temperature`, never above nllBefore
};
// Throws fmc::Error on an empty split or mismatched sizes.
TemperatureFit fitTemperature(const FloatMatrix& probabilities, const std::vector<int>& truth);

// APS conformity score of class `label` for one row of C probabilities.
double apsScore(const double* probabilities, int classes, int label);

struct ConformalCalibration {
    double coverage = 0.9;  // the target, in (0, 1)
    // Scores at or below it are in the set; +infinity: every class (too few calibration images).
    double threshold = std::numeric_limits<double>::infinity();
    int calibrationImages = 0;
};
// Throws fmc::Error when coverage is not in (0, 1), the split is empty or sizes do not match.
ConformalCalibration calibrateConformal(const FloatMatrix& probabilities, const std::vector<int>& truth,
                                        double coverage);

// The classes of the set, most probable first (never empty for C >= 1).
std::vector<int> predictionSet(const double* probabilities, int classes, double threshold);
std::vector<int> predictionSet(const std::vector<double>& probabilities, double threshold);

struct CoverageMeasure {
    int images = 0;
    int covered = 0;          // images whose set holds the true class
    double coverage = 0;      // covered / images (0 without images)
    double meanSetSize = 0;
};
CoverageMeasure measureCoverage(const FloatMatrix& probabilities, const std::vector<int>& truth, double threshold);

// Rows scaled to unit length (a zero row stays zero).
FloatMatrix normalizedRows(const FloatMatrix& features);

// Per query row: 1 - cosine similarity to its k-th nearest row of `reference` (both are
// normalised inside; k is capped at reference.rows). Throws fmc::Error on an empty
// reference, k < 1 or different widths.
std::vector<double> kNearestCosineDistances(const FloatMatrix& reference, const FloatMatrix& queries, int k);

// The q-th percentile (q in [0, 100]) with linear interpolation between order statistics
// (numpy's default); throws fmc::Error on an empty list.
double percentile(std::vector<double> values, double q);

struct NoveltyModel {
    int k = 5;
    double percentile = 95;  // of the validation images' distances
    double threshold = std::numeric_limits<double>::infinity();
    FloatMatrix reference;   // unit-length training features
};
// Reference: the training features (at most maxReference rows, evenly spaced); threshold: the
// percentile of the calibration (validation) features' distances.
NoveltyModel fitNovelty(const FloatMatrix& trainFeatures, const FloatMatrix& calibrationFeatures, int k,
                        double percentileOfCalibration, std::int64_t maxReference = 20000);
double noveltyScore(const NoveltyModel& model, const float* feature, std::int64_t dim);

// "photo" for a photo file, else the DICOM Modality code (e.g. "CT"); photometric kind
// "colour" or "grey".
struct ImageAttributes {
    std::string modality;
    std::string bodyPart;     // DICOM BodyPartExamined, upper case; "" when unknown
    std::string photometric;  // "colour" or "grey"
};
constexpr const char* kPhotoModality = "photo";
constexpr const char* kColourPhotometric = "colour";
constexpr const char* kGreyPhotometric = "grey";

// Grey when the colour channels differ by less than 2 grey levels on average (JPEG's chroma
// noise on a grey picture stays well below that); interleaved RGB, width * height * 3 bytes.
std::string photometricKindOfPixels(const std::uint8_t* rgb, std::int64_t pixels);
// MONOCHROME1/2 grey, anything else (RGB, YBR_*, PALETTE COLOR) colour.
std::string photometricKindOfDicom(const std::string& photometricInterpretation);

// An empty list accepts any value.
struct ImageDomain {
    std::vector<std::string> modalities;
    std::vector<std::string> bodyParts;
    std::vector<std::string> photometric;
    bool declared = false;  // by the site's task setting; false: seen in the training images
};
struct DomainMismatch {
    std::string attribute;  // "modality", "body part" or "photometric"
    std::string value;      // the image's ("" when the image does not say)
    std::vector<std::string> expected;
};
// Comparisons ignore case. A body part the image does not state is no mismatch.
std::vector<DomainMismatch> domainMismatches(const ImageDomain& domain, const ImageAttributes& image);
// "modality CT, expected photo" (English, for logs, the CLI and stored predictions).
std::string describeMismatch(const DomainMismatch& mismatch);

// A site's images (the kinds seen in them) against the kind a federation declares, per
// attribute the federation restricts and the site's images state: the site's values it does
// not accept. noneFit: not one of the site's values is accepted (the site has no images of
// the federation's kind); otherwise only some of its images are of another kind.
struct DomainConflict {
    std::string attribute;  // "modality", "body part" or "photometric"
    std::vector<std::string> outside;   // the site's values the federation does not accept
    std::vector<std::string> expected;  // the federation's
    bool noneFit = false;
};
std::vector<DomainConflict> domainConflicts(const ImageDomain& declared, const ImageDomain& seen);
// "modality CT, MR (the federation is for photo)" (English, for logs and the CLI).
std::string describeConflict(const DomainConflict& conflict);
// "modality photo; photometric colour" (the restricted attributes only; "any kind of image").
std::string describeDomain(const ImageDomain& domain);
// Whether a domain restricts anything (a federation that declares no kind accepts every image).
bool restrictsAnything(const ImageDomain& domain);

// Balanced accuracy on n images of C classes is "no better than chance" when it does not
// exceed 1/C by two standard errors of a chance-level proportion: 1/C + 2 sqrt((1/C)(1-1/C)/n).
double chanceBalancedAccuracyBound(int classes, int images);
bool noBetterThanChance(double balancedAccuracy, int classes, int images);

}  // namespace fmc
