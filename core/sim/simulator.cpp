#include "sim/simulator.h"

#include "common/aggregation.h"
#include "engine/model_bundle.h"
#include "features/bundle_inputs.h"
#include "features/feature_cache.h"
#include "features/feature_extractor.h"
#include "sim/federated_method.h"
#include "engine/runtime.h"
#include "imaging/image_loader.h"

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

// A site's split as the method needs it: cached features, and decoded pixels for methods
// that train the encoders. Records whose image could not be read are left out.
SiteData gather(const std::vector<int>& recordIndices, const ImageDataset& dataset, const FloatMatrix& features,
                const std::vector<int>& featureRowOfRecord, const Preprocessing* pixels) {
    SiteData data{FloatMatrix(0, features.cols), {}, {}};
    for (int index : recordIndices) {
        const int row = featureRowOfRecord[static_cast<size_t>(index)];
        if (row < 0) continue;
        const auto& record = dataset.records[static_cast<size_t>(index)];
        if (pixels) imageToTensor(loadImageFile(record.path), *pixels, data.images);
        data.features.data.insert(data.features.data.end(), features.row(row), features.row(row) + features.cols);
        data.labels.push_back(record.label);
        ++data.features.rows;
    }
    return data;
}

enum class View { Ensemble, FamOnly, MlpOnly };

ClassificationMetrics evaluate(const FederatedMethod& method, int site, const SiteData& data, int numClasses,
                               View view) {
    ClassificationMetrics none;  // no samples, or no such view: stays empty (numSamples 0)
    none.numClasses = numClasses;
    if (data.labels.empty()) return none;
    const auto prediction = method.predict(site, data);
    const FloatMatrix& probabilities = view == View::FamOnly   ? prediction.famOnly
                                       : view == View::MlpOnly ? prediction.mlpOnly
                                                               : prediction.ensemble;
    if (probabilities.rows == 0) return none;
    return computeMetrics(data.labels, probabilities, numClasses);
}

// The codecs that need no reference (the delta codec is measured against the round's global).
std::vector<CodecKind> referenceFreeCodecs() {
    return {CodecKind::Fp32Raw, CodecKind::Fp16Zlib, CodecKind::MaskAwareFp16Zlib, CodecKind::MaskAwareInt8Zlib};
}

// What travels: the payload of `parameters` under `kind`, against `reference` for the delta codec.
std::vector<std::uint8_t> encodeFor(const ParameterSet& parameters, CodecKind kind, const ParameterSet& reference) {
    return codecNeedsReference(kind) ? encodeDelta(parameters, reference) : encodeParameters(parameters, kind);
}

ParameterSet decodeFor(const std::vector<std::uint8_t>& payload, CodecKind kind, const ParameterSet& reference,
                       const CodecLimits& limits) {
    return codecNeedsReference(kind) ? decodeDelta(payload, reference, limits) : decodeParameters(payload, reference, limits);
}

// The step of the delta codec's uploads: deltaStepPerRms, or the feedback switch's default.
double uploadStepPerRms(const SimulationConfig& config) {
    if (config.deltaStepPerRms >= 0) return config.deltaStepPerRms;
    return config.deltaErrorFeedback ? kDeltaStepPerRms : 0.0;
}

// Share of kept rows of each masked weight (the codec's rule); empty without thresholds.
std::vector<double> keepRatiosOf(const ParameterSet& parameters) {
    std::vector<double> ratios;
    for (const auto& [index, rows] : keptRowsOf(parameters))
        ratios.push_back(static_cast<double>(std::count(rows.begin(), rows.end(), true)) / rows.size());
    return ratios;
}

CodecLimits limitsFor(const ParameterSet& layout) {
    CodecLimits limits;
    std::int64_t elements = 0;
    for (const auto& tensor : layout) elements += tensor.numel();
    limits.maxElements = std::max<std::int64_t>(limits.maxElements, elements);
    limits.maxTensors = std::max(limits.maxTensors, layout.size());
    limits.maxPayloadBytes = std::max<std::size_t>(limits.maxPayloadBytes, static_cast<std::size_t>(elements) * 4 + (1u << 20));
    return limits;
}

}  // namespace

