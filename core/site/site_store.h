#pragma once
// A site workspace's SQLite database (<workspace>/workspace.sqlite): the images the site
// imported, their labels and splits, per-file import problems, label sets and the mapping
// of local label names to the federation's class names, cached frozen-encoder features per
// bundle, training runs with every round's metrics, model versions (their parameter files
// live in <workspace>/models/) with their calibration and model card, and the predictions
// clinicians made.
//
// Rules the store keeps:
//  * WAL journal, foreign keys on, a busy timeout: the desktop app and the CLI may have the
//    same workspace open; a second writer waits instead of failing.
//  * The schema has a version and forward migrations (siteStoreMigrations()).
//  * Every change that touches more than one row runs in one transaction, so a process
//    killed at any moment leaves either all of it or none of it.
//  * Values only ever reach SQL through bound parameters.
//  * Patient-identifying DICOM attributes (and the instance UIDs) are kept in their own
//    table, image_identifiers, and never copied into any other table, message or report.
//
// One SiteStore is one connection: use it from one thread at a time (open another store on
// the same file for another thread or process).
//
// No sqlite3, torch or Qt types here; see site/sqlite.h for the connection wrapper.
#include "common/model_calibration.h"
#include "common/types.h"
#include "site/migrations.h"
#include "site/sqlite.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fmc {

constexpr const char* kWorkspaceDatabaseFileName = "workspace.sqlite";

// The database schema, oldest first. Never edit a released migration; append a new one.
const std::vector<sqlite::Migration>& siteStoreMigrations();

enum class Split { Train, Validation, Test };
const char* splitName(Split split);  // "train", "validation", "test"
// Case-insensitive: train/training, val/valid/validation, test/testing. nullopt otherwise.
std::optional<Split> parseSplit(const std::string& text);

enum class ImageFileKind { Photo, Dicom };
const char* imageFileKindName(ImageFileKind kind);  // "photo", "dicom"

// One sample as the importer stores it: a photo, or one frame of a DICOM file.
struct NewImage {
    std::string sourcePath;   // absolute
    int frame = 0;            // DICOM frame number (0-based); 0 for photos
    std::string contentHash;  // SHA-256 of the file's bytes
    std::string pixelHash;    // SHA-256 of the decoded 8-bit RGB sample (see importer.h)
    ImageFileKind kind = ImageFileKind::Photo;
    std::string modality;     // DICOM Modality; "" for photos
    int width = 0;
    int height = 0;
    std::optional<std::string> label;  // the site's own label name; nullopt: unlabelled
    Split split = Split::Train;
    std::string site;         // e.g. the acquiring centre from a CSV; "" when unknown
    std::optional<int> instanceNumber;  // DICOM InstanceNumber (the image's place in its series)
    // Patient-identifying attributes (DICOM keyword -> value), stored in image_identifiers only.
    std::map<std::string, std::string> identifying;
};

struct StoredImage {
    std::int64_t id = 0;
    std::string sourcePath;
    int frame = 0;
    std::string contentHash;
    std::string pixelHash;
    ImageFileKind kind = ImageFileKind::Photo;
    std::string modality;
    int width = 0;
    int height = 0;
    std::optional<std::string> label;
    Split split = Split::Train;
    std::string site;
    std::int64_t importRunId = 0;
    std::string importedAt;  // ISO 8601 UTC
    bool readable = true;    // false once the source file vanished or changed after import
    std::string error;       // why it is not readable
    // DICOM InstanceNumber; nullopt for photos, files without one and images imported
    // before the store kept it (schema 6).
    std::optional<int> instanceNumber;
};

struct ImageFilter {
    std::optional<Split> split;
    bool labelledOnly = false;
    bool readableOnly = true;
};

// A file the importer did not turn into images.
struct ImportIssue {
    enum class Outcome { Duplicate, Skipped, Error };
    std::string sourcePath;
    Outcome outcome = Outcome::Error;
    std::string errorClass;  // e.g. "Truncated", "NotAnImage", "TooLarge", "DuplicatePixels"
    std::string reason;      // names the file and what is wrong; nothing patient-identifying
};
const char* importIssueOutcomeName(ImportIssue::Outcome outcome);  // "duplicate", "skipped", "error"

struct ImportRunCounts {
    int files = 0, imported = 0, alreadyImported = 0, duplicates = 0, skipped = 0, errors = 0;
    int samples = 0;  // image rows added (a multi-frame DICOM may add several)
};

struct ImportRun {
    std::int64_t id = 0;
    std::string startedAt;
    std::optional<std::string> finishedAt;  // nullopt: running, or killed before it finished
    std::string labelSource;
    bool cancelled = false;
    ImportRunCounts counts;
};

struct TrainingRunInfo {
    std::string kind = "local";  // "local" or "federated"
    std::string bundleHash;
    std::vector<std::string> classes;
    std::string optionsJson = "{}";
    int trainImages = 0;
    int evaluationImages = 0;
    std::string evaluationSplit;  // "test", "validation" or "" when nothing was held out
};

