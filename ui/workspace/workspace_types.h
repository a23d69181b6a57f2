#pragma once
// Plain records the pages exchange with a workspace (the site store). Qt value types only,
// so models, charts and tests can hold them without any storage or engine header.
#include "engine/fedmedclip_site.h"
#include "imaging/image_loader.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

#include <optional>

namespace fmc::ui {

// Split names used in the store and shown (translated) in the UI.
inline const QString kSplitTrain = QStringLiteral("train");
inline const QString kSplitValidation = QStringLiteral("validation");
inline const QString kSplitTest = QStringLiteral("test");

inline const QString kModalityPhoto = QStringLiteral("photo");
inline const QString kModalityDicom = QStringLiteral("DICOM");

struct ImageEntry {
    qint64 id = 0;
    QString path;         // where the image was imported from
    QString label;        // the site's local label; empty: unlabelled
    QString modality;     // kModalityPhoto or kModalityDicom (or the DICOM modality, e.g. "CT")
    QString split;        // kSplitTrain / kSplitValidation / kSplitTest
    QString site;         // the acquiring site or device, when known
    QString contentHash;  // SHA-256 of the file's bytes (duplicates are recognised by it)
    int width = 0;
    int height = 0;
    // DICOM InstanceNumber, the image's place in its series; nullopt for photos, files
    // without one and images imported before the store kept it.
    std::optional<int> instanceNumber;
};

struct ImportFailure {
    QString path;
    QString reason;  // plain words, e.g. "not an image file" or the decoder's message
};

enum class LabelSource {
    None,            // imported unlabelled
    FolderName,      // the name of the folder holding the file
    Csv,             // a labels CSV (see ImportRequest::csv)
    DicomAttribute,  // ImportRequest::dicomKeyword of each DICOM file, e.g. BodyPartExamined
};

// How a labels CSV is read: which column names the file (its values turned into paths by
// pathFormat, "{}" standing for the value) and which holds the label.
struct CsvLabels {
    QString csvPath;
    QString pathColumn = QStringLiteral("path");
    QString labelColumn = QStringLiteral("label");
    QString pathFormat = QStringLiteral("{}");
};

struct ImportRequest {
    QStringList paths;  // files and folders (folders are searched recursively)
    LabelSource labelSource = LabelSource::FolderName;
    CsvLabels csv;         // LabelSource::Csv
    QString dicomKeyword;  // LabelSource::DicomAttribute
    QString site;       // stored with every imported image
};

struct ImportReport {
    int filesSeen = 0;
    int imported = 0;
    int duplicates = 0;  // same content as an image already in the workspace
    QList<ImportFailure> failures;
    bool cancelled = false;
};

// One training round as the history page shows it. Metrics are on the site's own
// validation images; federationAccuracy is the coordinator's (mean over sites) where known.
struct HistoryRow {
    QString runId;
    QString runKind;  // kRunLocal or kRunFederated
    int round = 0;    // 1-based
    double loss = 0;
    double accuracy = 0;
    double balancedAccuracy = 0;
    double macroF1 = 0;
    double federationAccuracy = -1;  // < 0: not reported
    qint64 bytesSent = 0;
    qint64 bytesReceived = 0;
    double seconds = 0;
    QVector<double> perClassRecall;  // in the order of the run's class names
    QDateTime finishedAt;
};

inline const QString kRunLocal = QStringLiteral("local");
inline const QString kRunFederated = QStringLiteral("federated");

// Where a run stopped before its end (a federation goes on in the same run afterwards).
struct RunInterruption {
    enum class Reason { Cancelled, Failed, Stopped };  // Stopped: the app was closed or stopped while it ran
    Reason reason = Reason::Cancelled;
    int afterRound = 0;  // the last round recorded before it
    QDateTime at;        // local time
};

inline const QString kRunRunning = QStringLiteral("running");
inline const QString kRunFinished = QStringLiteral("finished");
inline const QString kRunCancelled = QStringLiteral("cancelled");  // also after a stop, until resumed
inline const QString kRunFailed = QStringLiteral("failed");

struct TrainingRun {
    QString id;
    QString kind;  // kRunLocal or kRunFederated
    QDateTime startedAt;
    QStringList classNames;
    QString description;  // e.g. "demo federation, 3 sites"
    // What the workspace says of it (read back from the store; ignored by addRun).
    QString status = kRunRunning;           // kRunRunning, kRunFinished, kRunCancelled or kRunFailed
    QList<RunInterruption> interruptions = {};  // oldest first
};

struct PredictionRecord {
    qint64 imageId = 0;  // 0: an image that is not in the workspace
    QString imagePath;
    QString modelVersion;  // "": the zero-shot shared FAM of a site that has not trained
    QStringList classNames;
    QVector<double> probabilities;  // ensemble, same order as classNames
    QDateTime madeAt;
    QString bundleHash;  // of the model bundle that made it
    // The model in words, e.g. "zero-shot shared FAM, bundle 1a2b3c4d5e6f"; written by the
    // workspace when saving.
    QString modelDescription;
    QVector<double> famOnly, mlpOnly;  // mlpOnly empty without an MLP
    // What the Classify page showed with it (site/prediction_details.h stores it as the CLI's
    // predict does): calibrated or raw scores, the prediction set, the out-of-distribution
    // verdict with the image-kind check and the novelty flag, branch disagreement.
    bool calibrated = false;
    QStringList predictionSet;  // class names, most probable first; empty when uncalibrated
    double coverage = 0;        // the set's target (0: no set)
    bool outOfDistribution = false;
    QStringList outOfDistributionReasons;  // English, as stored
    QStringList domainMismatches;          // English: the image-kind check alone
    bool novelFeature = false;
    bool branchDisagreement = false;
    bool noBetterThanChance = false;
    qint64 id = 0;  // the workspace's id for a saved prediction; 0 before saving
};

// "zero-shot shared FAM, bundle <first 12 hex of the bundle hash>": what predicts before
// the site trained. Stored with the prediction, so it stays in English like the store.
QString zeroShotModelDescription(const QString& bundleHash);

// What the federation setup wizard stores in the workspace.
struct FederationSetup {
    QString coordinatorUrl;
    QString federationId;
    QString federationName;
    QString certificateSha256;  // the fingerprint the site admin confirmed; "" when the CA is trusted
    QString caCertificatesPem;  // the federation's CA certificate(s) the site trusts instead
    QStringList classNames;     // the federation's classes, in its order
    QString promptTemplate;
    QMap<QString, QString> labelMapping;  // local label -> federation class ("" = not used)
    QString bundleName;
    QString bundleHash;
    QString siteId;
    QString credential;  // the site's own token from enrollment
    QDateTime completedAt;

