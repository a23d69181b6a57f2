#include "coordinator/coordinator_service.h"

#include "common/aggregation.h"
#include "common/sha256.h"
#include "coordinator/streaming_fedavg.h"
#include "protocol/logging.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QObject>
#include <QThread>
#include <QThreadPool>

#include <algorithm>
#include <chrono>
#include <optional>
#include <set>

namespace fmc::federation {
namespace {

QByteArray compact(const QJsonObject& json) { return QJsonDocument(json).toJson(QJsonDocument::Compact); }

ApiResponse json(int status, const QJsonObject& body) { return {status, "application/json", compact(body), {}}; }

ApiResponse errorResponse(const ApiError& error) {
    ApiResponse response{error.status(), "application/json",
                         errorBody(error.status(), error.code(), error.what(), error.field()),
                         {}};
    if (error.status() == 401) response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"fedmedclip\"");
    return response;
}

// A database or program fault: the client may retry; details stay in the server log.
ApiResponse internalErrorResponse() {
    return errorResponse(ApiError(500, "internal_error", "the coordinator could not complete the request; retry later"));
}

QJsonValue optionalTime(const std::optional<std::int64_t>& ms) {
    return ms ? QJsonValue(qs(isoTimeUtc(*ms))) : QJsonValue(QJsonValue::Null);
}

std::string siteActor(const SiteRecord& site) { return "site:" + site.id; }

// "/api/v1/federations/fed_x/rounds/3" -> {"federations", "fed_x", "rounds", "3"}
QStringList routeSegments(const QString& path) {
    const QString prefix = QString::fromLatin1(kApiPrefix);
    if (!path.startsWith(prefix + QLatin1Char('/'))) return {};
    return path.mid(prefix.size() + 1).split(QLatin1Char('/'), Qt::KeepEmptyParts);
}

int roundNumber(const QString& text) {
    bool ok = false;
    const int number = text.toInt(&ok);
    if (!ok || number < 1 || number > 100000)
        throw ApiError(404, "not_found", "round '" + ss(text.left(20)) + "' is not a round number", "round");
    return number;
}

}  // namespace

struct CoordinatorService::AggregationResult {
    std::vector<std::uint8_t> payload;
    std::string sha256;
    std::string error;  // set when it failed; the round stays aggregating
    double seconds = 0;
    std::vector<bool> leftOut;         // per participant: norm beyond the guard
    std::vector<double> norms;         // per participant
    std::vector<double> weights;       // FedAvg weights used, after the cap
    double referenceNorm = 0;
    std::string pass;  // how the uploads were read (audit "aggregation_pass", docs/operators.md)
};

struct CoordinatorService::AggregationJob {
    std::string federationId;
    int round = 0;
    FederationSettings settings;
    std::int64_t maxPayloadBytes = 0;
    std::vector<std::int64_t> uploadIds;              // of the participants, in site-id order
    std::vector<double> weights;                      // their sample counts
    std::vector<double> norms;                        // their L2 norms, as stored when accepted
    std::vector<std::vector<std::uint8_t>> payloads;  // read from the store on the service's thread
    std::vector<std::string> participants, excluded;  // site ids; excluded: revoked since uploading
    AggregationGuards guards;
    // Round 1: empty. A delta federation's later rounds: empty too, the reference below is
    // that global decoded.
    std::vector<std::uint8_t> previousGlobal;
    std::shared_ptr<const DeltaReference> uploadReference;  // a delta codec's (deltaReference), else null
    // Streaming FedAvg: the running sum and whose uploads it holds, taken over from the
    // upload path (none after a restart); or the sum the stored payloads are folded into.
    std::shared_ptr<StreamingFedAvg> sum;
    std::set<std::string> sumSites;
    std::vector<double> foldWeights;  // per participant, after the cap
    std::size_t nextToFold = 0;       // participant index
    std::vector<std::pair<std::vector<std::uint8_t>, double>> slice;  // read, not yet folded: payload, weight
    AggregationResult result;
    std::chrono::steady_clock::time_point started;
};

namespace {
double median(std::vector<double> values) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const auto middle = values.size() / 2;
    return values.size() % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

struct GuardOutcome {
    std::vector<bool> leftOut;        // per upload
    std::vector<double> keptWeights;  // of the uploads kept, after the cap
    double referenceNorm = 0;
    bool changedAnything = false;  // an upload left out or a weight capped
};

// The guards: an update far longer than the round's typical one is left out, and no site
// weighs more than a few typical sites, whatever sample_count it claims. Scalars only, so
// the streamed aggregation applies them without the payloads.
GuardOutcome applyGuards(const std::vector<double>& norms, std::optional<double> previousGlobalNorm,
                         const std::vector<double>& weights, const AggregationGuards& guards) {
    GuardOutcome outcome;
    auto referenceNorms = norms;
    if (previousGlobalNorm) referenceNorms.push_back(*previousGlobalNorm);
    outcome.referenceNorm = median(referenceNorms);
    outcome.leftOut.assign(norms.size(), false);
    for (size_t i = 0; i < norms.size(); ++i) {
        outcome.leftOut[i] = guards.maxNormOverMedian > 0 && norms[i] > guards.maxNormOverMedian * outcome.referenceNorm;
        if (outcome.leftOut[i]) {
            outcome.changedAnything = true;
            continue;
        }
        outcome.keptWeights.push_back(weights[i]);
    }
    if (outcome.keptWeights.empty()) throw Error("every upload lies beyond the norm guard");  // cannot happen with a factor >= 1
    if (guards.maxWeightOverMedian > 0) {
        const double cap = guards.maxWeightOverMedian * median(outcome.keptWeights);
        for (auto& weight : outcome.keptWeights) {
            if (weight > cap) outcome.changedAnything = true;
            weight = std::min(weight, cap);
        }
    }
    return outcome;
}

using SteadyClock = std::chrono::steady_clock;
}  // namespace

CoordinatorService::CoordinatorService(CoordinatorStore& store, ServiceOptions options)
    : store_(store), options_(std::move(options)) {
    if (options_.aggregateInBackground) {
        workers_ = std::make_unique<QThreadPool>();
        workers_->setMaxThreadCount(std::max(1, QThread::idealThreadCount() - 1));
        uploadWorkers_ = std::make_unique<QThreadPool>();
        uploadWorkers_->setMaxThreadCount(options_.uploadParsingThreads > 0 ? options_.uploadParsingThreads
                                                                             : std::max(1, QThread::idealThreadCount() - 1));
        resultReceiver_ = std::make_unique<QObject>();
    }
}

CoordinatorService::~CoordinatorService() {
    try {
        flushRefusalWindows(options_.clock(), true);
    } catch (const std::exception& error) {
        qCWarning(lcCoordinator) << "could not audit the throttled enrollments:" << error.what();
    }
    // The workers post to the receiver: it must outlive them. Deleting it drops the results
    // not yet delivered.
    if (uploadWorkers_) uploadWorkers_->waitForDone();
    if (workers_) workers_->waitForDone();
}

void CoordinatorService::audit(const std::string& federationId, const std::string& actor, const std::string& action,
                               const QJsonObject& detail, const QString& remoteAddress) {
    store_.audit({0, options_.clock(), federationId, actor, action, ss(QString::fromUtf8(compact(detail))),
                  ss(remoteAddress)});
}

ApiResponse CoordinatorService::handle(const ApiRequest& request) {
    authenticated_ = false;
    ApiResponse response;
    try {
        response = route(request);
    } catch (const ApiError& error) {
        response = errorResponse(error);
    } catch (const std::exception& error) {
        qCCritical(lcCoordinator) << "internal error on" << request.method << request.path << ":" << error.what();
        response = internalErrorResponse();
    }
    response.authenticated = authenticated_;
    return response;
}

