#include "site/site_workspace.h"

#include "common/codec.h"
#include "common/metrics.h"
#include "common/sha256.h"
#include "features/bundle_inputs.h"
#include "engine/model_bundle.h"
#include "site/image_domain.h"
#include "site/prediction_details.h"
#include "site/image_samples.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <fcntl.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace fmc {

namespace {

// Every option of FedMedClipOptions by its JSON key, so a checkpoint can be rebuilt exactly
// as it was trained (the site store's migration 5 wrote these keys into older rows).
const std::vector<std::pair<const char*, bool FedMedClipOptions::*>>& booleanOptions() {
    static const std::vector<std::pair<const char*, bool FedMedClipOptions::*>> options{
        {"use_mlp", &FedMedClipOptions::useMlp},
        {"use_distillation", &FedMedClipOptions::useDistillation},
        {"adaptive_weighting", &FedMedClipOptions::adaptiveWeighting},
        {"use_masks", &FedMedClipOptions::useMasks},
        {"prune_fam", &FedMedClipOptions::pruneFam},
        {"mask_aware_aggregation", &FedMedClipOptions::maskAwareAggregation},
        {"share_thresholds", &FedMedClipOptions::shareThresholds},
        {"reset_thresholds_each_round", &FedMedClipOptions::resetThresholdsEachRound},
        {"entropy_on_softmax_twice", &FedMedClipOptions::entropyOnSoftmaxTwice},
        {"keep_optimizer_state", &FedMedClipOptions::keepOptimizerState},
        {"drop_last_batch", &FedMedClipOptions::dropLastBatch},
        {"detach_teacher", &FedMedClipOptions::detachTeacher},
        {"normalise_fam_input", &FedMedClipOptions::normaliseFamInput},
        {"shuffle", &FedMedClipOptions::shuffle},
    };
    return options;
}

const std::vector<std::pair<const char*, double FedMedClipOptions::*>>& numberOptions() {
    static const std::vector<std::pair<const char*, double FedMedClipOptions::*>> options{
        {"mask_sparsity_weight", &FedMedClipOptions::maskSparsityWeight},
        {"fam_keep_target", &FedMedClipOptions::famKeepTarget},
        {"mask_forward_cutoff", &FedMedClipOptions::maskForwardCutoff},
        {"fam_learning_rate", &FedMedClipOptions::famLearningRate},
        {"mlp_learning_rate", &FedMedClipOptions::mlpLearningRate},
        {"learning_rate_decay", &FedMedClipOptions::learningRateDecay},
        {"weight_decay", &FedMedClipOptions::weightDecay},
        {"distillation_weight", &FedMedClipOptions::distillationWeight},
        {"distillation_temperature", &FedMedClipOptions::distillationTemperature},
        {"minimum_keep_ratio", &FedMedClipOptions::minimumKeepRatio},
    };
    return options;
}

const std::vector<std::pair<const char*, int FedMedClipOptions::*>>& integerOptions() {
    static const std::vector<std::pair<const char*, int FedMedClipOptions::*>> options{
        {"batch_size", &FedMedClipOptions::batchSize},
        {"local_epochs", &FedMedClipOptions::localEpochs},
        {"mlp_hidden_size", &FedMedClipOptions::mlpHiddenSize},
    };
    return options;
}

constexpr const char* kMaskGradientKey = "mask_gradient";

}  // namespace

std::string fedMedClipOptionsJson(const FedMedClipOptions& o) {
    nlohmann::json j{{kMaskGradientKey, o.maskGradient == MaskGradient::Window ? "window" : "reversed-window"}};
    for (const auto& [key, field] : booleanOptions()) j[key] = o.*field;
    for (const auto& [key, field] : numberOptions()) j[key] = o.*field;
    for (const auto& [key, field] : integerOptions()) j[key] = o.*field;
    return j.dump();
}

