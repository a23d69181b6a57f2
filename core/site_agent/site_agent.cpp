#include "site_agent/site_agent.h"

#include "common/sha256.h"
#include "site_agent/upload_residual.h"
#include "protocol/logging.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <chrono>

namespace fmc::federation {
namespace {

constexpr const char* kIdentityFile = "site.json";
constexpr const char* kProgressFile = "progress.json";
constexpr const char* kPendingUploadFile = "pending-upload.json";
constexpr const char* kRoundsFile = "rounds.jsonl";
constexpr const char* kGlobalFamFile = "global-fam.fmcp";

// Written to a temporary file and renamed, so a crash leaves the old or the new file.
void writeFileAtomically(const QString& path, const QByteArray& data, bool ownerOnly = false) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) throw Error(ss(path) + ": cannot write (" + ss(file.errorString()) + ")");
    if (ownerOnly) file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    if (file.write(data) != data.size() || !file.commit())
        throw Error(ss(path) + ": cannot write (" + ss(file.errorString()) + ")");
}

QJsonObject readJsonFile(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) throw Error(ss(path) + ": cannot read");
    QJsonParseError error;
    const auto document = QJsonDocument::fromJson(file.readAll(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        throw Error(ss(path) + ": not a JSON object (" + ss(error.errorString()) + ")");
    return document.object();
}

QJsonObject metricsToJson(const std::map<std::string, double>& metrics) {
    QJsonObject json;
    for (const auto& [name, value] : metrics) json.insert(qs(name), value);
    return json;
}

}  // namespace

// ---- recorder ----

JsonLinesRoundRecorder::JsonLinesRoundRecorder(QString stateDir) : stateDir_(std::move(stateDir)) {}

void JsonLinesRoundRecorder::recordRound(const SiteRoundRecord& record) {
    QDir().mkpath(stateDir_);
    QFile file(QDir(stateDir_).filePath(kRoundsFile));
    if (!file.open(QIODevice::Append)) throw Error(ss(file.fileName()) + ": cannot append the round record");
    const QJsonObject line{{"round", record.round},
                           {"outcome", qs(record.outcome)},
                           {"message", qs(record.message)},
                           {"sample_count", static_cast<qint64>(record.sampleCount)},
                           {"metrics", metricsToJson(record.metrics)},
                           {"bytes_sent", static_cast<qint64>(record.bytesSent)},
                           {"bytes_received", static_cast<qint64>(record.bytesReceived)},
                           {"seconds", record.seconds},
                           {"recorded_at", qs(isoTimeUtc(nowMs()))}};
    file.write(QJsonDocument(line).toJson(QJsonDocument::Compact) + '\n');
    file.flush();
}

void JsonLinesRoundRecorder::recordGlobalFam(int, const std::vector<std::uint8_t>& payload, const std::string&) {
    writeFileAtomically(QDir(stateDir_).filePath(kGlobalFamFile),
                        QByteArray(reinterpret_cast<const char*>(payload.data()), static_cast<qsizetype>(payload.size())));
}

// ---- identity and invitations ----

TrustSettings SiteIdentity::trust() const {
    TrustSettings trust;
    trust.caCertificates = QSslCertificate::fromData(caCertificatesPem.toLatin1(), QSsl::Pem);
    trust.pinnedSha256 = pinnedSha256;
    return trust;
}

EnrollmentInvitation readInvitation(const QString& path) {
    const auto json = readJsonFile(path);
    EnrollmentInvitation invitation;
    invitation.coordinatorUrl = json.value("coordinator_url").toString();
    invitation.code = ss(json.value("code").toString());
    invitation.caCertificatesPem = json.value("ca_certificate_pem").toString();
    invitation.pinnedSha256 = json.value("pinned_sha256").toString();
    if (invitation.coordinatorUrl.isEmpty()) throw Error(ss(path) + ": coordinator_url: missing");
    if (invitation.code.empty()) throw Error(ss(path) + ": code: missing");
    if (invitation.caCertificatesPem.isEmpty() && invitation.pinnedSha256.isEmpty())
        throw Error(ss(path) + ": ca_certificate_pem / pinned_sha256: the invitation names no way to trust the coordinator");
    return invitation;
}

void writeInvitation(const QString& path, const EnrollmentInvitation& invitation) {
    const QJsonObject json{{"coordinator_url", invitation.coordinatorUrl},
                           {"code", qs(invitation.code)},
                           {"ca_certificate_pem", invitation.caCertificatesPem},
                           {"pinned_sha256", invitation.pinnedSha256}};
    writeFileAtomically(path, QJsonDocument(json).toJson(), true);
}

