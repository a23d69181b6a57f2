#pragma once
// The coordinator's logic, independent of the transport: the REST API as a function from
// request to response, the round state machine, upload validation, aggregation and the
// administrator's operations. Everything it decides is in the store before it answers, so
// a restarted coordinator continues exactly where it stopped.
#include "coordinator/coordinator_store.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <functional>
#include <memory>
#include <set>
#include <utility>
#include <vector>

class QObject;
class QThreadPool;

namespace fmc::federation {

struct ApiRequest {
    QByteArray method;  // "GET", "POST", ...
    QString path;       // without the query
    QByteArray authorization;
    QByteArray body;
    QString remoteAddress;  // the client, or the address a trusted proxy forwarded for
};

struct ApiResponse {
    int status = 200;
    QByteArray contentType = "application/json";
    QByteArray body;
    std::vector<std::pair<QByteArray, QByteArray>> headers;
};

struct ServiceOptions {
    std::function<std::int64_t()> clock = nowMs;
    // Bodies above this are refused with 413 (the HTTP layer refuses them before reading).
    std::int64_t maxBodyBytes = 8 << 20;
    // The server: decoding, aggregating and encoding a round run on a worker thread, so the
    // event loop keeps serving; the round stays "aggregating" (late uploads are refused)
    // until the result, handed back to this thread's event loop, is published. All SQL stays
    // on this thread. Off (admin commands, tests): a round is published before the call that
    // closed it returns.
    bool aggregateInBackground = false;
};

struct IssuedCode {
    std::string code;
    std::int64_t expiresAt = 0;
};

class CoordinatorService {
public:
    explicit CoordinatorService(CoordinatorStore& store, ServiceOptions options = {});
    // Waits for a background aggregation still running and drops its result: the round stays
    // "aggregating" in the store and is aggregated again by the next start's tick().
    ~CoordinatorService();
    CoordinatorService(const CoordinatorService&) = delete;
    CoordinatorService& operator=(const CoordinatorService&) = delete;

    // Never throws: every failure becomes a JSON error response (docs/federation-api.md).
    ApiResponse handle(const ApiRequest& request);

    // Closes rounds whose deadline passed or whose last missing site was revoked, and
    // finishes an aggregation a crash interrupted. Returns the rounds closed: published, or
    // with aggregateInBackground, handed to the worker thread.
    int tick();

    // Background aggregations handed to the worker and not yet published.
    int aggregationsInFlight() const { return static_cast<int>(inFlight_.size()); }
    // Waits for the background aggregations and publishes their results (a clean shutdown).
    void finishAggregations();

    // Administrator operations (audited as actor "admin").
    std::string createFederation(const FederationSettings& settings);
    IssuedCode issueEnrollmentCode(const std::string& federationId, const std::string& siteName, int validSeconds);
    void revokeSite(const std::string& siteId);
    // Every round with its participants' counts and metrics and the rejected uploads.
    QJsonObject roundHistory(const std::string& federationId);

    CoordinatorStore& store() { return store_; }

private:
    ApiResponse route(const ApiRequest& request);
    ApiResponse enroll(const ApiRequest& request);
    SiteRecord authenticate(const ApiRequest& request, const std::string& federationId);
    ApiResponse task(const SiteRecord& site);
    ApiResponse currentRound(const SiteRecord& site);
    ApiResponse roundInfo(const SiteRecord& site, int number);
    ApiResponse globalFam(const SiteRecord& site, int number);
    ApiResponse upload(const ApiRequest& request, const SiteRecord& site, int number);
    void rejectUpload(const ApiRequest& request, const SiteRecord& site, int number, const ApiError& error);

    // Closes the federation's current round when it may (see tick()); otherwise records why not.
    bool evaluateRound(const std::string& federationId);
    // Marks the round aggregating and aggregates it, here or on the worker. False when every
    // upload came from a site revoked since, so the round collects again.
    bool aggregate(const FederationRecord& federation, RoundRecord round);

    // Aggregation in three steps, so that only the middle one, which needs no database, may
    // run on another thread: read the uploads, compute the global FAM, publish it.
    struct AggregationJob;
    struct AggregationResult;
    void loadPayloadsThenCompute(const std::shared_ptr<AggregationJob>& job);
    static AggregationResult computeAggregation(const AggregationJob& job);
    void publishAggregation(const AggregationJob& job, const AggregationResult& result);
    void backgroundAggregationDone(const std::shared_ptr<const AggregationJob>& job, const AggregationResult& result);
    void audit(const std::string& federationId, const std::string& actor, const std::string& action,
               const QJsonObject& detail, const QString& remoteAddress = {});

    CoordinatorStore& store_;
    ServiceOptions options_;
    std::unique_ptr<QThreadPool> workers_;
    std::unique_ptr<QObject> resultReceiver_;          // lives on this thread; workers post to it
    std::set<std::pair<std::string, int>> inFlight_;  // federation id, round
};

}  // namespace fmc::federation
