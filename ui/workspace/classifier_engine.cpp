#include "workspace/classifier_engine.h"

#include "engine/fedmedclip_site.h"
#include "engine/model_bundle.h"
#include "shell/logging.h"
#include "workspace/site_training.h"

#include <QElapsedTimer>

#include <cmath>

namespace fmc::ui {

struct ClassifierEngine::Model {
    ModelBundle bundle;
    FedMedClipSite site;
    Preprocessing preprocessing;
    ClassifierConfig config;
    bool trained = false;
};

QString ClassifierConfig::key() const {
    return QStringList{bundleDirectory, device, classNames.join(QLatin1Char('\n')), promptTemplate, modelVersion}.join(
        QLatin1Char('|'));
}

double normalizedEntropy(const QVector<double>& probabilities) {
    if (probabilities.size() < 2) return 0;
    double entropy = 0;
    for (double p : probabilities)
        if (p > 0) entropy -= p * std::log(p);
    return entropy / std::log(static_cast<double>(probabilities.size()));
}

ClassifierEngine::ClassifierEngine() = default;
ClassifierEngine::~ClassifierEngine() = default;

void ClassifierEngine::load(const ClassifierConfig& config) {
    if (config.classNames.size() < 2)
        throw Error("classNames: the model needs at least two classes, this workspace has " +
                    std::to_string(config.classNames.size()));
    auto bundle = ModelBundle::load(config.bundleDirectory.toStdString(), config.device.toStdString());
    const auto text = classTextFeatures(bundle, config.classNames, config.promptTemplate);
    const bool trained = !config.siteState.empty();
    // Untrained, the private MLP is random: predict with the FAM alone until training.
    FedMedClipOptions options;
    options.useMlp = trained;
    FedMedClipSite site(text, static_cast<float>(bundle.manifest().logitScale), options, kModelSeed,
                        config.device.toStdString());
    if (trained) site.setFullState(config.siteState);
    const auto preprocessing = preprocessingFor(bundle.manifest());
    auto model = std::unique_ptr<Model>(new Model{std::move(bundle), std::move(site), preprocessing, config, trained});
    qCInfo(lcClassify) << "model loaded:" << QString::fromStdString(model->bundle.manifest().name)
                       << "classes" << config.classNames.size() << (trained ? "trained" : "untrained");
    QMutexLocker lock(&mutex_);
    model_ = std::move(model);
}

bool ClassifierEngine::isLoaded() const {
    QMutexLocker lock(&mutex_);
    return model_ != nullptr;
}

QString ClassifierEngine::loadedKey() const {
    QMutexLocker lock(&mutex_);
    return model_ ? model_->config.key() : QString();
}

QString ClassifierEngine::bundleName() const {
    QMutexLocker lock(&mutex_);
    return model_ ? QString::fromStdString(model_->bundle.manifest().name) : QString();
}

bool ClassifierEngine::isDemoBundle() const {
    QMutexLocker lock(&mutex_);
    return model_ && model_->bundle.manifest().demo;
}

ClassificationResult ClassifierEngine::classify(const RgbImage& image, const ImageAttributes& attributes) const {
    QMutexLocker lock(&mutex_);
    if (!model_) throw Error("classifier: no model is loaded");
    QElapsedTimer timer;
    timer.start();
    std::vector<float> input;
    imageToTensor(image, model_->preprocessing, input);
    const auto features = model_->bundle.encodeImages(input.data(), 1);
    const auto prediction = model_->site.predict(features);
    auto row = [](const FloatMatrix& matrix) {
        std::vector<double> values;
        if (matrix.rows == 0) return values;
        for (std::int64_t c = 0; c < matrix.cols; ++c) values.push_back(matrix.at(0, c));
        return values;
    };
    const auto* calibration = model_->trained ? model_->config.calibration.get() : nullptr;
    const auto shown = calibratePrediction(calibration, row(prediction.ensemble), row(prediction.famOnly),
                                           model_->trained ? row(prediction.mlpOnly) : std::vector<double>{},
                                           std::vector<float>(features.data.begin(), features.data.end()), attributes);

    ClassificationResult result;
    result.classNames = model_->config.classNames;
    const auto toQt = [](const std::vector<double>& values) { return QVector<double>(values.begin(), values.end()); };
    const auto setOf = [](const std::vector<int>& set) { return QVector<int>(set.begin(), set.end()); };
    result.ensemble = toQt(shown.ensemble.probabilities);
    result.famOnly = toQt(shown.famOnly.probabilities);
    result.mlpOnly = toQt(shown.mlpOnly.probabilities);
    result.ensembleSet = setOf(shown.ensemble.predictionSet);
    result.famOnlySet = setOf(shown.famOnly.predictionSet);
    result.mlpOnlySet = setOf(shown.mlpOnly.predictionSet);
    result.calibrated = shown.ensemble.calibrated;
    result.coverage = shown.coverage;
    result.topClass = shown.ensemble.topClass;
    result.normalizedEntropy = normalizedEntropy(result.ensemble);
    result.uncertain = result.normalizedEntropy >= kUncertainNormalizedEntropy;
    result.mismatches = shown.mismatches;
    result.novelFeature = shown.novelFeature;
    result.noveltyScore = shown.noveltyScore.value_or(0);
    result.noveltyThreshold = shown.noveltyThreshold;
    result.noveltyPercentile = shown.noveltyPercentile;
    result.outOfDistribution = shown.outOfDistribution;
    result.branchDisagreement = shown.branchDisagreement;
    result.noBetterThanChance = calibration && calibration->noBetterThanChance;
    if (calibration) result.calibration = model_->config.calibration;
    result.modelVersion = model_->trained ? model_->config.modelVersion : QString();
    result.bundleHash = QString::fromStdString(model_->bundle.manifest().bundleHash);
    result.bundleName = QString::fromStdString(model_->bundle.manifest().name);
    result.demoModel = model_->bundle.manifest().demo;
    result.milliseconds = static_cast<double>(timer.nsecsElapsed()) / 1e6;
    return result;
}

}  // namespace fmc::ui
