#include "workspace/site_store_workspace.h"

#include "engine/model_bundle.h"
#include "shell/logging.h"
#include "site/image_domain.h"
#include "site/prediction_details.h"
#include "site/site_workspace.h"
#include "workspace/task_runner.h"
#include "site/sqlite.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>
#include <limits>

namespace fmc::ui {
namespace {

constexpr auto kDemoSetting = "ui.demo";
constexpr auto kNameSetting = "ui.name";
constexpr auto kFederationSetting = "ui.federation";
constexpr auto kRoundExtrasPrefix = "ui.round_extras.";
constexpr auto kRunDescriptionPrefix = "ui.run_description.";
constexpr auto kWorkspaceLabelSet = "workspace";
constexpr auto kFederationLabelSet = "federation";

std::string str(const QString& text) { return text.toStdString(); }
QString qs(const std::string& text) { return QString::fromStdString(text); }

QStringList toQt(const std::vector<std::string>& list) {
    QStringList result;
    for (const auto& item : list) result << qs(item);
    return result;
}
std::vector<std::string> toStd(const QStringList& list) {
    std::vector<std::string> result;
    for (const auto& item : list) result.push_back(str(item));
    return result;
}

QJsonObject parseObject(const std::optional<std::string>& text) {
    return text ? QJsonDocument::fromJson(QByteArray::fromStdString(*text)).object() : QJsonObject();
}
std::string toText(const QJsonObject& object) { return QJsonDocument(object).toJson(QJsonDocument::Compact).toStdString(); }

double number(const QJsonValue& value) {
    return value.isDouble() ? value.toDouble() : std::numeric_limits<double>::quiet_NaN();
}

RunInterruption::Reason interruptionReason(const std::string& reason) {
    if (reason == "failed") return RunInterruption::Reason::Failed;
    if (reason == "stopped") return RunInterruption::Reason::Stopped;
    return RunInterruption::Reason::Cancelled;
}

// The key `fedmedclip-cli site run` (SiteStoreRecorder) keeps a federation's run under.
std::string federationRunSetting(const QString& federationId) {
    return "federation." + federationId.toStdString() + ".training_run";
}

ImageEntry toEntry(const StoredImage& image) {
    ImageEntry entry;
    entry.id = image.id;
    entry.path = qs(image.sourcePath);
    entry.label = image.label ? qs(*image.label) : QString();
    entry.modality = image.kind == ImageFileKind::Photo ? kModalityPhoto
                     : image.modality.empty()           ? kModalityDicom
                                                        : qs(image.modality);
    entry.split = QString::fromLatin1(splitName(image.split));
    entry.site = qs(image.site);
    entry.contentHash = qs(image.contentHash);
    entry.width = image.width;
    entry.height = image.height;
    entry.instanceNumber = image.instanceNumber;
    return entry;
}

// E.g. "model version 3 (local-checkpoint, round 12, bundle 1a2b3c4d5e6f)".
std::string describeModelVersion(const ModelVersion& version) {
    std::string text = "model version " + std::to_string(version.id) + " (" + modelVersionKindName(version.kind);
    if (version.round) text += ", round " + std::to_string(*version.round);
    if (!version.bundleHash.empty()) text += ", bundle " + version.bundleHash.substr(0, 12);
    return text + ")";
}

QDateTime parseStoreTime(const std::string& text) {
    auto time = QDateTime::fromString(qs(text), Qt::ISODateWithMs);
    if (!time.isValid()) time = QDateTime::fromString(qs(text), QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    return time;
}

}  // namespace

SiteStoreWorkspace::SiteStoreWorkspace(std::unique_ptr<SiteWorkspace> site)
    : site_(std::move(site)), root_(qs(site_->folder())) {}

SiteStoreWorkspace::~SiteStoreWorkspace() { stopOpenRuns(); }

bool SiteStoreWorkspace::isWorkspace(const QString& directory) {
    return QFileInfo(QDir(directory).filePath(QLatin1String(kWorkspaceDatabaseFileName))).isFile();
}

std::unique_ptr<SiteStoreWorkspace> SiteStoreWorkspace::create(const QString& directory) {
    QDir dir(directory);
    if (dir.exists() && !dir.isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden))
        throw Error(str(directory) + ": the folder for a new workspace must be empty");
    auto workspace = std::unique_ptr<SiteStoreWorkspace>(
        new SiteStoreWorkspace(std::make_unique<SiteWorkspace>(SiteWorkspace::open(str(directory)))));
    qCInfo(lcWorkspace) << "created workspace" << workspace->root_;
    return workspace;
}

std::unique_ptr<SiteStoreWorkspace> SiteStoreWorkspace::open(const QString& directory) {
    if (!isWorkspace(directory))
        throw Error(str(QDir(directory).filePath(QLatin1String(kWorkspaceDatabaseFileName))) +
                    ": not found; this folder is not a workspace");
    auto workspace = std::unique_ptr<SiteStoreWorkspace>(
        new SiteStoreWorkspace(std::make_unique<SiteWorkspace>(SiteWorkspace::open(str(directory)))));
    qCInfo(lcWorkspace) << "opened workspace" << workspace->root_;
    return workspace;
}

QString SiteStoreWorkspace::rootPath() const { return root_; }

QString SiteStoreWorkspace::displayName() const {
    QMutexLocker lock(&mutex_);
    const auto name = site_->store().setting(kNameSetting);
    return name ? qs(*name) : QFileInfo(root_).fileName();
}

QList<ImageEntry> SiteStoreWorkspace::images() const {
    QMutexLocker lock(&mutex_);
    ImageFilter all;
    all.readableOnly = false;
    QList<ImageEntry> entries;
    for (const auto& image : site_->store().images(all)) entries.append(toEntry(image));
    return entries;
}

ImportReport SiteStoreWorkspace::importImages(const ImportRequest& request, const ImageLimits& limits,
                                              const ImportProgress& progress, const std::atomic<bool>* cancel) {
    // Its own connection: the GUI thread keeps reading through the shared one meanwhile.
    auto site = SiteWorkspace::open(str(root_));
    site.setImageLimits(limits);
    ImportOptions options;
    switch (request.labelSource) {
    case LabelSource::None: options.labelSource = fmc::LabelSource::None; break;
    case LabelSource::FolderName: options.labelSource = fmc::LabelSource::FolderNames; break;
    case LabelSource::Csv:
        options.labelSource = fmc::LabelSource::Csv;
        options.csvPath = str(request.csv.csvPath);
        options.csvPathColumn = str(request.csv.pathColumn);
        options.csvLabelColumn = str(request.csv.labelColumn);
        options.csvPathFormat = str(request.csv.pathFormat);
        break;
    case LabelSource::DicomAttribute:
        options.labelSource = fmc::LabelSource::DicomTag;
        options.dicomTagKeyword = str(request.dicomKeyword);
        break;
    }
    const auto result = site.importPaths(toStd(request.paths), options,
                                         [&](const fmc::ImportProgress& p) {
                                             if (progress)
                                                 progress(p.done, p.total, p.currentPath ? qs(*p.currentPath) : QString());
                                         },
                                         cancel);
    ImportReport report;
    report.cancelled = result.cancelled;
    report.filesSeen = static_cast<int>(result.files.size()) + result.notProcessed;
    for (const auto& file : result.files) {
        switch (file.outcome) {
        case ImportOutcome::Imported: ++report.imported; break;
        case ImportOutcome::AlreadyImported:
        case ImportOutcome::Duplicate: ++report.duplicates; break;
        case ImportOutcome::Skipped:
        case ImportOutcome::Error: {
            auto reason = qs(file.detail);
            const auto path = qs(file.path);
            if (reason.startsWith(path + QLatin1String(": "))) reason.remove(0, path.size() + 2);
            report.failures.append({path, reason});
            break;
        }
        }
    }
    if (report.imported > 0) emit imagesChanged();
    return report;
}

void SiteStoreWorkspace::setLabel(qint64 imageId, const QString& label) {
    {
        QMutexLocker lock(&mutex_);
        auto& store = site_->store();
        ImageFilter all;
        all.readableOnly = false;
        std::optional<StoredImage> found;
        for (auto& image : store.images(all))
            if (image.id == imageId) found = image;
        if (!found) throw Error("image id " + std::to_string(imageId) + ": no such image in the workspace");
        const auto trimmed = label.trimmed();
        store.relabelFile(found->sourcePath, trimmed.isEmpty() ? std::nullopt : std::optional<std::string>(str(trimmed)),
                          found->split, found->site);
    }
    emit imagesChanged();
}

// Removed rows wait in temporary tables of this connection (gone when the workspace closes),
// so an undo puts back exactly what was there, ids and DICOM attributes included.
void SiteStoreWorkspace::removeImages(const QList<qint64>& imageIds) {
    if (imageIds.isEmpty()) return;
    {
        QMutexLocker lock(&mutex_);
        auto& db = site_->store().database();
        db.execute("CREATE TEMP TABLE IF NOT EXISTS removed_images AS SELECT * FROM main.images WHERE 0");
        db.execute("CREATE TEMP TABLE IF NOT EXISTS removed_identifiers AS SELECT * FROM main.image_identifiers WHERE 0");
        db.execute("CREATE TEMP TABLE IF NOT EXISTS removed_prediction_links (prediction_id INTEGER, image_id INTEGER)");
        sqlite::Transaction transaction(db);
        for (const std::int64_t id : imageIds) {
            db.prepare("INSERT INTO temp.removed_images SELECT * FROM main.images WHERE id = ?1").bindAll(id).run();
            db.prepare("INSERT INTO temp.removed_identifiers SELECT * FROM main.image_identifiers WHERE image_id = ?1")
                .bindAll(id)
                .run();
            db.prepare("INSERT INTO temp.removed_prediction_links SELECT id, image_id FROM main.predictions WHERE image_id = ?1")
                .bindAll(id)
                .run();
            db.prepare("DELETE FROM main.images WHERE id = ?1").bindAll(id).run();
        }
        transaction.commit();
    }
    qCInfo(lcImport) << imageIds.size() << "image(s) removed from the workspace (files kept)";
    emit imagesChanged();
}

void SiteStoreWorkspace::restoreImages(const QList<qint64>& imageIds) {
    if (imageIds.isEmpty()) return;
    {
        QMutexLocker lock(&mutex_);
        auto& db = site_->store().database();
        if (db.queryInt("SELECT count(*) FROM temp.sqlite_master WHERE name = 'removed_images'") == 0) return;
        sqlite::Transaction transaction(db);
        for (const std::int64_t id : imageIds) {
            try {
                db.prepare("INSERT INTO main.images SELECT * FROM temp.removed_images WHERE id = ?1").bindAll(id).run();
            } catch (const std::exception& error) {
                throw Error("image id " + std::to_string(id) +
                            ": cannot be put back (was the same file imported again?): " + error.what());
            }
            db.prepare("INSERT INTO main.image_identifiers SELECT * FROM temp.removed_identifiers WHERE image_id = ?1")
                .bindAll(id)
                .run();
            db.prepare("UPDATE main.predictions SET image_id = ?1 WHERE id IN "
                       "(SELECT prediction_id FROM temp.removed_prediction_links WHERE image_id = ?1)")
                .bindAll(id)
                .run();
            for (const char* table : {"removed_images", "removed_identifiers", "removed_prediction_links"})
                db.prepare(std::string("DELETE FROM temp.") + table + (std::string(table) == "removed_images" ? " WHERE id = ?1" : " WHERE image_id = ?1"))
                    .bindAll(id)
                    .run();
        }
        transaction.commit();
    }
    emit imagesChanged();
}

QMap<QString, QString> SiteStoreWorkspace::dicomAttributes(qint64 imageId) const {
    QMutexLocker lock(&mutex_);
    QMap<QString, QString> attributes;
    for (const auto& [keyword, value] : site_->store().identifyingAttributes(imageId)) attributes.insert(qs(keyword), qs(value));
    return attributes;
}

QStringList SiteStoreWorkspace::classNames() const {
    QMutexLocker lock(&mutex_);
    return toQt(site_->trainingClasses());
}

void SiteStoreWorkspace::setClassNames(const QStringList& classNames) {
    QMutexLocker lock(&mutex_);
    site_->store().saveLabelSet(kWorkspaceLabelSet, toStd(classNames));
    // Once joined, the federation's classes stay the ones trained.
    if (!federationSetupLocked().isComplete()) site_->store().setSetting(settings::kLabelSet, kWorkspaceLabelSet);
}

QString SiteStoreWorkspace::bundleDirectory() const {
    QMutexLocker lock(&mutex_);
    const auto dir = site_->bundleDir();
    return dir ? qs(*dir) : QString();
}

void SiteStoreWorkspace::setBundleDirectory(const QString& directory) {
    QMutexLocker lock(&mutex_);
    if (directory.isEmpty()) site_->store().removeSetting(settings::kBundleDir);
    else site_->setBundle(str(directory));
}

bool SiteStoreWorkspace::isDemo() const {
    QMutexLocker lock(&mutex_);
    return site_->store().setting(kDemoSetting).value_or("0") == "1";
}

void SiteStoreWorkspace::setDemo(bool demo) {
    QMutexLocker lock(&mutex_);
    site_->store().setSetting(kDemoSetting, demo ? "1" : "0");
}

QList<TrainingRun> SiteStoreWorkspace::runs() const {
    QMutexLocker lock(&mutex_);
    QList<TrainingRun> runs;
    for (const auto& run : site_->store().trainingRuns()) {
        TrainingRun entry;
        entry.id = QString::number(run.id);
        entry.kind = run.info.kind == "federated" ? kRunFederated : kRunLocal;
        entry.startedAt = parseStoreTime(run.startedAt);
        entry.classNames = toQt(run.info.classes);
        const auto description = site_->store().setting(kRunDescriptionPrefix + std::to_string(run.id));
        entry.description = description           ? qs(*description)
                             : run.info.trainImages > 0 ? QStringLiteral("%1 training images, evaluated on %2 %3 images")
                                                              .arg(run.info.trainImages)
                                                              .arg(run.info.evaluationImages)
                                                              .arg(qs(run.info.evaluationSplit))
                                                        : tr("run %1").arg(run.id);
        entry.status = qs(run.status);
        for (const auto& stop : run.interruptions)
            entry.interruptions.append(
                {interruptionReason(stop.reason), stop.afterRound, parseStoreTime(stop.at).toLocalTime()});
        runs.append(entry);
    }
    return runs;
}

QString SiteStoreWorkspace::addRun(const TrainingRun& run) {
    qint64 id = 0;
    {
        QMutexLocker lock(&mutex_);
        TrainingRunInfo info;
        info.kind = run.kind == kRunFederated ? "federated" : "local";
        info.classes = toStd(run.classNames);
        if (const auto hash = site_->store().setting(settings::kBundleHash)) info.bundleHash = *hash;
        id = site_->store().beginTrainingRun(info);
        if (!run.description.isEmpty())
            site_->store().setSetting(kRunDescriptionPrefix + std::to_string(id), str(run.description));
        openRuns_.append(id);
    }
    emit historyChanged();
    return QString::number(id);
}

QList<HistoryRow> SiteStoreWorkspace::history(const QString& runId) const {
    QMutexLocker lock(&mutex_);
    const auto run = site_->store().trainingRun(runId.toLongLong());
    if (!run) return {};
    const auto extras = parseObject(site_->store().setting(kRoundExtrasPrefix + str(runId)));
    QList<HistoryRow> rows;
    for (const auto& metrics : run->rounds) {
        HistoryRow row;
        row.runId = runId;
        row.runKind = run->info.kind == "federated" ? kRunFederated : kRunLocal;
        row.round = metrics.round;
        row.loss = metrics.loss;
        row.accuracy = metrics.accuracy.value_or(std::numeric_limits<double>::quiet_NaN());
        row.balancedAccuracy = metrics.balancedAccuracy.value_or(std::numeric_limits<double>::quiet_NaN());
        row.macroF1 = metrics.macroF1.value_or(std::numeric_limits<double>::quiet_NaN());
        row.bytesSent = metrics.bytesSent;
        row.bytesReceived = metrics.bytesReceived;
        row.seconds = metrics.seconds;
        for (const auto& recall : metrics.perClassRecall)
            row.perClassRecall.append(recall.value_or(std::numeric_limits<double>::quiet_NaN()));
        const auto extra = extras.value(QString::number(metrics.round)).toObject();
        row.federationAccuracy = extra.contains("federationAccuracy") ? extra.value("federationAccuracy").toDouble(-1) : -1;
        // Rounds the desktop app recorded before the store had a recall column.
        if (row.perClassRecall.isEmpty())
            for (const auto& value : extra.value("perClassRecall").toArray()) row.perClassRecall.append(number(value));
        rows.append(row);
    }
    return rows;
}

void SiteStoreWorkspace::appendHistory(const HistoryRow& row) {
    {
        QMutexLocker lock(&mutex_);
        auto& store = site_->store();
        const auto runId = row.runId.toLongLong();
        if (!store.trainingRun(runId))
            throw Error("history row: runId " + str(row.runId) + " is not a training run of this workspace");
        RoundMetrics metrics;
        metrics.round = row.round;
        metrics.loss = row.loss;
        auto optional = [](double value) { return std::isnan(value) ? std::nullopt : std::optional<double>(value); };
        metrics.accuracy = optional(row.accuracy);
        metrics.balancedAccuracy = optional(row.balancedAccuracy);
        metrics.macroF1 = optional(row.macroF1);
        metrics.bytesSent = row.bytesSent;
        metrics.bytesReceived = row.bytesReceived;
        metrics.seconds = row.seconds;
        for (double recall : row.perClassRecall) metrics.perClassRecall.push_back(optional(recall));
        store.recordRound(runId, metrics);
        // The federation's accuracy has no column in the rounds table.
        if (row.federationAccuracy >= 0) {
            const auto key = kRoundExtrasPrefix + str(row.runId);
            auto extras = parseObject(store.setting(key));
            extras.insert(QString::number(row.round), QJsonObject{{"federationAccuracy", row.federationAccuracy}});
            store.setSetting(key, toText(extras));
        }
    }
    emit historyChanged();
}

void SiteStoreWorkspace::stopOpenRuns() {
    QMutexLocker lock(&mutex_);
    for (const auto id : openRuns_) {
        try {
            const auto run = site_->store().trainingRun(id);
            if (run && run->status == "running") site_->store().interruptTrainingRun(id, "stopped");
        } catch (const std::exception& error) {
            qCWarning(lcTrain) << "run" << id << "not marked as stopped:" << error.what();
        }
    }
    openRuns_.clear();
}

qint64 SiteStoreWorkspace::knownRun(const QString& runId) const {
    const auto id = runId.toLongLong();
    if (!site_->store().trainingRun(id))
        throw Error("training run " + str(runId) + " is not a training run of this workspace");
    return id;
}

void SiteStoreWorkspace::finishRun(const QString& runId) {
    {
        QMutexLocker lock(&mutex_);
        const auto id = knownRun(runId);
        if (site_->store().trainingRun(id)->status != "finished") site_->store().finishTrainingRun(id, "finished");
        openRuns_.removeAll(id);
    }
    emit historyChanged();
}

void SiteStoreWorkspace::interruptRun(const QString& runId, RunInterruption::Reason reason) {
    {
        QMutexLocker lock(&mutex_);
        const auto id = knownRun(runId);
        site_->store().interruptTrainingRun(id, reason == RunInterruption::Reason::Failed    ? "failed"
                                                : reason == RunInterruption::Reason::Stopped ? "stopped"
                                                                                             : "cancelled");
        openRuns_.removeAll(id);
    }
    emit historyChanged();
}

void SiteStoreWorkspace::resumeRun(const QString& runId) {
    {
        QMutexLocker lock(&mutex_);
        const auto id = knownRun(runId);
        // A finished federation started again adds no rounds: it stays finished.
        if (site_->store().trainingRun(id)->status == "finished") return;
        site_->store().resumeTrainingRun(id);
        if (!openRuns_.contains(id)) openRuns_.append(id);
    }
    emit historyChanged();
}

QString SiteStoreWorkspace::federationRun(const QString& federationId) const {
    QMutexLocker lock(&mutex_);
    const auto saved = site_->store().setting(federationRunSetting(federationId));
    if (!saved) return {};
    // A run removed since (or a value not written by this program) is no run.
    bool number = false;
    const auto id = qs(*saved).toLongLong(&number);
    return number && site_->store().trainingRun(id) ? QString::number(id) : QString();
}

void SiteStoreWorkspace::setFederationRun(const QString& federationId, const QString& runId) {
    QMutexLocker lock(&mutex_);
    site_->store().setSetting(federationRunSetting(federationId), std::to_string(knownRun(runId)));
}

void SiteStoreWorkspace::savePrediction(const PredictionRecord& prediction) {
    // The store ties every prediction to the file's content and names the model: a stored
    // version, or in words the zero-shot shared FAM of a site that has not trained yet.
    QFile file(prediction.imagePath);
    if (!file.open(QIODevice::ReadOnly)) throw Error(str(prediction.imagePath) + ": cannot be read");
    const auto contentHash = QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256).toHex();
    {
        QMutexLocker lock(&mutex_);
        StoredPrediction stored;
        stored.contentHash = contentHash.toStdString();
        if (prediction.imageId > 0) stored.imageId = prediction.imageId;
        stored.sourcePath = str(prediction.imagePath);
        if (prediction.modelVersion.isEmpty()) {
            stored.modelDescription = str(zeroShotModelDescription(prediction.bundleHash));
        } else {
            const auto version = site_->store().modelVersion(prediction.modelVersion.toLongLong());
            if (!version)
                throw Error("prediction: model version " + str(prediction.modelVersion) +
                            " is not a model version of this workspace");
            stored.modelVersionId = version->id;
            stored.modelDescription = describeModelVersion(*version);
        }
        PredictionDetails details;
        details.classes = toStd(prediction.classNames);
        details.ensemble.assign(prediction.probabilities.begin(), prediction.probabilities.end());
        details.famOnly.assign(prediction.famOnly.begin(), prediction.famOnly.end());
        details.mlpOnly.assign(prediction.mlpOnly.begin(), prediction.mlpOnly.end());
        const auto entropy = [](const std::vector<double>& values) {
            double sum = 0;
            for (double p : values)
                if (p > 0) sum -= p * std::log(p);
            return sum;
        };
        details.ensembleEntropy = entropy(details.ensemble);
        details.famEntropy = entropy(details.famOnly);
        details.mlpEntropy = entropy(details.mlpOnly);
        details.calibrated = prediction.calibrated;
        details.predictionSet = toStd(prediction.predictionSet);
        details.coverage = prediction.coverage;
        details.outOfDistribution = prediction.outOfDistribution;
        details.outOfDistributionReasons = toStd(prediction.outOfDistributionReasons);
        details.domainMismatches = toStd(prediction.domainMismatches);
        details.novelFeature = prediction.novelFeature;
        details.branchDisagreement = prediction.branchDisagreement;
        details.noBetterThanChance = prediction.noBetterThanChance;
        const auto top = std::max_element(details.ensemble.begin(), details.ensemble.end()) - details.ensemble.begin();
        stored.predictedClass = details.classes.empty() ? std::string() : details.classes.at(static_cast<size_t>(top));
        stored.ensembleEntropy = details.ensembleEntropy;
        stored.probabilitiesJson = predictionDetailsToJson(details);
        stored.madeBy = str(qEnvironmentVariable("USER"));
        site_->store().addPrediction(stored);
    }
    emit predictionsChanged();
}

