#include "federation/site/engine_site_trainer.h"

#include "common/metrics.h"
#include "engine/model_bundle.h"
#include "sim/bundle_inputs.h"
#include "sim/feature_cache.h"
#include "sim/feature_extractor.h"

#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <algorithm>
#include <chrono>
#include <map>
#include <random>

namespace fmc::federation {
namespace {

struct Subset {
    FloatMatrix features;
    std::vector<int> labels;
};


}  // namespace

struct EngineSiteTrainer::Impl {
    EngineTrainerConfig config;
    FederationTask task;
    FloatMatrix classText;
    float logitScale = 100.0f;
    std::unique_ptr<FedMedClipSite> model;
    Subset train, validation, test;

    void log(const std::string& message) const {
        if (config.log) config.log(message);
    }

    ImageDataset loadData() const {
        ImageDataset dataset;
        switch (config.layout) {
        case EngineTrainerConfig::Layout::ClassFolders: dataset = loadClassFolders(config.dataPath); break;
        case EngineTrainerConfig::Layout::SiteFolders: dataset = loadSiteFolders(config.dataPath); break;
        case EngineTrainerConfig::Layout::Csv: dataset = loadCsv(config.dataPath, config.csvColumns); break;
        }
        // The federation's class order decides the labels; other classes stay out of the task.
        const auto& classes = task.settings.classNames;
        std::map<std::string, int> leftOut;
        ImageDataset mapped;
        mapped.classNames = classes;
        for (const auto& record : dataset.records) {
            if (!config.siteName.empty() && config.layout != EngineTrainerConfig::Layout::ClassFolders &&
                record.site != config.siteName)
                continue;
            const auto& name = dataset.classNames[static_cast<size_t>(record.label)];
            const auto found = std::find(classes.begin(), classes.end(), name);
            if (found == classes.end()) {
                ++leftOut[name];
                continue;
            }
            mapped.records.push_back({record.path, static_cast<int>(found - classes.begin()), "local"});
        }
        for (const auto& [name, count] : leftOut)
            log("class '" + name + "' (" + std::to_string(count) +
                " images) is not one of the federation's classes: left out");
        if (config.maxImages > 0 && static_cast<int>(mapped.records.size()) > config.maxImages) {
            std::mt19937_64 random(config.seed);
            std::shuffle(mapped.records.begin(), mapped.records.end(), random);
            mapped.records.resize(static_cast<size_t>(config.maxImages));
        }
        if (mapped.records.empty())
            throw Error(config.dataPath + ": no images of the federation's classes" +
                        (config.siteName.empty() ? std::string() : " for site '" + config.siteName + "'"));
        return mapped;
    }

    static Subset gather(const std::vector<int>& indices, const ImageDataset& dataset, const ExtractionResult& extracted) {
        Subset subset{FloatMatrix(0, extracted.features.cols), {}};
        for (int index : indices) {
            if (!extracted.ok[static_cast<size_t>(index)]) continue;
            const float* row = extracted.features.row(index);
            subset.features.data.insert(subset.features.data.end(), row, row + extracted.features.cols);
            subset.labels.push_back(dataset.records[static_cast<size_t>(index)].label);
            ++subset.features.rows;
        }
        return subset;
    }

