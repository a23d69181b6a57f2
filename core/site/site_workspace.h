#pragma once
// A site workspace: a folder with the site's store (workspace.sqlite) and its model files
// (models/). What the CLI's import / status / train-local / predict commands and the
// desktop app do with a site's data:
//
//   <workspace>/workspace.sqlite   SiteStore
//   <workspace>/models/            parameter files of model versions (fmc codec, fp32),
//                                  written to a temporary file, synced, then renamed
//
// Training and prediction run on frozen-encoder features of the workspace's images, cached
// in the store per bundle hash, so each image is encoded once per bundle.
#include "common/metrics.h"
#include "engine/fedmedclip_site.h"
#include "site/importer.h"
#include "site/site_store.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fmc {

class ModelBundle;

constexpr const char* kWorkspaceModelsFolderName = "models";

// Settings keys of the store that the workspace reads.
namespace settings {
constexpr const char* kBundleDir = "bundle.dir";
constexpr const char* kBundleHash = "bundle.hash";
constexpr const char* kBundleName = "bundle.name";        // the manifest's name and version, for reports
constexpr const char* kBundleVersion = "bundle.version";
constexpr const char* kPromptTemplate = "training.prompt_template";
constexpr const char* kLabelSet = "training.label_set";  // name of the label set to train on
constexpr const char* kMaxFileBytes = "import.max_file_bytes";
constexpr const char* kMaxPixels = "import.max_pixels";
constexpr const char* kConformalCoverage = "calibration.coverage";  // e.g. "0.9"
}  // namespace settings

constexpr const char* kDefaultPromptTemplate = "a picture of a {}";

struct FeatureExtractionSummary {
    int images = 0;
    int fromCache = 0;
    int encoded = 0;
    int failed = 0;                   // marked unreadable in the store
    std::vector<std::string> errors;  // "path: reason"
    std::vector<std::int64_t> failedImageIds;
    double seconds = 0;
};

struct LocalTrainingConfig {
    std::string bundleDir;  // empty: the workspace's bundle setting
    int rounds = 10;
    std::uint64_t seed = 1;
    FedMedClipOptions options;
    std::string device = "cpu";
};

struct LocalTrainingProgress {
    std::string stage;  // "features" or "rounds"
    int done = 0, total = 0;
    const RoundMetrics* round = nullptr;  // after each round
};
using LocalTrainingProgressCallback = std::function<void(const LocalTrainingProgress&)>;

struct LocalTrainingResult {
    std::int64_t trainingRunId = 0;
    std::int64_t modelVersionId = 0;
    std::vector<std::string> classes;  // federation class names, the model's output order
    int trainImages = 0;
    int evaluationImages = 0;
    std::string evaluationSplit;  // "validation", "test" or "" when none was available
    std::vector<RoundMetrics> rounds;
    // The round whose model was saved: the highest balanced accuracy on the evaluation
    // split (the later round on a tie), or the last round when nothing was evaluated.
    int keptRound = 0;
    // No validation split, so the rounds were evaluated on the test split and the kept round
    // chosen on it: its test figures are optimistic, not an estimate for new images.
    bool keptRoundChosenOnTestSplit = false;
    // The kept model evaluated once on the test split after training, when the kept round was
    // chosen on a validation split and there are readable labelled test images (numSamples:
    // how many). Not a round: it plays no part in choosing the kept round.
    std::optional<ClassificationMetrics> keptModelOnTest;
    FeatureExtractionSummary features;
    std::vector<std::string> notes;  // e.g. labels left out because no class matches
    bool demoBundle = false;
    // Fitted on the validation split and stored with the model version (nothing is fitted
    // without one: calibration->notes says so).
    std::optional<ModelCalibration> calibration;
};

struct ImagePrediction {
    std::int64_t predictionId = 0;
    std::int64_t modelVersionId = 0;
    std::optional<std::int64_t> imageId;  // when the file is one of the workspace's images
    std::vector<std::string> classes;
    std::vector<float> ensemble, famOnly, mlpOnly;  // per class; mlpOnly empty without an MLP
    float ensembleEntropy = 0, famEntropy = 0, mlpEntropy = 0;  // natural log
    std::string predictedClass;
    bool demoBundle = false;
    // The probabilities above are calibrated (temperature per view) when the version is.
    bool calibrated = false;
    std::vector<std::string> predictionSet;  // of the ensemble, most probable first; empty uncalibrated
    double coverage = 0;                     // the set's target coverage (0: no set)
    bool largePredictionSet = false;
    bool outOfDistribution = false;
    std::vector<std::string> outOfDistributionReasons;  // plain English
    std::optional<double> noveltyScore;
    bool branchDisagreement = false;  // FAM and MLP name different classes
    bool noBetterThanChance = false;  // the model, on its validation split
    std::optional<ModelCalibration> calibration;  // the version's, with its model card
};

