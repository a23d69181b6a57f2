#include "coordinator_federation_service.h"

#ifdef FMC_HAVE_FEDERATION
#include "common/metrics.h"
#include "coordinator_probe.h"
#include "engine/fedmedclip_site.h"
#include "engine/model_bundle.h"
#include "engine/runtime.h"
#include "federation/coordinator_client.h"
#include "federation/site_agent.h"
#include "logging.h"
#include "sim/feature_cache.h"
#include "site_training.h"
#include "task_runner.h"
#include "workspace_service.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QUuid>

#include <map>
#include <memory>

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

// The site's side of the rounds, on the workspace's images: the features of its train and
// validation splits (labels mapped onto the federation's classes), a FedMedClipSite whose
// MLP never leaves, and each round's validation metrics.
class WorkspaceSiteTrainer : public fed::SiteTrainer {
public:
    WorkspaceSiteTrainer(WorkspaceService& workspace, const TrainingConfig& config, TaskContext& context)
        : workspace_(workspace), config_(config), context_(context) {}

    void prepare(const fed::FederationTask& task) override {
        task_ = task;
        context_.reportProgress(0, 0, CoordinatorFederationService::tr("Loading the model bundle"));
        bundle_ = std::make_unique<ModelBundle>(ModelBundle::load(str(config_.bundleDirectory), str(config_.device)));
        if (bundle_->manifest().bundleHash != task.settings.bundleHash)
            throw Error(str(CoordinatorFederationService::tr("The model bundle on this computer (%1) is not the federation's (%2). Choose the "
                               "federation's bundle in Settings.")
                                .arg(QString::fromStdString(bundle_->manifest().name),
                                     QString::fromStdString(task.settings.bundleName))));
        classes_.clear();
        for (const auto& name : task.settings.classNames) classes_ << QString::fromStdString(name);
        if (workspace_.classNames() != classes_)
            throw Error(str(CoordinatorFederationService::tr("This workspace's classes are not the federation's. Run \"Join a federation\" again "
                               "to map your labels.")));
        QDir().mkpath(workspace_.featureCacheDirectory());
        FeatureCache cache(str(workspace_.featureCacheDirectory()), bundle_->manifest().bundleHash,
                           bundle_->manifest().embeddingDim);
        features_ = extractSiteFeatures(workspace_, *bundle_, &cache, config_.limits, &context_);
        if (features_.train.size() < 2)
            throw Error(str(CoordinatorFederationService::tr("Only %1 labelled training images map to the federation's classes; import and label "
                               "more images.")
                                .arg(features_.train.size())));
        options_.shareThresholds = task.settings.shareThresholds;
        text_ = classTextFeatures(*bundle_, classes_, QString::fromStdString(task.settings.promptTemplate));
        site_ = std::make_unique<FedMedClipSite>(text_, static_cast<float>(bundle_->manifest().logitScale), options_,
                                                 config_.seed, str(config_.device));
    }

    ParameterSet initialFam(std::uint64_t initSeed) override {
        FedMedClipSite initial(text_, static_cast<float>(bundle_->manifest().logitScale), options_, initSeed,
                               str(config_.device));
        return initial.famParameters();
    }

    fed::LocalRoundResult trainRound(int round, const ParameterSet& globalFam) override {
        context_.throwIfCancelled();
        context_.reportProgress(0, 0, CoordinatorFederationService::tr("Round %1: training on this site's images").arg(round));
        QElapsedTimer timer;
        timer.start();
        site_->setFamParameters(globalFam);
        const auto stats = site_->trainRound(features_.train.features, features_.train.labels);
        auto row = evaluateRound(*site_, evaluationSet(features_), classes_.size());
        row.loss = stats.loss;
        row.round = round;
        row.seconds = static_cast<double>(timer.nsecsElapsed()) / 1e9;
        rows_[round] = row;
        fed::LocalRoundResult result;
        result.fam = site_->famParameters();
        result.sampleCount = features_.train.size();
        result.metrics = {{"train_loss", stats.loss},
                          {"train_seconds", row.seconds},
                          {"validation_accuracy", row.accuracy},
                          {"validation_balanced_accuracy", row.balancedAccuracy},
                          {"validation_macro_f1", row.macroF1},
                          {"validation_samples", static_cast<double>(evaluationSet(features_).size())}};
        return result;
    }

