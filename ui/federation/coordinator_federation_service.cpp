#include "federation/coordinator_federation_service.h"

#include "federation/coordinator_probe.h"
#include "federation/image_kind_check.h"
#include "engine/model_bundle.h"
#include "engine/runtime.h"
#include "site_agent/coordinator_client.h"
#include "site_trainers/feature_site_trainer.h"
#include "site_agent/site_agent.h"
#include "shell/logging.h"
#include "features/feature_cache.h"
#include "workspace/site_training.h"
#include "workspace/task_runner.h"
#include "workspace/workspace_service.h"
#include "workspace/run_description.h"
#include "workspace/run_journal.h"

#include <QCoreApplication>
#include <QDir>
#include <QJsonObject>
#include <QSet>
#include <QUuid>

#include <algorithm>

#include <limits>

namespace fmc::ui {
namespace {

namespace fed = fmc::federation;

std::string str(const QString& text) { return text.toStdString(); }

fed::RetryPolicy quickRetries() {
    // The wizard's checks answer within seconds; the round loop uses the agent's patience.
    fed::RetryPolicy retry;
    retry.maxAttempts = 2;
    retry.requestTimeoutMs = 20'000;
    return retry;
}

fed::SiteIdentity requireIdentity(const QString& stateDir) {
    const auto identity = fed::SiteAgent::loadIdentity(stateDir);
    if (!identity) throw Error(str(CoordinatorFederationService::tr("This workspace has not joined a federation yet (%1 has no credential).").arg(stateDir)));
    return *identity;
}

QDateTime parseTime(const QJsonValue& value) {
    return value.isString() ? QDateTime::fromString(value.toString(), Qt::ISODateWithMs) : QDateTime();
}

RoundStatus statusFromJson(const QJsonObject& json, const QString& coordinator) {
    RoundStatus status;
    status.round = json.value("round").toInt();
    status.totalRounds = json.value("rounds_total").toInt();
    status.sitesUploaded = json.value("uploads_received").toInt();
    status.sitesExpected = json.value("active_sites").toInt();
    status.minimumSites = json.value("min_sites").toInt();
    status.thisSiteUploaded = json.value("you_uploaded").toBool();
    status.deadline = parseTime(json.value("deadline_at"));
    status.coordinator = coordinator;
    const auto state = json.value("state").toString();
    if (json.value("finished").toBool()) status.state = RoundStatus::State::Finished;
    else if (state == QLatin1String("collecting")) status.state = RoundStatus::State::Collecting;
    else if (state == QLatin1String("aggregating")) status.state = RoundStatus::State::Aggregating;
    else if (state == QLatin1String("published")) status.state = RoundStatus::State::Published;
    else status.state = RoundStatus::State::Waiting;
    return status;
}

QStringList classNames(const fed::FederationTask& task) {
    QStringList names;
    for (const auto& name : task.settings.classNames) names << QString::fromStdString(name);
    return names;
}

// The site's side of the rounds is the sites' FeatureSiteTrainer (as `fedmedclip-cli site run`
// trains, private model checkpointed after every round) on the workspace's images: the
// features of its train and validation splits, labels in the workspace's class order, which
// must be the federation's.
class WorkspaceSiteTrainer : public fed::FeatureSiteTrainer {
public:
    WorkspaceSiteTrainer(WorkspaceService& workspace, const ImageLimits& limits, TaskContext& context,
                         fed::SiteTrainingConfig training)
        : FeatureSiteTrainer(std::move(training)), workspace_(workspace), limits_(limits), context_(context) {}

    const QStringList& unreadableImages() const { return unreadable_; }

protected:
    void checkBundle(const fed::FederationTask& task, const ModelBundle& bundle) const override {
        if (bundle.manifest().bundleHash != task.settings.bundleHash)
            throw Error(str(CoordinatorFederationService::tr("The model bundle on this computer (%1) is not the federation's (%2). Choose the "
                               "federation's bundle in Settings.")
                                .arg(QString::fromStdString(bundle.manifest().name),
                                     QString::fromStdString(task.settings.bundleName))));
        FeatureSiteTrainer::checkBundle(task, bundle);
    }