struct RoundMetrics {
    int round = 0;  // 1-based
    double loss = 0;
    // Of the ensemble on the evaluation split; nullopt when there is none.
    std::optional<double> accuracy, balancedAccuracy, macroF1;
    std::int64_t bytesSent = 0, bytesReceived = 0;
    double seconds = 0;
    // Of the ensemble per class, in the run's class order; nullopt for a class without
    // evaluation images. Empty when the round was not evaluated per class.
    std::vector<std::optional<double>> perClassRecall;
};

// Where a run stopped before it finished; a run may be resumed after each.
struct TrainingRunInterruption {
    std::string reason;  // "cancelled", "failed", or "stopped" (closed without a word: quit, crash, kill)
    int afterRound = 0;  // the last round recorded before it (0: none)
    std::string at;      // ISO 8601 UTC
};

struct TrainingRun {
    std::int64_t id = 0;
    TrainingRunInfo info;
    // "running" (or killed while running), "finished", "cancelled" (also after a stop, until
    // resumed), "failed"
    std::string status;
    std::string startedAt;
    std::optional<std::string> finishedAt;
    std::vector<RoundMetrics> rounds;
    std::vector<TrainingRunInterruption> interruptions;  // oldest first
};

enum class ModelVersionKind { GlobalFam, LocalCheckpoint };
const char* modelVersionKindName(ModelVersionKind kind);  // "global-fam", "local-checkpoint"

struct ModelVersion {
    std::int64_t id = 0;
    ModelVersionKind kind = ModelVersionKind::LocalCheckpoint;
    std::string fileName;  // inside <workspace>/models/
    std::string sha256;    // of the file
    std::int64_t bytes = 0;
    std::string bundleHash;
    std::vector<std::string> classes;
    std::string promptTemplate;
    std::string optionsJson = "{}";  // the architecture switches needed to rebuild the model
    std::optional<std::int64_t> trainingRunId;
    std::optional<int> round;        // local checkpoints: the run's round; global FAMs: the federation's
    std::string source;              // "train-local", or the coordinator a global FAM came from
    std::string createdAt;
};

struct StoredPrediction {
    std::int64_t id = 0;
    std::optional<std::int64_t> imageId;  // set when the file is one of the workspace's images
    std::string sourcePath;
    std::string contentHash;
    // The stored model that made it; nullopt for a model without a version (the zero-shot
    // shared FAM of a site that has not trained yet).
    std::optional<std::int64_t> modelVersionId;
    std::string modelDescription;  // in words, e.g. "model version 3" or "zero-shot FAM, bundle 1a2b3c4d5e6f"
    std::string predictedClass;
    std::string probabilitiesJson;  // {"classes":[...],"ensemble":[...],"fam_only":[...],"mlp_only":[...]}
    double ensembleEntropy = 0;
    std::string madeBy;
    std::string createdAt;
};

struct StoreSummary {
    int images = 0, labelled = 0, unreadable = 0;
    std::map<std::string, int> perLabel;  // local label -> images ("" for unlabelled)
    std::map<std::string, int> perSplit;
    int importRuns = 0, interruptedImportRuns = 0;
    int importIssues = 0;      // problem rows of all import runs (a file reported by two runs: two rows)
    int filesNotImported = 0;  // distinct files with a problem row that are not among the images
    int trainingRuns = 0, modelVersions = 0, predictions = 0;
    std::map<std::string, int> featuresPerBundle;  // bundle hash -> cached feature vectors
};

// Rounds every value to what storeFeatures() keeps (the nearest half-precision value).
void roundToStoredFeaturePrecision(FloatMatrix& features);

class SiteStore {
public:
    // Opens or creates the database and applies pending migrations. Throws fmc::Error
    // naming the file when it is not a database, is newer than this program, or is locked
    // beyond the busy timeout.
    static SiteStore open(const std::string& databasePath);

    SiteStore(SiteStore&&) noexcept = default;
    SiteStore& operator=(SiteStore&&) noexcept = default;

    const std::string& path() const { return database_.path(); }
    int schemaVersion();

    // Key/value settings (federation setup, bundle folder, import limits, ...).
    std::optional<std::string> setting(const std::string& key);
    void setSetting(const std::string& key, const std::string& value);
    void removeSetting(const std::string& key);

    // Import runs: begun before the first file, finished after the last. A run that was
    // killed keeps finishedAt empty, so status shows it as interrupted.
    std::int64_t beginImportRun(const std::string& labelSource);
    void finishImportRun(std::int64_t runId, const ImportRunCounts& counts, bool cancelled);
    std::vector<ImportRun> importRuns();