QList<PredictionRecord> SiteStoreWorkspace::predictions() const {
    QMutexLocker lock(&mutex_);
    QList<PredictionRecord> records;
    for (const auto& stored : site_->store().predictions()) {
        PredictionRecord record;
        record.id = stored.id;
        record.imageId = stored.imageId.value_or(0);
        record.imagePath = qs(stored.sourcePath);
        record.modelVersion = stored.modelVersionId ? QString::number(*stored.modelVersionId) : QString();
        record.modelDescription = qs(stored.modelDescription);
        const auto details = predictionDetailsFromJson(stored.probabilitiesJson,
                                                       str(root_) + ": prediction " + std::to_string(stored.id));
        record.classNames = toQt(details.classes);
        record.probabilities = QVector<double>(details.ensemble.begin(), details.ensemble.end());
        record.famOnly = QVector<double>(details.famOnly.begin(), details.famOnly.end());
        record.mlpOnly = QVector<double>(details.mlpOnly.begin(), details.mlpOnly.end());
        record.calibrated = details.calibrated;
        record.predictionSet = toQt(details.predictionSet);
        record.coverage = details.coverage;
        record.outOfDistribution = details.outOfDistribution;
        record.outOfDistributionReasons = toQt(details.outOfDistributionReasons);
        record.domainMismatches = toQt(details.domainMismatches);
        record.novelFeature = details.novelFeature;
        record.branchDisagreement = details.branchDisagreement;
        record.noBetterThanChance = details.noBetterThanChance;
        record.madeAt = parseStoreTime(stored.createdAt);
        records.append(record);
    }
    return records;
}