SimulationResult runSimulation(const SimulationConfig& config, const SimulationProgressCallback& progress,
                               const std::atomic<bool>* cancel) {
    if (config.rounds < 1) throw Error("rounds must be at least 1");
    auto bundle = ModelBundle::load(config.bundleDir, config.device);
    auto dataset = loadDataset(config);
    SimulationResult result;
    result.bundleName = bundle.manifest().name;
    result.demoBundle = bundle.manifest().demo;
    result.skippedFiles = dataset.skipped;
    result.classNames = dataset.classNames;

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

    std::vector<std::string> prompts;
    for (const auto& name : dataset.classNames) prompts.push_back(classPrompt(config.promptTemplate, name));
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
    // A byte-identical copy of an image (public data sets have them, even across splits and
    // labels) would leak between train and test: only the first copy is used.
    std::vector<int> featureRow(dataset.records.size(), -1);
    std::map<std::string, size_t> firstCopy;
    int duplicates = 0;
    for (size_t i = 0; i < dataset.records.size(); ++i) {
        if (!extracted.ok[i]) continue;
        if (!firstCopy.emplace(extracted.contentHashes[i], i).second) {
            ++duplicates;
            continue;
        }
        featureRow[i] = static_cast<int>(i);
    }
    if (duplicates > 0)
        result.notes.push_back(std::to_string(duplicates) + " byte-identical duplicate image(s) left out (first copy kept)");

    const int numClasses = static_cast<int>(dataset.classNames.size());
    MethodContext context;
    context.bundle = &bundle;
    context.classText = classText;
    context.classPrompts = prompts;
    context.logitScale = static_cast<float>(bundle.manifest().logitScale);
    context.sites = static_cast<int>(sites.size());
    context.seed = config.seed;
    context.device = config.device;
    context.settings = {config.options, config.fedclip, config.finetune, config.codec};
    auto method = makeMethod(config.method, context);
    result.method = method->name();
    result.codec = method->communicates() ? codecName(method->codec()) : "none";

    const auto pixelPreprocessing = preprocessingFor(bundle.manifest());
    const Preprocessing* pixels = method->needsImages() ? &pixelPreprocessing : nullptr;
    const auto splits = splitSites(dataset, sites, config.seed);
    std::vector<SiteData> train, validation, test;
    for (const auto& split : splits) {
        train.push_back(gather(split.train, dataset, extracted.features, featureRow, pixels));
        validation.push_back(gather(split.validation, dataset, extracted.features, featureRow, pixels));
        test.push_back(gather(split.test, dataset, extracted.features, featureRow, pixels));
        if (train.back().labels.size() < 2) throw Error("site '" + split.site + "' has fewer than 2 readable training images");
    }

    for (size_t s = 0; s < sites.size(); ++s) {
        SiteSummary summary;
        summary.site = sites[s];
        summary.trainImages = static_cast<int>(train[s].labels.size());
        summary.validationImages = static_cast<int>(validation[s].labels.size());
        summary.testImages = static_cast<int>(test[s].labels.size());
        summary.untrained = evaluate(*method, static_cast<int>(s), test[s], numClasses, View::Ensemble);
        result.sites.push_back(summary);
    }
    SiteData heldOutData;
    if (result.hasHeldOut) {
        heldOutData = gather(recordsOfSite(dataset, heldOut), dataset, extracted.features, featureRow, pixels);
        result.heldOut.site = config.heldOutSite;
        result.heldOut.testImages = static_cast<int>(heldOutData.labels.size());
        result.heldOut.untrained = evaluate(*method, -1, heldOutData, numClasses, View::Ensemble);
    }

    std::vector<double> aggregationWeights;
    if (config.sampleWeightedAggregation)
        for (const auto& data : train) aggregationWeights.push_back(static_cast<double>(data.labels.size()));

    const ScopedComputeThreads roundThreads(method->needsImages() ? 0 : 1);
    const auto layout = method->communicates() ? method->upload(0) : ParameterSet{};
    const auto limits = limitsFor(layout);
    // The global FAM every site holds: the server's initial broadcast (each site starts from
    // it), then each round's received global. Delta uploads and broadcasts are coded against it.
    auto reference = layout;
    // Error feedback: each site's quantisation error of its last upload (never sent). Every
    // upload is aggregated and each site starts the next round from the global that holds it,
    // so a residual stays valid for the whole run.
    const bool feedback = codecNeedsReference(method->codec()) && config.deltaErrorFeedback;
    const double uploadStep = uploadStepPerRms(config);
    std::vector<ParameterSet> residuals(sites.size());
    if (codecNeedsReference(method->codec())) {
        result.deltaErrorFeedback = feedback;
        result.deltaStepPerRms = uploadStep;
        result.deltaBudgetBytes = config.deltaBudgetBytes;
    }
    double bestValidation = -1;
    auto best = method->snapshot();
    for (int round = 1; round <= config.rounds; ++round) {
        if (cancel && cancel->load()) throw Error("simulation cancelled");
        RoundSummary summary;
        summary.round = round;

        auto start = Clock::now();
        for (size_t s = 0; s < sites.size(); ++s)
            summary.meanTrainingLoss += method->train(static_cast<int>(s), train[s]).loss / sites.size();
        summary.trainingSeconds = secondsSince(start);

        if (method->communicates()) {
            start = Clock::now();
            std::vector<ParameterSet> uploads;
            ParameterSet firstUpload;
            // The server aggregates what it decodes: a lossy codec's loss reaches the global FAM.
            for (size_t s = 0; s < sites.size(); ++s) {
                auto upload = method->upload(static_cast<int>(s));
                std::vector<std::uint8_t> payload;
                if (!codecNeedsReference(method->codec())) {
                    payload = encodeParameters(upload, method->codec());
                } else {
                    auto coded = encodeDeltaWithinBudget(upload, reference, uploadStep, config.deltaBudgetBytes,
                                                         feedback ? &residuals[s] : nullptr);
                    payload = std::move(coded.payload);
                    summary.largestDeltaStepPerRms = std::max(summary.largestDeltaStepPerRms, coded.stepPerRms);
                }
                summary.uploadBytesPerSite = std::max(summary.uploadBytesPerSite, payload.size());
                summary.uploadBytesAllSites += payload.size();
                uploads.push_back(decodeFor(payload, method->codec(), reference, limits));  // validates every upload
                if (s == 0) firstUpload = std::move(upload);
            }
            const auto global = method->aggregate(uploads, aggregationWeights);
            summary.globalFamKeepRatios = keepRatiosOf(global);
            const auto broadcast = encodeFor(global, method->codec(), reference);
            summary.downloadBytes = broadcast.size();
            auto received = decodeFor(broadcast, method->codec(), reference, limits);
            for (size_t s = 0; s < sites.size(); ++s) method->download(static_cast<int>(s), received);
            summary.communicationSeconds = secondsSince(start);
            // Site 1's upload under every codec, for the report (not part of the timed round).
            for (auto kind : referenceFreeCodecs())
                summary.uploadBytesByCodec.emplace_back(codecName(kind), encodeParameters(firstUpload, kind).size());
            summary.uploadBytesByCodec.emplace_back(codecName(CodecKind::MaskAwareInt8DeltaZlib),
                                                    encodeDelta(firstUpload, reference).size());
            reference = std::move(received);
        }

        for (size_t s = 0; s < sites.size(); ++s)
            summary.meanValidationAccuracy +=
                evaluate(*method, static_cast<int>(s), validation[s], numClasses, View::Ensemble).accuracy / sites.size();
        summary.famKeepRatios = method->keepRatios();
        if (summary.meanValidationAccuracy > bestValidation) {
            bestValidation = summary.meanValidationAccuracy;
            result.bestRound = round;
            best = method->snapshot();
        }
        result.rounds.push_back(summary);
        if (progress) progress({"rounds", round, config.rounds, &result.rounds.back()});
    }

    method->restore(best);
    for (size_t s = 0; s < sites.size(); ++s) {
        auto& site = result.sites[s];
        site.test = evaluate(*method, static_cast<int>(s), test[s], numClasses, View::Ensemble);
        site.testFamOnly = evaluate(*method, static_cast<int>(s), test[s], numClasses, View::FamOnly);
        site.testMlpOnly = evaluate(*method, static_cast<int>(s), test[s], numClasses, View::MlpOnly);
        result.meanTestAccuracy += site.test.accuracy / sites.size();
        result.meanTestBalancedAccuracy += site.test.balancedAccuracy / sites.size();
        result.meanTestMacroF1 += site.test.macroF1 / sites.size();
    }
    if (result.hasHeldOut) {
        result.heldOut.test = evaluate(*method, -1, heldOutData, numClasses, View::Ensemble);
        result.heldOut.testFamOnly = evaluate(*method, -1, heldOutData, numClasses, View::FamOnly);
    }
    if (method->communicates()) {
        const auto finalUpload = method->upload(0);
        for (auto kind : referenceFreeCodecs())
            result.finalUploadBytesByCodec.emplace_back(codecName(kind), encodeParameters(finalUpload, kind).size());
    }
    result.peakResidentBytes = peakResidentBytes();
    return result;
}

}  // namespace fmc
