#include "workspace/site_training.h"

#include "common/aggregation.h"
#include "common/codec.h"
#include "common/metrics.h"
#include "engine/fedmedclip_site.h"
#include "engine/runtime.h"
#include "federation/federation_types.h"
#include "workspace/import_scanner.h"
#include "shell/logging.h"
#include "imaging/dataset.h"
#include "features/feature_cache.h"
#include "features/feature_extractor.h"
#include "workspace/task_runner.h"
#include "workspace/workspace_service.h"
#include "workspace/run_description.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QUuid>

#include <cmath>
#include <limits>
#include <memory>

namespace fmc::ui {
namespace {

// The translation context of this file's messages.
class SiteTraining {
    Q_DECLARE_TR_FUNCTIONS(SiteTraining)
};

std::string str(const QString& text) { return text.toStdString(); }

constexpr int kMinimumTrainingImages = 4;

void appendRow(LabelledFeatures& target, const float* feature, std::int64_t dim, int label) {
    if (target.features.cols == 0) target.features.cols = dim;
    target.features.data.insert(target.features.data.end(), feature, feature + dim);
    ++target.features.rows;
    target.labels.push_back(label);
}

QString newRunId(const QString& kind) {
    return kind + QLatin1Char('-') + QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss")) +
           QLatin1Char('-') + QUuid::createUuid().toString(QUuid::Id128).left(6);
}

void requireTrainable(const SiteFeatures& features, int numClasses) {
    if (numClasses < 2)
        throw Error(str(SiteTraining::tr("The workspace needs at least two classes to train a model.")));
    if (features.train.size() < kMinimumTrainingImages)
        throw Error(str(SiteTraining::tr("Only %1 labelled training images could be used; at least %2 are needed. "
                           "Import and label more images first.")
                            .arg(features.train.size())
                            .arg(kMinimumTrainingImages)));
}

std::unique_ptr<FeatureCache> openCache(const WorkspaceService& workspace, const ModelBundle& bundle) {
    const auto dir = workspace.featureCacheDirectory();
    QDir().mkpath(dir);
    return std::make_unique<FeatureCache>(str(dir), bundle.manifest().bundleHash, bundle.manifest().embeddingDim);
}

ModelBundle loadBundle(const TrainingConfig& config, TaskContext& context) {
    if (config.bundleDirectory.isEmpty())
        throw Error(str(SiteTraining::tr("No model bundle is set. Choose the model bundle folder in Settings.")));
    context.reportProgress(0, 0, SiteTraining::tr("Loading the model bundle"));
    configureRuntime(str(config.device), config.threads);
    return ModelBundle::load(str(config.bundleDirectory), str(config.device));
}

void reportStatus(TaskContext& context, RoundStatus::State state, int round, int total, int uploaded, int expected) {
    RoundStatus status;
    status.state = state;
    status.round = round;
    status.totalRounds = total;
    status.sitesUploaded = uploaded;
    status.sitesExpected = expected;
    status.coordinator = SiteTraining::tr("this computer (demo federation)");
    context.reportPartial(QVariant::fromValue(status));
}

}  // namespace


QString promptFor(const QString& promptTemplate, const QString& className) {
    return QString::fromStdString(classPrompt(promptTemplate.toStdString(), className.toStdString()));
}

FloatMatrix classTextFeatures(const ModelBundle& bundle, const QStringList& classNames, const QString& promptTemplate) {
    std::vector<std::string> prompts;
    for (const auto& name : classNames) prompts.push_back(str(promptFor(promptTemplate, name)));
    return bundle.encodeTexts(prompts);
}

SiteFeatures extractSiteFeatures(const WorkspaceService& workspace, const ModelBundle& bundle, FeatureCache* cache,
                                 const ImageLimits& limits, TaskContext* context) {
    const auto classOfLabel = workspace.classIndexOfLabels();
    QList<ImageEntry> selected;
    for (const auto& image : workspace.images())
        if (classOfLabel.contains(image.label)) selected.append(image);

    SiteFeatures result;
    const auto dim = bundle.manifest().embeddingDim;
    const auto prep = preprocessingFor(bundle.manifest());
    std::vector<float> batch;
    QList<ImageEntry> batchImages;
    auto place = [&](const ImageEntry& image, const float* feature) {
        auto& target = image.split == kSplitTrain        ? result.train
                       : image.split == kSplitValidation ? result.validation
                                                         : result.test;
        appendRow(target, feature, dim, classOfLabel.value(image.label));
    };
    auto flush = [&] {
        if (batchImages.isEmpty()) return;
        const auto features = bundle.encodeImages(batch.data(), batchImages.size());
        for (int i = 0; i < batchImages.size(); ++i) {
            if (cache) cache->insert(str(batchImages.at(i).contentHash), features.row(i));
            place(batchImages.at(i), features.row(i));
        }
        result.encoded += batchImages.size();
        batch.clear();
        batchImages.clear();
    };
    for (int i = 0; i < selected.size(); ++i) {
        if (context) {
            context->throwIfCancelled();
            context->reportProgress(i, selected.size(), SiteTraining::tr("Reading images"));
        }
        const auto& image = selected.at(i);
        if (const auto* cached = cache ? cache->find(str(image.contentHash)) : nullptr) {
            place(image, cached->data());
            ++result.fromCache;
            continue;
        }
        try {
            imageToTensor(loadAnyImage(image.path, limits), prep, batch);
            batchImages.append(image);
        } catch (const std::exception& error) {
            result.errors << QString::fromStdString(error.what());
        }
        if (batchImages.size() >= bundle.batchSize()) flush();
    }
    flush();
    if (context) context->reportProgress(selected.size(), selected.size(), SiteTraining::tr("Reading images"));
    return result;
}

const LabelledFeatures& evaluationSet(const SiteFeatures& features) {
    return features.validation.size() > 0 ? features.validation : features.test;
}

HistoryRow evaluateRound(const FedMedClipSite& model, const LabelledFeatures& validation, int numClasses) {
    HistoryRow row;
    row.perClassRecall.fill(std::numeric_limits<double>::quiet_NaN(), numClasses);
    if (validation.size() == 0) return row;
    const auto metrics = computeMetrics(validation.labels, model.predict(validation.features).ensemble, numClasses);
    row.accuracy = metrics.accuracy;
    row.balancedAccuracy = metrics.balancedAccuracy;
    row.macroF1 = metrics.macroF1;
    for (int c = 0; c < numClasses; ++c)
        if (metrics.support[static_cast<size_t>(c)] > 0) row.perClassRecall[c] = metrics.perClassRecall[static_cast<size_t>(c)];
    return row;
}

ModelCalibration calibrateKeptModel(const FedMedClipSite& model, const SiteFeatures& own, const QStringList& classNames,
                                    const BundleManifest& manifest, const ImageDomain& domain) {
    const auto views = [&](const LabelledFeatures& split) {
        const auto prediction = model.predict(split.features);
        return ViewProbabilities{prediction.ensemble, prediction.famOnly, prediction.mlpOnly};
    };
    CalibrationInputs inputs;
    for (const auto& name : classNames) inputs.classes.push_back(str(name));
    inputs.trainLabels = own.train.labels;
    inputs.domain = domain;
    if (own.validation.size() > 0) {
        inputs.trainFeatures = own.train.features;
        inputs.validation = views(own.validation);
        inputs.validationLabels = own.validation.labels;
        inputs.validationFeatures = own.validation.features;
    }
    if (own.test.size() > 0) {
        inputs.test = views(own.test);
        inputs.testLabels = own.test.labels;
    }
    auto calibration = fitModelCalibration(inputs);
    calibration.bundleName = manifest.name;
    calibration.bundleHash = manifest.bundleHash;
    calibration.demoBundle = manifest.demo;
    return calibration;
}

namespace {

// Records a finished round in the workspace's history and on the page, and keeps the model
// when its balanced accuracy is the best so far (the earlier round on a tie).
void recordRound(WorkspaceService& workspace, TaskContext& context, HistoryRow& row, const FedMedClipSite& model,
                 TrainingOutcome& outcome, ParameterSet& bestState) {
    row.finishedAt = QDateTime::currentDateTime();
    workspace.appendHistory(row);
    context.reportPartial(QVariant::fromValue(row));
    outcome.roundsDone = row.round;
    if (row.balancedAccuracy > outcome.bestBalancedAccuracy) {
        outcome.bestBalancedAccuracy = row.balancedAccuracy;
        outcome.bestRound = row.round;
        bestState = model.fullState();
    }
}

}  // namespace

PeerSiteSource demoPeerSites(const WorkspaceService& workspace) {
    if (!workspace.isDemo()) return {};
    // prepareDemoWorkspace() puts the demo federation's images beside the workspace.
    const auto csv = QDir(workspace.rootPath()).absoluteFilePath(QStringLiteral("../federation/demo-images/labels.csv"));
    if (!QFileInfo::exists(csv)) return {};
    return {QDir::cleanPath(csv), {QStringLiteral("demo-site-2"), QStringLiteral("demo-site-3")}};
}

TrainingOutcome runLocalFederation(WorkspaceService& workspace, const TrainingConfig& config,
                                   const PeerSiteSource& peers, TaskContext& context) {
    if (peers.csvPath.isEmpty() || peers.siteNames.isEmpty())
        throw Error(str(SiteTraining::tr("This workspace has no demo federation to train with.")));
    auto bundle = loadBundle(config, context);
    const auto classNames = workspace.classNames();
    auto cache = openCache(workspace, bundle);
    const auto own = extractSiteFeatures(workspace, bundle, cache.get(), config.limits, &context);
    requireTrainable(own, classNames.size());

    // The other sites: their records from the CSV, labels matched to our classes by name.
    auto dataset = loadCsv(str(peers.csvPath));
    std::vector<std::string> siteNames;
    for (const auto& name : peers.siteNames) siteNames.push_back(str(name));
    const auto splits = splitSites(dataset, siteNames, config.seed);
    std::vector<std::string> paths;
    for (const auto& record : dataset.records) paths.push_back(record.path);
    context.reportProgress(0, 0, SiteTraining::tr("Reading the other sites' images"));
    const auto extracted = FeatureExtractor(bundle, cache.get())
                               .extract(
                                   paths,
                                   [&](int done, int total) {
                                       context.reportProgress(done, total, SiteTraining::tr("Reading the other sites' images"));
                                   },
                                   context.cancelFlag());
    auto gather = [&](const std::vector<int>& indices) {
        LabelledFeatures subset;
        for (int index : indices) {
            const auto& record = dataset.records[static_cast<size_t>(index)];
            const int label = classNames.indexOf(QString::fromStdString(dataset.classNames[static_cast<size_t>(record.label)]));
            if (label < 0 || !extracted.ok[static_cast<size_t>(index)]) continue;
            appendRow(subset, extracted.features.row(index), extracted.features.cols, label);
        }
        return subset;
    };
    std::vector<LabelledFeatures> train{own.train}, validation{evaluationSet(own)};
    for (const auto& split : splits) {
        train.push_back(gather(split.train));
        validation.push_back(gather(split.validation));
    }

    const int siteCount = static_cast<int>(train.size());
    const auto text = classTextFeatures(bundle, classNames, config.promptTemplate);
    const auto logitScale = static_cast<float>(bundle.manifest().logitScale);
    std::vector<FedMedClipSite> models;
    for (int s = 0; s < siteCount; ++s)
        models.emplace_back(text, logitScale, config.method, config.seed + 101 * static_cast<std::uint64_t>(s),
                            str(config.device));
    // One initial FAM for everyone, as a coordinator would broadcast it.
    for (int s = 1; s < siteCount; ++s) models[static_cast<size_t>(s)].setFamParameters(models[0].famParameters());
    std::vector<double> weights;
    for (const auto& subset : train) weights.push_back(subset.size());
    const auto layout = models[0].famParameters();

    TrainingOutcome outcome;
    outcome.unreadableImages = own.errors;
    outcome.runId = workspace.addRun({newRunId(kRunFederated), kRunFederated, QDateTime::currentDateTime(), classNames,
                      demoFederationRunDescription(siteCount)});
    context.reportPartial(QVariant::fromValue(outcome.runId));
    ParameterSet bestState;
    outcome.bestBalancedAccuracy = -1;
    for (int round = 1; round <= config.rounds; ++round) {
        context.throwIfCancelled();
        // The round's state first: the Train page shows it and then leaves out the progress
        // line, which is for the demo-preparation dialog.
        reportStatus(context, RoundStatus::State::Collecting, round, config.rounds, 0, siteCount);
        context.reportProgress(round - 1, config.rounds, SiteTraining::tr("Federated round %1 of %2").arg(round).arg(config.rounds));
        QElapsedTimer timer;
        timer.start();
        double ownLoss = 0;
        std::vector<ParameterSet> uploads;
        qint64 bytesSent = 0;
        for (int s = 0; s < siteCount; ++s) {
            context.throwIfCancelled();
            auto& model = models[static_cast<size_t>(s)];
            const auto stats = model.trainRound(train[static_cast<size_t>(s)].features, train[static_cast<size_t>(s)].labels);
            if (s == 0) ownLoss = stats.loss;
            const auto payload = encodeParameters(model.famParameters(), CodecKind::Fp16Zlib);
            if (s == 0) bytesSent = static_cast<qint64>(payload.size());
            uploads.push_back(decodeParameters(payload, layout));
            reportStatus(context, RoundStatus::State::Collecting, round, config.rounds, s + 1, siteCount);
        }
        reportStatus(context, RoundStatus::State::Aggregating, round, config.rounds, siteCount, siteCount);
        const auto average = config.method.maskAwareAggregation ? maskAwareAverage(uploads, weights)
                                                                : federatedAverage(uploads, weights);
        const auto broadcast = encodeParameters(average, CodecKind::Fp16Zlib);
        const auto global = decodeParameters(broadcast, layout);
        for (auto& model : models) model.receiveGlobalFam(global);
        reportStatus(context, RoundStatus::State::Published, round, config.rounds, siteCount, siteCount);

        auto row = evaluateRound(models[0], validation[0], classNames.size());
        double federationAccuracy = 0;
        for (int s = 0; s < siteCount; ++s)
            federationAccuracy +=
                evaluateRound(models[static_cast<size_t>(s)], validation[static_cast<size_t>(s)], classNames.size()).accuracy /
                siteCount;
        row.runId = outcome.runId;
        row.runKind = kRunFederated;
        row.round = round;
        row.loss = ownLoss;
        row.federationAccuracy = federationAccuracy;
        row.bytesSent = bytesSent;
        row.bytesReceived = static_cast<qint64>(broadcast.size());
        row.seconds = static_cast<double>(timer.nsecsElapsed()) / 1e9;
        recordRound(workspace, context, row, models[0], outcome, bestState);
    }
    reportStatus(context, RoundStatus::State::Finished, config.rounds, config.rounds, siteCount, siteCount);
    context.reportProgress(config.rounds, config.rounds, SiteTraining::tr("Saving the model"));
    // The kept model, calibrated on this site's own validation images like a locally trained one.
    models[0].setFullState(bestState);
    const auto calibration = calibrateKeptModel(models[0], own, classNames, bundle.manifest(), {});
    workspace.saveSiteModel(bestState, classNames, &calibration);
    workspace.finishRun(outcome.runId);
    qCInfo(lcTrain) << "demo federation done:" << outcome.roundsDone << "rounds, best" << outcome.bestRound;
    return outcome;
}

}  // namespace fmc::ui
