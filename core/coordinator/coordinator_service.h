#pragma once
// The coordinator's logic, independent of the transport: the REST API as a function from
// request to response, the round state machine, upload validation, aggregation and the
// administrator's operations. Everything it decides is in the store before it answers, so
// a restarted coordinator continues exactly where it stopped.
#include "coordinator/coordinator_store.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <array>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>
#include <vector>

class QObject;
class QThreadPool;

namespace fmc::federation {

class StreamingFedAvg;

struct ApiRequest {
    QByteArray method;  // "GET", "POST", ...
    QString path;       // without the query
    QByteArray authorization;
    QByteArray body;
    QString remoteAddress;  // the client, or the address a trusted proxy forwarded for
};

// A delta federation's upload reference for one round (uploadReference), with its digest
// computed once for all the round's uploads.
struct DeltaReference {
    ParameterSet fam;
    std::array<std::uint8_t, 32> digest;
};

struct ApiResponse {
    int status = 200;
    QByteArray contentType = "application/json";
    QByteArray body;
    std::vector<std::pair<QByteArray, QByteArray>> headers;
    bool authenticated = false;  // the request carried a valid token of an active site
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
    AggregationGuards aggregationGuards;
    // FedAvg rounds fold each accepted upload into a running weighted sum, so a round needs
    // memory for a few copies of the model whatever the number of sites, and publishes as
    // soon as its last upload is in. When a guard leaves an upload out or caps its weight, a
    // contributor was revoked, or the sum is missing uploads (a restart), the stored uploads
    // are folded again one at a time. false: every upload decoded into memory at the close,
    // the path before (the benchmark compares them). Median and trimmed mean always need all.
    bool streamingAggregation = true;
    // With aggregateInBackground and handleAsync: uploads are parsed, decoded and checked on
    // the worker threads. false: on this thread, the path before (for the benchmark).
    bool parseUploadsOnWorkers = true;
    // Threads that parse uploads; 0: one fewer than the machine's cores, at least one.
    int uploadParsingThreads = 0;
    // Refused enrollments per client address and minute that are audited one by one; beyond
    // them the address gets 429 without its code being looked at, and one audit entry per
    // address and minute counts what was refused.
    int enrollmentRefusalsPerMinute = 10;
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
    // The same answers, for the server: with aggregateInBackground, an upload's body is
    // parsed, decoded and checked (JSON, base64, codec, L2 norm, SHA-256) on a worker thread
    // and stored on this one, and `respond` is called from this thread's event loop; every
    // other request is answered before this returns.
    void handleAsync(const ApiRequest& request, std::function<void(const ApiResponse&)> respond);

    // True when `authorization` ("Bearer <token>") names an active site: the HTTP layer asks
    // before it reads a large body.
    bool acceptsToken(const QByteArray& authorization);

    // Closes rounds whose deadline passed or whose last missing site was revoked, and
    // finishes an aggregation a crash interrupted. Returns the rounds closed: published, or
    // with aggregateInBackground, handed to the worker thread.
    int tick();

