#include "site_trainers/feature_site_trainer.h"

#include "common/metrics.h"
#include "engine/model_bundle.h"
#include "features/bundle_inputs.h"

#include <QFile>
#include <QSaveFile>

#include <map>
#include <optional>

namespace fmc::federation {

struct FeatureSiteTrainer::Impl {
    SiteTrainingConfig config;
    FederationTask task;
    FloatMatrix classText;
    float logitScale = 100.0f;
    std::unique_ptr<FedMedClipSite> model;
    LocalSplits data;

    void log(const std::string& message) const {
        if (config.log) config.log(message);
    }

    // Only allowed metric names go into the map: it is uploaded as it is.
    std::map<std::string, double> evaluate(LocalEvaluation& evaluation) const {
        const auto& subset = data.evaluation;
        if (subset.labels.empty()) return {};
        const auto prediction = model->predict(subset.features);
        const auto metrics = computeMetrics(subset.labels, prediction.ensemble, model->numClasses());
        evaluation.split = data.evaluationSplit;
        evaluation.perClassRecall = recallOfPresentClasses(metrics);
        return {{"validation_accuracy", metrics.accuracy},
                {"validation_balanced_accuracy", metrics.balancedAccuracy},
                {"validation_macro_f1", metrics.macroF1},
                {"validation_samples", static_cast<double>(subset.labels.size())}};
    }

    void saveCheckpoint() const {
        if (config.checkpointPath.empty()) return;
        const auto bytes = encodeParameters(model->fullState(), CodecKind::Fp32Raw);
        QSaveFile file(QString::fromStdString(config.checkpointPath));
        if (!file.open(QIODevice::WriteOnly) ||
            file.write(reinterpret_cast<const char*>(bytes.data()), static_cast<qint64>(bytes.size())) !=
                static_cast<qint64>(bytes.size()) ||
            !file.commit())
            throw Error(config.checkpointPath + ": cannot write the local checkpoint");
    }

