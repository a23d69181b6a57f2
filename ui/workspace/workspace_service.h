#pragma once
// What the pages need from a site workspace (the site store): images and labels, import,
// training runs and their rounds, predictions, the federation setup and the site model.
// SiteStoreWorkspace implements it over the SQLite site store (core/site); DemoWorkspace's
// data is a site store too, so the pages never depend on how it is stored.
//
// Thread rules: every method may be called from any thread (implementations lock); the
// signals are emitted from the thread that made the change and reach GUI receivers queued.
#include "common/model_calibration.h"
#include "common/types.h"
#include "imaging/image_loader.h"
#include "pacs/structured_report.h"
#include "workspace/workspace_types.h"

#include <QHash>
#include <QObject>

#include <atomic>
#include <functional>
#include <memory>

namespace fmc::ui {

class TaskContext;

// The distinct labels of `images`, sorted.
QStringList distinctLabels(const QList<ImageEntry>& images);

class WorkspaceService : public QObject {
    Q_OBJECT
public:
    // done, total, the file being looked at
    using ImportProgress = std::function<void(int, int, const QString&)>;

    using QObject::QObject;

    virtual QString rootPath() const = 0;
    virtual QString displayName() const = 0;

    virtual QList<ImageEntry> images() const = 0;
    // Imports files and folders; a file that cannot be used is listed in the report with its
    // reason and never stops the others. Safe to call from a worker thread.
    virtual ImportReport importImages(const ImportRequest& request, const ImageLimits& limits,
                                      const ImportProgress& progress, const std::atomic<bool>* cancel) = 0;
    // Throws fmc::Error naming the image id when there is no such image.
    virtual void setLabel(qint64 imageId, const QString& label) = 0;
    // Takes images out of the workspace; their files on disk are never touched. What they
    // were (label, split, DICOM attributes) is kept for restoreImages() until the
    // workspace is closed. Unknown ids are ignored.
    virtual void removeImages(const QList<qint64>& imageIds) = 0;
    // Puts images removed in this session back, as they were (the undo of a removal).
    // Throws fmc::Error when one cannot be restored (e.g. the same file was imported again).
    virtual void restoreImages(const QList<qint64>& imageIds) = 0;
    // The DICOM attributes of an image the site keeps for its local browser and viewer
    // (patient, study, series, instance); empty for photos and where none are kept.
    // Patient-identifying: show them on this computer only, never log them.
    virtual QMap<QString, QString> dicomAttributes(qint64 imageId) const;

    // The classes this site trains and predicts: the federation's once joined, otherwise
    // the workspace's own (by default the local labels, sorted).
    virtual QStringList classNames() const = 0;
    virtual void setClassNames(const QStringList& classNames) = 0;

    // The model bundle this workspace was set up with ("" when none).
    virtual QString bundleDirectory() const = 0;
    virtual void setBundleDirectory(const QString& directory) = 0;
    virtual bool isDemo() const = 0;
    virtual void setDemo(bool demo) = 0;

    virtual QList<TrainingRun> runs() const = 0;  // oldest first
    // Records a new run and returns the id its rounds are recorded under (the store may
    // assign its own instead of run.id).
    virtual QString addRun(const TrainingRun& run) = 0;
    // A run ends with finishRun(). One that stops before its end is interrupted (recorded
    // after its last round; the store marks it cancelled or failed) and may be resumed
    // later, as a federation is. Runs this workspace started or resumed that are still
    // running when it closes are marked stopped. Unknown ids throw fmc::Error.
    virtual void finishRun(const QString& runId) = 0;
    virtual void interruptRun(const QString& runId, RunInterruption::Reason reason) = 0;
    virtual void resumeRun(const QString& runId) = 0;
    // The run a federation's rounds go into ("" when none yet); one per federation, shared
    // with `fedmedclip-cli site run` on the same workspace.
    virtual QString federationRun(const QString& federationId) const = 0;
    virtual void setFederationRun(const QString& federationId, const QString& runId) = 0;
    virtual QList<HistoryRow> history(const QString& runId) const = 0;  // by round
    virtual void appendHistory(const HistoryRow& row) = 0;

    virtual void savePrediction(const PredictionRecord& prediction) = 0;
    virtual QList<PredictionRecord> predictions() const = 0;
    // A saved prediction as a DICOM Comprehensive SR (pacs::buildStructuredReport). Throws
    // fmc::Error naming the prediction or the image (an SR can reference DICOM images only).
    virtual pacs::StructuredReport predictionReport(qint64 predictionId) const = 0;

    virtual FederationSetup federationSetup() const = 0;
    virtual void saveFederationSetup(const FederationSetup& setup) = 0;

    // The site's trained model (FAM and private MLP, FedMedClipSite::fullState()); empty
    // when it has not been trained. The version names it in saved predictions.
    virtual ParameterSet siteModel() const = 0;
    virtual QString siteModelVersion() const = 0;
    // `calibration` (may be null: none) is stored with the new version; an image domain it
    // leaves empty becomes the kind seen in the workspace's training images.
    virtual void saveSiteModel(const ParameterSet& state, const QStringList& classNames,
                               const ModelCalibration* calibration) = 0;
    virtual QStringList siteModelClassNames() const = 0;
    // The calibration and model card stored with the site model's version; null when the
    // workspace keeps none (a folder workspace, a model trained before calibration).
    virtual std::shared_ptr<const ModelCalibration> siteModelCalibration() const { return nullptr; }

    // Trains the site's model on its labelled images, records the run and every round
    // (reported to `context` as HistoryRow partial results) and keeps the best round's
    // model. Throws fmc::Error in plain words when there is too little labelled data.
    virtual TrainingOutcome trainLocally(const TrainingConfig& config, TaskContext& context) = 0;

    // Where frozen-encoder features of this workspace's images are cached.
    virtual QString featureCacheDirectory() const = 0;

    // Distinct labels of the images, sorted (distinctLabels); helpers over images().
    QStringList localLabels() const;
    // Local label -> class index in classNames(), through the federation's label mapping
    // when there is one; labels that map to no class are absent.
    QHash<QString, int> classIndexOfLabels() const;

signals:
    void imagesChanged();
    void historyChanged();
    void predictionsChanged();
    void federationSetupChanged();
    void siteModelChanged();
};

}  // namespace fmc::ui
