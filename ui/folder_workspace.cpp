#include "folder_workspace.h"

#include "common/codec.h"
#include "common/sha256.h"
#include "import_scanner.h"
#include "logging.h"
#include "site_training.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QSet>

#include <limits>

namespace fmc::ui {
namespace {

constexpr int kFormatVersion = 1;
constexpr auto kImagesFile = "images.json";
constexpr auto kHistoryFile = "history.json";
constexpr auto kPredictionsFile = "predictions.json";
constexpr auto kModelFile = "model/site-model.fmcp";
// Imported images are written to disk in batches, so a crash loses at most one batch.
constexpr int kImportCommitBatch = 64;

std::string str(const QString& text) { return text.toStdString(); }

QJsonDocument readJson(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) throw Error(str(path) + ": cannot be read (" + str(file.errorString()) + ")");
    QJsonParseError error;
    const auto document = QJsonDocument::fromJson(file.readAll(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        throw Error(str(path) + ": not a valid workspace file (" + str(error.errorString()) + " at byte " +
                    std::to_string(error.offset) + ")");
    if (document.object().value("formatVersion").toInt() > kFormatVersion)
        throw Error(str(path) + ": formatVersion is newer than this app understands");
    return document;
}

void writeJson(const QString& path, QJsonObject object) {
    object.insert("formatVersion", kFormatVersion);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(QJsonDocument(object).toJson()) < 0 || !file.commit())
        throw Error(str(path) + ": cannot be written (" + str(file.errorString()) + ")");
}

QJsonArray toJson(const QStringList& list) { return QJsonArray::fromStringList(list); }
QStringList toStringList(const QJsonValue& value) {
    QStringList list;
    for (const auto& item : value.toArray()) list << item.toString();
    return list;
}

QJsonObject toJson(const ImageEntry& image) {
    return {{"id", image.id},       {"path", image.path},         {"label", image.label},
            {"modality", image.modality}, {"split", image.split}, {"site", image.site},
            {"sha256", image.contentHash}, {"width", image.width}, {"height", image.height}};
}
ImageEntry imageFromJson(const QJsonObject& object) {
    ImageEntry image;
    image.id = object.value("id").toInteger();
    image.path = object.value("path").toString();
    image.label = object.value("label").toString();
    image.modality = object.value("modality").toString();
    image.split = object.value("split").toString();
    image.site = object.value("site").toString();
    image.contentHash = object.value("sha256").toString();
    image.width = object.value("width").toInt();
    image.height = object.value("height").toInt();
    return image;
}

QJsonObject toJson(const TrainingRun& run) {
    return {{"id", run.id},
            {"kind", run.kind},
            {"startedAt", run.startedAt.toString(Qt::ISODateWithMs)},
            {"classNames", toJson(run.classNames)},
            {"description", run.description}};
}
TrainingRun runFromJson(const QJsonObject& object) {
    return {object.value("id").toString(), object.value("kind").toString(),
            QDateTime::fromString(object.value("startedAt").toString(), Qt::ISODateWithMs),
            toStringList(object.value("classNames")), object.value("description").toString()};
}

QJsonObject toJson(const HistoryRow& row) {
    QJsonArray recall;
    for (double value : row.perClassRecall) recall.append(value);
    return {{"runId", row.runId},
            {"runKind", row.runKind},
            {"round", row.round},
            {"loss", row.loss},
            {"accuracy", row.accuracy},
            {"balancedAccuracy", row.balancedAccuracy},
            {"macroF1", row.macroF1},
            {"federationAccuracy", row.federationAccuracy},
            {"bytesSent", row.bytesSent},
            {"bytesReceived", row.bytesReceived},
            {"seconds", row.seconds},
            {"perClassRecall", recall},
            {"finishedAt", row.finishedAt.toString(Qt::ISODateWithMs)}};
}
HistoryRow rowFromJson(const QJsonObject& object) {
    HistoryRow row;
    row.runId = object.value("runId").toString();
    row.runKind = object.value("runKind").toString();
    row.round = object.value("round").toInt();
    row.loss = object.value("loss").toDouble();
    row.accuracy = object.value("accuracy").toDouble();
    row.balancedAccuracy = object.value("balancedAccuracy").toDouble();
    row.macroF1 = object.value("macroF1").toDouble();
    row.federationAccuracy = object.value("federationAccuracy").toDouble(-1);
    row.bytesSent = object.value("bytesSent").toInteger();
    row.bytesReceived = object.value("bytesReceived").toInteger();
    row.seconds = object.value("seconds").toDouble();
    // A class without validation images has no recall: NaN, written as null.
    for (const auto& value : object.value("perClassRecall").toArray())
        row.perClassRecall.append(value.isDouble() ? value.toDouble() : std::numeric_limits<double>::quiet_NaN());
    row.finishedAt = QDateTime::fromString(object.value("finishedAt").toString(), Qt::ISODateWithMs);
    return row;
}

QJsonObject toJson(const PredictionRecord& prediction) {
    QJsonArray probabilities;
    for (double value : prediction.probabilities) probabilities.append(value);
    return {{"imageId", prediction.imageId},
            {"imagePath", prediction.imagePath},
            {"modelVersion", prediction.modelVersion},
            {"classNames", toJson(prediction.classNames)},
            {"probabilities", probabilities},
            {"madeAt", prediction.madeAt.toString(Qt::ISODateWithMs)},
            {"bundleHash", prediction.bundleHash},
            {"modelDescription", prediction.modelDescription}};
}
PredictionRecord predictionFromJson(const QJsonObject& object) {
    PredictionRecord prediction;
    prediction.imageId = object.value("imageId").toInteger();
    prediction.imagePath = object.value("imagePath").toString();
    prediction.modelVersion = object.value("modelVersion").toString();
    prediction.classNames = toStringList(object.value("classNames"));
    for (const auto& value : object.value("probabilities").toArray()) prediction.probabilities.append(value.toDouble());
    prediction.madeAt = QDateTime::fromString(object.value("madeAt").toString(), Qt::ISODateWithMs);
    prediction.bundleHash = object.value("bundleHash").toString();
    prediction.modelDescription = object.value("modelDescription").toString();
    // Saved before descriptions existed: the version is all there is to say.
    if (prediction.modelDescription.isEmpty() && !prediction.modelVersion.isEmpty())
        prediction.modelDescription = QStringLiteral("model version %1").arg(prediction.modelVersion);
    return prediction;
}

}  // namespace

FolderWorkspace::FolderWorkspace(const QString& directory) : root_(QDir::cleanPath(QDir(directory).absolutePath())) {}

bool FolderWorkspace::isWorkspace(const QString& directory) {
    return QFileInfo(QDir(directory).filePath(kMarkerFileName)).isFile();
}

std::unique_ptr<FolderWorkspace> FolderWorkspace::create(const QString& directory, const QString& name) {
    QDir dir(directory);
    if (dir.exists() && !dir.isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden))
        throw Error(str(directory) + ": the folder for a new workspace must be empty");
    if (!QDir().mkpath(directory)) throw Error(str(directory) + ": cannot create the folder");
    std::unique_ptr<FolderWorkspace> workspace(new FolderWorkspace(directory));
    workspace->name_ = name.isEmpty() ? QFileInfo(workspace->root_).fileName() : name;
    QDir(workspace->root_).mkpath(QStringLiteral("model"));
    workspace->saveMeta();
    workspace->saveImages();
    workspace->saveHistory();
    workspace->savePredictions();
    qCInfo(lcWorkspace) << "created workspace" << workspace->root_;
    return workspace;
}

