#pragma once
// SiteTrainer on the FedMedCLIP engine: the site's images (a class-folder tree, a
// site/class tree or a CSV slice) are encoded once by the frozen image encoder (through
// the feature cache), split 60/20/20 per class, and each round trains FedMedClipSite on
// the training part and reports metrics on the validation part. The private MLP never
// leaves the site; it is checkpointed after every round so a restarted site keeps it.
#include "engine/fedmedclip_site.h"
#include "federation/site_agent.h"
#include "sim/dataset.h"

#include <functional>
#include <memory>
#include <string>

namespace fmc::federation {

struct EngineTrainerConfig {
    enum class Layout { ClassFolders, SiteFolders, Csv };
    std::string bundleDir;
    std::string dataPath;  // a folder, or the CSV file
    Layout layout = Layout::ClassFolders;
    CsvColumns csvColumns;  // Csv: path, label and (optional) site columns
    std::string siteName;   // SiteFolders / Csv: keep only this site's images ("" keeps all)
    int maxImages = 0;      // 0: all; otherwise a deterministic sample
    std::string cacheDir;   // feature cache ("" disables it)
    std::string checkpointPath;  // local model after each round ("" disables it)
    std::uint64_t seed = 1;
    std::string device = "cpu";
    FedMedClipOptions options;
    std::function<void(const std::string&)> log;
};

class EngineSiteTrainer : public SiteTrainer {
public:
    explicit EngineSiteTrainer(EngineTrainerConfig config);
    ~EngineSiteTrainer() override;

    void prepare(const FederationTask& task) override;
    ParameterSet initialFam(std::uint64_t initSeed) override;
    LocalRoundResult trainRound(int round, const ParameterSet& globalFam) override;
    void finish(const ParameterSet& finalFam) override;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

}  // namespace fmc::federation
