#include "sim/simulator.h"

#include "common/aggregation.h"
#include "engine/model_bundle.h"
#include "sim/feature_cache.h"
#include "sim/feature_extractor.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <random>

namespace fmc {
namespace {

constexpr const char* kUnknownSite = "<unknown>";

using Clock = std::chrono::steady_clock;
double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

ImageDataset loadDataset(const SimulationConfig& config) {
    switch (config.layout) {
    case SimulationConfig::Layout::SiteFolders:
        return loadSiteFolders(config.dataPath);
    case SimulationConfig::Layout::Csv:
        return loadCsv(config.dataPath, config.csvColumns);
    case SimulationConfig::Layout::ClassFoldersDirichlet: {
        auto dataset = loadClassFolders(config.dataPath);
        partitionDirichlet(dataset, config.dirichletSites, config.dirichletAlpha, config.seed);
        return dataset;
    }
    }
    throw Error("unknown data layout");
}

std::string siteKey(const std::string& name) { return name == kUnknownSite ? std::string() : name; }

std::string promptFor(const std::string& templateText, const std::string& className) {
    auto prompt = templateText;
    const auto at = prompt.find("{}");
    if (at == std::string::npos) return prompt + " " + className;
    return prompt.replace(at, 2, className);
}

// Keeps a deterministic sample of at most `limit` images per site.
void limitPerSite(ImageDataset& dataset, int limit, std::uint64_t seed) {
    if (limit <= 0) return;
    std::map<std::string, std::vector<size_t>> bySite;
    for (size_t i = 0; i < dataset.records.size(); ++i) bySite[dataset.records[i].site].push_back(i);
    std::vector<bool> keep(dataset.records.size(), false);
    std::mt19937_64 rng(seed);
    for (auto& [site, members] : bySite) {
        std::shuffle(members.begin(), members.end(), rng);
        for (size_t i = 0; i < members.size() && i < static_cast<size_t>(limit); ++i) keep[members[i]] = true;
    }
    std::vector<ImageRecord> kept;
    for (size_t i = 0; i < dataset.records.size(); ++i)
        if (keep[i]) kept.push_back(dataset.records[i]);
    dataset.records = std::move(kept);
}

// A federation can only learn the classes its training sites have: the others (present
// only at the held-out site) are left out of the task, and their images with them.
std::vector<std::string> restrictToTrainedClasses(ImageDataset& dataset, const std::vector<std::string>& sites) {
    std::vector<bool> trained(dataset.classNames.size(), false);
    for (const auto& record : dataset.records)
        if (std::find(sites.begin(), sites.end(), record.site) != sites.end())
            trained[static_cast<size_t>(record.label)] = true;
    std::vector<std::string> notes;
    std::vector<int> remap(dataset.classNames.size(), -1);
    std::vector<std::string> kept;
    for (size_t c = 0; c < trained.size(); ++c) {
        if (trained[c]) {
            remap[c] = static_cast<int>(kept.size());
            kept.push_back(dataset.classNames[c]);
        } else {
            notes.push_back("class '" + dataset.classNames[c] +
                            "' has no images at any training site: left out of the task with its images");
        }
    }
    std::vector<ImageRecord> records;
    for (auto record : dataset.records) {
        record.label = remap[static_cast<size_t>(record.label)];
        if (record.label >= 0) records.push_back(std::move(record));
    }
    dataset.records = std::move(records);
    dataset.classNames = std::move(kept);
    return notes;
}

struct Subset {
    FloatMatrix features;
    std::vector<int> labels;
};

Subset gather(const std::vector<int>& recordIndices, const ImageDataset& dataset, const FloatMatrix& features,
              const std::vector<int>& featureRowOfRecord) {
    Subset subset{FloatMatrix(0, features.cols), {}};
    for (int index : recordIndices) {
        const int row = featureRowOfRecord[static_cast<size_t>(index)];
        if (row < 0) continue;  // the image could not be read
        subset.features.data.insert(subset.features.data.end(), features.row(row), features.row(row) + features.cols);
        subset.labels.push_back(dataset.records[static_cast<size_t>(index)].label);
        ++subset.features.rows;
    }
    return subset;
}

enum class View { Ensemble, FamOnly, MlpOnly };

ClassificationMetrics evaluate(const FedMedClipSite& model, const Subset& subset, int numClasses, View view) {
    if (subset.labels.empty()) return computeMetrics({}, std::vector<int>{}, numClasses);
    const auto prediction = model.predict(subset.features);
    switch (view) {
    case View::FamOnly:
        return computeMetrics(subset.labels, prediction.famOnly, numClasses);
    case View::MlpOnly:
        if (prediction.mlpOnly.rows == 0) return computeMetrics({}, std::vector<int>{}, numClasses);
        return computeMetrics(subset.labels, prediction.mlpOnly, numClasses);
    case View::Ensemble:
        break;
    }
    return computeMetrics(subset.labels, prediction.ensemble, numClasses);
}

}  // namespace

SimulationResult runSimulation(const SimulationConfig& config, const SimulationProgressCallback& progress,
                               const std::atomic<bool>* cancel) {
    if (config.rounds < 1) throw Error("rounds must be at least 1");
    auto dataset = loadDataset(config);
    SimulationResult result;
    result.skippedFiles = dataset.skipped;
    result.classNames = dataset.classNames;
    result.codec = codecName(config.codec);

    auto sites = config.sites;
    if (sites.empty())
        for (const auto& name : dataset.siteNames())
            if (name != config.heldOutSite) sites.push_back(name);
    const std::string heldOut = siteKey(config.heldOutSite);
    result.hasHeldOut = !config.heldOutSite.empty();
    {
        // Only the sites in play count: others (and their classes) are not this federation's.
        std::vector<ImageRecord> used;
        for (const auto& record : dataset.records)
            if (std::find(sites.begin(), sites.end(), record.site) != sites.end() ||
                (result.hasHeldOut && record.site == heldOut))
                used.push_back(record);
        dataset.records = std::move(used);
    }
    limitPerSite(dataset, config.maxImagesPerSite, config.seed);
    requireUsable(dataset, sites);
    result.notes = restrictToTrainedClasses(dataset, sites);
    result.classNames = dataset.classNames;
    if (result.hasHeldOut && recordsOfSite(dataset, heldOut).empty())
        throw Error("held-out site '" + config.heldOutSite + "' has no images");

    auto bundle = ModelBundle::load(config.bundleDir, config.device);
    result.bundleName = bundle.manifest().name;
    result.demoBundle = bundle.manifest().demo;
    std::vector<std::string> prompts;
    for (const auto& name : dataset.classNames) prompts.push_back(promptFor(config.promptTemplate, name));
    const auto classText = bundle.encodeTexts(prompts);

    // Frozen encoders: every image is encoded once, before the rounds.
    std::vector<std::string> paths;
    for (const auto& record : dataset.records) paths.push_back(record.path);
    std::unique_ptr<FeatureCache> cache;
    if (!config.cacheDir.empty())
        cache = std::make_unique<FeatureCache>(config.cacheDir, bundle.manifest().bundleHash, bundle.manifest().embeddingDim);
    const auto extractionStart = Clock::now();
    const auto extracted = FeatureExtractor(bundle, cache.get()).extract(
        paths,
        [&](int done, int total) {
            if (progress) progress({"features", done, total, nullptr});
        },
        cancel);
    result.featureExtractionSeconds = secondsSince(extractionStart);
    result.imagesEncoded = extracted.encoded;
    result.imagesFromCache = extracted.fromCache;
    result.skippedFiles.insert(result.skippedFiles.end(), extracted.errors.begin(), extracted.errors.end());
    std::vector<int> featureRow(dataset.records.size(), -1);
    for (size_t i = 0; i < dataset.records.size(); ++i)
        if (extracted.ok[i]) featureRow[i] = static_cast<int>(i);

    const int numClasses = static_cast<int>(dataset.classNames.size());
    const auto splits = splitSites(dataset, sites, config.seed);
    std::vector<Subset> train, validation, test;
    for (const auto& split : splits) {
        train.push_back(gather(split.train, dataset, extracted.features, featureRow));
        validation.push_back(gather(split.validation, dataset, extracted.features, featureRow));
        test.push_back(gather(split.test, dataset, extracted.features, featureRow));
        if (train.back().labels.size() < 2) throw Error("site '" + split.site + "' has fewer than 2 readable training images");
    }

    const auto logitScale = static_cast<float>(bundle.manifest().logitScale);
    std::vector<FedMedClipSite> models;
    for (size_t s = 0; s < sites.size(); ++s)
        models.emplace_back(classText, logitScale, config.options, config.seed + 101 * (s + 1), config.device);
    // The server broadcasts one initial FAM, so every site starts from the same point.
    for (size_t s = 1; s < models.size(); ++s) models[s].setFamParameters(models[0].famParameters());

    for (size_t s = 0; s < sites.size(); ++s) {
        SiteSummary summary;
        summary.site = sites[s];
        summary.trainImages = static_cast<int>(train[s].labels.size());
        summary.validationImages = static_cast<int>(validation[s].labels.size());
        summary.testImages = static_cast<int>(test[s].labels.size());
        summary.untrained = evaluate(models[s], test[s], numClasses, View::Ensemble);
        result.sites.push_back(summary);
    }

    std::vector<double> aggregationWeights;
    if (config.sampleWeightedAggregation)
        for (const auto& subset : train) aggregationWeights.push_back(static_cast<double>(subset.labels.size()));

    const auto layout = models[0].famParameters();
    double bestValidation = -1;
    std::vector<ParameterSet> bestStates(models.size());
    ParameterSet bestGlobal = layout;
    for (int round = 1; round <= config.rounds; ++round) {
        if (cancel && cancel->load()) throw Error("simulation cancelled");
        RoundSummary summary;
        summary.round = round;

        auto start = Clock::now();
        for (size_t s = 0; s < models.size(); ++s)
            summary.meanTrainingLoss += models[s].trainRound(train[s].features, train[s].labels).loss / models.size();
        summary.trainingSeconds = secondsSince(start);

        start = Clock::now();
        std::vector<ParameterSet> uploads;
        for (auto& model : models) {
            const auto payload = encodeParameters(model.famParameters(), config.codec);
            summary.uploadBytesPerSite = std::max(summary.uploadBytesPerSite, payload.size());
            uploads.push_back(decodeParameters(payload, layout));  // the server validates every upload
        }
        const auto global = federatedAverage(uploads, aggregationWeights);
        const auto broadcast = encodeParameters(global, config.codec);
        summary.downloadBytes = broadcast.size();
        const auto received = decodeParameters(broadcast, layout);
        for (auto& model : models) model.setFamParameters(received);
        summary.communicationSeconds = secondsSince(start);

        for (size_t s = 0; s < models.size(); ++s)
            summary.meanValidationAccuracy += evaluate(models[s], validation[s], numClasses, View::Ensemble).accuracy / models.size();
        summary.famKeepRatios = models[0].keepRatios();
        summary.famKeepRatios.resize(2);
        if (summary.meanValidationAccuracy > bestValidation) {
            bestValidation = summary.meanValidationAccuracy;
            result.bestRound = round;
            for (size_t s = 0; s < models.size(); ++s) bestStates[s] = models[s].fullState();
            bestGlobal = received;
        }
        result.rounds.push_back(summary);
        if (progress) progress({"rounds", round, config.rounds, &result.rounds.back()});
    }

    for (size_t s = 0; s < models.size(); ++s) {
        models[s].setFullState(bestStates[s]);
        result.sites[s].test = evaluate(models[s], test[s], numClasses, View::Ensemble);
        result.sites[s].testFamOnly = evaluate(models[s], test[s], numClasses, View::FamOnly);
        result.sites[s].testMlpOnly = evaluate(models[s], test[s], numClasses, View::MlpOnly);
        result.meanTestAccuracy += result.sites[s].test.accuracy / models.size();
        result.meanTestBalancedAccuracy += result.sites[s].test.balancedAccuracy / models.size();
        result.meanTestMacroF1 += result.sites[s].test.macroF1 / models.size();
    }
    if (result.hasHeldOut) {
        // An unseen site has no MLP: it predicts with the global FAM alone.
        FedMedClipOptions famOnly = config.options;
        famOnly.useMlp = false;
        FedMedClipSite unseen(classText, logitScale, famOnly, config.seed, config.device);
        unseen.setFamParameters(bestGlobal);
        std::vector<int> all = recordsOfSite(dataset, heldOut);
        const auto subset = gather(all, dataset, extracted.features, featureRow);
        FedMedClipSite untrained(classText, logitScale, famOnly, config.seed, config.device);
        untrained.setFamParameters(layout);
        result.heldOut.site = config.heldOutSite;
        result.heldOut.testImages = static_cast<int>(subset.labels.size());
        result.heldOut.untrained = evaluate(untrained, subset, numClasses, View::FamOnly);
        result.heldOut.test = evaluate(unseen, subset, numClasses, View::FamOnly);
        result.heldOut.testFamOnly = result.heldOut.test;
    }
    return result;
}

}  // namespace fmc