std::unique_ptr<FolderWorkspace> FolderWorkspace::open(const QString& directory) {
    if (!isWorkspace(directory))
        throw Error(str(QDir(directory).filePath(kMarkerFileName)) + ": not found; this folder is not a workspace");
    std::unique_ptr<FolderWorkspace> workspace(new FolderWorkspace(directory));
    workspace->load();
    qCInfo(lcWorkspace) << "opened workspace" << workspace->root_ << workspace->images_.size() << "images";
    return workspace;
}

void FolderWorkspace::load() {
    const QDir dir(root_);
    const auto meta = readJson(dir.filePath(kMarkerFileName)).object();
    name_ = meta.value("name").toString();
    classNames_ = toStringList(meta.value("classNames"));
    bundleDirectory_ = meta.value("bundleDirectory").toString();
    demo_ = meta.value("demo").toBool();
    setup_ = federationSetupFromJson(meta.value("federation").toObject());
    modelVersion_ = meta.value("siteModel").toObject().value("version").toString();
    modelClassNames_ = toStringList(meta.value("siteModel").toObject().value("classNames"));

    const auto images = readJson(dir.filePath(kImagesFile)).object();
    nextImageId_ = qMax<qint64>(1, images.value("nextId").toInteger());
    for (const auto& value : images.value("images").toArray()) images_.append(imageFromJson(value.toObject()));

    const auto history = readJson(dir.filePath(kHistoryFile)).object();
    for (const auto& value : history.value("runs").toArray()) runs_.append(runFromJson(value.toObject()));
    for (const auto& value : history.value("rows").toArray()) rows_.append(rowFromJson(value.toObject()));

    const auto predictions = readJson(dir.filePath(kPredictionsFile)).object();
    for (const auto& value : predictions.value("predictions").toArray())
        predictions_.append(predictionFromJson(value.toObject()));
}