void CoordinatorService::handleAsync(const ApiRequest& request, std::function<void(const ApiResponse&)> respond) {
    deferredRespond_ = &respond;
    const auto response = handle(request);
    const bool deferred = deferredRespond_ == nullptr;  // uploadOnWorker took `respond`
    deferredRespond_ = nullptr;
    if (!deferred) respond(response);
}

bool CoordinatorService::acceptsToken(const QByteArray& authorization) {
    if (!authorization.startsWith("Bearer ") || authorization.size() > 300) return false;
    try {
        const auto site = store_.siteByTokenHash(secretHash(authorization.mid(7).trimmed().toStdString()));
        return site && site->state == "active";
    } catch (const std::exception& error) {
        qCWarning(lcCoordinator) << "token check:" << error.what();
        return false;
    }
}

ApiResponse CoordinatorService::route(const ApiRequest& request) {
    if (request.body.size() > options_.maxBodyBytes)
        throw ApiError(413, "body_too_large",
                       "body: " + std::to_string(request.body.size()) + " bytes exceed the limit of " +
                           std::to_string(options_.maxBodyBytes),
                       "body");
    const auto segments = routeSegments(request.path);
    const auto requireMethod = [&](const char* method) {
        if (request.method != method)
            throw ApiError(405, "method_not_allowed",
                           ss(QString::fromLatin1(request.method)) + " is not allowed on " + ss(request.path) +
                               " (use " + method + ")");
    };
    if (segments == QStringList{"health"}) {
        requireMethod("GET");
        return json(200, {{"status", "ok"}, {"protocol_version", kProtocolVersion}});
    }
    if (segments == QStringList{"enroll"}) {
        requireMethod("POST");
        return enroll(request);
    }
    if (segments.size() >= 3 && segments[0] == QLatin1String("federations")) {
        const auto federationId = ss(segments[1]);
        const auto rest = segments.mid(2);
        if (rest == QStringList{"task"}) {
            requireMethod("GET");
            return task(authenticate(request, federationId));
        }
        if (rest == QStringList{"rounds", "current"}) {
            requireMethod("GET");
            return currentRound(authenticate(request, federationId));
        }
        if (rest.size() == 2 && rest[0] == QLatin1String("rounds")) {
            const int number = roundNumber(rest[1]);
            requireMethod("GET");
            return roundInfo(authenticate(request, federationId), number);
        }
        if (rest.size() == 3 && rest[0] == QLatin1String("rounds") && rest[2] == QLatin1String("global")) {
            const int number = roundNumber(rest[1]);
            requireMethod("GET");
            return globalFam(authenticate(request, federationId), number);
        }
        if (rest.size() == 3 && rest[0] == QLatin1String("rounds") && rest[2] == QLatin1String("uploads")) {
            const int number = roundNumber(rest[1]);
            requireMethod("POST");
            const auto site = authenticate(request, federationId);
            if (deferredRespond_ && workers_ && options_.parseUploadsOnWorkers) {
                uploadOnWorker(request, site, number);
                return {};
            }
            const auto settings = store_.federation(site.federationId)->task.settings;
            auto prepared = prepareUpload(request.body, settings, deltaReference(site.federationId, settings, number),
                                          options_.maxBodyBytes);
            return storeUploads({{request, site, number, settings, std::move(prepared), false}}).front();
        }
    }
    throw ApiError(404, "not_found", "no route " + ss(request.path.left(200)) + " (see docs/federation-api.md)");
}

// ---- enrollment and authentication ----

namespace {
// Refusals are counted per address; an IPv6 client owns a whole /64.
QString refusalKey(const QString& remoteAddress) {
    QHostAddress address(remoteAddress);
    bool isV4 = false;
    address.toIPv4Address(&isV4);
    if (address.protocol() != QAbstractSocket::IPv6Protocol || isV4) return remoteAddress;
    return QHostAddress(address.toIPv6Address()).toString().section(QLatin1Char(':'), 0, 3) + QStringLiteral("::/64");
}
constexpr std::int64_t kRefusalWindowMs = 60'000;
}  // namespace

void CoordinatorService::flushRefusalWindows(std::int64_t now, bool all) {
    // At most once a second: every enrollment asks, and the map may hold many addresses.
    if (!all && now - lastRefusalFlush_ < 1000) return;
    lastRefusalFlush_ = now;
    for (auto it = refusalWindows_.begin(); it != refusalWindows_.end();) {
        const auto& window = it->second;
        if (!all && now - window.start < kRefusalWindowMs) {
            ++it;
            continue;
        }
        if (window.throttled > 0)
            audit("", "anonymous", "enrollment.throttled",
                  {{"refused", window.refused},
                   {"throttled", window.throttled},
                   {"window_start", qs(isoTimeUtc(window.start))},
                   {"window_seconds", static_cast<int>(kRefusalWindowMs / 1000)}},
                  it->first);
        it = refusalWindows_.erase(it);
    }
}

ApiResponse CoordinatorService::enroll(const ApiRequest& request) {
    // Throttled before the code is looked at: a code is worth guessing, and every refusal
    // would otherwise add an audit entry.
    const auto key = refusalKey(request.remoteAddress);
    flushRefusalWindows(options_.clock(), false);
    if (const auto window = refusalWindows_.find(key);
        window != refusalWindows_.end() && window->second.refused >= options_.enrollmentRefusalsPerMinute) {
        ++window->second.throttled;
        throw ApiError(429, "too_many_attempts",
                       "enrollment: " + std::to_string(window->second.refused) +
                           " refused attempts from this address within a minute; retry after " +
                           isoTimeUtc(window->second.start + kRefusalWindowMs));
    }
    const auto document = QJsonDocument::fromJson(request.body);
    const auto code = document.object().value("code").toString();
    if (!document.isObject() || code.isEmpty() || code.size() > 200)
        throw ApiError(400, "invalid_json", "body: expected {\"code\": \"<enrollment code>\"}", "code");
    const auto codeHash = secretHash(ss(code));
    const auto now = options_.clock();
    const auto refuse = [&](const std::string& federationId, const std::string& reason, const std::string& message) {
        auto& window = refusalWindows_[key];
        if (window.refused == 0) window.start = now;
        ++window.refused;
        audit(federationId, "anonymous", "enrollment.refused", {{"reason", qs(reason)}}, request.remoteAddress);
        return ApiError(403, reason, message, "code");
    };
    CoordinatorStore::Transaction transaction(store_);
    const auto record = store_.enrollmentCode(codeHash);
    if (!record) {
        const auto error = refuse("", "unknown_code", "code: unknown enrollment code; ask the coordinator operator for a new one");
        transaction.commit();
        throw error;
    }
    const auto federation = store_.federation(record->federationId);
    std::string refusal;
    if (record->usedAt) refusal = "code_used";
    else if (now >= record->expiresAt) refusal = "code_expired";
    else if (!federation || federation->state != "running") refusal = "federation_finished";
    if (!refusal.empty()) {
        const std::string message =
            refusal == "code_used"      ? "code: this enrollment code was already used; each code enrolls one site once"
            : refusal == "code_expired" ? "code: this enrollment code expired at " + isoTimeUtc(record->expiresAt) +
                                              "; ask the coordinator operator for a new one"
                                        : "code: the federation has finished; no new sites can join";
        const auto error = refuse(record->federationId, refusal, message);
        transaction.commit();
        throw error;
    }
    const std::string token = "fmcs_" + randomToken(32);
    const SiteRecord site{"site_" + randomToken(9), record->federationId, record->siteName, "active", now, {}, {}};
    store_.addSite(site, secretHash(token));
    if (!store_.markEnrollmentCodeUsed(codeHash, site.id, now))
        throw ApiError(403, "code_used", "code: this enrollment code was already used", "code");
    audit(site.federationId, siteActor(site), "site.enrolled", {{"site_id", qs(site.id)}, {"site_name", qs(site.name)}},
          request.remoteAddress);
    transaction.commit();
    qCInfo(lcCoordinator).noquote() << "site" << qs(site.id) << qs(site.name) << "enrolled in" << qs(site.federationId);
    return json(201, {{"federation_id", qs(site.federationId)},
                      {"site_id", qs(site.id)},
                      {"site_name", qs(site.name)},
                      {"token", qs(token)},
                      {"task", taskToJson(federation->task)}});
}