    // All samples of one file, with their identifying attributes, in one transaction; a
    // pixel hash or (path, frame) already present is an fmc::Error and nothing is added.
    std::vector<std::int64_t> addImages(std::int64_t importRunId, const std::vector<NewImage>& samples);
    // A file that changed since it was imported: its old rows go and the new ones come in
    // one transaction.
    std::vector<std::int64_t> replaceImagesOfFile(std::int64_t importRunId, const std::string& sourcePath,
                                                  const std::vector<NewImage>& samples);
    std::optional<StoredImage> imageByPixelHash(const std::string& pixelHash);
    std::optional<StoredImage> imageBySource(const std::string& sourcePath, int frame);
    std::vector<StoredImage> imagesOfFile(const std::string& sourcePath);
    std::vector<StoredImage> images(const ImageFilter& filter = {});
    int imageCount();
    // Updates label, split and site of every sample of a file (a re-import with labels);
    // split nullopt keeps each row's own. Returns the number of rows whose values changed.
    int relabelFile(const std::string& sourcePath, const std::optional<std::string>& label, std::optional<Split> split,
                    const std::string& site);
    void markImageUnreadable(std::int64_t imageId, const std::string& reason);
    void markImageReadable(std::int64_t imageId);
    // The identifying attributes of one image (for the local viewer; never exported).
    std::map<std::string, std::string> identifyingAttributes(std::int64_t imageId);

    void addImportIssue(std::int64_t importRunId, const ImportIssue& issue);
    std::vector<ImportIssue> importIssues(std::int64_t importRunId);

    // Local label name -> federation class name. Unmapped labels keep their own name.
    void setLabelMappings(const std::map<std::string, std::string>& localToFederation);
    std::map<std::string, std::string> labelMappings();
    std::string federationClassOf(const std::string& localLabel);

    // Ordered class lists (e.g. the federation's classes). Saving an existing name replaces
    // its classes.
    void saveLabelSet(const std::string& name, const std::vector<std::string>& classes);
    std::optional<std::vector<std::string>> labelSet(const std::string& name);
    std::vector<std::string> labelSetNames();

    // Cached frozen-encoder features, keyed by (content hash, frame, bundle hash), stored as
    // IEEE 754 half precision (2 bytes a value; a relative rounding error of at most 2^-11).
    // Callers that use freshly encoded features next to cached ones round them first with
    // roundToStoredFeaturePrecision(), so a run computes the same whether or not the cache was warm.
    struct FeatureKey {
        std::string contentHash;
        int frame = 0;
    };
    std::optional<std::vector<float>> feature(const FeatureKey& key, const std::string& bundleHash);
    // One transaction for the whole batch; existing keys are left as they are.
    void storeFeatures(const std::string& bundleHash, const std::vector<FeatureKey>& keys, const FloatMatrix& features);

    std::int64_t beginTrainingRun(const TrainingRunInfo& info);
    void recordRound(std::int64_t runId, const RoundMetrics& metrics);
    void finishTrainingRun(std::int64_t runId, const std::string& status);
    // A run that stopped before its end and may go on later (a federation): records the
    // interruption ("cancelled", "failed" or "stopped") after the last recorded round and
    // sets the status to "failed", or "cancelled" for the other two. Throws fmc::Error for an
    // unknown run or reason, or a finished run.
    void interruptTrainingRun(std::int64_t runId, const std::string& reason);
    // The run goes on (status "running" again). A run the store still has as running was
    // left without a word: a "stopped" interruption is recorded after its last round first.
    void resumeTrainingRun(std::int64_t runId);
    std::optional<TrainingRun> trainingRun(std::int64_t runId);
    std::vector<TrainingRun> trainingRuns();

    // Metadata only: SiteWorkspace writes the file first (atomically), then calls this.
    std::int64_t addModelVersion(const ModelVersion& version);
    std::optional<ModelVersion> modelVersion(std::int64_t id);
    std::optional<ModelVersion> latestModelVersion(ModelVersionKind kind);
    std::vector<ModelVersion> modelVersions();

    // The calibration and model card fitted for a model version (replacing an earlier one),
    // the novelty reference included. nullopt: the version was never calibrated.
    void setModelCalibration(std::int64_t modelVersionId, const ModelCalibration& calibration);
    std::optional<ModelCalibration> modelCalibration(std::int64_t modelVersionId);

    std::int64_t addPrediction(const StoredPrediction& prediction);
    std::vector<StoredPrediction> predictions();

    StoreSummary summary();

    // Health checks, for status and tests.
    std::string integrityCheck();                    // "ok" when healthy
    std::vector<std::string> foreignKeyViolations();  // "table row rowid -> parent"
    std::string journalMode();
    bool foreignKeysEnabled();

    // The connection itself, for tests and tools that need SQL the API does not offer.
    sqlite::Database& database() { return database_; }

private:
    explicit SiteStore(sqlite::Database database);
    std::vector<std::int64_t> insertImages(std::int64_t importRunId, const std::vector<NewImage>& samples);

    sqlite::Database database_;
};

}  // namespace fmc
