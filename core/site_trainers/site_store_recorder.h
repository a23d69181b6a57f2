#pragma once
// Records a site's federated rounds in its workspace store (core/site): one training run
// of kind "federated" per federation, every round's metrics, per-class recall (kept on the
// site, never uploaded) and bytes, and every global FAM received as a model version.
#include "site_agent/site_agent.h"

#include <cstdint>
#include <optional>
#include <string>

namespace fmc {
class SiteWorkspace;
}

namespace fmc::federation {

class SiteStoreRecorder : public RoundRecorder {
public:
    // `workspace` must outlive the recorder; `coordinatorUrl` is recorded as the source of global FAMs.
    SiteStoreRecorder(SiteWorkspace& workspace, std::string coordinatorUrl);

    void federationStarted(const FederationTask& task) override;
    void recordRound(const SiteRoundRecord& record) override;
    void recordGlobalFam(int round, const std::vector<std::uint8_t>& payload, const std::string& sha256) override;
    void federationFinished() override;
    // The agent stopped before the federation's end (a signal, a lost connection): the run is
    // marked stopped after its last round; the next start goes on in it.
    void federationStopped();

    std::optional<std::int64_t> trainingRunId() const { return runId_; }

private:
    std::string runSettingKey() const;

    SiteWorkspace& workspace_;
    std::string coordinatorUrl_;
    FederationTask task_;
    std::optional<std::int64_t> runId_;
};

}  // namespace fmc::federation
