#pragma once
// WorkspaceService over the site's SQLite store (core/site): the same workspace folder the
// CLI's import / status / train-local / predict commands use. Quick calls go through one
// connection guarded by a mutex; imports and training open their own connection on the
// worker thread (the store runs in WAL mode), so the window never waits for them.
//
// What the store has no column for (the federation's accuracy of a round, the federation
// setup, the demo flag) is kept in the store's settings under "ui.*" keys.
#include "workspace/workspace_service.h"

#include <QHash>
#include <QMutex>

#include <memory>

namespace fmc {
class SiteWorkspace;
}

namespace fmc::ui {

class SiteStoreWorkspace : public WorkspaceService {
    Q_OBJECT
public:
    // `directory` must be absent or empty. Throws fmc::Error naming the folder.
    static std::unique_ptr<SiteStoreWorkspace> create(const QString& directory);
    // Throws fmc::Error naming the database when it is not a workspace or cannot be opened.
    static std::unique_ptr<SiteStoreWorkspace> open(const QString& directory);
    static bool isWorkspace(const QString& directory);
    ~SiteStoreWorkspace() override;

    QString rootPath() const override;
    QString displayName() const override;

    QList<ImageEntry> images() const override;
    ImportReport importImages(const ImportRequest& request, const ImageLimits& limits, const ImportProgress& progress,
                              const std::atomic<bool>* cancel) override;
    void setLabel(qint64 imageId, const QString& label) override;
    void removeImages(const QList<qint64>& imageIds) override;
    void restoreImages(const QList<qint64>& imageIds) override;
    QMap<QString, QString> dicomAttributes(qint64 imageId) const override;

    QStringList classNames() const override;
    void setClassNames(const QStringList& classNames) override;
    QString bundleDirectory() const override;
    void setBundleDirectory(const QString& directory) override;
    bool isDemo() const override;
    void setDemo(bool demo) override;

    QList<TrainingRun> runs() const override;
    QString addRun(const TrainingRun& run) override;
    void finishRun(const QString& runId) override;
    void interruptRun(const QString& runId, RunInterruption::Reason reason) override;
    void resumeRun(const QString& runId) override;
    QString federationRun(const QString& federationId) const override;
    void setFederationRun(const QString& federationId, const QString& runId) override;
    QList<HistoryRow> history(const QString& runId) const override;
    void appendHistory(const HistoryRow& row) override;

    void savePrediction(const PredictionRecord& prediction) override;
    QList<PredictionRecord> predictions() const override;
    pacs::StructuredReport predictionReport(qint64 predictionId) const override;

    FederationSetup federationSetup() const override;
    void saveFederationSetup(const FederationSetup& setup) override;

    ParameterSet siteModel() const override;
    QString siteModelVersion() const override;
    void saveSiteModel(const ParameterSet& state, const QStringList& classNames,
                       const ModelCalibration* calibration) override;
    QStringList siteModelClassNames() const override;
    std::shared_ptr<const ModelCalibration> siteModelCalibration() const override;

    TrainingOutcome trainLocally(const TrainingConfig& config, TaskContext& context) override;
    QString featureCacheDirectory() const override;

private:
    explicit SiteStoreWorkspace(std::unique_ptr<SiteWorkspace> site);
    void stopOpenRuns();
    qint64 knownRun(const QString& runId) const;  // the store's id; fmc::Error when there is no such run (lock held)
    FederationSetup federationSetupLocked() const;

    mutable QMutex mutex_;
    std::unique_ptr<SiteWorkspace> site_;
    QString root_;
    // Runs this session started or resumed (addRun/resumeRun); those still running on close
    // were stopped with the app.
    QList<qint64> openRuns_;
};

}  // namespace fmc::ui