class SiteWorkspace {
public:
    // Opens the workspace in `folder`, creating the folder, the store and models/ if needed.
    static SiteWorkspace open(const std::string& folder);

    SiteWorkspace(SiteWorkspace&&) noexcept = default;
    SiteWorkspace& operator=(SiteWorkspace&&) noexcept = default;

    const std::string& folder() const { return folder_; }
    std::string modelsFolder() const;
    SiteStore& store() { return store_; }

    // Import limits, from the settings (ImageLimits' defaults where unset).
    ImageLimits imageLimits();
    void setImageLimits(const ImageLimits& limits);

    // Imports with the workspace's limits (options.limits is replaced by them).
    ImportReport importPaths(const std::vector<std::string>& paths, ImportOptions options,
                             const ImportProgressCallback& progress = {}, const std::atomic<bool>* cancel = nullptr);

    // Reads the bundle's manifest and remembers its folder and hash in the settings.
    void setBundle(const std::string& bundleDir);
    std::optional<std::string> bundleDir();

    // The class names local training uses: the label set named by settings::kLabelSet, or
    // else the sorted federation class names (after the label mapping) of the labelled images.
    std::vector<std::string> trainingClasses();

    // The labelled, readable images whose label maps (SiteStore::labelMappings; a label
    // without a mapping keeps its name) to one of `classes`, in the store's order.
    struct ImagesOfClasses {
        std::vector<StoredImage> images;
        std::vector<int> labels;             // index into `classes`, per image
        std::map<std::string, int> leftOut;  // local label that maps to none of them -> images
    };
    ImagesOfClasses imagesOfClasses(const std::vector<std::string>& classes);

    // Features of `images` from the store's cache, encoding the missing ones with `bundle`
    // (and caching them). Rows of images that cannot be read are zero, and those images are
    // marked unreadable in the store with the reason.
    FloatMatrix features(const ModelBundle& bundle, const std::vector<StoredImage>& images,
                         FeatureExtractionSummary& summary, const std::function<void(int, int)>& progress = {},
                         const std::atomic<bool>* cancel = nullptr);

    // Trains the site's FedMedCLIP model on its train split for config.rounds rounds,
    // records the run and each round's metrics and per-class recall (on the validation
    // split, or the test split when there is no validation split), and saves the best
    // round's state (see LocalTrainingResult::keptRound) as a local checkpoint model
    // version. With a validation split the kept model is then evaluated once on the test
    // split (LocalTrainingResult::keptModelOnTest). Throws fmc::Error when there is nothing
    // to train on.
    LocalTrainingResult trainLocal(const LocalTrainingConfig& config, const LocalTrainingProgressCallback& progress = {},
                                   const std::atomic<bool>* cancel = nullptr);

    // Predicts one image file (photo or DICOM, middle frame) with a model version (default:
    // the latest local checkpoint) and stores the prediction. The bundle must be the one
    // the model was trained with (bundleDir empty: the workspace's bundle).
    ImagePrediction predict(const std::string& imagePath, std::optional<std::int64_t> modelVersionId = std::nullopt,
                            const std::string& bundleDir = {}, const std::string& madeBy = {},
                            const std::string& device = "cpu");
    // Several files with one model load, in order; the first file that cannot be read throws
    // (naming it), keeping the predictions of the files before it.
    std::vector<ImagePrediction> predict(const std::vector<std::string>& imagePaths,
                                         std::optional<std::int64_t> modelVersionId = std::nullopt,
                                         const std::string& bundleDir = {}, const std::string& madeBy = {},
                                         const std::string& device = "cpu");

    // The coverage the site chose for prediction sets (settings::kConformalCoverage; 0.9 by default).
    double conformalCoverage();
    void setConformalCoverage(double coverage);

    // Writes `parameters` (fmc codec, fp32) atomically under models/ and records the version.
    std::int64_t saveModelVersion(ModelVersion version, const ParameterSet& parameters);
    // Reads a version's file, checks its SHA-256 and decodes it (fmc::Error naming the file).
    ParameterSet loadModelParameters(const ModelVersion& version);

private:
    SiteWorkspace(std::string folder, SiteStore store);

    std::string folder_;
    SiteStore store_;
};

// Every option a model version was trained with (ModelVersion::optionsJson), and back. A
// key left out keeps its default; an unknown key, a value of the wrong type or text that is
// not a JSON object is an fmc::Error that starts with `origin` and names the option.
std::string fedMedClipOptionsJson(const FedMedClipOptions& options);
FedMedClipOptions fedMedClipOptionsFromJson(const std::string& text, const std::string& origin);

// Writes `bytes` to `path` through a temporary file in the same folder: write, fsync,
// rename over `path`, fsync the folder. A crash leaves the old file or the new one, never
// a mix. Throws fmc::Error naming the path.
void writeFileAtomically(const std::string& path, const std::vector<std::uint8_t>& bytes);

}  // namespace fmc