void FolderWorkspace::saveMeta() const {
    writeJson(QDir(root_).filePath(kMarkerFileName),
              {{"name", name_},
               {"classNames", toJson(classNames_)},
               {"bundleDirectory", bundleDirectory_},
               {"demo", demo_},
               {"federation", federationSetupToJson(setup_)},
               {"siteModel", QJsonObject{{"version", modelVersion_}, {"classNames", toJson(modelClassNames_)}}}});
}

void FolderWorkspace::saveImages() const {
    QJsonArray images;
    for (const auto& image : images_) images.append(toJson(image));
    writeJson(QDir(root_).filePath(kImagesFile), {{"nextId", nextImageId_}, {"images", images}});
}

void FolderWorkspace::saveHistory() const {
    QJsonArray runs, rows;
    for (const auto& run : runs_) runs.append(toJson(run));
    for (const auto& row : rows_) rows.append(toJson(row));
    writeJson(QDir(root_).filePath(kHistoryFile), {{"runs", runs}, {"rows", rows}});
}

void FolderWorkspace::savePredictions() const {
    QJsonArray predictions;
    for (const auto& prediction : predictions_) predictions.append(toJson(prediction));
    writeJson(QDir(root_).filePath(kPredictionsFile), {{"predictions", predictions}});
}

QString FolderWorkspace::rootPath() const { return root_; }

QString FolderWorkspace::displayName() const {
    QMutexLocker lock(&mutex_);
    return name_;
}

QList<ImageEntry> FolderWorkspace::images() const {
    QMutexLocker lock(&mutex_);
    return images_;
}

QString FolderWorkspace::splitForHash(const QString& contentHash) {
    const int bucket = contentHash.left(2).toInt(nullptr, 16) % 10;
    return bucket < 6 ? kSplitTrain : bucket < 8 ? kSplitValidation : kSplitTest;
}