pacs::StructuredReport SiteStoreWorkspace::predictionReport(qint64 predictionId) const {
    pacs::PredictionReportContent content;
    {
        QMutexLocker lock(&mutex_);
        content = pacs::predictionReportContent(*site_, predictionId);
    }
    return pacs::buildStructuredReport(content);  // reads the image: outside the lock
}

FederationSetup SiteStoreWorkspace::federationSetup() const {
    QMutexLocker lock(&mutex_);
    return federationSetupLocked();
}

FederationSetup SiteStoreWorkspace::federationSetupLocked() const {
    return federationSetupFromJson(parseObject(site_->store().setting(kFederationSetting)));
}

void SiteStoreWorkspace::saveFederationSetup(const FederationSetup& setup) {
    {
        QMutexLocker lock(&mutex_);
        auto& store = site_->store();
        std::map<std::string, std::string> used;
        for (auto it = setup.labelMapping.begin(); it != setup.labelMapping.end(); ++it)
            if (!it.value().isEmpty()) used[str(it.key())] = str(it.value());
        // The site's token stays in its state folder (owner-readable only), never in the store.
        auto json = federationSetupToJson(setup);
        json.remove(QStringLiteral("credential"));
        store.setSetting(kFederationSetting, toText(json));
        // The store's own training uses the federation's classes and this mapping from now on.
        store.setLabelMappings(used);
        store.saveLabelSet(kFederationLabelSet, toStd(setup.classNames));
        store.setSetting(settings::kLabelSet, kFederationLabelSet);
        if (!setup.promptTemplate.isEmpty()) store.setSetting(settings::kPromptTemplate, str(setup.promptTemplate));
    }
    emit federationSetupChanged();
}

