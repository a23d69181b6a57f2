#pragma once
// The paper's protocol on one machine: K sites train locally on cached features, send
// their compressed FAM, the server averages, sites receive the average; the round with
// the best mean validation accuracy is kept and tested.
#include "common/codec.h"
#include "common/metrics.h"
#include "engine/clip_finetuner.h"
#include "engine/fedclip_adapter.h"
#include "engine/fedmedclip_site.h"
#include "imaging/dataset.h"

#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fmc {

struct SimulationConfig {
    enum class Layout { SiteFolders, ClassFoldersDirichlet, Csv };
    Layout layout = Layout::SiteFolders;
    std::string dataPath;  // a folder, or the CSV file
    CsvColumns csvColumns;
    int dirichletSites = 3;
    double dirichletAlpha = 0.5;

    std::vector<std::string> sites;  // training sites; empty: every named site but the held-out one
    // The unseen global site, tested with the global FAM only. "" for none; "<unknown>" for
    // the records without a site (e.g. ISIC images with no acquiring centre).
    std::string heldOutSite;
    int maxImagesPerSite = 0;  // 0: all; otherwise a deterministic per-site sample

    std::string bundleDir;
    std::string cacheDir;  // "" disables the feature cache
    std::string device = "cpu";
    std::string promptTemplate = "a picture of a {}";

    int rounds = 50;
    std::uint64_t seed = 1;
    std::string method = "fedmedclip";  // see methodNames() in federated_method.h
    FedMedClipOptions options;
    FedClipOptions fedclip;
    ClipFinetuneOptions finetune;
    CodecKind codec = CodecKind::Fp16Zlib;
    // The delta codec's uploads (docs/method.md): with error feedback each site adds the
    // quantisation error of its previous upload to the next (encodeDeltaWithFeedback) at the
    // coarse step kDeltaStepPerRms; without, the near-lossless step. deltaStepPerRms >= 0
    // sets the step either way. The broadcast keeps the near-lossless step.
    bool deltaErrorFeedback = false;
    double deltaStepPerRms = -1;
    // > 0: every delta upload is at most this many bytes (encodeDeltaWithinBudget from the step
    // above); 0: no budget.
    std::size_t deltaBudgetBytes = 0;
    bool sampleWeightedAggregation = true;  // false: uniform 1/K as in the released code
};


struct RoundSummary {
    int round = 0;  // 1-based
    double meanValidationAccuracy = 0;
    double meanTrainingLoss = 0;
    double trainingSeconds = 0;       // local training of all sites
    double communicationSeconds = 0;  // encode, decode, aggregate, broadcast
    std::size_t uploadBytesPerSite = 0;   // the largest site's upload
    std::size_t uploadBytesAllSites = 0;  // every site's upload, summed
    std::size_t downloadBytes = 0;
    std::vector<double> famKeepRatios;        // per FAM layer, mean over the training sites
    std::vector<double> globalFamKeepRatios;  // per FAM layer, of the server's average
    double largestDeltaStepPerRms = 0;        // delta uploads: the coarsest step a site used
    // Site 1's upload of this round under every codec (name, bytes); the delta codec against
    // the global FAM the site received before this round.
    std::vector<std::pair<std::string, std::size_t>> uploadBytesByCodec;
};

struct SiteSummary {
    std::string site;
    int trainImages = 0, validationImages = 0, testImages = 0;
    ClassificationMetrics untrained;  // the initial model, before any round
    ClassificationMetrics test;       // best round, the method's prediction (FedMedCLIP: ensemble)
    ClassificationMetrics testFamOnly;  // best round, each branch on its own
    ClassificationMetrics testMlpOnly;
};

struct SimulationResult {
    std::vector<std::string> classNames;
    std::string bundleName;
    bool demoBundle = false;
    std::vector<SiteSummary> sites;
    bool hasHeldOut = false;
    SiteSummary heldOut;  // shared model only (FedMedCLIP: the global FAM)
    std::vector<RoundSummary> rounds;
    int bestRound = 0;
    double meanTestAccuracy = 0;  // over training sites, best round
    double meanTestBalancedAccuracy = 0;
    double meanTestMacroF1 = 0;
    double featureExtractionSeconds = 0;
    int imagesEncoded = 0, imagesFromCache = 0;
    std::vector<std::string> skippedFiles;  // "path: reason"
    std::vector<std::string> notes;         // e.g. classes left out of the task
    std::string method;
    std::string codec;  // "none" for methods that send nothing
    // The delta codec's uploads only (SimulationConfig): error feedback, and the step per RMS.
    std::optional<bool> deltaErrorFeedback;
    double deltaStepPerRms = 0;
    std::size_t deltaBudgetBytes = 0;
    long long peakResidentBytes = 0;
    // The final shared model encoded with every reference-free codec (empty for methods that
    // send nothing).
    std::vector<std::pair<std::string, std::size_t>> finalUploadBytesByCodec;
};

struct SimulationProgress {
    std::string stage;  // "features", "rounds"
    int done = 0, total = 0;
    const RoundSummary* round = nullptr;  // set after each round
};
using SimulationProgressCallback = std::function<void(const SimulationProgress&)>;

SimulationResult runSimulation(const SimulationConfig& config, const SimulationProgressCallback& progress = {},
                               const std::atomic<bool>* cancel = nullptr);

// Site 1's upload under each codec, mean over the rounds (empty for methods that send nothing).
std::map<std::string, double> meanUploadBytesByCodec(const SimulationResult& result);

// Terminal table, and the files <prefix>.json / <prefix>.csv.
std::string formatResultTable(const SimulationResult& result);
void writeResultFiles(const SimulationResult& result, const std::string& pathPrefix);

}  // namespace fmc