    fed::LocalSplits loadSplits(const fed::FederationTask& task, const ModelBundle& bundle) override {
        if (workspace_.classNames() != classNames(task))
            throw Error(str(CoordinatorFederationService::tr("This workspace's classes are not the federation's. Run \"Join a federation\" again "
                               "to map your labels.")));
        // The federation's kind of image against this workspace's training images, before any
        // image is encoded (the wizard checked when the site joined; images change since).
        QStringList modalities;
        const auto classOfLabel = workspace_.classIndexOfLabels();
        for (const auto& image : workspace_.images())
            if (image.split == kSplitTrain && classOfLabel.contains(image.label)) modalities << image.modality;
        const auto kind = ImageKindChecker::check(QString::fromStdString(task.settings.name), task.settings.imageDomain,
                                                  modalities);
        if (!kind.refusal.isEmpty()) throw Error(str(kind.refusal));
        if (!kind.warning.isEmpty()) qCWarning(lcFederation).noquote() << kind.warning;
        QDir().mkpath(workspace_.featureCacheDirectory());
        FeatureCache cache(str(workspace_.featureCacheDirectory()), bundle.manifest().bundleHash,
                           bundle.manifest().embeddingDim);
        auto features = extractSiteFeatures(workspace_, bundle, &cache, limits_, &context_);
        unreadable_ = features.errors;
        if (features.train.size() < 2)
            throw Error(str(CoordinatorFederationService::tr("Only %1 labelled training images map to the federation's classes; import and label "
                               "more images.")
                                .arg(features.train.size())));
        fed::LocalSplits splits;
        splits.origin = str(workspace_.rootPath());
        splits.train = labelled(std::move(features.train));
        // Rounds are evaluated on the validation split, or on the test split when there is none
        // (as evaluationSet() does for local training).
        if (features.validation.size() > 0) {
            splits.evaluation = labelled(std::move(features.validation));
            splits.evaluationSplit = "validation";
            splits.finalTest = labelled(std::move(features.test));
        } else if (features.test.size() > 0) {
            splits.evaluation = labelled(std::move(features.test));
            splits.evaluationSplit = "test";
        }
        return splits;
    }

    void beforeRound(int round) override {
        context_.throwIfCancelled();
        RoundStatus status;
        status.state = RoundStatus::State::Training;
        status.round = round;
        context_.reportPartial(QVariant::fromValue(status));
        context_.reportProgress(0, 0, CoordinatorFederationService::tr("Training on this site's images"));
    }

    void keepFinalModel(const fed::FederationTask& task, const fed::SiteTrainingConfig&,
                        const ParameterSet& fullState) override {
        // Calibrated on this site's validation images, for the kind of image the federation declares.
        auto domain = task.settings.imageDomain;
        domain.declared = restrictsAnything(domain);
        const auto calibration = calibrateModel(domain, kDefaultConformalCoverage);
        workspace_.saveSiteModel(fullState, classNames(task), &calibration);
        context_.reportProgress(0, 0, CoordinatorFederationService::tr("The federation has finished. This site's final model is saved and "
                                                                       "the Classify page uses it."));
    }

private:
    static fed::LabelledFeatures labelled(LabelledFeatures&& features) {
        return {std::move(features.features), std::move(features.labels)};
    }

    WorkspaceService& workspace_;
    ImageLimits limits_;
    TaskContext& context_;
    QStringList unreadable_;
};

// Writes each round the agent finishes into the workspace history and onto the page, from
// what the round produced: the uploaded metrics and the recall the site kept for itself.
class WorkspaceRoundRecorder : public fed::RoundRecorder {
public:
    WorkspaceRoundRecorder(WorkspaceService& workspace, TaskContext& context, QString coordinator)
        : workspace_(workspace), context_(context), coordinator_(std::move(coordinator)) {}

    void federationStarted(const fed::FederationTask& task) override {
        total_ = task.settings.rounds;
        const auto classes = classNames(task);
        classCount_ = classes.size();
        // One federation is one run: a resumed federation (after a cancel, a quit, a restart)
        // goes on in the run it started.
        outcome.runId = runForFederation(
            workspace_, QString::fromStdString(task.federationId),
            {QStringLiteral("federated-%1-%2")
                 .arg(QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss")),
                      QUuid::createUuid().toString(QUuid::Id128).left(6)),
             kRunFederated, QDateTime::currentDateTime(), classes,
             federationRunDescription(QString::fromStdString(task.settings.name), coordinator_)});
        for (const auto& row : workspace_.history(outcome.runId)) recorded_.insert(row.round);
        context_.reportPartial(QVariant::fromValue(outcome.runId));
        RoundStatus status;
        status.totalRounds = total_;
        status.coordinator = coordinator_;
        status.round = recorded_.isEmpty() ? 0 : *std::max_element(recorded_.begin(), recorded_.end());
        status.state = RoundStatus::State::Waiting;
        context_.reportPartial(QVariant::fromValue(status));
        context_.reportProgress(0, 0, CoordinatorFederationService::tr("Federation \"%1\": %n round(s) in all.", nullptr, total_)
                                          .arg(QString::fromStdString(task.settings.name)));
    }