ParameterSet SiteStoreWorkspace::siteModel() const {
    QMutexLocker lock(&mutex_);
    const auto version = site_->store().latestModelVersion(ModelVersionKind::LocalCheckpoint);
    return version ? site_->loadModelParameters(*version) : ParameterSet{};
}

QString SiteStoreWorkspace::siteModelVersion() const {
    QMutexLocker lock(&mutex_);
    const auto version = site_->store().latestModelVersion(ModelVersionKind::LocalCheckpoint);
    return version ? QString::number(version->id) : QString();
}

std::shared_ptr<const ModelCalibration> SiteStoreWorkspace::siteModelCalibration() const {
    QMutexLocker lock(&mutex_);
    const auto version = site_->store().latestModelVersion(ModelVersionKind::LocalCheckpoint);
    if (!version) return nullptr;
    auto calibration = site_->store().modelCalibration(version->id);
    return calibration ? std::make_shared<const ModelCalibration>(std::move(*calibration)) : nullptr;
}

QStringList SiteStoreWorkspace::siteModelClassNames() const {
    QMutexLocker lock(&mutex_);
    const auto version = site_->store().latestModelVersion(ModelVersionKind::LocalCheckpoint);
    return version ? toQt(version->classes) : QStringList();
}

void SiteStoreWorkspace::saveSiteModel(const ParameterSet& state, const QStringList& classNames,
                                       const ModelCalibration* calibration) {
    {
        QMutexLocker lock(&mutex_);
        ModelVersion version;
        version.kind = ModelVersionKind::LocalCheckpoint;
        if (const auto hash = site_->store().setting(settings::kBundleHash)) version.bundleHash = *hash;
        version.classes = toStd(classNames);
        version.promptTemplate = site_->store().setting(settings::kPromptTemplate).value_or(fmc::kDefaultPromptTemplate);
        version.source = "desktop";
        const auto id = site_->saveModelVersion(version, state);
        if (calibration) {
            auto stored = *calibration;
            if (!restrictsAnything(stored.domain)) {
                const auto ofClasses = site_->imagesOfClasses(version.classes);
                std::vector<StoredImage> train;
                for (const auto& image : ofClasses.images)
                    if (image.split == Split::Train) train.push_back(image);
                stored.domain = siteImageDomain(site_->store(), train, site_->imageLimits());
            }
            site_->store().setModelCalibration(id, stored);
        }
    }
    emit siteModelChanged();
}