ImportReport FolderWorkspace::importImages(const ImportRequest& request, const ImageLimits& limits,
                                           const ImportProgress& progress, const std::atomic<bool>* cancel) {
    if (request.labelSource == LabelSource::CsvFile || request.labelSource == LabelSource::DicomAttribute)
        throw Error(str(tr("Labels from a CSV file or a DICOM attribute need a site store workspace; this folder "
                           "workspace takes labels from sub-folder names only.")));
    ImportReport report;
    const auto scan = scanImportPaths(request.paths);
    report.failures = scan.failures;
    report.filesSeen = scan.files.size() + scan.failures.size();

    QSet<QString> knownHashes;
    {
        QMutexLocker lock(&mutex_);
        for (const auto& image : images_) knownHashes.insert(image.contentHash);
    }
    QList<ImageEntry> pending;
    auto commit = [&] {
        if (pending.isEmpty()) return;
        QMutexLocker lock(&mutex_);
        for (auto& image : pending) {
            image.id = nextImageId_++;
            images_.append(image);
        }
        saveImages();
        pending.clear();
    };

    const int total = scan.files.size();
    for (int i = 0; i < total; ++i) {
        const auto& candidate = scan.files.at(i);
        if (progress) progress(i, total, candidate.path);
        if (cancel && cancel->load()) {
            report.cancelled = true;
            break;
        }
        try {
            const auto inspected = inspectImageFile(candidate.path, limits);
            if (knownHashes.contains(inspected.contentHash)) {
                ++report.duplicates;
                continue;
            }
            knownHashes.insert(inspected.contentHash);
            ImageEntry image;
            image.path = candidate.path;
            image.label = request.labelSource == LabelSource::FolderName ? candidate.folderLabel : QString();
            image.modality = inspected.modality;
            image.split = splitForHash(inspected.contentHash);
            image.site = request.site;
            image.contentHash = inspected.contentHash;
            image.width = inspected.width;
            image.height = inspected.height;
            pending.append(image);
            ++report.imported;
            if (pending.size() >= kImportCommitBatch) commit();
        } catch (const std::exception& error) {
            // The decoder's message already names the file; the report keeps the reason only.
            auto reason = QString::fromStdString(error.what());
            if (reason.startsWith(candidate.path + QLatin1String(": "))) reason.remove(0, candidate.path.size() + 2);
            report.failures.append({candidate.path, reason});
        }
    }
    commit();
    if (progress) progress(total, total, QString());
    qCInfo(lcImport) << "import:" << report.imported << "imported," << report.duplicates << "duplicates,"
                     << report.failures.size() << "failed" << (report.cancelled ? "(cancelled)" : "");
    if (report.imported > 0) emit imagesChanged();
    return report;
}

void FolderWorkspace::setLabel(qint64 imageId, const QString& label) {
    {
        QMutexLocker lock(&mutex_);
        auto it = std::find_if(images_.begin(), images_.end(), [&](const ImageEntry& image) { return image.id == imageId; });
        if (it == images_.end()) throw Error("image id " + std::to_string(imageId) + ": no such image in the workspace");
        if (it->label == label.trimmed()) return;
        it->label = label.trimmed();
        saveImages();
    }
    emit imagesChanged();
}

void FolderWorkspace::removeImages(const QList<qint64>& imageIds) {
    {
        QMutexLocker lock(&mutex_);
        const QSet<qint64> ids(imageIds.begin(), imageIds.end());
        for (auto it = images_.begin(); it != images_.end();) {
            if (ids.contains(it->id)) {
                removed_.insert(it->id, *it);
                it = images_.erase(it);
            } else {
                ++it;
            }
        }
        saveImages();
    }
    emit imagesChanged();
}

void FolderWorkspace::restoreImages(const QList<qint64>& imageIds) {
    {
        QMutexLocker lock(&mutex_);
        for (const auto id : imageIds) {
            const auto it = removed_.find(id);
            if (it == removed_.end()) continue;
            images_.append(*it);
            removed_.erase(it);
        }
        std::sort(images_.begin(), images_.end(), [](const ImageEntry& a, const ImageEntry& b) { return a.id < b.id; });
        saveImages();
    }
    emit imagesChanged();
}

QStringList FolderWorkspace::classNames() const {
    QMutexLocker lock(&mutex_);
    if (setup_.isComplete() && !setup_.classNames.isEmpty()) return setup_.classNames;
    if (!classNames_.isEmpty()) return classNames_;
    return distinctLabels(images_);
}

void FolderWorkspace::setClassNames(const QStringList& classNames) {
    QMutexLocker lock(&mutex_);
    classNames_ = classNames;
    saveMeta();
}

QString FolderWorkspace::bundleDirectory() const {
    QMutexLocker lock(&mutex_);
    return bundleDirectory_;
}

void FolderWorkspace::setBundleDirectory(const QString& directory) {
    QMutexLocker lock(&mutex_);
    bundleDirectory_ = directory;
    saveMeta();
}

bool FolderWorkspace::isDemo() const {
    QMutexLocker lock(&mutex_);
    return demo_;
}

void FolderWorkspace::setDemo(bool demo) {
    QMutexLocker lock(&mutex_);
    demo_ = demo;
    saveMeta();
}

QList<TrainingRun> FolderWorkspace::runs() const {
    QMutexLocker lock(&mutex_);
    return runs_;
}

