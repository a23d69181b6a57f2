#pragma once
// A site's side of a federation: enroll once, then, round after round, fetch the global
// FAM, train locally, upload the FAM with its sample count and validation metrics, and
// record the round. Only FAM parameters, counts and metrics ever leave the site.
//
// The agent keeps its state in a folder (<workspace>/federation/): the site credential
// (site.json, owner-readable only), the upload in flight and the last round done. Killed
// at any point, a new agent on the same folder resumes: an upload that may have reached
// the coordinator is re-sent with the same idempotency key, so it counts once.
//
// Training and recording are injected, so the protocol does not depend on the engine or
// on the site store: SiteStoreTrainer (site/site_store_trainer.h) trains FedMedCLIP on the
// workspace's imported images, EngineSiteTrainer (site/engine_site_trainer.h) on a folder or
// CSV; JsonLinesRoundRecorder writes rounds.jsonl; the CLI adds the site store when present.
#include "site_agent/coordinator_client.h"
#include "protocol/protocol.h"

#include <QString>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fmc::federation {

// What a round's local evaluation leaves for the site's own records; never uploaded.
struct LocalEvaluation {
    std::string split;  // "validation", "test", or "" when nothing was evaluated
    // Ensemble recall per class, in the task's class order; nullopt for a class without
    // evaluation images. Empty when nothing was evaluated.
    std::vector<std::optional<double>> perClassRecall;
};

struct LocalRoundResult {
    ParameterSet fam;  // the locally trained FAM, in the federation's layout
    std::int64_t sampleCount = 0;
    std::map<std::string, double> metrics;  // allowedMetricNames() only
    LocalEvaluation evaluation;             // stays on the site
};

class SiteTrainer {
public:
    virtual ~SiteTrainer() = default;
    // Loads the bundle and the site's data for this task. Throws fmc::Error when the
    // bundle is not the federation's (bundle hash) or the data cannot serve the task.
    virtual void prepare(const FederationTask& task) = 0;
    // The FAM before round 1: the engine's initialisation with the task's init_seed.
    virtual ParameterSet initialFam(std::uint64_t initSeed) = 0;
    // Starts from the global FAM, trains one round and evaluates on local validation data.
    virtual LocalRoundResult trainRound(int round, const ParameterSet& globalFam) = 0;
    // Adopts the federation's final FAM.
    virtual void finish(const ParameterSet& finalFam) = 0;
};

// What the site keeps of each round (its own copy; the coordinator has the uploads).
struct SiteRoundRecord {
    int round = 0;
    std::string outcome;  // "accepted", "duplicate", "late", "rejected"
    std::string message;
    std::int64_t sampleCount = 0;
    std::map<std::string, double> metrics;
    std::int64_t bytesSent = 0, bytesReceived = 0;
    double seconds = 0;  // local training and evaluation
    LocalEvaluation evaluation;  // empty for an upload re-sent after a restart
};

class RoundRecorder {
public:
    virtual ~RoundRecorder() = default;
    // Once per run of the agent, before the first round it records.
    virtual void federationStarted(const FederationTask&) {}
    virtual void recordRound(const SiteRoundRecord& record) = 0;
    // A global FAM the site received (payload as published, for the model history).
    virtual void recordGlobalFam(int round, const std::vector<std::uint8_t>& payload, const std::string& sha256) = 0;
    virtual void federationFinished() {}
};

// Appends one JSON object per round to a file (rounds.jsonl) and keeps the latest global FAM.
class JsonLinesRoundRecorder : public RoundRecorder {
public:
    explicit JsonLinesRoundRecorder(QString stateDir);
    void recordRound(const SiteRoundRecord& record) override;
    void recordGlobalFam(int round, const std::vector<std::uint8_t>& payload, const std::string& sha256) override;

private:
    QString stateDir_;
};

// Hands every event to several recorders, in order.
class RecorderFanOut : public RoundRecorder {
public:
    explicit RecorderFanOut(std::vector<RoundRecorder*> recorders) : recorders_(std::move(recorders)) {}
    void federationStarted(const FederationTask& task) override {
        for (auto* r : recorders_) r->federationStarted(task);
    }
    void recordRound(const SiteRoundRecord& record) override {
        for (auto* r : recorders_) r->recordRound(record);
    }
    void recordGlobalFam(int round, const std::vector<std::uint8_t>& payload, const std::string& sha256) override {
        for (auto* r : recorders_) r->recordGlobalFam(round, payload, sha256);
    }
    void federationFinished() override {
        for (auto* r : recorders_) r->federationFinished();
    }

private:
    std::vector<RoundRecorder*> recorders_;
};

// The site's credential and trust, as saved by enroll().
struct SiteIdentity {
    QString coordinatorUrl;
    std::string federationId, siteId, siteName, token;
    QString caCertificatesPem;  // the federation's CA, or empty when pinned
    QString pinnedSha256;
    TrustSettings trust() const;
};

// The enrollment file an operator hands to a site (fedmedclip-coordinator issue-code
// --out): coordinator URL, one-time code and the CA certificate or pin.
struct EnrollmentInvitation {
    QString coordinatorUrl;
    std::string code;
    QString caCertificatesPem;
    QString pinnedSha256;
};
EnrollmentInvitation readInvitation(const QString& path);
void writeInvitation(const QString& path, const EnrollmentInvitation& invitation);

struct AgentOptions {
    int pollIntervalMs = 5000;
    // A delta codec's uploads with error feedback (encodeUploadWithFeedback, coarse step, the
    // residual kept in the state folder: site_agent/upload_residual.h); false: encodeUpload's
    // near-lossless step. The coordinator decodes both alike.
    bool deltaErrorFeedback = false;
    // > 0: a delta codec's uploads are at most this many bytes (encodeUpload's budget).
    std::size_t deltaBudgetBytes = 0;
    RetryPolicy retry;
    std::function<void(const QString&)> log;
};

class SiteAgent {
public:
    // Enrolls with the one-time code and saves the credential in `stateDir` (mode 0600).
    // Throws fmc::Error (TLS refused, code unknown/used/expired, folder already enrolled).
    static SiteIdentity enroll(const QString& stateDir, const EnrollmentInvitation& invitation,
                               const AgentOptions& options = {});
    static std::optional<SiteIdentity> loadIdentity(const QString& stateDir);

    SiteAgent(QString stateDir, SiteTrainer& trainer, RoundRecorder& recorder, AgentOptions options = {});
    ~SiteAgent();

    // Takes part until the federation finishes (returns 0) or `cancel` is set (returns 1).
    // Throws fmc::Error on what it cannot fix by waiting: TLS trust, a revoked site, a
    // bundle that is not the federation's, retries exhausted.
    int run(const std::atomic<bool>* cancel = nullptr);

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

}  // namespace fmc::federation
