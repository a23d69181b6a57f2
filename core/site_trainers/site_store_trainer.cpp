#include "site_trainers/site_store_trainer.h"

#include "engine/model_bundle.h"
#include "site/image_domain.h"
#include "site/site_workspace.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>

namespace fmc::federation {
namespace {

constexpr std::array<Split, 3> kSplits{Split::Train, Split::Validation, Split::Test};

size_t splitIndex(Split split) {
    return static_cast<size_t>(std::find(kSplits.begin(), kSplits.end(), split) - kSplits.begin());
}

std::string quotedList(const std::vector<std::string>& names) {
    std::string text;
    for (const auto& name : names) text += (text.empty() ? "'" : ", '") + name + "'";
    return text;
}

}  // namespace

SiteStoreTrainer::SiteStoreTrainer(SiteWorkspace& workspace, SiteTrainingConfig config)
    : FeatureSiteTrainer(std::move(config)), workspace_(workspace) {}

LocalSplits SiteStoreTrainer::loadSplits(const FederationTask& task, const ModelBundle& bundle) {
    auto& store = workspace_.store();
    const auto& classes = task.settings.classNames;
    const auto& manifest = bundle.manifest();
    if (store.setting(settings::kBundleHash) != manifest.bundleHash) {
        workspace_.setBundle(trainingConfig().bundleDir);
        log("the federation's bundle " + trainingConfig().bundleDir + " is now the workspace's bundle");
    }

    // Labelled, readable images whose label maps (as SiteStore::federationClassOf does) to
    // one of the task's classes, labelled by the task's class order.
    auto [images, labels, leftOut] = workspace_.imagesOfClasses(classes);
    std::vector<std::array<int, 3>> perClass(classes.size(), {0, 0, 0});
    for (size_t i = 0; i < images.size(); ++i) ++perClass[static_cast<size_t>(labels[i])][splitIndex(images[i].split)];
    for (size_t c = 0; c < classes.size(); ++c)
        log("class '" + classes[c] + "': " + std::to_string(perClass[c][0]) + " train, " +
            std::to_string(perClass[c][1]) + " validation, " + std::to_string(perClass[c][2]) + " test images");
    std::vector<std::string> leftOutLabels;
    for (const auto& [label, count] : leftOut) {
        log("label '" + label + "' (" + std::to_string(count) +
            " images) maps to none of the federation's classes: left out");
        leftOutLabels.push_back(label);
    }
    const bool anyTraining = std::any_of(perClass.begin(), perClass.end(), [](const auto& c) { return c[0] > 0; });
    if (!anyTraining)
        throw Error(workspace_.folder() + ": no labelled images of the federation's classes (" + quotedList(classes) +
                    ") in the train split" +
                    (leftOutLabels.empty() ? std::string()
                                           : "; the workspace's labels " + quotedList(leftOutLabels) +
                                                 " map to none of them (map them with 'fedmedclip-cli import --map "
                                                 "LOCAL=CLASS')") +
                    "; import the site's labelled images with 'fedmedclip-cli import --labels-from ...'");

    log("encoding the images of the federation's classes not yet in the workspace's feature cache (" +
        std::to_string(images.size()) + " images)");
    FeatureExtractionSummary summary;
    const auto features = workspace_.features(bundle, images, summary);
    for (const auto& error : summary.errors) log("skipped " + error + " (marked unreadable)");
    log(std::to_string(summary.fromCache) + " features from the workspace's cache, " +
        std::to_string(summary.encoded) + " encoded with the frozen image encoder, " + std::to_string(summary.failed) +
        " images unreadable");

    const std::set<std::int64_t> unreadable(summary.failedImageIds.begin(), summary.failedImageIds.end());
    std::array<LabelledFeatures, 3> parts;
    for (auto& part : parts) part.features = FloatMatrix(0, features.cols);
    for (size_t i = 0; i < images.size(); ++i) {
        if (unreadable.count(images[i].id)) continue;
        auto& part = parts[splitIndex(images[i].split)];
        const float* row = features.row(static_cast<std::int64_t>(i));
        part.features.data.insert(part.features.data.end(), row, row + features.cols);
        ++part.features.rows;
        part.labels.push_back(labels[i]);
    }

    trainImages_.clear();
    for (const auto& image : images)
        if (image.split == Split::Train && !unreadable.count(image.id)) trainImages_.push_back(image);
    demoBundle_ = manifest.demo;

    LocalSplits data;
    data.origin = workspace_.folder();
    data.train = std::move(parts[0]);
    if (!parts[1].labels.empty()) {
        data.evaluation = std::move(parts[1]);
        data.evaluationSplit = "validation";
        data.finalTest = std::move(parts[2]);
    } else if (!parts[2].labels.empty()) {
        data.evaluation = std::move(parts[2]);
        data.evaluationSplit = "test";
        log("no validation split: each round is evaluated on the test split");
    }
    log(std::to_string(data.train.labels.size()) + " training images, " +
        std::to_string(data.evaluation.labels.size()) + " " +
        (data.evaluationSplit.empty() ? std::string("evaluation") : data.evaluationSplit) + " images");
    return data;
}

void SiteStoreTrainer::keepFinalModel(const FederationTask& task, const SiteTrainingConfig& config,
                                      const ParameterSet& fullState) {
    ModelVersion version;
    version.kind = ModelVersionKind::LocalCheckpoint;
    version.bundleHash = task.settings.bundleHash;
    version.classes = task.settings.classNames;
    version.promptTemplate = task.settings.promptTemplate;
    version.optionsJson = fedMedClipOptionsJson(config.options);
    version.source = "federation " + task.federationId;
    const auto id = workspace_.saveModelVersion(version, fullState);
    log("the federation's final model is model version " + std::to_string(id) + " of the workspace");
    auto calibration = calibrateModel(siteImageDomain(workspace_.store(), trainImages_, workspace_.imageLimits()),
                                      workspace_.conformalCoverage());
    calibration.demoBundle = demoBundle_;
    for (const auto& note : calibration.notes) log(note);
    workspace_.store().setModelCalibration(id, calibration);
    if (calibration.ensemble.fitted)
        log("calibrated on " + std::to_string(calibration.ensemble.conformal.calibrationImages) +
            " validation images: temperature " + std::to_string(calibration.ensemble.temperature.temperature));
    if (calibration.noBetterThanChance)
        log("WARNING: the final model is no better than chance on this site's validation images");
}

}  // namespace fmc::federation