std::optional<SiteIdentity> SiteAgent::loadIdentity(const QString& stateDir) {
    const auto path = QDir(stateDir).filePath(kIdentityFile);
    if (!QFileInfo::exists(path)) return std::nullopt;
    const auto json = readJsonFile(path);
    SiteIdentity identity;
    identity.coordinatorUrl = json.value("coordinator_url").toString();
    identity.federationId = ss(json.value("federation_id").toString());
    identity.siteId = ss(json.value("site_id").toString());
    identity.siteName = ss(json.value("site_name").toString());
    identity.token = ss(json.value("token").toString());
    identity.caCertificatesPem = json.value("ca_certificate_pem").toString();
    identity.pinnedSha256 = json.value("pinned_sha256").toString();
    if (identity.federationId.empty() || identity.siteId.empty() || identity.token.empty())
        throw Error(ss(path) + ": federation_id, site_id or token missing; enroll again with a new code");
    return identity;
}

SiteIdentity SiteAgent::enroll(const QString& stateDir, const EnrollmentInvitation& invitation,
                               const AgentOptions& options) {
    if (const auto existing = loadIdentity(stateDir))
        throw Error(ss(QDir(stateDir).filePath(kIdentityFile)) + ": this workspace is already enrolled as site " +
                    existing->siteId + " of federation " + existing->federationId +
                    "; use another workspace to join another federation");
    SiteIdentity identity;
    identity.coordinatorUrl = invitation.coordinatorUrl;
    identity.caCertificatesPem = invitation.caCertificatesPem;
    identity.pinnedSha256 = invitation.pinnedSha256;
    CoordinatorClient client(QUrl(invitation.coordinatorUrl), identity.trust(), options.retry);
    client.setLog(options.log);
    const auto response =
        client.postJson(QStringLiteral("/enroll"),
                        QJsonDocument(QJsonObject{{"code", qs(invitation.code)}}).toJson(QJsonDocument::Compact));
    identity.federationId = ss(response.value("federation_id").toString());
    identity.siteId = ss(response.value("site_id").toString());
    identity.siteName = ss(response.value("site_name").toString());
    identity.token = ss(response.value("token").toString());
    // Validates the task now, so a site learns at once that it cannot take part.
    const auto task = taskFromJson(response.value("task").toObject(), "task from " + ss(invitation.coordinatorUrl));
    const QJsonObject json{{"coordinator_url", identity.coordinatorUrl},
                           {"federation_id", qs(identity.federationId)},
                           {"site_id", qs(identity.siteId)},
                           {"site_name", qs(identity.siteName)},
                           {"token", qs(identity.token)},
                           {"ca_certificate_pem", identity.caCertificatesPem},
                           {"pinned_sha256", identity.pinnedSha256},
                           {"enrolled_at", qs(isoTimeUtc(nowMs()))},
                           {"task", taskToJson(task)}};
    writeFileAtomically(QDir(stateDir).filePath(kIdentityFile), QJsonDocument(json).toJson(), true);
    return identity;
}

// ---- the round loop ----

struct SiteAgent::Impl {
    QString stateDir;
    SiteTrainer& trainer;
    RoundRecorder& recorder;
    AgentOptions options;
    SiteIdentity identity;
    std::unique_ptr<CoordinatorClient> client;
    FederationTask task;
    const std::atomic<bool>* cancel = nullptr;

    int lastRoundDone = 0;
    int pendingRound = 0;  // 0: no upload in flight
    UploadResidualStore residuals;  // error feedback (options.deltaErrorFeedback)

    Impl(QString dir, SiteTrainer& t, RoundRecorder& r, AgentOptions o)
        : stateDir(std::move(dir)), trainer(t), recorder(r), options(std::move(o)), residuals(stateDir) {}

    void log(const QString& message) const {
        if (options.log) options.log(message);
        else qCInfo(lcSiteClient).noquote() << message;
    }

    QString federationPath(const QString& rest) const {
        return QStringLiteral("/federations/%1%2").arg(qs(identity.federationId), rest);
    }

    void loadProgress() {
        const auto path = QDir(stateDir).filePath(kProgressFile);
        if (!QFileInfo::exists(path)) return;
        const auto json = readJsonFile(path);
        lastRoundDone = json.value("last_round_done").toInt();
        pendingRound = json.value("pending_round").toInt();
    }

    void saveProgress() const {
        writeFileAtomically(QDir(stateDir).filePath(kProgressFile),
                            QJsonDocument(QJsonObject{{"federation_id", qs(identity.federationId)},
                                                      {"last_round_done", lastRoundDone},
                                                      {"pending_round", pendingRound}})
                                .toJson());
    }