    void recordRound(const fed::SiteRoundRecord& record) override {
        const auto metric = [&record](const char* name) {
            const auto found = record.metrics.find(name);
            return found == record.metrics.end() ? 0.0 : found->second;
        };
        HistoryRow row;
        row.runId = outcome.runId;
        row.runKind = kRunFederated;
        row.round = record.round;
        row.loss = metric("train_loss");
        row.accuracy = metric("validation_accuracy");
        row.balancedAccuracy = metric("validation_balanced_accuracy");
        row.macroF1 = metric("validation_macro_f1");
        row.seconds = record.seconds;
        // NaN for a class without evaluation images, and for every class of an upload re-sent
        // after a restart (its evaluation was not kept).
        row.perClassRecall.fill(std::numeric_limits<double>::quiet_NaN(), classCount_);
        const auto& recall = record.evaluation.perClassRecall;
        for (int c = 0; c < classCount_ && c < static_cast<int>(recall.size()); ++c)
            if (recall[static_cast<size_t>(c)]) row.perClassRecall[c] = *recall[static_cast<size_t>(c)];
        row.bytesSent = record.bytesSent;
        row.bytesReceived = record.bytesReceived;
        row.finishedAt = QDateTime::currentDateTime();
        // A round re-sent after a restart is in the run already.
        if (!recorded_.contains(record.round)) {
            workspace_.appendHistory(row);
            recorded_.insert(record.round);
        }
        context_.reportPartial(QVariant::fromValue(row));
        // The update is sent; the coordinator's status says when the round is published.
        RoundStatus status;
        status.state = RoundStatus::State::Collecting;
        status.thisSiteUploaded = record.outcome != "late" && record.outcome != "rejected";
        status.round = record.round;
        status.totalRounds = total_;
        status.coordinator = coordinator_;
        context_.reportPartial(QVariant::fromValue(status));
        context_.reportProgress(0, 0, progressText(record));
        outcome.roundsDone = std::max(outcome.roundsDone, record.round);
        if (row.balancedAccuracy >= outcome.bestBalancedAccuracy) {
            outcome.bestBalancedAccuracy = row.balancedAccuracy;
            outcome.bestRound = record.round;
        }
    }

    void recordGlobalFam(int, const std::vector<std::uint8_t>&, const std::string&) override {}

    TrainingOutcome outcome;

private:
    // The coordinator's verdict on this round's upload, in the app's language (its own words
    // are in the log).
    QString progressText(const fed::SiteRoundRecord& record) const {
        if (record.outcome == "late")
            return CoordinatorFederationService::tr("Round %1 closed before this site's update arrived; this site "
                                                    "joins the next round.").arg(record.round);
        if (record.outcome == "rejected")
            return CoordinatorFederationService::tr("The coordinator refused this site's update of round %1. The "
                                                    "log says why; the federation goes on without it.").arg(record.round);
        return CoordinatorFederationService::tr("Taking part in the federation's rounds.");
    }

