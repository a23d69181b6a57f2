#pragma once
// The coordinator's state in SQL (Qt SQL: QSQLITE by default, QPSQL for operators who run
// PostgreSQL): federations, one-time enrollment codes, sites, rounds with their published
// global FAM, accepted and rejected uploads, and the audit log.
//
// Rules, the same as the site store's: a schema version with forward migrations applied in
// one transaction; every change of more than one row in one transaction; values reach SQL
// through bound parameters only; secrets (site tokens, enrollment codes) are stored only as
// SHA-256 hashes. SQLite runs in WAL mode with synchronous=FULL and a busy timeout, so the
// server and the admin CLI can use the same file and a committed round survives a crash.
#include "protocol/protocol.h"

#include <QString>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fmc::federation {

struct DatabaseConfig {
    QString driver = QStringLiteral("QSQLITE");  // or QPSQL
    QString path;                                // QSQLITE: the database file
    // QPSQL. host: a name or address, or a folder with the server's Unix socket
    // (Debian: /var/run/postgresql); connectOptions: libpq keywords separated by ';', e.g.
    // "sslmode=verify-full;sslrootcert=/etc/ssl/certs/db-ca.pem;connect_timeout=10".
    QString host, databaseName, user, password, connectOptions;
    int port = 5432;
};

struct FederationRecord {
    FederationTask task;
    std::string state;  // "running" or "finished"
    std::int64_t createdAt = 0;
    std::optional<std::int64_t> finishedAt;
};

struct SiteRecord {
    std::string id;
    std::string federationId;
    std::string name;
    std::string state;  // "active" or "revoked"
    std::int64_t enrolledAt = 0;
    std::optional<std::int64_t> revokedAt;
    std::optional<std::int64_t> lastSeenAt;
};

struct EnrollmentCodeRecord {
    std::string codeHash;
    std::string federationId;
    std::string siteName;
    std::int64_t issuedAt = 0;
    std::int64_t expiresAt = 0;
    std::optional<std::int64_t> usedAt;
    std::string siteId;  // set once used
};

// open -> collecting (first accepted upload; the deadline starts) -> aggregating -> published
struct RoundRecord {
    std::string federationId;
    int number = 0;
    std::string state;
    std::int64_t openedAt = 0;
    std::optional<std::int64_t> firstUploadAt, deadlineAt, publishedAt;
    std::string waitingReason;
    int participants = 0;
    std::int64_t totalSamples = 0;
    std::string globalSha256;  // of the published payload
};

struct UploadRecord {
    std::int64_t id = 0;
    std::string federationId;
    int round = 0;
    std::string siteId;
    std::string idempotencyKey;
    std::int64_t receivedAt = 0;
    std::int64_t sampleCount = 0;
    std::string metricsJson;
    std::vector<std::uint8_t> payload;  // empty unless asked for
    std::string payloadSha256;
    double l2Norm = 0;
};

// What the request paths need of an upload.
struct UploadSummary {
    std::int64_t id = 0;
    std::string federationId;
    int round = 0;
    std::string siteId;
    std::int64_t sampleCount = 0;
    std::string payloadSha256;
    double l2Norm = 0;  // of the decoded payload, computed when it was accepted
};

// What decides whether a round can close, counted by the database (never read row by row:
// the server asks after every batch of uploads and on every poll of the current round).
struct RoundCounts {
    int activeSites = 0;
    int uploads = 0;                 // every upload of the round, revoked sites' included
    int uploadsFromActiveSites = 0;  // those that count towards closing it
};

struct RejectionRecord {
    std::string federationId;
    int round = 0;
    std::string siteId;
    std::int64_t receivedAt = 0;
    std::int64_t bodyBytes = 0;
    std::string code;
    std::string reason;
};

struct AuditEntry {
    std::int64_t id = 0;
    std::int64_t at = 0;
    std::string federationId;  // "" for events outside a federation
    std::string actor;         // "admin", "site:<id>", "coordinator", "anonymous"
    std::string action;        // e.g. "site.enrolled", "upload.rejected", "round.published"
    std::string detailJson = "{}";
    std::string remoteAddress;
};