    // Errors that waiting cannot fix, explained for the site admin.
    [[noreturn]] void refused(const ApiError& error) const {
        if (error.code() == "site_revoked")
            throw Error("the coordinator operator revoked this site (" + identity.siteId +
                        "); it can no longer take part. " + error.what());
        if (error.status() == 401)
            throw Error("the coordinator does not know this site's token; the workspace's credential is stale or "
                        "belongs to another coordinator. " + std::string(error.what()));
        throw error;
    }

    ParameterSet fetchGlobal(int round, std::int64_t& bytesReceived) {
        const auto result = client->get(federationPath(QStringLiteral("/rounds/%1/global").arg(round)));
        if (result.status != 200) throwApiError(result, QStringLiteral("global FAM of round %1").arg(round));
        const std::vector<std::uint8_t> payload(result.body.begin(), result.body.end());
        const auto sha = sha256Hex(payload.data(), payload.size());
        if (QByteArray::fromStdString(sha) != result.header("X-FMC-Sha256"))
            throw Error("global FAM of round " + std::to_string(round) +
                        ": the body does not match its X-FMC-Sha256 header (corrupted in transit)");
        CodecLimits limits;
        auto fam = decodeParameters(payload, famLayout(task.settings.embeddingDim, task.settings.shareThresholds), limits);
        bytesReceived += result.body.size();
        recorder.recordGlobalFam(round, payload, sha);
        return fam;
    }