    bool isComplete() const { return !coordinatorUrl.isEmpty() && !bundleHash.isEmpty() && completedAt.isValid(); }
};

// How both workspace kinds store a setup.
QJsonObject federationSetupToJson(const FederationSetup& setup);
FederationSetup federationSetupFromJson(const QJsonObject& json);

inline const QString kDefaultPromptTemplate = QStringLiteral("a picture of a {}");

struct TrainingConfig {
    QString bundleDirectory;
    QString device = QStringLiteral("cpu");
    int threads = 0;
    int rounds = 20;
    ImageLimits limits;
    QString promptTemplate = kDefaultPromptTemplate;
    std::uint64_t seed = 1;
    // The method's options (docs/method.md): the defaults unless a test or tool sets them.
    FedMedClipOptions method;
};

struct TrainingOutcome {
    QString runId;
    int roundsDone = 0;
    int bestRound = 0;  // the round whose model was kept
    double bestBalancedAccuracy = 0;
    // The kept model evaluated once on the test split, which played no part in choosing it
    // (testImages 0: not evaluated).
    int testImages = 0;
    double testAccuracy = 0, testBalancedAccuracy = 0;
    bool chosenOnTestSplit = false;  // no validation split: the round was chosen on test
    QStringList unreadableImages;
};

}  // namespace fmc::ui

Q_DECLARE_METATYPE(fmc::ui::TrainingOutcome)
Q_DECLARE_METATYPE(fmc::ui::HistoryRow)
Q_DECLARE_METATYPE(fmc::ui::ImportReport)
