#pragma once
// The coordinator's logic, independent of the transport: the REST API as a function from
// request to response, the round state machine, upload validation, aggregation and the
// administrator's operations. Everything it decides is in the store before it answers, so
// a restarted coordinator continues exactly where it stopped.
#include "federation/coordinator_store.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <functional>
#include <utility>
#include <vector>

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
};

struct IssuedCode {
    std::string code;
    std::int64_t expiresAt = 0;
};

class CoordinatorService {
public:
    explicit CoordinatorService(CoordinatorStore& store, ServiceOptions options = {});

    // Never throws: every failure becomes a JSON error response (docs/federation-api.md).
    ApiResponse handle(const ApiRequest& request);

    // Closes rounds whose deadline passed or whose last missing site was revoked, and
    // finishes an aggregation a crash interrupted. Returns the rounds published.
    int tick();

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

    // Publishes the federation's current round when it may close; otherwise records why not.
    bool evaluateRound(const std::string& federationId);
    void aggregate(const FederationRecord& federation, RoundRecord round);
    void audit(const std::string& federationId, const std::string& actor, const std::string& action,
               const QJsonObject& detail, const QString& remoteAddress = {});

    CoordinatorStore& store_;
    ServiceOptions options_;
};

}  // namespace fmc::federation