    void loadCheckpoint() {
        if (config.checkpointPath.empty()) return;
        QFile file(QString::fromStdString(config.checkpointPath));
        if (!file.open(QIODevice::ReadOnly)) return;
        const auto bytes = file.readAll();
        try {
            model->setFullState(decodeParameters(std::vector<std::uint8_t>(bytes.begin(), bytes.end())));
            log("resumed the local model from " + config.checkpointPath);
        } catch (const Error& error) {
            log(config.checkpointPath + ": ignored (" + error.what() + "); starting a fresh local model");
        }
    }
};

FeatureSiteTrainer::FeatureSiteTrainer(SiteTrainingConfig config) : d(std::make_unique<Impl>()) {
    d->config = std::move(config);
}

FeatureSiteTrainer::~FeatureSiteTrainer() = default;

void FeatureSiteTrainer::log(const std::string& message) const { d->log(message); }

const SiteTrainingConfig& FeatureSiteTrainer::trainingConfig() const { return d->config; }

void FeatureSiteTrainer::checkBundle(const FederationTask& task, const ModelBundle& bundle) const {
    const auto& settings = task.settings;
    const auto& manifest = bundle.manifest();
    if (manifest.bundleHash != settings.bundleHash)
        throw Error("bundle: " + d->config.bundleDir + " holds '" + manifest.name + "' with bundle hash " +
                    manifest.bundleHash + ", but the federation trains '" + settings.bundleName + "' with hash " +
                    settings.bundleHash + "; install the federation's bundle before taking part");
    if (manifest.embeddingDim != settings.embeddingDim)
        throw Error("bundle: embedding size " + std::to_string(manifest.embeddingDim) + " but the federation's FAM needs " +
                    std::to_string(settings.embeddingDim));
}

void FeatureSiteTrainer::prepare(const FederationTask& task) {
    d->task = task;
    const auto& settings = task.settings;
    const auto bundle = ModelBundle::load(d->config.bundleDir, d->config.device);
    const auto& manifest = bundle.manifest();
    checkBundle(task, bundle);
    auto options = d->config.options;
    options.shareThresholds = settings.shareThresholds;
    // The coordinator decides how rows are averaged; the site takes the global to match.
    options.maskAwareAggregation = settings.maskAwareAggregation && settings.aggregation == AggregationRule::FedAvg;
    if (settings.shareThresholds && !options.useMasks)
        throw Error("options: the federation shares mask thresholds, so this site must train with masks");

    d->data = loadSplits(task, bundle);
    if (d->data.train.labels.size() < 2) throw Error(d->data.origin + ": fewer than 2 readable training images");

    std::vector<std::string> prompts;
    for (const auto& name : settings.classNames) prompts.push_back(classPrompt(settings.promptTemplate, name));
    d->classText = bundle.encodeTexts(prompts);
    d->logitScale = static_cast<float>(manifest.logitScale);
    d->config.options = options;
    d->model = std::make_unique<FedMedClipSite>(d->classText, d->logitScale, options, d->config.seed, d->config.device);
    const auto expected = famLayout(settings.embeddingDim, settings.shareThresholds);
    const auto actual = d->model->famParameters();
    bool sameLayout = expected.size() == actual.size();
    for (size_t i = 0; sameLayout && i < expected.size(); ++i)
        sameLayout = expected[i].name == actual[i].name && expected[i].shape == actual[i].shape;
    if (!sameLayout) throw Error("options: this site's FAM does not have the federation's layout (fam_layout)");
    d->loadCheckpoint();
}

ParameterSet FeatureSiteTrainer::initialFam(std::uint64_t initSeed) {
    // The FAM is built first from the seeded generator, so it depends on the seed and D only.
    const FedMedClipSite reference(d->classText, d->logitScale, d->config.options, initSeed, d->config.device);
    return reference.famParameters();
}

LocalRoundResult FeatureSiteTrainer::trainRound(int round, const ParameterSet& globalFam) {
    beforeRound(round);
    d->model->receiveGlobalFam(globalFam);
    const auto stats = d->model->trainRound(d->data.train.features, d->data.train.labels);
    LocalRoundResult result;
    result.fam = d->model->famParameters();
    result.sampleCount = static_cast<std::int64_t>(d->data.train.labels.size());
    result.metrics = d->evaluate(result.evaluation);
    result.metrics["train_loss"] = stats.loss;
    result.metrics["train_seconds"] = stats.seconds;
    d->saveCheckpoint();
    // The site's model of this round, calibrated: what its probabilities would mean if kept.
    if (d->data.evaluationSplit == "validation" && !d->data.evaluation.labels.empty()) {
        const auto calibration = calibrateModel({}, kDefaultConformalCoverage, false);
        const auto& fit = calibration.ensemble.temperature;
        d->log("round " + std::to_string(round) + ": temperature " + std::to_string(fit.temperature) +
               ", validation NLL " + std::to_string(fit.nllBefore) + " -> " + std::to_string(fit.nllAfter));
    }
    d->log("round " + std::to_string(round) + ": loss " + std::to_string(stats.loss) + ", " +
           (d->data.evaluationSplit.empty() ? "validation" : d->data.evaluationSplit) + " accuracy " +
           std::to_string(result.metrics.count("validation_accuracy") ? result.metrics["validation_accuracy"] : 0.0));
    return result;
}

ModelCalibration FeatureSiteTrainer::calibrateModel(const ImageDomain& domain, double coverage, bool withNovelty) const {
    CalibrationInputs inputs;
    inputs.classes = d->task.settings.classNames;
    inputs.trainLabels = d->data.train.labels;
    inputs.coverage = coverage;
    inputs.domain = domain;
    const auto views = [](const SitePrediction& p) { return ViewProbabilities{p.ensemble, p.famOnly, p.mlpOnly}; };
    if (d->data.evaluationSplit == "validation" && !d->data.evaluation.labels.empty()) {
        inputs.validation = views(d->model->predict(d->data.evaluation.features));
        inputs.validationLabels = d->data.evaluation.labels;
        if (withNovelty) {
            inputs.trainFeatures = d->data.train.features;
            inputs.validationFeatures = d->data.evaluation.features;
        }
        if (!d->data.finalTest.labels.empty()) {
            inputs.test = views(d->model->predict(d->data.finalTest.features));
            inputs.testLabels = d->data.finalTest.labels;
        }
    }
    auto calibration = fitModelCalibration(inputs);
    calibration.bundleName = d->task.settings.bundleName;
    calibration.bundleHash = d->task.settings.bundleHash;
    return calibration;
}

void FeatureSiteTrainer::keepFinalModel(const FederationTask&, const SiteTrainingConfig&, const ParameterSet&) {}

void FeatureSiteTrainer::finish(const ParameterSet& finalFam) {
    d->model->receiveGlobalFam(finalFam);
    d->saveCheckpoint();
    keepFinalModel(d->task, d->config, d->model->fullState());
    const auto& test = d->data.finalTest;
    if (!test.labels.empty()) {
        const auto prediction = d->model->predict(test.features);
        const auto metrics = computeMetrics(test.labels, prediction.ensemble, d->model->numClasses());
        d->log("final model on this site's " + std::to_string(test.labels.size()) + " test images: accuracy " +
               std::to_string(metrics.accuracy) + ", balanced accuracy " + std::to_string(metrics.balancedAccuracy));
    }
}

}  // namespace fmc::federation