TrainingOutcome SiteStoreWorkspace::trainLocally(const TrainingConfig& config, TaskContext& context) {
    auto site = SiteWorkspace::open(str(root_));
    site.setImageLimits(config.limits);
    LocalTrainingConfig local;
    local.bundleDir = str(config.bundleDirectory);
    local.rounds = config.rounds;
    local.seed = config.seed;
    local.device = str(config.device);
    local.options = config.method;
    TrainingOutcome outcome;
    const auto readingText = tr("Reading images");
    const auto roundText = tr("Training round %1 of %2");
    const auto result = site.trainLocal(
        local,
        [&](const LocalTrainingProgress& progress) {
            if (!progress.round) {
                context.reportProgress(progress.done, progress.total, readingText);
                return;
            }
            if (outcome.runId.isEmpty()) outcome.runId = QString::number(site.store().trainingRuns().back().id);
            context.reportProgress(progress.done, progress.total, roundText.arg(progress.done).arg(progress.total));
            HistoryRow row;
            row.runId = outcome.runId;
            row.runKind = kRunLocal;
            row.round = progress.round->round;
            row.loss = progress.round->loss;
            row.accuracy = progress.round->accuracy.value_or(std::numeric_limits<double>::quiet_NaN());
            row.balancedAccuracy = progress.round->balancedAccuracy.value_or(std::numeric_limits<double>::quiet_NaN());
            row.macroF1 = progress.round->macroF1.value_or(std::numeric_limits<double>::quiet_NaN());
            row.seconds = progress.round->seconds;
            for (const auto& recall : progress.round->perClassRecall)
                row.perClassRecall.append(recall.value_or(std::numeric_limits<double>::quiet_NaN()));
            context.reportPartial(QVariant::fromValue(row));
            emit historyChanged();
        },
        context.cancelFlag());
    outcome.runId = QString::number(result.trainingRunId);
    outcome.roundsDone = static_cast<int>(result.rounds.size());
    outcome.bestRound = result.keptRound;
    if (result.keptRound >= 1 && result.keptRound <= outcome.roundsDone)
        outcome.bestBalancedAccuracy = result.rounds[size_t(result.keptRound - 1)].balancedAccuracy.value_or(0);
    if (result.keptModelOnTest) {
        outcome.testImages = static_cast<int>(result.keptModelOnTest->numSamples);
        outcome.testAccuracy = result.keptModelOnTest->accuracy;
        outcome.testBalancedAccuracy = result.keptModelOnTest->balancedAccuracy;
    }
    outcome.chosenOnTestSplit = result.keptRoundChosenOnTestSplit;
    outcome.unreadableImages = toQt(result.features.errors);
    emit historyChanged();
    emit siteModelChanged();
    return outcome;
}

QString SiteStoreWorkspace::featureCacheDirectory() const { return QDir(root_).filePath(QStringLiteral("feature-cache")); }

}  // namespace fmc::ui
