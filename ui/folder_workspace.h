#pragma once
// A workspace kept as a few JSON files in one folder, written atomically (QSaveFile):
//
//   <dir>/fedmedclip-workspace.json   name, classes, bundle, demo flag, federation setup
//   <dir>/images.json                 imported images (source path, hash, label, split, ...)
//   <dir>/history.json                training runs and every round's metrics
//   <dir>/predictions.json            predictions saved by clinicians
//   <dir>/model/site-model.fmcp       the site's FAM + MLP (fp32 codec payload)
//   <dir>/feature-cache/              frozen-encoder features per bundle
//
// Images are referenced where they were imported from, not copied. The split of an image
// follows from its content hash (60/20/20 train/validation/test), so it never depends on the
// order of imports.
#include "workspace_service.h"

#include <QMutex>

#include <memory>

namespace fmc::ui {

class FolderWorkspace : public WorkspaceService {
    Q_OBJECT
public:
    static constexpr const char* kMarkerFileName = "fedmedclip-workspace.json";

    // `directory` must be absent or empty. Throws fmc::Error naming the folder.
    static std::unique_ptr<FolderWorkspace> create(const QString& directory, const QString& name = {});
    // Throws fmc::Error naming the file when it is not a workspace or cannot be read.
    static std::unique_ptr<FolderWorkspace> open(const QString& directory);
    static bool isWorkspace(const QString& directory);

    QString rootPath() const override;
    QString displayName() const override;

    QList<ImageEntry> images() const override;
    ImportReport importImages(const ImportRequest& request, const ImageLimits& limits, const ImportProgress& progress,
                              const std::atomic<bool>* cancel) override;
    void setLabel(qint64 imageId, const QString& label) override;
    void removeImages(const QList<qint64>& imageIds) override;
    void restoreImages(const QList<qint64>& imageIds) override;

    QStringList classNames() const override;
    void setClassNames(const QStringList& classNames) override;
    QString bundleDirectory() const override;
    void setBundleDirectory(const QString& directory) override;
    bool isDemo() const override;
    void setDemo(bool demo) override;

    QList<TrainingRun> runs() const override;
    QString addRun(const TrainingRun& run) override;
    QList<HistoryRow> history(const QString& runId) const override;
    void appendHistory(const HistoryRow& row) override;

    void savePrediction(const PredictionRecord& prediction) override;
    QList<PredictionRecord> predictions() const override;

    FederationSetup federationSetup() const override;
    void saveFederationSetup(const FederationSetup& setup) override;

    ParameterSet siteModel() const override;
    QString siteModelVersion() const override;
    void saveSiteModel(const ParameterSet& state, const QStringList& classNames) override;
    QStringList siteModelClassNames() const override;

    TrainingOutcome trainLocally(const TrainingConfig& config, TaskContext& context) override;
    QString featureCacheDirectory() const override;

    // 0..9 from the content hash: 0-5 train, 6-7 validation, 8-9 test.
    static QString splitForHash(const QString& contentHash);

private:
    explicit FolderWorkspace(const QString& directory);
    void load();
    void saveMeta() const;
    void saveImages() const;
    void saveHistory() const;
    void savePredictions() const;

    mutable QMutex mutex_;
    QString root_;
    QString name_;
    QStringList classNames_;
    QString bundleDirectory_;
    bool demo_ = false;
    FederationSetup setup_;
    QString modelVersion_;
    QStringList modelClassNames_;
    QList<ImageEntry> images_;
    QHash<qint64, ImageEntry> removed_;  // this session's, for restoreImages()
    qint64 nextImageId_ = 1;
    QList<TrainingRun> runs_;
    QList<HistoryRow> rows_;
    QList<PredictionRecord> predictions_;
};

}  // namespace fmc::ui