    // Blocks until the uploads being parsed on the workers wait for this thread's event loop,
    // which stores them and answers (tests; a clean shutdown).
    void waitForParsedUploads();

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
    // An upload in two steps: what needs no database (any thread), then the checks against
    // the round and the storing (this thread), which raises the first step's errors at the
    // point where it always did, so every answer is the same whichever thread parsed.
    struct PreparedUpload;
    // `reference`: what a delta upload of this round is coded against (deltaReference); null
    // for the other codecs, or when the round has none (it is then refused before its payload).
    static std::shared_ptr<PreparedUpload> prepareUpload(const QByteArray& body, const FederationSettings& settings,
                                                         const std::shared_ptr<const DeltaReference>& reference,
                                                         std::int64_t maxBodyBytes);
    // The reference of a delta federation's uploads of `round` (uploadReference): the zero FAM,
    // or the previous round's published global decoded, kept for the round's uploads. Null for
    // the other codecs and while round - 1 is unpublished.
    std::shared_ptr<const DeltaReference> deltaReference(const std::string& federationId,
                                                       const FederationSettings& settings, int round);
    // An upload ready to be stored: parsed and checked by prepareUpload.
    struct PendingUpload {
        ApiRequest request;
        SiteRecord site;
        int number = 0;
        FederationSettings settings;
        std::shared_ptr<PreparedUpload> prepared;
        bool parsedOnWorker = false;  // its site may have been revoked meanwhile
    };
    // Stores uploads in one transaction, so a burst of uploads costs one flush to disk, each
    // under a savepoint of its own, so a refused one (and its audit entry) changes nothing of
    // the others; then folds the accepted ones into their running sums and evaluates their
    // rounds once. The answers, in order, exist only after the commit: an accepted upload is
    // durable before its 201. A failed commit answers 500 to all (the sites retry).
    std::vector<ApiResponse> storeUploads(const std::vector<PendingUpload>& batch);
    // One upload's checks against the round and its writes, inside storeUploads' transaction:
    // a retry's answer, or nothing for an accepted upload (then `firstOfRound` says whether it
    // opened the round's collection).
    std::optional<ApiResponse> storeUpload(const PendingUpload& upload, bool& firstOfRound);
    // The refusal's audit entry (rejected: 400/413, with its row; refused: 409).
    void recordRefusal(const PendingUpload& upload, const ApiError& error);
    void uploadOnWorker(const ApiRequest& request, const SiteRecord& site, int number);
    // Stores the uploads the workers parsed since the last call (at most kUploadBatch, the rest
    // in the next event) and answers them.
    void storeParsedUploads();
    static constexpr std::size_t kUploadBatch = 64;
    // Adds an accepted upload to its round's running sum (FedAvg, streamingAggregation).
    void foldIntoRunningSum(const FederationSettings& settings, const std::string& federationId, int round,
                            bool firstOfRound, const std::string& siteId, const PreparedUpload& prepared);

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
    // FedAvg without holding the uploads: the guards from the norms and sample counts the
    // store keeps, then the running sum when it holds exactly the uploads to aggregate, else
    // the stored payloads read and folded one at a time (on the worker, a few at a time).
    void streamAggregation(const std::shared_ptr<AggregationJob>& job);
    // The L2 norm of the global before this round, for the norm guard (none in round 1).
    static std::optional<double> previousGlobalNorm(const AggregationJob& job);
    // The guards; true when the running sum is the answer, else the fold is set up.
    static bool prepareStreamedAggregation(AggregationJob& job);
    void foldStoredPayloads(const std::shared_ptr<AggregationJob>& job);
    static void foldSlice(AggregationJob& job);
    static void finishStreamedAggregation(AggregationJob& job);
    // Publishes the streamed result: here, or from a worker through this thread's event loop.
    void deliver(const std::shared_ptr<AggregationJob>& job);
    void publishAggregation(const AggregationJob& job, const AggregationResult& result);
    void backgroundAggregationDone(const std::shared_ptr<const AggregationJob>& job, const AggregationResult& result);
    void audit(const std::string& federationId, const std::string& actor, const std::string& action,
               const QJsonObject& detail, const QString& remoteAddress = {});

    // Refused enrollments of one client address in the current minute.
    struct RefusalWindow {
        std::int64_t start = 0;
        int refused = 0;  // audited one by one up to the limit
        int throttled = 0;
        std::map<std::string, int> reasons;  // of the refusals beyond the limit
    };
    // Writes the aggregated audit entry of windows that ended (all of them with `all`).
    void flushRefusalWindows(std::int64_t now, bool all);

    CoordinatorStore& store_;
    ServiceOptions options_;
    bool authenticated_ = false;  // of the request being handled
    // Set while handleAsync routes a request: an upload is then answered through it.
    std::function<void(const ApiResponse&)>* deferredRespond_ = nullptr;
    std::map<QString, RefusalWindow> refusalWindows_;
    std::int64_t lastRefusalFlush_ = 0;
    std::unique_ptr<QThreadPool> workers_;
    // Uploads are parsed on a pool of their own, so a long aggregation (a median of many
    // sites) holds up no other federation's uploads.
    std::unique_ptr<QThreadPool> uploadWorkers_;
    std::unique_ptr<QObject> resultReceiver_;          // lives on this thread; workers post to it
    // Uploads parsed on the workers and waiting to be stored, with their answers' callbacks.
    std::vector<std::pair<PendingUpload, std::function<void(const ApiResponse&)>>> parsedUploads_;
    std::set<std::pair<std::string, int>> inFlight_;  // federation id, round
    // The running sums of the FedAvg rounds collecting (a cache: lost on a restart, when the
    // close folds the stored uploads instead).
    struct RunningSum {
        std::shared_ptr<StreamingFedAvg> sum;
        std::set<std::string> sites;  // whose uploads it holds
    };
    std::map<std::pair<std::string, int>, RunningSum> runningSums_;
    // Per federation: the round whose delta reference is kept, and that reference.
    std::map<std::string, std::pair<int, std::shared_ptr<const DeltaReference>>> deltaReferences_;
};

}  // namespace fmc::federation
