#pragma once
// SiteTrainer on the FedMedCLIP engine over images outside a site workspace (research
// runs): a class-folder tree, a site/class tree or a CSV slice, encoded once by the frozen
// image encoder (through the feature cache) and split 60/20/20 per class; each round trains
// on the training part and reports metrics on the validation part. The training itself is
// FeatureSiteTrainer's. A site's staff train on their imported images with SiteStoreTrainer.
#include "site_trainers/feature_site_trainer.h"
#include "imaging/dataset.h"

#include <string>

namespace fmc::federation {

struct EngineTrainerConfig : SiteTrainingConfig {
    enum class Layout { ClassFolders, SiteFolders, Csv };
    std::string dataPath;  // a folder, or the CSV file
    Layout layout = Layout::ClassFolders;
    CsvColumns csvColumns;  // Csv: path, label and (optional) site columns
    std::string siteName;   // SiteFolders / Csv: keep only this site's images ("" keeps all)
    int maxImages = 0;      // 0: all; otherwise a deterministic sample
    std::string cacheDir;   // feature cache ("" disables it)
};

class EngineSiteTrainer : public FeatureSiteTrainer {
public:
    explicit EngineSiteTrainer(EngineTrainerConfig config);

protected:
    LocalSplits loadSplits(const FederationTask& task, const ModelBundle& bundle) override;

private:
    ImageDataset loadData(const FederationTask& task) const;

    EngineTrainerConfig config_;
};

}  // namespace fmc::federation
