#pragma once
// The site's model as the Classify page uses it: the frozen bundle, the class prompts and
// the trained FAM + MLP. Loading is slow (seconds) and happens once in a worker; after that
// one image takes a few milliseconds on the CPU. Every member locks, so a worker thread can
// classify while the GUI thread asks what is loaded.
#include "common/model_calibration.h"
#include "common/types.h"
#include "imaging/image_loader.h"

#include <QMetaType>
#include <QMutex>
#include <QString>
#include <QStringList>
#include <QVector>

#include <memory>
#include <vector>

namespace fmc::ui {

// The ensemble's entropy over log(C) (0: certain, 1: uniform); at or above this the page
// warns that the model is unsure.
constexpr double kUncertainNormalizedEntropy = 0.5;

struct ClassificationResult {
    QStringList classNames;
    // Probabilities, sum 1, in class order; calibrated (each view its own temperature) when
    // the model version has a calibration.
    QVector<double> ensemble;
    QVector<double> famOnly;
    QVector<double> mlpOnly;   // empty when the model has no trained MLP
    // Conformal prediction sets per view (class indices, most probable first); empty when
    // the view is not calibrated.
    QVector<int> ensembleSet, famOnlySet, mlpOnlySet;
    bool calibrated = false;
    double coverage = 0;       // the sets' target, 0 without sets
    double normalizedEntropy = 0;  // of the ensemble
    bool uncertain = false;        // of the ensemble
    int topClass = -1;             // of the ensemble
    // Out of distribution: attributes outside the model's image domain, or a frozen feature
    // farther from the training images than the validation images' chosen percentile.
    std::vector<DomainMismatch> mismatches;
    bool novelFeature = false;
    double noveltyScore = 0, noveltyThreshold = 0, noveltyPercentile = 0;
    bool outOfDistribution = false;
    bool branchDisagreement = false;  // FAM and MLP name different classes
    bool noBetterThanChance = false;  // the model, on its validation images
    std::shared_ptr<const ModelCalibration> calibration;  // the model card; null when uncalibrated
    QString modelVersion;      // "" for an untrained model
    QString bundleHash;        // the model bundle's
    QString bundleName;
    bool demoModel = false;
    double milliseconds = 0;   // preprocessing + encoder + heads
};

struct ClassifierConfig {
    QString bundleDirectory;
    QString device = QStringLiteral("cpu");
    QStringList classNames;
    QString promptTemplate = QStringLiteral("a picture of a {}");
    ParameterSet siteState;  // FedMedClipSite::fullState(); empty: untrained heads
    QString modelVersion;
    std::shared_ptr<const ModelCalibration> calibration;  // of modelVersion; null: raw probabilities

    // Two configs with the same key give the same model, so nothing is reloaded.
    QString key() const;
};

// Shannon entropy (natural log) of `probabilities` divided by log(size); 0 for size < 2.
double normalizedEntropy(const QVector<double>& probabilities);

class ClassifierEngine {
public:
    ClassifierEngine();
    ~ClassifierEngine();
    ClassifierEngine(const ClassifierEngine&) = delete;
    ClassifierEngine& operator=(const ClassifierEngine&) = delete;

    // Loads the bundle, encodes the class prompts and restores the site state. Throws
    // fmc::Error naming the bundle file or the field at fault; the previous model stays.
    void load(const ClassifierConfig& config);
    bool isLoaded() const;
    QString loadedKey() const;
    QString bundleName() const;
    bool isDemoBundle() const;

    // Throws fmc::Error when nothing is loaded. `attributes` (modality, body part, photometric
    // kind) are checked against the calibration's image domain.
    ClassificationResult classify(const RgbImage& image, const ImageAttributes& attributes = {}) const;

private:
    struct Model;
    mutable QMutex mutex_;
    std::unique_ptr<Model> model_;
};

}  // namespace fmc::ui

Q_DECLARE_METATYPE(fmc::ui::ClassificationResult)
