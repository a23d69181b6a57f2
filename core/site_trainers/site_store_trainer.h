#pragma once
// SiteTrainer on the images a site's staff imported into its workspace (fedmedclip-cli
// import): each labelled, readable image whose label maps (SiteStore::labelMappings) to
// one of the task's classes, in the split the store gives it. Trains on the train split,
// evaluates every round on the validation split (the test split when there is no
// validation split, as SiteWorkspace::trainLocal does); features come from the store's
// cache, encoded once per bundle. Images that cannot be read are marked unreadable and
// left out. The training itself is FeatureSiteTrainer's.
#include "site_trainers/feature_site_trainer.h"
#include "site/site_store.h"

namespace fmc {
class SiteWorkspace;
}

namespace fmc::federation {

class SiteStoreTrainer : public FeatureSiteTrainer {
public:
    // `workspace` must outlive the trainer. Once the bundle proves to be the federation's,
    // it becomes the workspace's bundle (settings::kBundleDir).
    SiteStoreTrainer(SiteWorkspace& workspace, SiteTrainingConfig config);

protected:
    LocalSplits loadSplits(const FederationTask& task, const ModelBundle& bundle) override;
    // The final model becomes a local-checkpoint model version (source "federation <id>"),
    // so `predict` and the desktop app classify with it.
    void keepFinalModel(const FederationTask& task, const SiteTrainingConfig& config,
                        const ParameterSet& fullState) override;

private:
    SiteWorkspace& workspace_;
    std::vector<StoredImage> trainImages_;  // readable, for the image domain of the final model
    bool demoBundle_ = false;
};

}  // namespace fmc::federation