    // Sends the saved upload; the same key makes a repeat harmless. Returns the outcome.
    SiteRoundRecord sendPending() {
        const auto path = QDir(stateDir).filePath(kPendingUploadFile);
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) throw Error(ss(path) + ": the upload in flight is missing");
        const auto body = file.readAll();
        file.close();
        const auto saved = QJsonDocument::fromJson(body).object();
        SiteRoundRecord record;
        record.round = pendingRound;
        record.sampleCount = saved.value("sample_count").toInteger();
        const auto metrics = saved.value("metrics").toObject();
        for (auto it = metrics.begin(); it != metrics.end(); ++it) record.metrics[ss(it.key())] = it.value().toDouble();
        const auto sentBefore = client->bytesSent();
        const auto result = client->post(federationPath(QStringLiteral("/rounds/%1/uploads").arg(pendingRound)), body);
        record.bytesSent = client->bytesSent() - sentBefore;
        const auto answer = QJsonDocument::fromJson(result.body).object();
        const auto message = answer.value("error").toObject().value("message").toString();
        if (result.status == 201) {
            record.outcome = "accepted";
        } else if (result.status == 200) {
            record.outcome = "duplicate";
            record.message = "the coordinator already had this upload (a retry after a lost answer)";
        } else if (result.status == 409) {
            record.outcome = "late";
            record.message = ss(message);
        } else if (result.status == 400 || result.status == 413) {
            record.outcome = "rejected";
            record.message = ss(message);
        } else {
            try {
                throwApiError(result, QStringLiteral("upload of round %1").arg(pendingRound));
            } catch (const ApiError& error) {
                refused(error);
            }
        }
        // The upload counts: its residual is the next round's; it does not: none is valid.
        if (record.outcome == "accepted" || record.outcome == "duplicate") residuals.accepted(pendingRound);
        else residuals.discard();
        log(QStringLiteral("round %1: upload %2%3")
                .arg(pendingRound)
                .arg(qs(record.outcome))
                .arg(record.message.empty() ? QString() : QStringLiteral(" (%1)").arg(qs(record.message))));
        lastRoundDone = std::max(lastRoundDone, pendingRound);
        pendingRound = 0;
        saveProgress();
        QFile::remove(path);
        return record;
    }

    int run() {
        try {
            task = taskFromJson(client->getJson(federationPath(QStringLiteral("/task"))),
                                "task from " + ss(identity.coordinatorUrl));
        } catch (const ApiError& error) {
            refused(error);
        }
        log(QStringLiteral("federation %1 '%2': %3 rounds, %4 classes, bundle %5, for %6")
                .arg(qs(task.federationId), qs(task.settings.name))
                .arg(task.settings.rounds)
                .arg(task.settings.classNames.size())
                .arg(qs(task.settings.bundleName), qs(describeDomain(task.settings.imageDomain))));
        trainer.prepare(task);
        recorder.federationStarted(task);
        loadProgress();
        bool waitingNoted = false;
        bool budgetUnusedNoted = false;
        while (true) {
            if (cancel && cancel->load()) return 1;
            QJsonObject current;
            try {
                current = client->getJson(federationPath(QStringLiteral("/rounds/current")));
            } catch (const ApiError& error) {
                refused(error);
            }
            const int round = current.value("round").toInt();
            const auto state = ss(current.value("state").toString());
            if (pendingRound > 0) {
                // An upload that may or may not have arrived before a crash or a lost answer.
                recorder.recordRound(sendPending());
                continue;
            }
            if (current.value("finished").toBool()) {
                std::int64_t received = 0;
                const int last = current.value("rounds_total").toInt();
                trainer.finish(fetchGlobal(last, received));
                recorder.federationFinished();
                log(QStringLiteral("federation finished after %1 rounds; the final global FAM is in place").arg(last));
                return 0;
            }
            const bool done = current.value("you_uploaded").toBool() || lastRoundDone >= round ||
                              state == "aggregating" || state == "published";
            if (done) {
                if (!waitingNoted)
                    log(QStringLiteral("round %1: waiting for the other sites (%2)")
                            .arg(round)
                            .arg(current.value("waiting_reason").toString()));
                waitingNoted = true;
                if (!client->sleep(options.pollIntervalMs)) return 1;
                continue;
            }
            waitingNoted = false;

            std::int64_t received = 0;
            const auto global = round == 1 ? trainer.initialFam(task.settings.initSeed) : fetchGlobal(round - 1, received);
            const auto started = std::chrono::steady_clock::now();
            log(QStringLiteral("round %1: training").arg(round));
            auto local = trainer.trainRound(round, global);
            const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

            UploadBody upload;
            upload.federationId = identity.federationId;
            upload.round = round;
            upload.siteId = identity.siteId;
            upload.idempotencyKey = randomToken(18);
            upload.sampleCount = local.sampleCount;
            upload.metrics = std::move(local.metrics);
            upload.codec = codecName(task.settings.codec);
            if (options.deltaBudgetBytes > 0 && !codecNeedsReference(task.settings.codec) && !budgetUnusedNoted) {
                log(QStringLiteral("the federation's codec %1 has no byte budget: --delta-budget applies only to "
                                   "mask-int8-delta-zlib federations and is not used")
                        .arg(qs(upload.codec)));
                budgetUnusedNoted = true;
            }
            // A delta codec codes the upload against the global this round started from, as
            // decoded here (round 1: the zero FAM, see uploadReference).
            if (codecNeedsReference(task.settings.codec) && options.deltaErrorFeedback) {
                std::string whyNone;
                auto residual = residuals.forRound(
                    round, famLayout(task.settings.embeddingDim, task.settings.shareThresholds), &whyNone);
                if (residual.empty() && round > 1)
                    log(QStringLiteral("round %1: error feedback starts from zero (%2)").arg(round).arg(qs(whyNone)));
                upload.payload = encodeUploadWithFeedback(local.fam, task.settings, round, global, residual,
                                                          options.deltaBudgetBytes);
                // Before the upload is saved: a crash before that re-encodes from the previous residual.
                residuals.save(round, residual);
            } else {
                residuals.discard();
                upload.payload = encodeUpload(local.fam, task.settings, round, global, options.deltaBudgetBytes);
            }
            // On disk before the first byte leaves: a restart re-sends this very upload.
            writeFileAtomically(QDir(stateDir).filePath(kPendingUploadFile), uploadToJson(upload));
            pendingRound = round;
            saveProgress();
            auto record = sendPending();
            record.bytesReceived = received;
            record.seconds = seconds;
            record.evaluation = std::move(local.evaluation);
            recorder.recordRound(record);
        }
    }
};

SiteAgent::SiteAgent(QString stateDir, SiteTrainer& trainer, RoundRecorder& recorder, AgentOptions options)
    : d(std::make_unique<Impl>(std::move(stateDir), trainer, recorder, std::move(options))) {}

SiteAgent::~SiteAgent() = default;

int SiteAgent::run(const std::atomic<bool>* cancel) {
    const auto identity = loadIdentity(d->stateDir);
    if (!identity)
        throw Error(ss(QDir(d->stateDir).filePath(kIdentityFile)) +
                    ": this workspace has not joined a federation; run 'fedmedclip-cli site join' first");
    d->identity = *identity;
    d->cancel = cancel;
    d->client = std::make_unique<CoordinatorClient>(QUrl(identity->coordinatorUrl), identity->trust(), d->options.retry);
    d->client->setToken(identity->token);
    d->client->setLog(d->options.log);
    d->client->setCancelFlag(cancel);
    return d->run();
}

}  // namespace fmc::federation