SiteRecord CoordinatorService::authenticate(const ApiRequest& request, const std::string& federationId) {
    if (request.authorization.isEmpty())
        throw ApiError(401, "missing_token", "Authorization: missing; send 'Authorization: Bearer <site token>'",
                       "Authorization");
    if (!request.authorization.startsWith("Bearer ") || request.authorization.size() > 300)
        throw ApiError(401, "invalid_token", "Authorization: expected 'Bearer <site token>'", "Authorization");
    const auto token = request.authorization.mid(7).trimmed().toStdString();
    const auto site = store_.siteByTokenHash(secretHash(token));
    if (!site) throw ApiError(401, "invalid_token", "Authorization: unknown site token", "Authorization");
    if (site->state != "active")
        throw ApiError(403, "site_revoked", "site " + site->id + " was revoked by the coordinator operator");
    authenticated_ = true;  // a valid token, whatever it asks for
    if (site->federationId != federationId)
        throw ApiError(403, "wrong_federation", "site " + site->id + " is not a member of federation " +
                                                    federationId.substr(0, 64));
    const auto now = options_.clock();
    // Last-seen is informative; one write a minute per site is plenty.
    if (!site->lastSeenAt || now - *site->lastSeenAt > 60'000) store_.touchSite(site->id, now);
    return *site;
}

// ---- read routes ----

ApiResponse CoordinatorService::task(const SiteRecord& site) {
    const auto federation = store_.federation(site.federationId);
    return json(200, taskToJson(federation->task));
}

ApiResponse CoordinatorService::currentRound(const SiteRecord& site) {
    const auto federation = store_.federation(site.federationId);
    const auto round = store_.latestRound(site.federationId);
    const auto counts = store_.roundCounts(site.federationId, round->number);
    const bool finished = federation->state == "finished";
    int lastPublished = round->state == "published" ? round->number : round->number - 1;
    const bool youUploaded = store_.uploadOfSite(site.federationId, round->number, site.id).has_value();
    return json(200, {{"federation_id", qs(site.federationId)},
                      {"federation_state", qs(federation->state)},
                      {"finished", finished},
                      {"rounds_total", federation->task.settings.rounds},
                      {"round", round->number},
                      {"state", qs(round->state)},
                      {"opened_at", qs(isoTimeUtc(round->openedAt))},
                      {"first_upload_at", optionalTime(round->firstUploadAt)},
                      {"deadline_at", optionalTime(round->deadlineAt)},
                      {"uploads_received", counts.uploads},
                      {"active_sites", counts.activeSites},
                      {"min_sites", federation->task.settings.minSites},
                      {"waiting_reason", qs(round->waitingReason)},
                      {"you_uploaded", youUploaded},
                      {"latest_published_round", lastPublished}});
}

ApiResponse CoordinatorService::roundInfo(const SiteRecord& site, int number) {
    const auto round = store_.round(site.federationId, number);
    if (!round) throw ApiError(404, "round_not_found", "round " + std::to_string(number) + " does not exist yet", "round");
    const bool youUploaded = store_.uploadOfSite(site.federationId, number, site.id).has_value();
    return json(200, {{"round", round->number},
                      {"state", qs(round->state)},
                      {"opened_at", qs(isoTimeUtc(round->openedAt))},
                      {"deadline_at", optionalTime(round->deadlineAt)},
                      {"published_at", optionalTime(round->publishedAt)},
                      {"participants", round->participants},
                      {"total_samples", static_cast<qint64>(round->totalSamples)},
                      {"global_sha256", qs(round->globalSha256)},
                      {"waiting_reason", qs(round->waitingReason)},
                      {"you_uploaded", youUploaded}});
}

ApiResponse CoordinatorService::globalFam(const SiteRecord& site, int number) {
    const auto round = store_.round(site.federationId, number);
    if (!round || round->state != "published")
        throw ApiError(404, "not_published",
                       "round " + std::to_string(number) +
                           " has no global FAM yet (the FAM before round 1 is the engine's initialisation with "
                           "the task's init_seed)",
                       "round");
    const auto federation = store_.federation(site.federationId);
    ApiResponse response{200, "application/octet-stream", {}, {}};
    const auto payload = store_.globalPayload(site.federationId, number);
    response.body = QByteArray(reinterpret_cast<const char*>(payload.data()), static_cast<qsizetype>(payload.size()));
    response.headers = {{"X-FMC-Round", QByteArray::number(number)},
                        {"X-FMC-Sha256", QByteArray::fromStdString(round->globalSha256)},
                        {"X-FMC-Codec", QByteArray::fromStdString(codecName(globalCodec(federation->task.settings.codec)))}};
    return response;
}

// ---- uploads ----

struct CoordinatorService::PreparedUpload {
    UploadBody body;
    std::exception_ptr parseError;       // the body is not a valid upload: raised first
    std::exception_ptr validationError;  // codec, payload or norm: raised after the round's checks
    ParameterSet parameters;             // decoded, for the running sum
    double norm = 0;
    std::string payloadSha256;
};

namespace {
// An upload's or a stored payload's FAM under the federation's codec (decodeUpload).
ParameterSet decodeUploaded(const std::vector<std::uint8_t>& payload, const FederationSettings& settings,
                            const std::shared_ptr<const DeltaReference>& reference, const CodecLimits& limits) {
    if (codecNeedsReference(settings.codec) && !reference)
        throw Error("no reference global FAM for this round's delta uploads (the previous round is not published)");
    static const ParameterSet none;
    return reference ? decodeUpload(payload, settings, reference->fam, limits, &reference->digest)
                     : decodeUpload(payload, settings, none, limits);
}
}  // namespace

std::shared_ptr<const DeltaReference> CoordinatorService::deltaReference(const std::string& federationId,
                                                                       const FederationSettings& settings, int round) {
    if (!codecNeedsReference(settings.codec)) return nullptr;
    const auto kept = deltaReferences_.find(federationId);
    if (kept != deltaReferences_.end() && kept->second.first == round) return kept->second.second;
    ParameterSet previous;
    if (round > 1) {
        const auto payload = store_.globalPayload(federationId, round - 1);
        if (payload.empty()) return nullptr;
        CodecLimits limits;
        limits.maxPayloadBytes = static_cast<std::size_t>(std::max<std::int64_t>(options_.maxBodyBytes, 1));
        previous = decodeParameters(payload, famLayout(settings.embeddingDim, settings.shareThresholds), limits);
    }
    auto fam = uploadReference(round, settings, previous);
    const auto digest = referenceDigest(fam);
    auto reference = std::make_shared<const DeltaReference>(DeltaReference{std::move(fam), digest});
    // The newest round asked for stays: uploads and the close of one round ask for the same.
    if (kept == deltaReferences_.end() || kept->second.first < round) deltaReferences_[federationId] = {round, reference};
    return reference;
}

std::shared_ptr<CoordinatorService::PreparedUpload> CoordinatorService::prepareUpload(
    const QByteArray& body, const FederationSettings& settings, const std::shared_ptr<const DeltaReference>& reference,
    std::int64_t maxBodyBytes) {
    auto prepared = std::make_shared<PreparedUpload>();
    try {
        prepared->body = uploadFromJson(body);
    } catch (...) {
        prepared->parseError = std::current_exception();
        return prepared;
    }
    const auto& payload = prepared->body.payload;
    prepared->payloadSha256 = sha256Hex(payload.data(), payload.size());
    try {
        // Validation, before anything can touch the aggregate.
        if (prepared->body.codec != codecName(settings.codec))
            throw ApiError(400, "wrong_codec",
                           "codec: '" + prepared->body.codec.substr(0, 40) + "' but this federation uses '" +
                               codecName(settings.codec) + "'",
                           "codec");
        if (payload.size() > 6 && payload[6] != static_cast<std::uint8_t>(settings.codec))
            throw ApiError(400, "wrong_codec", "payload: encoded with another codec than the 'codec' field says", "payload");
        CodecLimits limits;
        limits.maxPayloadBytes = static_cast<std::size_t>(maxBodyBytes);
        try {
            prepared->parameters = decodeUploaded(payload, settings, reference, limits);
        } catch (const Error& error) {
            throw ApiError(400, "invalid_payload", std::string("payload: ") + error.what(), "payload");
        }
        prepared->norm = l2Norm(prepared->parameters);
        if (settings.normBound > 0 && prepared->norm > settings.normBound)
            throw ApiError(400, "norm_bound",
                           "payload: L2 norm " + std::to_string(prepared->norm) + " exceeds this federation's bound " +
                               std::to_string(settings.normBound),
                           "payload");
    } catch (...) {
        prepared->validationError = std::current_exception();
        prepared->parameters.clear();
    }
    return prepared;
}

void CoordinatorService::uploadOnWorker(const ApiRequest& request, const SiteRecord& site, int number) {
    auto respond = std::move(*deferredRespond_);
    deferredRespond_ = nullptr;  // tells handleAsync that the answer comes later
    const auto settings = store_.federation(site.federationId)->task.settings;
    QObject* receiver = resultReceiver_.get();
    const auto reference = deltaReference(site.federationId, settings, number);
    uploadWorkers_->start([this, receiver, request, site, number, settings, reference, respond,
                           maxBody = options_.maxBodyBytes] {
        auto prepared = prepareUpload(request.body, settings, reference, maxBody);
        // Queued: storing runs on the service's thread, whose connection owns the SQL. The
        // first upload to wait queues the store of all that arrive before it runs.
        QMetaObject::invokeMethod(
            receiver,
            [this, receiver, upload = PendingUpload{request, site, number, settings, std::move(prepared), true},
             respond]() mutable {
                if (parsedUploads_.empty())
                    QMetaObject::invokeMethod(receiver, [this] { storeParsedUploads(); }, Qt::QueuedConnection);
                parsedUploads_.emplace_back(std::move(upload), std::move(respond));
            },
            Qt::QueuedConnection);
    });
}

void CoordinatorService::waitForParsedUploads() {
    if (uploadWorkers_) uploadWorkers_->waitForDone();
}

void CoordinatorService::storeParsedUploads() {
    auto taken = std::move(parsedUploads_);
    parsedUploads_.clear();
    if (taken.size() > kUploadBatch) {
        parsedUploads_.assign(std::make_move_iterator(taken.begin() + kUploadBatch), std::make_move_iterator(taken.end()));
        taken.resize(kUploadBatch);
        QMetaObject::invokeMethod(resultReceiver_.get(), [this] { storeParsedUploads(); }, Qt::QueuedConnection);
    }
    std::vector<PendingUpload> batch;
    batch.reserve(taken.size());
    for (auto& parsed : taken) batch.push_back(std::move(parsed.first));
    auto responses = storeUploads(batch);
    for (std::size_t i = 0; i < taken.size(); ++i) {
        responses[i].authenticated = true;  // authenticate() accepted its token
        taken[i].second(responses[i]);
    }
}

std::vector<ApiResponse> CoordinatorService::storeUploads(const std::vector<PendingUpload>& batch) {
    std::vector<ApiResponse> responses(batch.size());
    std::vector<std::pair<std::size_t, bool>> accepted;  // index, first of its round
    try {
        CoordinatorStore::Transaction transaction(store_);
        for (std::size_t i = 0; i < batch.size(); ++i) {
            try {
                CoordinatorStore::Transaction savepoint(store_);
                bool firstOfRound = false;
                const auto retried = storeUpload(batch[i], firstOfRound);
                savepoint.commit();
                if (retried)
                    responses[i] = *retried;
                else
                    accepted.emplace_back(i, firstOfRound);
            } catch (const ApiError& error) {
                recordRefusal(batch[i], error);
                responses[i] = errorResponse(error);
            }
        }
        transaction.commit();
    } catch (const std::exception& error) {
        // A database fault: nothing of the batch is stored, and every site retries.
        qCCritical(lcCoordinator) << "internal error storing" << batch.size() << "uploads:" << error.what();
        return std::vector<ApiResponse>(batch.size(), internalErrorResponse());
    }
    std::set<std::string> federations;
    for (const auto& [i, firstOfRound] : accepted) {
        const auto& upload = batch[i];
        qCInfo(lcCoordinator).noquote() << "round" << upload.number << "of" << qs(upload.site.federationId)
                                        << ": upload from" << qs(upload.site.id) << "accepted";
        foldIntoRunningSum(upload.settings, upload.site.federationId, upload.number, firstOfRound, upload.site.id,
                           *upload.prepared);
        federations.insert(upload.site.federationId);
    }
    for (const auto& federationId : federations) {
        try {
            evaluateRound(federationId);
        } catch (const std::exception& error) {
            // The uploads are stored; the next tick evaluates the round again.
            qCWarning(lcCoordinator).noquote() << "round of" << qs(federationId)
                                               << "not evaluated after its uploads:" << error.what();
        }
    }
    for (const auto& [i, firstOfRound] : accepted) {
        const auto& upload = batch[i];
        try {
            const auto round = store_.round(upload.site.federationId, upload.number);
            responses[i] = json(201, {{"accepted", true},
                                      {"duplicate", false},
                                      {"round", upload.number},
                                      {"round_state", qs(round->state)}});
        } catch (const std::exception& error) {
            qCCritical(lcCoordinator) << "internal error answering a stored upload:" << error.what();
            responses[i] = internalErrorResponse();
        }
    }
    return responses;
}

void CoordinatorService::recordRefusal(const PendingUpload& upload, const ApiError& error) {
    const auto& site = upload.site;
    const int number = upload.number;
    const bool rejected = error.status() == 400 || error.status() == 413;
    if (!rejected && error.status() != 409) return;
    try {
        CoordinatorStore::Transaction transaction(store_);
        if (rejected) {
            store_.insertRejection({site.federationId, number, site.id, options_.clock(),
                                    static_cast<std::int64_t>(upload.request.body.size()), error.code(), error.what()});
            audit(site.federationId, siteActor(site), "upload.rejected",
                  {{"round", number}, {"code", qs(error.code())}, {"reason", QString::fromUtf8(error.what()).left(500)}},
                  upload.request.remoteAddress);
        } else {
            audit(site.federationId, siteActor(site), "upload.refused", {{"round", number}, {"code", qs(error.code())}},
                  upload.request.remoteAddress);
        }
        transaction.commit();
    } catch (const std::exception& failure) {
        qCWarning(lcCoordinator) << "could not record a refused upload:" << failure.what();
    }
    if (rejected)
        qCWarning(lcCoordinator).noquote() << "round" << number << ": upload from" << qs(site.id)
                                           << "rejected:" << error.what();
}

std::optional<ApiResponse> CoordinatorService::storeUpload(const PendingUpload& upload, bool& firstOfRound) {
    const auto& request = upload.request;
    const auto& site = upload.site;
    const int number = upload.number;
    const auto& prepared = *upload.prepared;
    if (upload.parsedOnWorker) {
        // Revoked while its body was being parsed: refused as authenticate() would.
        const auto current = store_.site(site.id);
        if (!current || current->state != "active")
            throw ApiError(403, "site_revoked", "site " + site.id + " was revoked by the coordinator operator");
    }
    if (prepared.parseError) std::rethrow_exception(prepared.parseError);
    const auto& body = prepared.body;
    if (body.federationId != site.federationId)
        throw ApiError(400, "mismatch", "federation_id: does not match the URL's federation", "federation_id");
    if (body.round != number) throw ApiError(400, "mismatch", "round: does not match the URL's round", "round");
    if (body.siteId != site.id)
        throw ApiError(400, "mismatch", "site_id: does not match the site this token belongs to", "site_id");

    const auto now = options_.clock();
    const auto federation = store_.federation(site.federationId);
    const auto& settings = upload.settings;
    // A retry of an upload that already arrived: accepted once, acknowledged again,
    // even when that upload completed the round meanwhile.
    if (const auto previous = store_.uploadByKey(site.id, body.idempotencyKey)) {
        if (previous->federationId != site.federationId || previous->round != number)
            throw ApiError(409, "idempotency_key_reused",
                           "idempotency_key: already used for round " + std::to_string(previous->round) +
                               "; every upload needs a new key",
                           "idempotency_key");
        // A retry repeats its upload exactly; anything else under the same key would be dropped silently.
        if (previous->payloadSha256 != prepared.payloadSha256 || previous->sampleCount != body.sampleCount)
            throw ApiError(409, "idempotency_key_conflict",
                           "idempotency_key: already used in round " + std::to_string(number) +
                               " for an upload with another payload or sample_count; a retry must repeat "
                               "its upload exactly, a new upload needs a new key",
                           "idempotency_key");
        audit(site.federationId, siteActor(site), "upload.duplicate",
              {{"round", number}, {"idempotency_key", qs(body.idempotencyKey)}}, request.remoteAddress);
        const auto round = store_.round(site.federationId, number);
        return json(200, {{"accepted", true}, {"duplicate", true}, {"round", number}, {"round_state", qs(round->state)}});
    }
    auto round = store_.round(site.federationId, number);
    const auto latest = store_.latestRound(site.federationId);
    if (!round)
        throw ApiError(409, "round_not_open",
                       "round " + std::to_string(number) + " is not open yet; the current round is " +
                           std::to_string(latest->number),
                       "round");
    if (round->state == "published" || round->state == "aggregating")
        throw ApiError(409, "round_closed",
                       "round " + std::to_string(number) + " is closed (" + round->state +
                           "); late uploads are refused" +
                           (federation->state == "finished"
                                ? std::string("; the federation has finished")
                                : "; the current round is " + std::to_string(latest->number)),
                       "round");
    if (store_.uploadOfSite(site.federationId, number, site.id))
        throw ApiError(409, "already_uploaded",
                       "round " + std::to_string(number) + ": this site already uploaded (with another idempotency_key)",
                       "idempotency_key");
    if (prepared.validationError) std::rethrow_exception(prepared.validationError);

    QJsonObject metrics;
    for (const auto& [name, value] : body.metrics) metrics.insert(qs(name), value);
    UploadRecord record;
    record.federationId = site.federationId;
    record.round = number;
    record.siteId = site.id;
    record.idempotencyKey = body.idempotencyKey;
    record.receivedAt = now;
    record.sampleCount = body.sampleCount;
    record.metricsJson = ss(QString::fromUtf8(compact(metrics)));
    record.payload = body.payload;
    record.payloadSha256 = prepared.payloadSha256;
    record.l2Norm = prepared.norm;
    store_.insertUpload(record);
    if (round->state == "open") {
        firstOfRound = true;
        round->state = "collecting";
        round->firstUploadAt = now;
        round->deadlineAt = now + 1000LL * settings.roundDeadlineSeconds;
        store_.updateRoundProgress(*round);
    }
    audit(site.federationId, siteActor(site), "upload.accepted",
          {{"round", number},
           {"sample_count", static_cast<qint64>(body.sampleCount)},
           {"payload_bytes", static_cast<qint64>(body.payload.size())},
           {"payload_sha256", qs(record.payloadSha256)},
           {"l2_norm", prepared.norm}},
          request.remoteAddress);
    return std::nullopt;
}

void CoordinatorService::foldIntoRunningSum(const FederationSettings& settings, const std::string& federationId,
                                            int round, bool firstOfRound, const std::string& siteId,
                                            const PreparedUpload& prepared) {
    if (!options_.streamingAggregation || settings.aggregation != AggregationRule::FedAvg) return;
    const std::pair<std::string, int> key{federationId, round};
    if (firstOfRound)
        runningSums_[key] = {std::make_shared<StreamingFedAvg>(famLayout(settings.embeddingDim, settings.shareThresholds),
                                                               settings.maskAwareAggregation),
                             {}};
    // Without a sum (this process started after the round's first upload), the close folds
    // the stored uploads.
    const auto running = runningSums_.find(key);
    if (running == runningSums_.end()) return;
    try {
        running->second.sum->add(prepared.parameters, static_cast<double>(prepared.body.sampleCount));
        running->second.sites.insert(siteId);
    } catch (const std::exception& error) {
        qCWarning(lcCoordinator) << "round" << round << ": running sum dropped, the close folds the stored uploads:"
                                 << error.what();
        runningSums_.erase(running);
    }
}

// ---- the round state machine ----

int CoordinatorService::tick() {
    std::vector<FederationRecord> federations;
    try {
        flushRefusalWindows(options_.clock(), false);
        federations = store_.federations();
    } catch (const std::exception& error) {  // e.g. the database server is down: the next tick tries again
        qCCritical(lcCoordinator) << error.what();
        return 0;
    }
    int published = 0;
    for (const auto& federation : federations) {
        if (federation.state != "running") continue;
        try {
            if (evaluateRound(federation.task.federationId)) ++published;
        } catch (const std::exception& error) {
            qCCritical(lcCoordinator) << "federation" << qs(federation.task.federationId) << ":" << error.what();
        }
    }
    return published;
}

bool CoordinatorService::evaluateRound(const std::string& federationId) {
    const auto federation = store_.federation(federationId);
    if (!federation || federation->state != "running") return false;
    auto round = store_.latestRound(federationId);
    // Running sums of rounds closed elsewhere (an admin command finishing one) are stale.
    for (auto it = runningSums_.lower_bound({federationId, 0});
         it != runningSums_.end() && it->first.first == federationId;)
        it = round && it->first.second == round->number && round->state == "collecting" ? std::next(it)
                                                                                       : runningSums_.erase(it);
    if (!round || round->state == "published") return false;
    if (round->state == "aggregating") {
        if (inFlight_.count({federationId, round->number})) return false;  // the worker is on it
        return aggregate(*federation, *round);  // interrupted by a crash: the uploads are all there
    }
    const auto& settings = federation->task.settings;
    const auto counts = store_.roundCounts(federationId, round->number);
    const int received = counts.uploadsFromActiveSites;
    const auto now = options_.clock();
    const bool allIn = counts.activeSites > 0 && received == counts.activeSites;
    const bool deadlinePassed = round->deadlineAt && now >= *round->deadlineAt;
    if (received >= settings.minSites && (allIn || deadlinePassed)) return aggregate(*federation, *round);
    std::string reason;
    if (round->state == "open")
        reason = "waiting for the first upload (" + std::to_string(counts.activeSites) + " active sites, at least " +
                 std::to_string(settings.minSites) + " needed)";
    else if (received < settings.minSites)
        reason = std::to_string(received) + " of the " + std::to_string(settings.minSites) +
                 " uploads needed have arrived; " +
                 (deadlinePassed ? "the deadline passed at " + isoTimeUtc(*round->deadlineAt) +
                                       ", so the round closes as soon as enough sites upload"
                                 : "the deadline is " + isoTimeUtc(*round->deadlineAt));
    else
        reason = std::to_string(received) + " of " + std::to_string(counts.activeSites) +
                 " active sites have uploaded; the round closes when all have, or at the deadline " +
                 isoTimeUtc(*round->deadlineAt);
    if (reason != round->waitingReason) {
        round->waitingReason = reason;
        CoordinatorStore::Transaction transaction(store_);
        store_.updateRoundProgress(*round);
        transaction.commit();
    }
    return false;
}

bool CoordinatorService::aggregate(const FederationRecord& federation, RoundRecord round) {
    const auto& federationId = federation.task.federationId;
    if (round.state != "aggregating") {
        round.state = "aggregating";
        round.waitingReason.clear();
        CoordinatorStore::Transaction transaction(store_);
        store_.updateRoundProgress(round);
        transaction.commit();
    }
    // Uploads of sites revoked meanwhile are left out: revoking a poisoning site protects the round.
    const auto active = store_.activeSiteIds(federationId);
    const std::set<std::string> activeSet(active.begin(), active.end());
    auto job = std::make_shared<AggregationJob>();
    job->federationId = federationId;
    job->round = round.number;
    job->settings = federation.task.settings;
    job->maxPayloadBytes = std::max<std::int64_t>(options_.maxBodyBytes, 1);
    job->guards = options_.aggregationGuards;
    job->uploadReference = deltaReference(federationId, job->settings, round.number);
    if (round.number > 1 && !job->uploadReference)
        job->previousGlobal = store_.globalPayload(federationId, round.number - 1);
    for (const auto& upload : store_.uploadSummaries(federationId, round.number)) {
        if (!activeSet.count(upload.siteId)) {
            job->excluded.push_back(upload.siteId);
            continue;
        }
        job->uploadIds.push_back(upload.id);
        job->weights.push_back(static_cast<double>(upload.sampleCount));
        job->norms.push_back(upload.l2Norm);
        job->participants.push_back(upload.siteId);
    }
    const bool streamed = options_.streamingAggregation && job->settings.aggregation == AggregationRule::FedAvg;
    if (const auto running = runningSums_.find({federationId, round.number}); running != runningSums_.end()) {
        if (streamed) {
            job->sum = running->second.sum;
            job->sumSites = running->second.sites;
        }
        runningSums_.erase(running);
    }
    if (job->uploadIds.empty()) {
        // Every contributor was revoked while aggregating: collect again.
        round.state = "collecting";
        round.waitingReason = "the uploads of this round came from sites revoked since; waiting for new uploads";
        CoordinatorStore::Transaction transaction(store_);
        store_.updateRoundProgress(round);
        transaction.commit();
        return false;
    }
    if (streamed) {
        if (workers_) inFlight_.insert({federationId, round.number});
        streamAggregation(job);
        return true;
    }
    if (!workers_) {
        for (const auto id : job->uploadIds) job->payloads.push_back(store_.uploadPayload(id));
        const auto result = computeAggregation(*job);
        if (!result.error.empty()) throw Error(result.error);
        publishAggregation(*job, result);
        return true;
    }
    inFlight_.insert({federationId, round.number});
    qCInfo(lcCoordinator).noquote() << "round" << round.number << "of" << qs(federationId) << ": aggregating"
                                    << job->uploadIds.size() << "uploads on a worker thread";
    loadPayloadsThenCompute(job);
    return true;
}

void CoordinatorService::loadPayloadsThenCompute(const std::shared_ptr<AggregationJob>& job) {
    // The payloads (about 1 MB each for D = 512) are read in slices of a few milliseconds,
    // with the event loop serving requests between them.
    constexpr int kSliceMs = 5;
    try {
        QElapsedTimer slice;
        slice.start();
        while (job->payloads.size() < job->uploadIds.size() && slice.elapsed() < kSliceMs)
            job->payloads.push_back(store_.uploadPayload(job->uploadIds[job->payloads.size()]));
    } catch (const std::exception& error) {
        inFlight_.erase({job->federationId, job->round});  // stays aggregating: the next tick() tries again
        qCCritical(lcCoordinator) << "federation" << qs(job->federationId) << ":" << error.what();
        return;
    }
    QObject* receiver = resultReceiver_.get();
    if (job->payloads.size() < job->uploadIds.size()) {
        QMetaObject::invokeMethod(receiver, [this, job] { loadPayloadsThenCompute(job); }, Qt::QueuedConnection);
        return;
    }
    workers_->start([this, receiver, job] {
        auto result = std::make_shared<AggregationResult>(computeAggregation(*job));
        // Queued: runs on the receiver's (the service's) thread, whose connection owns the SQL.
        QMetaObject::invokeMethod(
            receiver, [this, job, result] { backgroundAggregationDone(job, *result); }, Qt::QueuedConnection);
    });
}

namespace {
std::string aggregationFailed(int round, const std::string& federationId, const std::string& what) {
    return "round " + std::to_string(round) + " of " + federationId + ": aggregation failed: " + what;
}
}  // namespace

void CoordinatorService::streamAggregation(const std::shared_ptr<AggregationJob>& job) {
    job->started = SteadyClock::now();
    // Here: the guards need only scalars (and the previous global's norm, one decode).
    bool sumIsTheAnswer = false;
    try {
        sumIsTheAnswer = prepareStreamedAggregation(*job);
    } catch (const std::exception& error) {
        job->result.error = aggregationFailed(job->round, job->federationId, error.what());
    }
    if (workers_)
        qCInfo(lcCoordinator).noquote() << "round" << job->round << "of" << qs(job->federationId) << ": aggregating"
                                        << job->uploadIds.size() << "uploads on a worker thread"
                                        << (sumIsTheAnswer ? "from the running sum" : "from the stored uploads");
    if (job->result.error.empty() && !sumIsTheAnswer) return foldStoredPayloads(job);
    if (!workers_) {
        finishStreamedAggregation(*job);
        deliver(job);
        return;
    }
    workers_->start([this, job] {
        finishStreamedAggregation(*job);
        deliver(job);
    });
}

std::optional<double> CoordinatorService::previousGlobalNorm(const AggregationJob& job) {
    if (job.round == 1) return std::nullopt;
    if (job.uploadReference) return l2Norm(job.uploadReference->fam);  // decoded once for the round's uploads
    if (job.previousGlobal.empty()) return std::nullopt;
    CodecLimits limits;
    limits.maxPayloadBytes = static_cast<std::size_t>(job.maxPayloadBytes);
    return l2Norm(decodeParameters(job.previousGlobal, famLayout(job.settings.embeddingDim, job.settings.shareThresholds),
                                   limits));
}

bool CoordinatorService::prepareStreamedAggregation(AggregationJob& job) {
    auto& result = job.result;
    const auto guarded = applyGuards(job.norms, previousGlobalNorm(job), job.weights, job.guards);
    result.norms = job.norms;
    result.leftOut = guarded.leftOut;
    result.weights = guarded.keptWeights;
    result.referenceNorm = guarded.referenceNorm;
    // The running sum holds every upload of the round, revoked ones too: the answer only
    // when it holds exactly the participants, each with its own weight.
    const std::set<std::string> participants(job.participants.begin(), job.participants.end());
    if (job.sum && job.sumSites == participants && !guarded.changedAnything) {
        result.pass = "running_sum";
        return true;
    }
    job.foldWeights.assign(job.participants.size(), 0.0);
    for (size_t i = 0, kept = 0; i < job.participants.size(); ++i)
        if (!result.leftOut[i]) job.foldWeights[i] = guarded.keptWeights[kept++];
    job.sum = std::make_shared<StreamingFedAvg>(famLayout(job.settings.embeddingDim, job.settings.shareThresholds), job.settings.maskAwareAggregation);
    result.pass = "stored_uploads_one_by_one";
    return false;
}

void CoordinatorService::foldStoredPayloads(const std::shared_ptr<AggregationJob>& job) {
    // A few payloads at a time, read here (the store's thread) in slices of a few
    // milliseconds and folded on the worker, so memory holds one slice whatever the round's size.
    constexpr int kSliceMs = 5;
    constexpr std::size_t kSlicePayloads = 4;
    QElapsedTimer clock;
    clock.start();
    try {
        while (job->nextToFold < job->participants.size() &&
               (!workers_ || (job->slice.size() < kSlicePayloads && clock.elapsed() < kSliceMs))) {
            const auto i = job->nextToFold++;
            if (job->result.leftOut[i]) continue;
            job->slice.emplace_back(store_.uploadPayload(job->uploadIds[i]), job->foldWeights[i]);
            if (!workers_) foldSlice(*job);  // one at a time
        }
    } catch (const std::exception& error) {
        if (!workers_) throw;
        inFlight_.erase({job->federationId, job->round});  // stays aggregating: the next tick() tries again
        qCCritical(lcCoordinator) << "federation" << qs(job->federationId) << ":" << error.what();
        return;
    }
    if (!workers_) {
        finishStreamedAggregation(*job);
        deliver(job);
        return;
    }
    QObject* receiver = resultReceiver_.get();
    workers_->start([this, receiver, job] {
        foldSlice(*job);
        if (job->result.error.empty() && job->nextToFold < job->participants.size()) {
            QMetaObject::invokeMethod(receiver, [this, job] { foldStoredPayloads(job); }, Qt::QueuedConnection);
            return;
        }
        finishStreamedAggregation(*job);
        deliver(job);
    });
}

void CoordinatorService::foldSlice(AggregationJob& job) {
    try {
        CodecLimits limits;
        limits.maxPayloadBytes = static_cast<std::size_t>(job.maxPayloadBytes);
        for (const auto& [payload, weight] : job.slice)
            if (job.result.error.empty())
                job.sum->add(decodeUploaded(payload, job.settings, job.uploadReference, limits), weight);
    } catch (const std::exception& error) {
        job.result.error = aggregationFailed(job.round, job.federationId, error.what());
    }
    job.slice.clear();
}

void CoordinatorService::finishStreamedAggregation(AggregationJob& job) {
    auto& result = job.result;
    if (result.error.empty()) try {
            result.payload = encodeParameters(job.sum->average(), globalCodec(job.settings.codec));
            result.sha256 = sha256Hex(result.payload.data(), result.payload.size());
        } catch (const std::exception& error) {
            result.error = aggregationFailed(job.round, job.federationId, error.what());
        }
    job.sum.reset();
    result.seconds = std::chrono::duration<double>(SteadyClock::now() - job.started).count();
}

void CoordinatorService::deliver(const std::shared_ptr<AggregationJob>& job) {
    if (!workers_) {
        if (!job->result.error.empty()) throw Error(job->result.error);
        publishAggregation(*job, job->result);
        return;
    }
    // Queued: runs on the receiver's (the service's) thread, whose connection owns the SQL.
    QMetaObject::invokeMethod(
        resultReceiver_.get(), [this, job] { backgroundAggregationDone(job, job->result); }, Qt::QueuedConnection);
}

CoordinatorService::AggregationResult CoordinatorService::computeAggregation(const AggregationJob& job) {
    const auto started = std::chrono::steady_clock::now();
    AggregationResult result;
    try {
        const auto layout = famLayout(job.settings.embeddingDim, job.settings.shareThresholds);
        CodecLimits limits;
        limits.maxPayloadBytes = static_cast<std::size_t>(job.maxPayloadBytes);
        std::vector<ParameterSet> updates;
        updates.reserve(job.payloads.size());
        for (const auto& payload : job.payloads)
            updates.push_back(decodeUploaded(payload, job.settings, job.uploadReference, limits));
        for (const auto& update : updates) result.norms.push_back(l2Norm(update));
        const auto guarded = applyGuards(result.norms, previousGlobalNorm(job), job.weights, job.guards);
        result.referenceNorm = guarded.referenceNorm;
        result.leftOut = guarded.leftOut;
        result.weights = guarded.keptWeights;
        const auto& keptWeights = guarded.keptWeights;
        std::vector<ParameterSet> kept;
        for (size_t i = 0; i < updates.size(); ++i)
            if (!result.leftOut[i]) kept.push_back(std::move(updates[i]));
        updates = std::move(kept);
        result.pass = "all_in_memory";
        ParameterSet global;
        switch (job.settings.aggregation) {
        case AggregationRule::FedAvg:
            global = job.settings.maskAwareAggregation ? maskAwareAverage(updates, keptWeights)
                                                       : federatedAverage(updates, keptWeights);
            break;
        case AggregationRule::Median: global = coordinateMedian(updates); break;
        case AggregationRule::TrimmedMean: global = trimmedMean(updates, job.settings.trimFraction); break;
        }
        result.payload = encodeParameters(global, globalCodec(job.settings.codec));
        result.sha256 = sha256Hex(result.payload.data(), result.payload.size());
    } catch (const std::exception& error) {
        result.error = aggregationFailed(job.round, job.federationId, error.what());
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return result;
}

void CoordinatorService::publishAggregation(const AggregationJob& job, const AggregationResult& result) {
    const auto& federationId = job.federationId;
    const auto& settings = job.settings;
    QJsonArray participants, excluded, leftOut, weights;
    int aggregated = 0;
    std::int64_t aggregatedSamples = 0;
    for (size_t i = 0; i < job.participants.size(); ++i) {
        if (result.leftOut[i]) {
            leftOut.append(QJsonObject{{"site_id", qs(job.participants[i])}, {"l2_norm", result.norms[i]}});
            continue;
        }
        participants.append(qs(job.participants[i]));
        weights.append(result.weights[static_cast<size_t>(aggregated)]);
        ++aggregated;
        aggregatedSamples += static_cast<std::int64_t>(job.weights[i]);
    }
    for (const auto& id : job.excluded) excluded.append(qs(id));
    const auto now = options_.clock();
    CoordinatorStore::Transaction transaction(store_);
    const auto active = store_.activeSiteIds(federationId);
    const std::set<std::string> activeSet(active.begin(), active.end());
    const auto revoked = std::find_if(job.participants.begin(), job.participants.end(),
                                      [&](const std::string& id) { return !activeSet.count(id); });
    if (revoked != job.participants.end()) {
        // A participant was revoked while the aggregate was computed: aggregate again without it.
        qCInfo(lcCoordinator).noquote() << "round" << job.round << "of" << qs(federationId) << ": site" << qs(*revoked)
                                        << "was revoked while aggregating; aggregating again without it";
        transaction.commit();  // it wrote nothing; evaluateRound opens transactions of its own
        evaluateRound(federationId);
        return;
    }
    // False when another process (an admin command finishing an interrupted round) published it first.
    if (!store_.publishRound(federationId, job.round, result.payload, result.sha256, aggregated, aggregatedSamples,
                             now)) {
        qCInfo(lcCoordinator).noquote() << "round" << job.round << "of" << qs(federationId)
                                        << "was published meanwhile by another process; result dropped";
        return;
    }
    if (job.round < settings.rounds)
        store_.insertRound(federationId, job.round + 1, now);
    else
        store_.finishFederation(federationId, now);
    deltaReferences_.erase(federationId);  // this round's; the next round's is the global just published
    audit(federationId, "coordinator", "round.published",
          {{"round", job.round},
           {"participants", participants},
           {"excluded_revoked", excluded},
           {"left_out_norm", leftOut},
           {"reference_norm", result.referenceNorm},
           {"weights", weights},
           {"total_samples", static_cast<qint64>(aggregatedSamples)},
           {"aggregation", qs(aggregationRuleName(settings.aggregation))},
           {"aggregation_pass", qs(result.pass)},
           {"global_sha256", qs(result.sha256)},
           {"aggregation_seconds", result.seconds}});
    if (job.round >= settings.rounds)
        audit(federationId, "coordinator", "federation.finished", {{"rounds", job.round}});
    transaction.commit();
    if (!leftOut.isEmpty())
        qCWarning(lcCoordinator).noquote() << "round" << job.round << "of" << qs(federationId) << ":" << leftOut.size()
                                           << "upload(s) left out: L2 norm above"
                                           << job.guards.maxNormOverMedian * result.referenceNorm;
    qCInfo(lcCoordinator).noquote() << "round" << job.round << "of" << qs(federationId) << "published with"
                                    << aggregated << "sites (aggregated in"
                                    << qRound(result.seconds * 1000) << "ms)";
}

void CoordinatorService::backgroundAggregationDone(const std::shared_ptr<const AggregationJob>& job,
                                                   const AggregationResult& result) {
    inFlight_.erase({job->federationId, job->round});
    try {
        // A failure leaves the round aggregating: the next tick() tries again.
        if (!result.error.empty()) throw Error(result.error);
        publishAggregation(*job, result);
    } catch (const std::exception& error) {
        qCCritical(lcCoordinator) << "federation" << qs(job->federationId) << ":" << error.what();
    }
}

void CoordinatorService::finishAggregations() {
    // Each pass reads payloads, or publishes (or drops) a worker's result.
    while (!inFlight_.empty()) {
        workers_->waitForDone();
        QCoreApplication::sendPostedEvents(resultReceiver_.get(), QEvent::MetaCall);
    }
}

// ---- administrator operations ----

std::string CoordinatorService::createFederation(const FederationSettings& settings) {
    const auto id = store_.createFederation(settings, options_.clock());
    audit(id, "admin", "federation.created",
          {{"name", qs(settings.name)}, {"rounds", settings.rounds}, {"min_sites", settings.minSites},
           {"bundle_hash", qs(settings.bundleHash)}});
    return id;
}

IssuedCode CoordinatorService::issueEnrollmentCode(const std::string& federationId, const std::string& siteName,
                                                   int validSeconds) {
    const auto federation = store_.federation(federationId);
    if (!federation) throw Error("federation: no federation with id '" + federationId + "'");
    if (federation->state != "running") throw Error("federation: " + federationId + " has finished");
    if (siteName.empty() || siteName.size() > 200) throw Error("site name: must hold 1 to 200 characters");
    if (validSeconds < 60 || validSeconds > 30 * 24 * 3600) throw Error("valid for: must lie in 1 minute..30 days");
    const auto now = options_.clock();
    IssuedCode issued;
    issued.expiresAt = now + 1000LL * validSeconds;
    CoordinatorStore::Transaction transaction(store_);
    issued.code = store_.addEnrollmentCode(federationId, siteName, issued.expiresAt, now);
    audit(federationId, "admin", "code.issued", {{"site_name", qs(siteName)}, {"expires_at", qs(isoTimeUtc(issued.expiresAt))}});
    transaction.commit();
    return issued;
}

void CoordinatorService::revokeSite(const std::string& siteId) {
    const auto site = store_.site(siteId);
    if (!site) throw Error("site: no site with id '" + siteId + "'");
    if (site->state == "revoked") return;
    {
        CoordinatorStore::Transaction transaction(store_);
        store_.revokeSite(siteId, options_.clock());
        audit(site->federationId, "admin", "site.revoked", {{"site_id", qs(siteId)}, {"site_name", qs(site->name)}});
        transaction.commit();
    }
    evaluateRound(site->federationId);
}

QJsonObject CoordinatorService::roundHistory(const std::string& federationId) {
    const auto federation = store_.federation(federationId);
    if (!federation) throw Error("federation: no federation with id '" + federationId + "'");
    std::map<std::string, std::string> siteNames;
    QJsonArray sites;
    for (const auto& site : store_.sites(federationId)) {
        siteNames[site.id] = site.name;
        sites.append(QJsonObject{{"site_id", qs(site.id)},
                                 {"name", qs(site.name)},
                                 {"state", qs(site.state)},
                                 {"enrolled_at", qs(isoTimeUtc(site.enrolledAt))},
                                 {"revoked_at", optionalTime(site.revokedAt)}});
    }
    std::map<int, QJsonArray> rejectionsByRound;
    for (const auto& r : store_.rejections(federationId))
        rejectionsByRound[r.round].append(QJsonObject{{"site_id", qs(r.siteId)},
                                                      {"received_at", qs(isoTimeUtc(r.receivedAt))},
                                                      {"body_bytes", static_cast<qint64>(r.bodyBytes)},
                                                      {"code", qs(r.code)},
                                                      {"reason", qs(r.reason)}});
    QJsonArray rounds;
    for (const auto& round : store_.rounds(federationId)) {
        QJsonArray uploads;
        for (const auto& upload : store_.uploads(federationId, round.number, false))
            uploads.append(QJsonObject{{"site_id", qs(upload.siteId)},
                                       {"site_name", qs(siteNames[upload.siteId])},
                                       {"received_at", qs(isoTimeUtc(upload.receivedAt))},
                                       {"sample_count", static_cast<qint64>(upload.sampleCount)},
                                       {"metrics", QJsonDocument::fromJson(QByteArray::fromStdString(upload.metricsJson)).object()},
                                       {"l2_norm", upload.l2Norm},
                                       {"payload_sha256", qs(upload.payloadSha256)}});
        rounds.append(QJsonObject{{"round", round.number},
                                  {"state", qs(round.state)},
                                  {"opened_at", qs(isoTimeUtc(round.openedAt))},
                                  {"first_upload_at", optionalTime(round.firstUploadAt)},
                                  {"deadline_at", optionalTime(round.deadlineAt)},
                                  {"published_at", optionalTime(round.publishedAt)},
                                  {"participants", round.participants},
                                  {"total_samples", static_cast<qint64>(round.totalSamples)},
                                  {"global_sha256", qs(round.globalSha256)},
                                  {"waiting_reason", qs(round.waitingReason)},
                                  {"uploads", uploads},
                                  {"rejected_uploads", rejectionsByRound[round.number]}});
    }
    return {{"federation", taskToJson(federation->task)},
            {"state", qs(federation->state)},
            {"created_at", qs(isoTimeUtc(federation->createdAt))},
            {"finished_at", optionalTime(federation->finishedAt)},
            {"sites", sites},
            {"rounds", rounds}};
}

}  // namespace fmc::federation
