#include "sim/demo_federation.h"

#include "engine/demo_bundle.h"
#include "imaging/demo_dataset.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace fmc {

DemoFederation prepareDemoFederation(const std::string& workDir, const std::string& vocabularyPath, int rounds) {
    DemoFederation demo;
    demo.bundleDir = (fs::path(workDir) / "bundle-demo-tiny").string();
    demo.dataDir = (fs::path(workDir) / "demo-images").string();
    fs::create_directories(workDir);
    if (!fs::exists(fs::path(demo.bundleDir) / kBundleManifestFileName))
        createDemoBundle(demo.bundleDir, DemoBundleShape::Tiny, vocabularyPath, 2026);
    if (!fs::exists(fs::path(demo.dataDir) / "labels.csv")) {
        DemoDatasetSpec spec;
        spec.sites = 4;
        spec.imagesPerSite = 200;
        generateDemoDataset(demo.dataDir, spec);
    }
    auto& config = demo.config;
    config.layout = SimulationConfig::Layout::Csv;
    config.dataPath = (fs::path(demo.dataDir) / "labels.csv").string();
    config.csvColumns = {"path", "label", "site"};
    config.heldOutSite = "demo-site-4";
    config.bundleDir = demo.bundleDir;
    config.cacheDir = (fs::path(workDir) / "feature-cache").string();
    config.rounds = rounds;
    return demo;
}

}  // namespace fmc
