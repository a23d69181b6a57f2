#include "site_trainers/site_store_recorder.h"

#include "site/site_workspace.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace fmc::federation {

SiteStoreRecorder::SiteStoreRecorder(SiteWorkspace& workspace, std::string coordinatorUrl)
    : workspace_(workspace), coordinatorUrl_(std::move(coordinatorUrl)) {}

// One training run per federation, kept across restarts of the agent.
std::string SiteStoreRecorder::runSettingKey() const { return "federation." + task_.federationId + ".training_run"; }

void SiteStoreRecorder::federationStarted(const FederationTask& task) {
    task_ = task;
    if (const auto saved = workspace_.store().setting(runSettingKey())) {
        const auto id = std::stoll(*saved);
        if (const auto run = workspace_.store().trainingRun(id)) {
            runId_ = id;
            // Going on after a stop (marked if it was left running); a finished one stays so.
            if (run->status != "finished") workspace_.store().resumeTrainingRun(id);
        }
    }
}

void SiteStoreRecorder::federationStopped() {
    if (!runId_) return;
    const auto run = workspace_.store().trainingRun(*runId_);
    if (run && run->status == "running") workspace_.store().interruptTrainingRun(*runId_, "stopped");
}

void SiteStoreRecorder::recordRound(const SiteRoundRecord& record) {
    const auto metric = [&](const char* name) -> std::optional<double> {
        const auto found = record.metrics.find(name);
        if (found == record.metrics.end()) return std::nullopt;
        return found->second;
    };
    if (!runId_) {
        TrainingRunInfo info;
        info.kind = "federated";
        info.bundleHash = task_.settings.bundleHash;
        info.classes = task_.settings.classNames;
        info.optionsJson = ss(QString::fromUtf8(
            QJsonDocument(QJsonObject{{"federation_id", qs(task_.federationId)},
                                      {"coordinator", qs(coordinatorUrl_)},
                                      {"share_thresholds", task_.settings.shareThresholds},
                                      {"mask_aware_aggregation", task_.settings.maskAwareAggregation}})
                .toJson(QJsonDocument::Compact)));
        info.trainImages = static_cast<int>(record.sampleCount);
        info.evaluationImages = static_cast<int>(metric("validation_samples").value_or(0));
        info.evaluationSplit = info.evaluationImages == 0         ? ""
                               : record.evaluation.split.empty() ? "validation"
                                                                 : record.evaluation.split;
        runId_ = workspace_.store().beginTrainingRun(info);
        workspace_.store().setSetting(runSettingKey(), std::to_string(*runId_));
    }
    RoundMetrics metrics;
    metrics.round = record.round;
    metrics.loss = metric("train_loss").value_or(0);
    metrics.accuracy = metric("validation_accuracy");
    metrics.balancedAccuracy = metric("validation_balanced_accuracy");
    metrics.macroF1 = metric("validation_macro_f1");
    metrics.bytesSent = record.bytesSent;
    metrics.bytesReceived = record.bytesReceived;
    metrics.seconds = record.seconds;
    metrics.perClassRecall = record.evaluation.perClassRecall;
    workspace_.store().recordRound(*runId_, metrics);
}

void SiteStoreRecorder::recordGlobalFam(int round, const std::vector<std::uint8_t>& payload, const std::string&) {
    ModelVersion version;
    version.kind = ModelVersionKind::GlobalFam;
    version.bundleHash = task_.settings.bundleHash;
    version.classes = task_.settings.classNames;
    version.promptTemplate = task_.settings.promptTemplate;
    version.trainingRunId = runId_;
    version.round = round;
    version.source = coordinatorUrl_;
    workspace_.saveModelVersion(version, decodeParameters(payload));
}

void SiteStoreRecorder::federationFinished() {
    if (runId_) workspace_.store().finishTrainingRun(*runId_, "finished");
}

}  // namespace fmc::federation