    void finish(const ParameterSet& finalFam) override {
        site_->setFamParameters(finalFam);
        workspace_.saveSiteModel(site_->fullState(), classes_);
    }

    // The metrics of a round this trainer trained (the recorder adds the exchange).
    HistoryRow row(int round) const { return rows_.count(round) ? rows_.at(round) : HistoryRow{}; }
    const QStringList& classes() const { return classes_; }
    const QStringList& unreadableImages() const { return features_.errors; }

private:
    WorkspaceService& workspace_;
    TrainingConfig config_;
    TaskContext& context_;
    fed::FederationTask task_;
    std::unique_ptr<ModelBundle> bundle_;
    QStringList classes_;
    SiteFeatures features_;
    FedMedClipOptions options_;
    FloatMatrix text_;
    std::unique_ptr<FedMedClipSite> site_;
    std::map<int, HistoryRow> rows_;
};

// Writes each round the agent finishes into the workspace history and onto the page.
class WorkspaceRoundRecorder : public fed::RoundRecorder {
public:
    WorkspaceRoundRecorder(WorkspaceService& workspace, const WorkspaceSiteTrainer& trainer, TaskContext& context,
                           QString coordinator)
        : workspace_(workspace), trainer_(trainer), context_(context), coordinator_(std::move(coordinator)) {}

    void federationStarted(const fed::FederationTask& task) override {
        total_ = task.settings.rounds;
        outcome.runId = workspace_.addRun({QStringLiteral("federated-%1-%2")
                                               .arg(QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss")),
                                                    QUuid::createUuid().toString(QUuid::Id128).left(6)),
                                           kRunFederated, QDateTime::currentDateTime(), trainer_.classes(),
                           CoordinatorFederationService::tr("federation \"%1\" at %2").arg(QString::fromStdString(task.settings.name), coordinator_)});
    }

    void recordRound(const fed::SiteRoundRecord& record) override {
        auto row = trainer_.row(record.round);
        row.runId = outcome.runId;
        row.runKind = kRunFederated;
        row.round = record.round;
        row.bytesSent = record.bytesSent;
        row.bytesReceived = record.bytesReceived;
        row.finishedAt = QDateTime::currentDateTime();
        workspace_.appendHistory(row);
        context_.reportPartial(QVariant::fromValue(row));
        RoundStatus status;
        status.state = RoundStatus::State::Published;
        status.round = record.round;
        status.totalRounds = total_;
        status.coordinator = coordinator_;
        context_.reportPartial(QVariant::fromValue(status));
        outcome.roundsDone = std::max(outcome.roundsDone, record.round);
        if (row.balancedAccuracy >= outcome.bestBalancedAccuracy) {
            outcome.bestBalancedAccuracy = row.balancedAccuracy;
            outcome.bestRound = record.round;
        }
    }

    void recordGlobalFam(int, const std::vector<std::uint8_t>&, const std::string&) override {}

    TrainingOutcome outcome;

private:
    WorkspaceService& workspace_;
    const WorkspaceSiteTrainer& trainer_;
    TaskContext& context_;
    QString coordinator_;
    int total_ = 0;
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
    WorkspaceSiteTrainer trainer(workspace, config, context);
    WorkspaceRoundRecorder recorder(workspace, trainer, context, identity.coordinatorUrl);
    fed::AgentOptions options;
    // The agent's notes (waiting for sites, retries) are the round's live status.
    options.log = [&context](const QString& message) { context.reportProgress(0, 0, message); };
    fed::SiteAgent agent(stateDirectory(), trainer, recorder, options);
    if (agent.run(context.cancelFlag()) != 0) throw TaskCancelled();
    auto outcome = recorder.outcome;
    outcome.unreadableImages = trainer.unreadableImages();
    return outcome;
}

}  // namespace fmc::ui
#endif
