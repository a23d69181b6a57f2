#pragma once
// What every FedMedCLIP site trainer shares, whatever its images come from: the bundle
// check against the task, the site's model (FAM + private MLP) on frozen-encoder features,
// one round of training per call, the evaluation uploaded as validation_* metrics, the
// per-class recall the site keeps for itself, and the local checkpoint written after every
// round so a restarted site keeps its private MLP (the checkpoint never leaves the site).
//
// A subclass only says where the labelled features come from (loadSplits): a folder or CSV
// (EngineSiteTrainer) or the site's own workspace store (SiteStoreTrainer).
#include "common/model_calibration.h"
#include "engine/fedmedclip_site.h"
#include "site_agent/site_agent.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace fmc {
class ModelBundle;
}

namespace fmc::federation {

struct SiteTrainingConfig {
    std::string bundleDir;
    std::string checkpointPath;  // local model after each round ("" disables it)
    std::uint64_t seed = 1;
    std::string device = "cpu";
    FedMedClipOptions options;
    std::function<void(const std::string&)> log;
};

// Features of a site's readable images, labels in the task's class order.
struct LabelledFeatures {
    FloatMatrix features;
    std::vector<int> labels;
};

struct LocalSplits {
    std::string origin;  // names the data in messages: a folder, a CSV file, a workspace
    LabelledFeatures train;
    LabelledFeatures evaluation;  // evaluated after every round
    std::string evaluationSplit;  // "validation" or "test"
    LabelledFeatures finalTest;   // reported in the log when the federation finishes (may be empty)
};

class FeatureSiteTrainer : public SiteTrainer {
public:
    ~FeatureSiteTrainer() override;

    void prepare(const FederationTask& task) final;
    ParameterSet initialFam(std::uint64_t initSeed) final;
    LocalRoundResult trainRound(int round, const ParameterSet& globalFam) final;
    void finish(const ParameterSet& finalFam) final;

protected:
    explicit FeatureSiteTrainer(SiteTrainingConfig config);

    // The site's images of the task's classes, encoded with `bundle` (already checked to
    // be the federation's). Throws fmc::Error when there is nothing to train on.
    virtual LocalSplits loadSplits(const FederationTask& task, const ModelBundle& bundle) = 0;

    // Called in prepare() with the bundle just loaded; throws fmc::Error when it is not the
    // federation's (bundle hash, embedding size). A subclass may refuse first in its own words.
    virtual void checkBundle(const FederationTask& task, const ModelBundle& bundle) const;

    // Called at the start of every round, before it trains: e.g. to stop a cancelled run.
    virtual void beforeRound(int /*round*/) {}

    // Called once with the site's final model (the federation's FAM and the private MLP)
    // after the federation finished, e.g. to keep it where the site predicts from.
    virtual void keepFinalModel(const FederationTask& task, const SiteTrainingConfig& config, const ParameterSet& fullState);

    // The site's model as it is now, calibrated on the validation split (temperatures,
    // conformal thresholds at `coverage`, the novelty threshold against the training
    // features) and measured on the test split; nothing is fitted without a validation split.
    ModelCalibration calibrateModel(const ImageDomain& domain, double coverage, bool withNovelty = true) const;

    void log(const std::string& message) const;
    const SiteTrainingConfig& trainingConfig() const;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

}  // namespace fmc::federation