    std::map<std::string, double> evaluate(const Subset& subset) const {
        if (subset.labels.empty()) return {};
        const auto prediction = model->predict(subset.features);
        const auto metrics = computeMetrics(subset.labels, prediction.ensemble, model->numClasses());
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
        const auto data = file.readAll();
        try {
            model->setFullState(decodeParameters(std::vector<std::uint8_t>(data.begin(), data.end())));
            log("resumed the local model from " + config.checkpointPath);
        } catch (const Error& error) {
            log(config.checkpointPath + ": ignored (" + error.what() + "); starting a fresh local model");
        }
    }
};

EngineSiteTrainer::EngineSiteTrainer(EngineTrainerConfig config) : d(std::make_unique<Impl>()) {
    d->config = std::move(config);
}

EngineSiteTrainer::~EngineSiteTrainer() = default;

void EngineSiteTrainer::prepare(const FederationTask& task) {
    d->task = task;
    const auto& settings = task.settings;
    const auto bundle = ModelBundle::load(d->config.bundleDir, d->config.device);
    const auto& manifest = bundle.manifest();
    if (manifest.bundleHash != settings.bundleHash)
        throw Error("bundle: " + d->config.bundleDir + " holds '" + manifest.name + "' with bundle hash " +
                    manifest.bundleHash + ", but the federation trains '" + settings.bundleName + "' with hash " +
                    settings.bundleHash + "; install the federation's bundle before taking part");
    if (manifest.embeddingDim != settings.embeddingDim)
        throw Error("bundle: embedding size " + std::to_string(manifest.embeddingDim) + " but the federation's FAM needs " +
                    std::to_string(settings.embeddingDim));
    auto options = d->config.options;
    options.shareThresholds = settings.shareThresholds;
    if (settings.shareThresholds && !options.useMasks)
        throw Error("options: the federation shares mask thresholds, so this site must train with masks");

    const auto dataset = d->loadData();
    const auto splits = splitSites(dataset, {"local"}, d->config.seed);
    std::vector<std::string> paths;
    for (const auto& record : dataset.records) paths.push_back(record.path);
    std::unique_ptr<FeatureCache> cache;
    if (!d->config.cacheDir.empty())
        cache = std::make_unique<FeatureCache>(d->config.cacheDir, manifest.bundleHash, manifest.embeddingDim);
    d->log("encoding " + std::to_string(paths.size()) + " images with the frozen image encoder");
    const auto extracted = FeatureExtractor(bundle, cache.get()).extract(paths);
    for (const auto& error : extracted.errors) d->log("skipped " + error);
    d->train = Impl::gather(splits[0].train, dataset, extracted);
    d->validation = Impl::gather(splits[0].validation, dataset, extracted);
    d->test = Impl::gather(splits[0].test, dataset, extracted);
    if (d->train.labels.size() < 2) throw Error(d->config.dataPath + ": fewer than 2 readable training images");
    d->log(std::to_string(d->train.labels.size()) + " training, " + std::to_string(d->validation.labels.size()) +
           " validation, " + std::to_string(d->test.labels.size()) + " test images (" +
           std::to_string(extracted.fromCache) + " features from the cache)");

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

ParameterSet EngineSiteTrainer::initialFam(std::uint64_t initSeed) {
    // The FAM is built first from the seeded generator, so it depends on the seed and D only.
    const FedMedClipSite reference(d->classText, d->logitScale, d->config.options, initSeed, d->config.device);
    return reference.famParameters();
}

LocalRoundResult EngineSiteTrainer::trainRound(int round, const ParameterSet& globalFam) {
    d->model->setFamParameters(globalFam);
    const auto stats = d->model->trainRound(d->train.features, d->train.labels);
    LocalRoundResult result;
    result.fam = d->model->famParameters();
    result.sampleCount = static_cast<std::int64_t>(d->train.labels.size());
    result.metrics = d->evaluate(d->validation);
    result.metrics["train_loss"] = stats.loss;
    result.metrics["train_seconds"] = stats.seconds;
    d->saveCheckpoint();
    d->log("round " + std::to_string(round) + ": loss " + std::to_string(stats.loss) + ", validation accuracy " +
           std::to_string(result.metrics.count("validation_accuracy") ? result.metrics["validation_accuracy"] : 0.0));
    return result;
}

void EngineSiteTrainer::finish(const ParameterSet& finalFam) {
    d->model->setFamParameters(finalFam);
    d->saveCheckpoint();
    if (!d->test.labels.empty()) {
        const auto prediction = d->model->predict(d->test.features);
        const auto metrics = computeMetrics(d->test.labels, prediction.ensemble, d->model->numClasses());
        d->log("final model on this site's " + std::to_string(d->test.labels.size()) + " test images: accuracy " +
               std::to_string(metrics.accuracy) + ", balanced accuracy " + std::to_string(metrics.balancedAccuracy));
    }
}

}  // namespace fmc::federation