QString FolderWorkspace::addRun(const TrainingRun& run) {
    {
        QMutexLocker lock(&mutex_);
        for (const auto& existing : runs_)
            if (existing.id == run.id) throw Error("training run " + str(run.id) + ": already in the workspace");
        runs_.append(run);
        saveHistory();
    }
    emit historyChanged();
    return run.id;
}

QList<HistoryRow> FolderWorkspace::history(const QString& runId) const {
    QMutexLocker lock(&mutex_);
    QList<HistoryRow> rows;
    for (const auto& row : rows_)
        if (row.runId == runId) rows.append(row);
    std::sort(rows.begin(), rows.end(), [](const HistoryRow& a, const HistoryRow& b) { return a.round < b.round; });
    return rows;
}

void FolderWorkspace::appendHistory(const HistoryRow& row) {
    {
        QMutexLocker lock(&mutex_);
        const bool knownRun =
            std::any_of(runs_.begin(), runs_.end(), [&](const TrainingRun& run) { return run.id == row.runId; });
        if (!knownRun) throw Error("history row: runId " + str(row.runId) + " is not a training run of this workspace");
        rows_.append(row);
        saveHistory();
    }
    emit historyChanged();
}

void FolderWorkspace::savePrediction(const PredictionRecord& prediction) {
    {
        QMutexLocker lock(&mutex_);
        auto described = prediction;
        described.modelDescription = described.modelVersion.isEmpty()
                                         ? zeroShotModelDescription(described.bundleHash)
                                         : QStringLiteral("model version %1").arg(described.modelVersion);
        predictions_.append(described);
        savePredictions();
    }
    emit predictionsChanged();
}

QList<PredictionRecord> FolderWorkspace::predictions() const {
    QMutexLocker lock(&mutex_);
    return predictions_;
}

FederationSetup FolderWorkspace::federationSetup() const {
    QMutexLocker lock(&mutex_);
    return setup_;
}

void FolderWorkspace::saveFederationSetup(const FederationSetup& setup) {
    {
        QMutexLocker lock(&mutex_);
        setup_ = setup;
        saveMeta();
    }
    emit federationSetupChanged();
}

ParameterSet FolderWorkspace::siteModel() const {
    const auto path = QDir(root_).filePath(kModelFile);
    QMutexLocker lock(&mutex_);
    QFile file(path);
    if (!file.exists()) return {};
    if (!file.open(QIODevice::ReadOnly)) throw Error(str(path) + ": cannot be read");
    const auto bytes = file.readAll();
    try {
        return decodeParameters(std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
    } catch (const Error& error) {
        throw Error(str(path) + ": " + error.what());
    }
}

QString FolderWorkspace::siteModelVersion() const {
    QMutexLocker lock(&mutex_);
    return modelVersion_;
}

QStringList FolderWorkspace::siteModelClassNames() const {
    QMutexLocker lock(&mutex_);
    return modelClassNames_;
}

void FolderWorkspace::saveSiteModel(const ParameterSet& state, const QStringList& classNames) {
    const auto payload = encodeParameters(state, CodecKind::Fp32Raw);
    const auto path = QDir(root_).filePath(kModelFile);
    {
        QMutexLocker lock(&mutex_);
        QDir(root_).mkpath(QStringLiteral("model"));
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly) ||
            file.write(reinterpret_cast<const char*>(payload.data()), static_cast<qint64>(payload.size())) < 0 ||
            !file.commit())
            throw Error(str(path) + ": cannot be written (" + str(file.errorString()) + ")");
        // The version names the exact weights a saved prediction was made with.
        modelVersion_ = QString::fromStdString(sha256Hex(payload.data(), payload.size())).left(12);
        modelClassNames_ = classNames;
        saveMeta();
    }
    emit siteModelChanged();
}

TrainingOutcome FolderWorkspace::trainLocally(const TrainingConfig& config, TaskContext& context) {
    return fmc::ui::trainLocally(*this, config, context);
}

QString FolderWorkspace::featureCacheDirectory() const { return QDir(root_).filePath(QStringLiteral("feature-cache")); }

}  // namespace fmc::ui