FedMedClipOptions fedMedClipOptionsFromJson(const std::string& text, const std::string& origin) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& error) {
        throw Error(origin + ": options are not valid JSON: " + error.what());
    }
    if (!j.is_object()) throw Error(origin + ": options must be a JSON object");
    FedMedClipOptions o;
    std::set<std::string> known{kMaskGradientKey};
    for (const auto& [key, field] : booleanOptions()) {
        known.insert(key);
        if (!j.contains(key)) continue;
        if (!j[key].is_boolean()) throw Error(origin + ": option '" + key + "' must be true or false");
        o.*field = j[key].get<bool>();
    }
    for (const auto& [key, field] : numberOptions()) {
        known.insert(key);
        if (!j.contains(key)) continue;
        if (!j[key].is_number() || !std::isfinite(j[key].get<double>()))
            throw Error(origin + ": option '" + key + "' must be a finite number");
        o.*field = j[key].get<double>();
    }
    for (const auto& [key, field] : integerOptions()) {
        known.insert(key);
        if (!j.contains(key)) continue;
        if (!j[key].is_number_integer() || std::abs(j[key].get<double>()) > 1e9)
            throw Error(origin + ": option '" + key + "' must be an integer");
        o.*field = j[key].get<int>();
    }
    if (j.contains(kMaskGradientKey)) {
        const auto& value = j[kMaskGradientKey];
        if (value == "window") o.maskGradient = MaskGradient::Window;
        else if (value == "reversed-window") o.maskGradient = MaskGradient::ReversedWindow;
        else throw Error(origin + ": option 'mask_gradient' must be \"window\" or \"reversed-window\"");
    }
    for (const auto& item : j.items())
        if (!known.count(item.key())) throw Error(origin + ": unknown option '" + item.key() + "'");
    return o;
}

namespace {

std::uint64_t settingNumber(SiteStore& store, const char* key, std::uint64_t fallback) {
    const auto value = store.setting(key);
    if (!value) return fallback;
    try {
        size_t used = 0;
        const auto number = std::stoull(*value, &used);
        if (used != value->size() || number == 0) throw std::invalid_argument("trailing text");
        return number;
    } catch (const std::exception&) {
        throw Error(store.path() + ": setting " + key + " is '" + *value + "', expected a positive whole number");
    }
}

std::string utcStamp() {
    const auto now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &utc);
    return text;
}

float entropyOf(const std::vector<float>& probabilities) {
    double entropy = 0;
    for (float p : probabilities)
        if (p > 0) entropy -= p * std::log(static_cast<double>(p));
    return static_cast<float>(entropy);
}

std::vector<float> rowOf(const FloatMatrix& matrix, std::int64_t row) {
    if (matrix.rows <= row) return {};
    return std::vector<float>(matrix.row(row), matrix.row(row) + matrix.cols);
}

FloatMatrix selectRows(const FloatMatrix& matrix, const std::vector<std::int64_t>& rows) {
    FloatMatrix selected(static_cast<std::int64_t>(rows.size()), matrix.cols);
    for (size_t i = 0; i < rows.size(); ++i)
        std::copy_n(matrix.row(rows[i]), matrix.cols, selected.row(static_cast<std::int64_t>(i)));
    return selected;
}

std::vector<double> asDoubles(const std::vector<float>& values) { return {values.begin(), values.end()}; }

[[noreturn]] void throwErrno(const std::string& path, const char* what) {
    throw Error(path + ": " + what + ": " + std::strerror(errno));
}

}  // namespace

void writeFileAtomically(const std::string& path, const std::vector<std::uint8_t>& bytes) {
    const auto temporary = path + ".tmp-" + std::to_string(::getpid());
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throwErrno(temporary, "cannot create");
    size_t written = 0;
    while (written < bytes.size()) {
        const auto n = ::write(fd, bytes.data() + written, bytes.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int saved = errno;
            ::close(fd);
            ::unlink(temporary.c_str());
            errno = saved;
            throwErrno(temporary, "write failed");
        }
        written += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        ::unlink(temporary.c_str());
        throwErrno(temporary, "cannot flush to disk");
    }
    if (std::rename(temporary.c_str(), path.c_str()) != 0) {
        const int saved = errno;
        ::unlink(temporary.c_str());
        errno = saved;
        throwErrno(path, "cannot rename the temporary file into place");
    }
    // The rename itself must reach the disk, or a power cut could bring the old name back.
    const auto folder = fs::path(path).parent_path().string();
    const int dirFd = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirFd >= 0) {
        ::fsync(dirFd);
        ::close(dirFd);
    }
}