class CoordinatorStore {
public:
    // Opens (creating a SQLite file if needed) and migrates. Throws fmc::Error naming the
    // database when it cannot be opened, is newer than this program, or a migration fails.
    static std::unique_ptr<CoordinatorStore> open(const DatabaseConfig& config);
    // For tests of migrations: applies only the migrations up to `version`, leaving the database
    // as the release that introduced it did. The other methods expect the latest schema.
    static std::unique_ptr<CoordinatorStore> openAtVersion(const DatabaseConfig& config, int version);
    ~CoordinatorStore();
    CoordinatorStore(const CoordinatorStore&) = delete;
    CoordinatorStore& operator=(const CoordinatorStore&) = delete;

    int schemaVersion();
    static int latestSchemaVersion();
    const QString& description() const;  // e.g. "SQLite /var/lib/.../state.sqlite"
    // Outermost transactions committed by this connection: each is one flush to disk.
    std::int64_t durableCommits() const;

    // Write transaction (BEGIN IMMEDIATE on SQLite, so a concurrent writer waits rather
    // than failing half-way). Rolls back unless commit() is called. One opened inside
    // another is a savepoint: its rollback undoes only its own statements.
    class Transaction {
    public:
        explicit Transaction(CoordinatorStore& store);
        ~Transaction();
        void commit();
        Transaction(const Transaction&) = delete;
        Transaction& operator=(const Transaction&) = delete;

    private:
        CoordinatorStore& store_;
        bool open_ = true;
    };

    // Creates the federation with round 1 open. Returns its id.
    std::string createFederation(const FederationSettings& settings, std::int64_t now);
    std::optional<FederationRecord> federation(const std::string& id);
    std::vector<FederationRecord> federations();
    void finishFederation(const std::string& id, std::int64_t now);

    // Returns the plain code, which is stored only as a hash.
    std::string addEnrollmentCode(const std::string& federationId, const std::string& siteName,
                                  std::int64_t expiresAt, std::int64_t now);
    std::optional<EnrollmentCodeRecord> enrollmentCode(const std::string& codeHash);
    // False when the code was used meanwhile (a concurrent enrollment won).
    bool markEnrollmentCodeUsed(const std::string& codeHash, const std::string& siteId, std::int64_t now);

    void addSite(const SiteRecord& site, const std::string& tokenHash);
    std::optional<SiteRecord> siteByTokenHash(const std::string& tokenHash);
    std::optional<SiteRecord> site(const std::string& id);
    std::vector<SiteRecord> sites(const std::string& federationId);
    std::vector<std::string> activeSiteIds(const std::string& federationId);
    void revokeSite(const std::string& siteId, std::int64_t now);
    void touchSite(const std::string& siteId, std::int64_t now);

    void insertRound(const std::string& federationId, int number, std::int64_t now);
    std::optional<RoundRecord> round(const std::string& federationId, int number);
    std::optional<RoundRecord> latestRound(const std::string& federationId);
    std::vector<RoundRecord> rounds(const std::string& federationId);
    // Writes state, first upload, deadline, waiting reason (the fields that change while collecting).
    void updateRoundProgress(const RoundRecord& round);
    // Publishes a round that is aggregating, its payload in the same transaction; false (and
    // nothing written) when it is not, e.g. because another process published it first.
    bool publishRound(const std::string& federationId, int number, const std::vector<std::uint8_t>& payload,
                      const std::string& sha256, int participants, std::int64_t totalSamples, std::int64_t now);
    std::vector<std::uint8_t> globalPayload(const std::string& federationId, int number);

    std::optional<UploadSummary> uploadByKey(const std::string& siteId, const std::string& idempotencyKey);
    std::optional<UploadSummary> uploadOfSite(const std::string& federationId, int round, const std::string& siteId);
    std::vector<UploadSummary> uploadSummaries(const std::string& federationId, int round);  // in site-id order
    RoundCounts roundCounts(const std::string& federationId, int round);
    // Every column (the history). Payloads live in a table of their own (schema version 2), so
    // without them this reads only small rows.
    std::vector<UploadRecord> uploads(const std::string& federationId, int round, bool withPayload);
    std::vector<std::uint8_t> uploadPayload(std::int64_t uploadId);
    // The upload and its payload in one transaction (the caller's, or one of its own).
    void insertUpload(const UploadRecord& upload);

    void insertRejection(const RejectionRecord& rejection);
    std::vector<RejectionRecord> rejections(const std::string& federationId);

    void audit(const AuditEntry& entry);
    std::vector<AuditEntry> auditLog(const std::string& federationId = {}, int limit = 1000);

private:
    struct Impl;
    explicit CoordinatorStore(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> d;
};

}  // namespace fmc::federation
