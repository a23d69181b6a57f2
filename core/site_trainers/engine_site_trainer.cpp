#include "site_trainers/engine_site_trainer.h"

#include "engine/model_bundle.h"
#include "features/feature_cache.h"
#include "features/feature_extractor.h"

#include <algorithm>
#include <map>
#include <random>

namespace fmc::federation {
namespace {

LabelledFeatures gather(const std::vector<int>& indices, const ImageDataset& dataset,
                        const ExtractionResult& extracted) {
    LabelledFeatures subset{FloatMatrix(0, extracted.features.cols), {}};
    for (int index : indices) {
        if (!extracted.ok[static_cast<size_t>(index)]) continue;
        const float* row = extracted.features.row(index);
        subset.features.data.insert(subset.features.data.end(), row, row + extracted.features.cols);
        subset.labels.push_back(dataset.records[static_cast<size_t>(index)].label);
        ++subset.features.rows;
    }
    return subset;
}

}  // namespace

EngineSiteTrainer::EngineSiteTrainer(EngineTrainerConfig config)
    : FeatureSiteTrainer(config), config_(std::move(config)) {}

ImageDataset EngineSiteTrainer::loadData(const FederationTask& task) const {
    ImageDataset dataset;
    switch (config_.layout) {
    case EngineTrainerConfig::Layout::ClassFolders: dataset = loadClassFolders(config_.dataPath); break;
    case EngineTrainerConfig::Layout::SiteFolders: dataset = loadSiteFolders(config_.dataPath); break;
    case EngineTrainerConfig::Layout::Csv: dataset = loadCsv(config_.dataPath, config_.csvColumns); break;
    }
    // The federation's class order decides the labels; other classes stay out of the task.
    const auto& classes = task.settings.classNames;
    std::map<std::string, int> leftOut;
    ImageDataset mapped;
    mapped.classNames = classes;
    for (const auto& record : dataset.records) {
        if (!config_.siteName.empty() && config_.layout != EngineTrainerConfig::Layout::ClassFolders &&
            record.site != config_.siteName)
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
    if (config_.maxImages > 0 && static_cast<int>(mapped.records.size()) > config_.maxImages) {
        std::mt19937_64 random(config_.seed);
        std::shuffle(mapped.records.begin(), mapped.records.end(), random);
        mapped.records.resize(static_cast<size_t>(config_.maxImages));
    }
    if (mapped.records.empty())
        throw Error(config_.dataPath + ": no images of the federation's classes" +
                    (config_.siteName.empty() ? std::string() : " for site '" + config_.siteName + "'"));
    return mapped;
}

LocalSplits EngineSiteTrainer::loadSplits(const FederationTask& task, const ModelBundle& bundle) {
    const auto& manifest = bundle.manifest();
    const auto dataset = loadData(task);
    const auto splits = splitSites(dataset, {"local"}, config_.seed);
    std::vector<std::string> paths;
    for (const auto& record : dataset.records) paths.push_back(record.path);
    std::unique_ptr<FeatureCache> cache;
    if (!config_.cacheDir.empty())
        cache = std::make_unique<FeatureCache>(config_.cacheDir, manifest.bundleHash, manifest.embeddingDim);
    log("encoding " + std::to_string(paths.size()) + " images with the frozen image encoder");
    const auto extracted = FeatureExtractor(bundle, cache.get()).extract(paths);
    for (const auto& error : extracted.errors) log("skipped " + error);

    LocalSplits data;
    data.origin = config_.dataPath;
    data.train = gather(splits[0].train, dataset, extracted);
    data.evaluation = gather(splits[0].validation, dataset, extracted);
    data.evaluationSplit = "validation";
    data.finalTest = gather(splits[0].test, dataset, extracted);
    log(std::to_string(data.train.labels.size()) + " training, " + std::to_string(data.evaluation.labels.size()) +
        " validation, " + std::to_string(data.finalTest.labels.size()) + " test images (" +
        std::to_string(extracted.fromCache) + " features from the cache)");
    return data;
}

}  // namespace fmc::federation