static ViewProbabilities viewProbabilities(const SitePrediction& prediction) {
    return {prediction.ensemble, prediction.famOnly, prediction.mlpOnly};
}

double SiteWorkspace::conformalCoverage() {
    const auto value = store_.setting(settings::kConformalCoverage);
    if (!value) return kDefaultConformalCoverage;
    try {
        size_t used = 0;
        const double coverage = std::stod(*value, &used);
        if (used == value->size() && coverage > 0 && coverage < 1) return coverage;
    } catch (const std::exception&) {
    }
    throw Error(store_.path() + ": setting " + settings::kConformalCoverage + " is '" + *value +
                "', expected a share between 0 and 1 such as 0.9");
}

void SiteWorkspace::setConformalCoverage(double coverage) {
    if (!(coverage > 0 && coverage < 1))
        throw Error("coverage must be between 0 and 1 (e.g. 0.9 for 90 %), not " + std::to_string(coverage));
    store_.setSetting(settings::kConformalCoverage, std::to_string(coverage));
}

SiteWorkspace::SiteWorkspace(std::string folder, SiteStore store) : folder_(std::move(folder)), store_(std::move(store)) {}

SiteWorkspace SiteWorkspace::open(const std::string& folder) {
    const auto root = fs::absolute(folder).lexically_normal();
    std::error_code error;
    fs::create_directories(root / kWorkspaceModelsFolderName, error);
    if (error) throw Error(root.string() + ": cannot create the workspace folder: " + error.message());
    return SiteWorkspace(root.string(), SiteStore::open((root / kWorkspaceDatabaseFileName).string()));
}

std::string SiteWorkspace::modelsFolder() const { return (fs::path(folder_) / kWorkspaceModelsFolderName).string(); }

ImageLimits SiteWorkspace::imageLimits() {
    ImageLimits limits;
    limits.maxFileBytes = settingNumber(store_, settings::kMaxFileBytes, limits.maxFileBytes);
    limits.maxPixels = settingNumber(store_, settings::kMaxPixels, limits.maxPixels);
    return limits;
}

void SiteWorkspace::setImageLimits(const ImageLimits& limits) {
    if (limits.maxFileBytes == 0 || limits.maxPixels == 0) throw Error("import limits must be positive");
    store_.setSetting(settings::kMaxFileBytes, std::to_string(limits.maxFileBytes));
    store_.setSetting(settings::kMaxPixels, std::to_string(limits.maxPixels));
}

ImportReport SiteWorkspace::importPaths(const std::vector<std::string>& paths, ImportOptions options,
                                        const ImportProgressCallback& progress, const std::atomic<bool>* cancel) {
    options.limits = imageLimits();
    return fmc::importPaths(store_, paths, options, progress, cancel);
}

void SiteWorkspace::setBundle(const std::string& bundleDir) {
    const auto dir = fs::absolute(bundleDir).lexically_normal();
    const auto manifest = readManifestFile((dir / kBundleManifestFileName).string());
    store_.setSetting(settings::kBundleDir, dir.string());
    store_.setSetting(settings::kBundleHash, manifest.bundleHash);
    store_.setSetting(settings::kBundleName, manifest.name);
    store_.setSetting(settings::kBundleVersion, manifest.version);
}

std::optional<std::string> SiteWorkspace::bundleDir() { return store_.setting(settings::kBundleDir); }