    WorkspaceService& workspace_;
    TaskContext& context_;
    QString coordinator_;
    int total_ = 0;
    int classCount_ = 0;
    QSet<int> recorded_;
};

}  // namespace

CoordinatorFederationService::CoordinatorFederationService(QString workspaceRoot)
    : workspaceRoot_(std::move(workspaceRoot)) {}

QString CoordinatorFederationService::stateDirectory() const {
    return QDir(workspaceRoot_).filePath(QStringLiteral("federation"));
}

CoordinatorIdentity CoordinatorFederationService::fetchIdentity(const QUrl& coordinator) {
    return probeCoordinator(coordinator);
}

QString CoordinatorFederationService::verifyAuthority(const QUrl& coordinator,
                                                      const QList<QSslCertificate>& authorities) {
    return verifyCoordinatorChain(coordinator, authorities);
}

FederationTask CoordinatorFederationService::enroll(const QUrl& coordinator, const QString& enrollmentCode,
                                                    const CoordinatorTrust& trust) {
    fed::EnrollmentInvitation invitation;
    invitation.coordinatorUrl = coordinator.toString();
    invitation.code = str(enrollmentCode);
    // What the person confirmed (the fingerprint, or the federation's CA) is the only trust from now on.
    invitation.pinnedSha256 = trust.pinnedSha256;
    invitation.caCertificatesPem = trust.caCertificatesPem;
    fed::AgentOptions options;
    options.retry = quickRetries();
    const auto identity = fed::SiteAgent::enroll(stateDirectory(), invitation, options);
    fed::CoordinatorClient client(coordinator, identity.trust(), quickRetries());
    client.setToken(identity.token);
    const auto json = client.getJson(QStringLiteral("/federations/%1/task").arg(QString::fromStdString(identity.federationId)));
    const auto task = fed::taskFromJson(json, "task from " + str(coordinator.toString()));
    FederationTask result;
    result.federationId = QString::fromStdString(task.federationId);
    result.name = QString::fromStdString(task.settings.name);
    for (const auto& name : task.settings.classNames) result.classNames << QString::fromStdString(name);
    result.promptTemplate = QString::fromStdString(task.settings.promptTemplate);
    result.bundleName = QString::fromStdString(task.settings.bundleName);
    result.bundleHash = QString::fromStdString(task.settings.bundleHash);
    result.rounds = task.settings.rounds;
    result.minimumSites = task.settings.minSites;
    result.imageDomain = task.settings.imageDomain;
    result.siteId = QString::fromStdString(identity.siteId);
    // The token stays in the state folder (owner-readable only); the setup keeps no copy.
    qCInfo(lcFederation) << "enrolled as site" << result.siteId << "of" << result.federationId;
    return result;
}

void CoordinatorFederationService::testConnection(const FederationSetup& setup) {
    const auto identity = requireIdentity(stateDirectory());
    fed::CoordinatorClient client(QUrl(identity.coordinatorUrl), identity.trust(), quickRetries());
    client.setToken(identity.token);
    const auto json = client.getJson(QStringLiteral("/federations/%1/task").arg(QString::fromStdString(identity.federationId)));
    if (!setup.federationId.isEmpty() && json.value("federation_id").toString() != setup.federationId)
        throw Error(str(CoordinatorFederationService::tr("The coordinator answered for another federation than the one this site joined.")));
}

RoundStatus CoordinatorFederationService::roundStatus(const FederationSetup&) {
    const auto identity = requireIdentity(stateDirectory());
    fed::CoordinatorClient client(QUrl(identity.coordinatorUrl), identity.trust(), quickRetries());
    client.setToken(identity.token);
    return statusFromJson(
        client.getJson(QStringLiteral("/federations/%1/rounds/current").arg(QString::fromStdString(identity.federationId))),
        identity.coordinatorUrl);
}

TrainingOutcome CoordinatorFederationService::runFederatedTraining(WorkspaceService& workspace,
                                                                   const TrainingConfig& config, TaskContext& context) {
    const auto identity = requireIdentity(stateDirectory());
    configureRuntime(str(config.device), config.threads);
    // The agent's and the trainer's notes (waiting for sites, retries, a resumed local model)
    // go to the log; the page shows its own translated progress and the polled round status.
    const auto note = [](const QString& message) { qCInfo(lcFederation).noquote() << message; };
    fed::SiteTrainingConfig training;
    training.bundleDir = str(config.bundleDirectory);
    training.checkpointPath = str(QDir(stateDirectory()).filePath(QStringLiteral("local-model.fmcp")));
    training.seed = config.seed;
    training.device = str(config.device);
    training.options = config.method;
    training.log = [note](const std::string& message) { note(QString::fromStdString(message)); };
    WorkspaceSiteTrainer trainer(workspace, config.limits, context, std::move(training));
    WorkspaceRoundRecorder recorder(workspace, context, identity.coordinatorUrl);
    fed::AgentOptions options;
    options.log = note;
    fed::SiteAgent agent(stateDirectory(), trainer, recorder, options);
    if (agent.run(context.cancelFlag()) != 0) throw TaskCancelled();
    auto outcome = recorder.outcome;
    // Finished, not interrupted: a later start (the federation is over) is no resumption.
    if (!outcome.runId.isEmpty()) workspace.finishRun(outcome.runId);
    outcome.unreadableImages = trainer.unreadableImages();
    return outcome;
}

}  // namespace fmc::ui