std::vector<std::string> SiteWorkspace::trainingClasses() {
    if (const auto name = store_.setting(settings::kLabelSet)) {
        auto classes = store_.labelSet(*name);
        if (!classes) throw Error(store_.path() + ": setting " + settings::kLabelSet + " names label set '" + *name +
                                  "', which does not exist");
        return *classes;
    }
    ImageFilter labelled;
    labelled.labelledOnly = true;
    std::set<std::string> classes;
    const auto mapping = store_.labelMappings();
    for (const auto& image : store_.images(labelled)) {
        const auto found = mapping.find(*image.label);
        classes.insert(found == mapping.end() ? *image.label : found->second);
    }
    return {classes.begin(), classes.end()};
}

FloatMatrix SiteWorkspace::features(const ModelBundle& bundle, const std::vector<StoredImage>& images,
                                    FeatureExtractionSummary& summary, const std::function<void(int, int)>& progress,
                                    const std::atomic<bool>* cancel) {
    const auto start = std::chrono::steady_clock::now();
    const auto& manifest = bundle.manifest();
    const auto prep = preprocessingFor(manifest);
    const auto limits = imageLimits();
    const auto total = static_cast<std::int64_t>(images.size());
    FloatMatrix result(total, manifest.embeddingDim);
    summary.images += static_cast<int>(total);

    std::vector<float> batch;
    std::vector<std::int64_t> batchRows;
    std::vector<SiteStore::FeatureKey> batchKeys;
    auto flush = [&] {
        if (batchRows.empty()) return;
        auto encoded = bundle.encodeImages(batch.data(), static_cast<std::int64_t>(batchRows.size()));
        roundToStoredFeaturePrecision(encoded);  // the values the cache gives back next time
        for (size_t i = 0; i < batchRows.size(); ++i)
            std::copy_n(encoded.row(static_cast<std::int64_t>(i)), encoded.cols, result.row(batchRows[i]));
        store_.storeFeatures(manifest.bundleHash, batchKeys, encoded);
        summary.encoded += static_cast<int>(batchRows.size());
        batch.clear();
        batchRows.clear();
        batchKeys.clear();
    };
    for (std::int64_t row = 0; row < total; ++row) {
        if (cancel && cancel->load()) throw Error("feature extraction cancelled");
        const auto& image = images[static_cast<size_t>(row)];
        const SiteStore::FeatureKey key{image.contentHash, image.frame};
        if (const auto cached = store_.feature(key, manifest.bundleHash);
            cached && static_cast<std::int64_t>(cached->size()) == manifest.embeddingDim) {
            std::copy(cached->begin(), cached->end(), result.row(row));
            ++summary.fromCache;
        } else {
            try {
                imageToTensor(decodeStoredSample(image, limits), prep, batch);
                batchRows.push_back(row);
                batchKeys.push_back(key);
                if (static_cast<std::int64_t>(batchRows.size()) >= bundle.batchSize()) flush();
            } catch (const std::exception& error) {
                std::string reason = error.what();
                if (reason.find(image.sourcePath) == std::string::npos) reason = image.sourcePath + ": " + reason;
                store_.markImageUnreadable(image.id, reason);
                summary.errors.push_back(reason);
                summary.failedImageIds.push_back(image.id);
                ++summary.failed;
            }
        }
        if (progress) progress(static_cast<int>(row + 1), static_cast<int>(total));
    }
    flush();
    summary.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

LocalTrainingResult SiteWorkspace::trainLocal(const LocalTrainingConfig& config,
                                              const LocalTrainingProgressCallback& progress,
                                              const std::atomic<bool>* cancel) {
    if (config.rounds < 1) throw Error("train-local: rounds must be at least 1");
    if (!config.bundleDir.empty()) setBundle(config.bundleDir);
    const auto dir = bundleDir();
    if (!dir) throw Error(folder_ + ": the workspace has no model bundle yet; pass one with --bundle");
    const auto bundle = ModelBundle::load(*dir, config.device);
    const auto& manifest = bundle.manifest();

    LocalTrainingResult result;
    result.demoBundle = manifest.demo;
    result.classes = trainingClasses();
    if (result.classes.size() < 2)
        throw Error(folder_ + ": local training needs labelled images of at least two classes, found " +
                    std::to_string(result.classes.size()));
    auto ofClasses = imagesOfClasses(result.classes);
    std::vector<StoredImage> trainImages, validationImages, testImages;
    std::vector<int> trainLabels, validationLabels, testLabels;
    for (size_t i = 0; i < ofClasses.images.size(); ++i) {
        auto& image = ofClasses.images[i];
        auto& images = image.split == Split::Train ? trainImages
                       : image.split == Split::Validation ? validationImages
                                                          : testImages;
        auto& labels = image.split == Split::Train ? trainLabels
                       : image.split == Split::Validation ? validationLabels
                                                          : testLabels;
        labels.push_back(ofClasses.labels[i]);
        images.push_back(std::move(image));
    }
    for (const auto& [label, count] : ofClasses.leftOut)
        result.notes.push_back(std::to_string(count) + " images labelled '" + label +
                               "' left out: no training class of that name");
    if (trainImages.empty()) throw Error(folder_ + ": no labelled images in the train split");

    // Features of all splits in one pass, so the progress bar covers everything.
    std::vector<StoredImage> all = trainImages;
    all.insert(all.end(), validationImages.begin(), validationImages.end());
    all.insert(all.end(), testImages.begin(), testImages.end());
    const auto allFeatures = features(bundle, all, result.features, [&](int done, int total) {
        if (progress) progress({"features", done, total, nullptr});
    }, cancel);
    const std::set<std::int64_t> unreadable(result.features.failedImageIds.begin(),
                                            result.features.failedImageIds.end());
    auto usable = [&](const std::vector<StoredImage>& images, const std::vector<int>& labels, std::int64_t offset,
                      FloatMatrix& featuresOut, std::vector<int>& labelsOut) {
        std::vector<std::int64_t> rows;
        for (size_t i = 0; i < images.size(); ++i)
            if (!unreadable.count(images[i].id)) {
                rows.push_back(offset + static_cast<std::int64_t>(i));
                labelsOut.push_back(labels[i]);
            }
        featuresOut = selectRows(allFeatures, rows);
    };
    FloatMatrix trainFeatures, validationFeatures, testFeatures;
    std::vector<int> trainY, validationY, testY;
    usable(trainImages, trainLabels, 0, trainFeatures, trainY);
    usable(validationImages, validationLabels, static_cast<std::int64_t>(trainImages.size()), validationFeatures,
           validationY);
    usable(testImages, testLabels, static_cast<std::int64_t>(trainImages.size() + validationImages.size()),
           testFeatures, testY);
    if (trainY.empty()) throw Error(folder_ + ": none of the train split's images could be read");

    // The rounds are judged on validation; on test only when there is no validation split,
    // and then the result says that the test figures are optimistic.
    const bool onValidation = !validationY.empty();
    const auto& evaluationFeatures = onValidation ? validationFeatures : testFeatures;
    const auto& evaluationY = onValidation ? validationY : testY;
    result.evaluationSplit = onValidation ? "validation" : testY.empty() ? "" : "test";
    result.keptRoundChosenOnTestSplit = result.evaluationSplit == "test";
    result.trainImages = static_cast<int>(trainY.size());
    result.evaluationImages = static_cast<int>(evaluationY.size());

    const auto promptTemplate = store_.setting(settings::kPromptTemplate).value_or(kDefaultPromptTemplate);
    std::vector<std::string> prompts;
    for (const auto& name : result.classes) prompts.push_back(classPrompt(promptTemplate, name));
    const auto classText = bundle.encodeTexts(prompts);

    TrainingRunInfo info;
    info.kind = "local";
    info.bundleHash = manifest.bundleHash;
    info.classes = result.classes;
    info.optionsJson = fedMedClipOptionsJson(config.options);
    info.trainImages = result.trainImages;
    info.evaluationImages = result.evaluationImages;
    info.evaluationSplit = result.evaluationSplit;
    result.trainingRunId = store_.beginTrainingRun(info);

    try {
        FedMedClipSite site(classText, static_cast<float>(manifest.logitScale), config.options, config.seed,
                            config.device);
        ParameterSet keptState;
        std::optional<double> keptBalancedAccuracy;
        for (int round = 1; round <= config.rounds; ++round) {
            if (cancel && cancel->load()) {
                store_.finishTrainingRun(result.trainingRunId, "cancelled");
                throw Error("local training cancelled after " + std::to_string(round - 1) + " rounds");
            }
            const auto start = std::chrono::steady_clock::now();
            const auto stats = site.trainRound(trainFeatures, trainY);
            RoundMetrics metrics;
            metrics.round = round;
            metrics.loss = stats.loss;
            if (!evaluationY.empty()) {
                const auto prediction = site.predict(evaluationFeatures);
                const auto m = computeMetrics(evaluationY, prediction.ensemble, static_cast<int>(result.classes.size()));
                metrics.accuracy = m.accuracy;
                metrics.balancedAccuracy = m.balancedAccuracy;
                metrics.macroF1 = m.macroF1;
                metrics.perClassRecall = recallOfPresentClasses(m);
            }
            metrics.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            // The best round so far, the later one on a tie; without an evaluation split, the last.
            if (!metrics.balancedAccuracy || !keptBalancedAccuracy ||
                *metrics.balancedAccuracy >= *keptBalancedAccuracy) {
                keptState = site.fullState();
                keptBalancedAccuracy = metrics.balancedAccuracy;
                result.keptRound = round;
            }
            store_.recordRound(result.trainingRunId, metrics);
            result.rounds.push_back(metrics);
            if (progress) progress({"rounds", round, config.rounds, &result.rounds.back()});
        }
        // A fresh model from the kept state, as predict() builds it from the saved version.
        FedMedClipSite kept(classText, static_cast<float>(manifest.logitScale), config.options, config.seed,
                            config.device);
        kept.setFullState(keptState);
        if (onValidation && !testY.empty())
            result.keptModelOnTest = computeMetrics(testY, kept.predict(testFeatures).ensemble,
                                                    static_cast<int>(result.classes.size()));
        // Calibration, prediction sets and the novelty threshold on validation only; without
        // one the test split would have to serve, and its figures would no longer be honest.
        CalibrationInputs calibrationInputs;
        calibrationInputs.classes = result.classes;
        calibrationInputs.trainLabels = trainY;
        calibrationInputs.trainFeatures = trainFeatures;
        calibrationInputs.coverage = conformalCoverage();
        calibrationInputs.domain = siteImageDomain(store_, trainImages, imageLimits());
        if (onValidation) {
            calibrationInputs.validation = viewProbabilities(kept.predict(validationFeatures));
            calibrationInputs.validationLabels = validationY;
            calibrationInputs.validationFeatures = validationFeatures;
            if (!testY.empty()) {
                calibrationInputs.test = viewProbabilities(kept.predict(testFeatures));
                calibrationInputs.testLabels = testY;
            }
        }
        auto calibration = fitModelCalibration(calibrationInputs);
        calibration.bundleName = manifest.name;
        calibration.bundleHash = manifest.bundleHash;
        calibration.demoBundle = manifest.demo;
        for (const auto& note : calibration.notes) result.notes.push_back(note);
        ModelVersion version;
        version.kind = ModelVersionKind::LocalCheckpoint;
        version.bundleHash = manifest.bundleHash;
        version.classes = result.classes;
        version.promptTemplate = promptTemplate;
        version.optionsJson = info.optionsJson;
        version.trainingRunId = result.trainingRunId;
        version.round = result.keptRound;
        version.source = "train-local";
        result.modelVersionId = saveModelVersion(version, keptState);
        store_.setModelCalibration(result.modelVersionId, calibration);
        result.calibration = std::move(calibration);
    } catch (const std::exception& error) {
        const auto run = store_.trainingRun(result.trainingRunId);
        if (run && run->status == "running") store_.finishTrainingRun(result.trainingRunId, "failed");
        throw;
    }
    store_.finishTrainingRun(result.trainingRunId, "finished");
    return result;
}

SiteWorkspace::ImagesOfClasses SiteWorkspace::imagesOfClasses(const std::vector<std::string>& classes) {
    const auto mapping = store_.labelMappings();
    ImagesOfClasses result;
    ImageFilter labelled;
    labelled.labelledOnly = true;
    for (auto& image : store_.images(labelled)) {
        const auto mapped = mapping.find(*image.label);
        const auto& name = mapped == mapping.end() ? *image.label : mapped->second;
        const auto found = std::find(classes.begin(), classes.end(), name);
        if (found == classes.end()) {
            ++result.leftOut[*image.label];
            continue;
        }
        result.labels.push_back(static_cast<int>(found - classes.begin()));
        result.images.push_back(std::move(image));
    }
    return result;
}

std::int64_t SiteWorkspace::saveModelVersion(ModelVersion version, const ParameterSet& parameters) {
    const auto bytes = encodeParameters(parameters, CodecKind::Fp32Raw);
    version.sha256 = sha256Hex(bytes.data(), bytes.size());
    version.bytes = static_cast<std::int64_t>(bytes.size());
    const std::string stem =
        std::string(modelVersionKindName(version.kind)) + "-" + utcStamp() + "-" + version.sha256.substr(0, 12);
    version.fileName = stem + ".fmcp";
    for (int n = 2; fs::exists(fs::path(modelsFolder()) / version.fileName); ++n)
        version.fileName = stem + "-" + std::to_string(n) + ".fmcp";
    // The file first: a crash before the row leaves an unreferenced file, never a row
    // pointing at a missing or partial file.
    writeFileAtomically((fs::path(modelsFolder()) / version.fileName).string(), bytes);
    return store_.addModelVersion(version);
}

ParameterSet SiteWorkspace::loadModelParameters(const ModelVersion& version) {
    const auto path = (fs::path(modelsFolder()) / version.fileName).string();
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path + ": model version " + std::to_string(version.id) + " has no parameter file");
    const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (sha256Hex(bytes.data(), bytes.size()) != version.sha256)
        throw Error(path + ": SHA-256 does not match model version " + std::to_string(version.id) +
                    " (the file was changed or damaged)");
    try {
        return decodeParameters(bytes);
    } catch (const Error& error) {
        throw Error(path + ": " + error.what());
    }
}

ImagePrediction SiteWorkspace::predict(const std::string& imagePath, std::optional<std::int64_t> modelVersionId,
                                       const std::string& bundleDirectory, const std::string& madeBy,
                                       const std::string& device) {
    return predict(std::vector<std::string>{imagePath}, modelVersionId, bundleDirectory, madeBy, device).front();
}

std::vector<ImagePrediction> SiteWorkspace::predict(const std::vector<std::string>& imagePaths,
                                                    std::optional<std::int64_t> modelVersionId,
                                                    const std::string& bundleDirectory, const std::string& madeBy,
                                                    const std::string& device) {
    const auto version = modelVersionId ? store_.modelVersion(*modelVersionId)
                                        : store_.latestModelVersion(ModelVersionKind::LocalCheckpoint);
    if (!version)
        throw Error(modelVersionId ? folder_ + ": there is no model version " + std::to_string(*modelVersionId)
                                   : folder_ + ": no trained model yet; run train-local first");
    const auto dir = bundleDirectory.empty() ? bundleDir() : std::optional<std::string>(bundleDirectory);
    if (!dir) throw Error(folder_ + ": the workspace has no model bundle yet; pass one with --bundle");
    const auto bundle = ModelBundle::load(*dir, device);
    const auto& manifest = bundle.manifest();
    if (manifest.bundleHash != version->bundleHash)
        throw Error(*dir + ": bundle " + manifest.bundleHash.substr(0, 12) + " is not the bundle model version " +
                    std::to_string(version->id) + " was trained with (" + version->bundleHash.substr(0, 12) + ")");

    auto options = fedMedClipOptionsFromJson(version->optionsJson, "model version " + std::to_string(version->id));
    if (version->kind == ModelVersionKind::GlobalFam) options.useMlp = false;  // a FAM alone has no MLP
    std::vector<std::string> prompts;
    for (const auto& name : version->classes) prompts.push_back(classPrompt(version->promptTemplate, name));
    FedMedClipSite site(bundle.encodeTexts(prompts), static_cast<float>(manifest.logitScale), options, 0, device);
    const auto parameters = loadModelParameters(*version);
    // A global FAM predicts alone, as an unseen site: there are no own rows to keep.
    if (version->kind == ModelVersionKind::GlobalFam) site.setFamParameters(parameters);
    else site.setFullState(parameters);
    const auto calibration = store_.modelCalibration(version->id);
    std::vector<ImagePrediction> results;
    for (const auto& imagePath : imagePaths) {
        const auto path = fs::absolute(imagePath).lexically_normal().string();
        const auto kind = classifyImageFile(path);
        if (!kind) throw Error(path + ": not an image or DICOM file");
        const auto decoded = decodeImageFile(path, *kind, imageLimits());
        const auto& sample = decoded.samples.front();
        std::vector<float> input;
        imageToTensor(sample.image, preprocessingFor(manifest), input);
        const auto feature = bundle.encodeImages(input.data(), 1);

        const auto prediction = site.predict(feature);

        ImagePrediction result;
        result.modelVersionId = version->id;
        result.classes = version->classes;
        result.calibration = calibration;
        const auto shown = calibratePrediction(calibration ? &*calibration : nullptr, asDoubles(rowOf(prediction.ensemble, 0)),
                                               asDoubles(rowOf(prediction.famOnly, 0)),
                                               asDoubles(rowOf(prediction.mlpOnly, 0)), rowOf(feature, 0),
                                               imageAttributesOf(decoded, sample.image));
        const auto asFloats = [](const std::vector<double>& values) { return std::vector<float>(values.begin(), values.end()); };
        result.ensemble = asFloats(shown.ensemble.probabilities);
        result.famOnly = asFloats(shown.famOnly.probabilities);
        result.mlpOnly = asFloats(shown.mlpOnly.probabilities);
        result.calibrated = shown.ensemble.calibrated;
        for (int c : shown.ensemble.predictionSet) result.predictionSet.push_back(version->classes[static_cast<size_t>(c)]);
        result.coverage = shown.coverage;
        result.largePredictionSet =
            isLargePredictionSet(static_cast<int>(shown.ensemble.predictionSet.size()), static_cast<int>(result.classes.size()));
        result.outOfDistribution = shown.outOfDistribution;
        result.outOfDistributionReasons = shown.reasons();
        result.noveltyScore = shown.noveltyScore;
        result.branchDisagreement = shown.branchDisagreement;
        result.noBetterThanChance = calibration && calibration->noBetterThanChance;
        result.ensembleEntropy = entropyOf(result.ensemble);
        result.famEntropy = entropyOf(result.famOnly);
        result.mlpEntropy = entropyOf(result.mlpOnly);
        result.predictedClass = version->classes[static_cast<size_t>(shown.ensemble.topClass)];
        result.demoBundle = manifest.demo;
        if (const auto stored = store_.imageBySource(path, sample.frame); stored && stored->contentHash == decoded.contentHash)
            result.imageId = stored->id;

        const auto details = predictionDetailsOf(version->classes, shown, result.noBetterThanChance);
        StoredPrediction stored;
        stored.imageId = result.imageId;
        stored.sourcePath = path;
        stored.contentHash = decoded.contentHash;
        stored.modelVersionId = version->id;
        stored.modelDescription = std::string(modelVersionKindName(version->kind)) + " version " + std::to_string(version->id);
        stored.predictedClass = result.predictedClass;
        stored.probabilitiesJson = predictionDetailsToJson(details);
        stored.ensembleEntropy = result.ensembleEntropy;
        stored.madeBy = madeBy;
        result.predictionId = store_.addPrediction(stored);
        results.push_back(std::move(result));
    }
    return results;
}

}  // namespace fmc
