#include "coordinator/coordinator_store.h"

#include "protocol/logging.h"

#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <algorithm>
#include <atomic>

namespace fmc::federation {
namespace {

constexpr int kSqlitePageBytes = 16384;

struct Migration {
    int version;
    const char* name;
    // Statements separated by ';', with {BLOB}, {AUTO_ID} and {AUTO_ID_REF} (a column that
    // references an {AUTO_ID}) per dialect.
    const char* sql;
};

// Never edit a released migration; append a new one.
const std::vector<Migration>& migrations() {
    static const std::vector<Migration> list{
        {1, "federations, enrollment, sites, rounds, uploads, audit log", R"SQL(
CREATE TABLE federations(
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  task_json TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('running', 'finished')),
  created_at BIGINT NOT NULL,
  finished_at BIGINT);
CREATE TABLE enrollment_codes(
  code_hash TEXT PRIMARY KEY,
  federation_id TEXT NOT NULL REFERENCES federations(id),
  site_name TEXT NOT NULL,
  issued_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT,
  site_id TEXT);
CREATE TABLE sites(
  id TEXT PRIMARY KEY,
  federation_id TEXT NOT NULL REFERENCES federations(id),
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  state TEXT NOT NULL CHECK (state IN ('active', 'revoked')),
  enrolled_at BIGINT NOT NULL,
  revoked_at BIGINT,
  last_seen_at BIGINT);
CREATE INDEX sites_by_federation ON sites(federation_id);
CREATE TABLE rounds(
  federation_id TEXT NOT NULL REFERENCES federations(id),
  number INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('open', 'collecting', 'aggregating', 'published')),
  opened_at BIGINT NOT NULL,
  first_upload_at BIGINT,
  deadline_at BIGINT,
  published_at BIGINT,
  waiting_reason TEXT NOT NULL DEFAULT '',
  participants INTEGER NOT NULL DEFAULT 0,
  total_samples BIGINT NOT NULL DEFAULT 0,
  global_payload {BLOB},
  global_sha256 TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (federation_id, number));
CREATE TABLE uploads(
  id {AUTO_ID},
  federation_id TEXT NOT NULL,
  round INTEGER NOT NULL,
  site_id TEXT NOT NULL REFERENCES sites(id),
  idempotency_key TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  sample_count BIGINT NOT NULL,
  metrics_json TEXT NOT NULL,
  payload {BLOB} NOT NULL,
  payload_sha256 TEXT NOT NULL,
  l2_norm DOUBLE PRECISION NOT NULL,
  FOREIGN KEY (federation_id, round) REFERENCES rounds(federation_id, number),
  UNIQUE (federation_id, round, site_id),
  UNIQUE (site_id, idempotency_key));
CREATE TABLE rejected_uploads(
  id {AUTO_ID},
  federation_id TEXT NOT NULL,
  round INTEGER NOT NULL,
  site_id TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  body_bytes BIGINT NOT NULL,
  code TEXT NOT NULL,
  reason TEXT NOT NULL);
CREATE INDEX rejected_by_federation ON rejected_uploads(federation_id, round);
CREATE TABLE audit_log(
  id {AUTO_ID},
  at BIGINT NOT NULL,
  federation_id TEXT NOT NULL DEFAULT '',
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  detail_json TEXT NOT NULL,
  remote_address TEXT NOT NULL DEFAULT '');
CREATE INDEX audit_by_federation ON audit_log(federation_id, id)
)SQL"},
        // SQLite stores a row's columns in order and reaches a column after a large blob by reading
        // through the blob's overflow pages: with the payloads inline, listing uploads or rounds
        // read every payload (about 1 MB each for D = 512).
        {2, "upload payloads and global FAMs in tables of their own", R"SQL(
CREATE TABLE upload_payloads(
  upload_id {AUTO_ID_REF} PRIMARY KEY REFERENCES uploads(id) ON DELETE CASCADE,
  payload {BLOB} NOT NULL);
INSERT INTO upload_payloads(upload_id, payload) SELECT id, payload FROM uploads;
ALTER TABLE uploads DROP COLUMN payload;
CREATE TABLE global_payloads(
  federation_id TEXT NOT NULL,
  round INTEGER NOT NULL,
  payload {BLOB} NOT NULL,
  PRIMARY KEY (federation_id, round),
  FOREIGN KEY (federation_id, round) REFERENCES rounds(federation_id, number) ON DELETE CASCADE);
INSERT INTO global_payloads(federation_id, round, payload)
  SELECT federation_id, number, global_payload FROM rounds WHERE global_payload IS NOT NULL;
ALTER TABLE rounds DROP COLUMN global_payload
)SQL"},
    };
    return list;
}

std::optional<std::int64_t> optionalInt(const QVariant& value) {
    if (value.isNull()) return std::nullopt;
    return value.toLongLong();
}

QVariant nullable(const std::optional<std::int64_t>& value) {
    return value ? QVariant(static_cast<qlonglong>(*value)) : QVariant(QMetaType(QMetaType::LongLong));
}

QByteArray bytes(const std::vector<std::uint8_t>& data) {
    return QByteArray(reinterpret_cast<const char*>(data.data()), static_cast<qsizetype>(data.size()));
}

std::vector<std::uint8_t> bytes(const QByteArray& data) { return {data.begin(), data.end()}; }

}  // namespace

struct CoordinatorStore::Impl {
    QString connectionName;
    QString description;
    bool sqlite = true;
    bool inTransaction = false;
    int depth = 0;  // of nested Transactions
    std::int64_t durableCommits = 0;

    QSqlDatabase db() const { return QSqlDatabase::database(connectionName, false); }

    [[noreturn]] void fail(const QString& what, const QSqlError& error) const {
        throw Error(ss(description) + ": " + ss(what) + " failed: " + ss(error.text()));
    }

    // Prepared statement with positional values; runs it and returns the query to read rows.
    QSqlQuery run(const QString& sql, const QVariantList& values = {}) {
        for (bool retried = false;; retried = true) {
            QSqlError error;
            {
                QSqlQuery query(db());
                if (query.prepare(sql)) {
                    for (const auto& value : values) query.addBindValue(value);
                    if (query.exec()) return query;
                }
                error = query.lastError();
            }
            if (retried || !reconnected()) fail(sql.section(QLatin1Char(' '), 0, 2), error);
        }
    }

    void runPlain(const QString& sql) {
        for (bool retried = false;; retried = true) {
            QSqlError error;
            {
                QSqlQuery query(db());
                if (query.exec(sql)) return;
                error = query.lastError();
            }
            if (retried || !reconnected()) fail(sql.section(QLatin1Char(' '), 0, 2), error);
        }
    }

    // After a failed statement: true when the PostgreSQL server had dropped the connection
    // (a restart, a failover) and it was opened again, so the statement may run once more.
    // Never inside a transaction, whose earlier statements the new connection does not have.
    bool reconnected() {
        if (sqlite || inTransaction) return false;
        {
            QSqlQuery ping(db());
            if (ping.exec(QStringLiteral("SELECT 1"))) return false;  // the connection is fine: the statement failed
        }
        auto connection = db();
        connection.close();
        if (!connection.open()) return false;
        QSqlQuery(connection).exec(QStringLiteral("SET client_min_messages TO WARNING"));
        qCWarning(lcCoordinator).noquote() << description << ": the connection was lost and has been opened again";
        return true;
    }

    QString dialect(QString sql) const {
        sql.replace(QStringLiteral("{BLOB}"), sqlite ? QStringLiteral("BLOB") : QStringLiteral("BYTEA"));
        sql.replace(QStringLiteral("{AUTO_ID}"), sqlite ? QStringLiteral("INTEGER PRIMARY KEY AUTOINCREMENT")
                                                        : QStringLiteral("BIGSERIAL PRIMARY KEY"));
        // INTEGER: on SQLite an INTEGER PRIMARY KEY is the row id itself, with no index beside it.
        sql.replace(QStringLiteral("{AUTO_ID_REF}"), sqlite ? QStringLiteral("INTEGER") : QStringLiteral("BIGINT"));
        return sql;
    }

    // Transactions nest: an inner one is a savepoint, so a failed part of a larger write
    // (one upload of a batch) rolls back alone.
    void begin() {
        if (depth == 0)
            runPlain(sqlite ? QStringLiteral("BEGIN IMMEDIATE") : QStringLiteral("BEGIN"));
        else
            runPlain(QStringLiteral("SAVEPOINT nested_%1").arg(depth));
        ++depth;
        inTransaction = true;
    }
    // Counted only when it succeeded, so a failed commit is still rolled back.
    void commit() {
        if (depth == 1) {
            runPlain(QStringLiteral("COMMIT"));
            ++durableCommits;
        } else {
            runPlain(QStringLiteral("RELEASE SAVEPOINT nested_%1").arg(depth - 1));
        }
        inTransaction = --depth > 0;
    }
    void rollback() {
        --depth;
        inTransaction = depth > 0;
        QSqlQuery query(db());
        // Best effort: the failure being unwound matters more.
        if (depth == 0) {
            query.exec(QStringLiteral("ROLLBACK"));
        } else {
            query.exec(QStringLiteral("ROLLBACK TO SAVEPOINT nested_%1").arg(depth));
            query.exec(QStringLiteral("RELEASE SAVEPOINT nested_%1").arg(depth));
        }
    }
};

CoordinatorStore::Transaction::Transaction(CoordinatorStore& store) : store_(store) { store_.d->begin(); }

CoordinatorStore::Transaction::~Transaction() {
    if (open_) store_.d->rollback();
}

void CoordinatorStore::Transaction::commit() {
    store_.d->commit();
    open_ = false;
}

CoordinatorStore::CoordinatorStore(std::unique_ptr<Impl> impl) : d(std::move(impl)) {}

CoordinatorStore::~CoordinatorStore() {
    const auto name = d->connectionName;
    {
        auto db = d->db();
        if (db.isOpen()) db.close();
    }
    QSqlDatabase::removeDatabase(name);
}

std::unique_ptr<CoordinatorStore> CoordinatorStore::open(const DatabaseConfig& config) {
    return openAtVersion(config, latestSchemaVersion());
}

std::unique_ptr<CoordinatorStore> CoordinatorStore::openAtVersion(const DatabaseConfig& config, int version) {
    static std::atomic<int> counter{0};
    auto impl = std::make_unique<Impl>();
    impl->connectionName = QStringLiteral("fmc-coordinator-%1").arg(counter++);
    impl->sqlite = config.driver == QLatin1String("QSQLITE");
    if (!impl->sqlite && config.driver != QLatin1String("QPSQL"))
        throw Error("database.driver: '" + ss(config.driver) + "' is not QSQLITE or QPSQL");
    if (!QSqlDatabase::isDriverAvailable(config.driver))
        throw Error("database.driver: the Qt SQL driver " + ss(config.driver) +
                    " is not installed (Debian: libqt6sql6-sqlite or libqt6sql6-psql)");
    if (impl->sqlite && config.path.isEmpty()) throw Error("database.path: missing (the SQLite state file)");
    impl->description = impl->sqlite
                            ? QStringLiteral("SQLite database %1").arg(config.path)
                            : QStringLiteral("PostgreSQL database %1 on %2").arg(config.databaseName, config.host);
    QSqlDatabase::addDatabase(config.driver, impl->connectionName);
    std::unique_ptr<CoordinatorStore> store(new CoordinatorStore(std::move(impl)));
    auto& d = *store->d;
    // No QSqlDatabase or QSqlQuery handle may be alive when an error unwinds: the store's
    // destructor removes the connection, which must not be in use then.
    QSqlError openError;
    {
        auto db = d.db();
        if (d.sqlite) {
            db.setDatabaseName(config.path);
            db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=10000"));
        } else {
            db.setHostName(config.host);
            db.setPort(config.port);
            db.setDatabaseName(config.databaseName);
            db.setUserName(config.user);
            db.setPassword(config.password);
            db.setConnectOptions(config.connectOptions);
        }
        if (!db.open()) openError = db.lastError();
    }
    if (openError.type() != QSqlError::NoError) d.fail(QStringLiteral("opening"), openError);
    if (d.sqlite) {
        d.runPlain(QStringLiteral("PRAGMA foreign_keys = ON"));
        // A new database only (an existing one keeps its pages). Most of what the server writes
        // is upload payloads of 0.1-1 MB: 16 KB pages take 40% less CPU per 1 MB upload than
        // SQLite's 4 KB (a quarter of the pages to log and checkpoint) at 0.03 ms more per small
        // commit.
        d.runPlain(QStringLiteral("PRAGMA page_size = %1").arg(kSqlitePageBytes));
        bool walMode = false;
        QSqlError modeError;
        {
            QSqlQuery mode(d.db());
            walMode = mode.exec(QStringLiteral("PRAGMA journal_mode = WAL")) && mode.next();
            modeError = mode.lastError();
        }
        if (!walMode) d.fail(QStringLiteral("PRAGMA journal_mode (is it a SQLite database?)"), modeError);
        d.runPlain(QStringLiteral("PRAGMA synchronous = FULL"));
    } else {
        // Keeps libpq's notices (e.g. "relation ... already exists, skipping") out of the log.
        d.runPlain(QStringLiteral("SET client_min_messages TO WARNING"));
    }
    d.runPlain(QStringLiteral("CREATE TABLE IF NOT EXISTS schema_migrations(version INTEGER PRIMARY KEY, "
                              "name TEXT NOT NULL, applied_at BIGINT NOT NULL)"));
    const int current = store->schemaVersion();
    if (current > latestSchemaVersion())
        throw Error(ss(d.description) + ": schema version " + std::to_string(current) +
                    " was written by a newer coordinator (this one knows up to " +
                    std::to_string(latestSchemaVersion()) + "); it is never downgraded");
    if (current < version) {
        Transaction transaction(*store);
        // Read again under the write lock: another process (the service and an admin command
        // started together) may have migrated while this one waited for it.
        if (!d.sqlite) d.runPlain(QStringLiteral("LOCK TABLE schema_migrations IN EXCLUSIVE MODE"));
        const int migrated = store->schemaVersion();
        for (const auto& migration : migrations()) {
            if (migration.version <= migrated || migration.version > version) continue;
            try {
                for (const auto& statement : d.dialect(QString::fromUtf8(migration.sql)).split(QLatin1Char(';')))
                    if (!statement.trimmed().isEmpty()) d.runPlain(statement);
                d.run(QStringLiteral("INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)"),
                      {migration.version, QString::fromUtf8(migration.name), static_cast<qlonglong>(nowMs())});
            } catch (const Error& error) {
                throw Error(std::string(error.what()) + " (migration " + std::to_string(migration.version) + " '" +
                            migration.name + "'; nothing of it was kept)");
            }
        }
        if (d.sqlite) d.runPlain(QStringLiteral("PRAGMA user_version = %1").arg(std::max(migrated, version)));
        transaction.commit();
    }
    return store;
}

int CoordinatorStore::schemaVersion() {
    auto query = d->run(QStringLiteral("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
    return query.next() ? query.value(0).toInt() : 0;
}

int CoordinatorStore::latestSchemaVersion() { return migrations().back().version; }

const QString& CoordinatorStore::description() const { return d->description; }

std::int64_t CoordinatorStore::durableCommits() const { return d->durableCommits; }

// ---- federations ----

std::string CoordinatorStore::createFederation(const FederationSettings& settings, std::int64_t now) {
    validateSettings(settings);
    FederationTask task{"fed_" + randomToken(9), settings};
    Transaction transaction(*this);
    d->run(QStringLiteral("INSERT INTO federations(id, name, task_json, state, created_at) VALUES (?, ?, ?, 'running', ?)"),
           {qs(task.federationId), qs(settings.name),
            QString::fromUtf8(QJsonDocument(taskToJson(task)).toJson(QJsonDocument::Compact)),
            static_cast<qlonglong>(now)});
    insertRound(task.federationId, 1, now);
    transaction.commit();
    return task.federationId;
}

namespace {
FederationRecord readFederation(const QSqlQuery& q, const QString& description) {
    FederationRecord record;
    const auto json = QJsonDocument::fromJson(q.value(1).toByteArray()).object();
    record.task = taskFromJson(json, ss(description) + ": federation " + ss(q.value(0).toString()));
    record.state = ss(q.value(2).toString());
    record.createdAt = q.value(3).toLongLong();
    record.finishedAt = optionalInt(q.value(4));
    return record;
}
const QString kFederationColumns = QStringLiteral("SELECT id, task_json, state, created_at, finished_at FROM federations");
}  // namespace

std::optional<FederationRecord> CoordinatorStore::federation(const std::string& id) {
    auto q = d->run(kFederationColumns + QStringLiteral(" WHERE id = ?"), {qs(id)});
    if (!q.next()) return std::nullopt;
    return readFederation(q, d->description);
}

std::vector<FederationRecord> CoordinatorStore::federations() {
    auto q = d->run(kFederationColumns + QStringLiteral(" ORDER BY created_at, id"));
    std::vector<FederationRecord> list;
    while (q.next()) list.push_back(readFederation(q, d->description));
    return list;
}

void CoordinatorStore::finishFederation(const std::string& id, std::int64_t now) {
    d->run(QStringLiteral("UPDATE federations SET state = 'finished', finished_at = ? WHERE id = ?"),
           {static_cast<qlonglong>(now), qs(id)});
}

// ---- enrollment ----

std::string CoordinatorStore::addEnrollmentCode(const std::string& federationId, const std::string& siteName,
                                                std::int64_t expiresAt, std::int64_t now) {
    const auto code = randomToken(15);
    d->run(QStringLiteral("INSERT INTO enrollment_codes(code_hash, federation_id, site_name, issued_at, expires_at) "
                          "VALUES (?, ?, ?, ?, ?)"),
           {qs(secretHash(code)), qs(federationId), qs(siteName), static_cast<qlonglong>(now),
            static_cast<qlonglong>(expiresAt)});
    return code;
}

std::optional<EnrollmentCodeRecord> CoordinatorStore::enrollmentCode(const std::string& codeHash) {
    auto q = d->run(QStringLiteral("SELECT code_hash, federation_id, site_name, issued_at, expires_at, used_at, "
                                   "COALESCE(site_id, '') FROM enrollment_codes WHERE code_hash = ?"),
                    {qs(codeHash)});
    if (!q.next()) return std::nullopt;
    return EnrollmentCodeRecord{ss(q.value(0).toString()), ss(q.value(1).toString()), ss(q.value(2).toString()),
                                q.value(3).toLongLong(),   q.value(4).toLongLong(),   optionalInt(q.value(5)),
                                ss(q.value(6).toString())};
}

bool CoordinatorStore::markEnrollmentCodeUsed(const std::string& codeHash, const std::string& siteId,
                                              std::int64_t now) {
    auto q = d->run(QStringLiteral("UPDATE enrollment_codes SET used_at = ?, site_id = ? "
                                   "WHERE code_hash = ? AND used_at IS NULL"),
                    {static_cast<qlonglong>(now), qs(siteId), qs(codeHash)});
    return q.numRowsAffected() == 1;
}

// ---- sites ----

namespace {
const QString kSiteColumns = QStringLiteral(
    "SELECT id, federation_id, name, state, enrolled_at, revoked_at, last_seen_at FROM sites");
SiteRecord readSite(const QSqlQuery& q) {
    return SiteRecord{ss(q.value(0).toString()), ss(q.value(1).toString()), ss(q.value(2).toString()),
                      ss(q.value(3).toString()), q.value(4).toLongLong(),   optionalInt(q.value(5)),
                      optionalInt(q.value(6))};
}
}  // namespace

void CoordinatorStore::addSite(const SiteRecord& site, const std::string& tokenHash) {
    d->run(QStringLiteral("INSERT INTO sites(id, federation_id, name, token_hash, state, enrolled_at) "
                          "VALUES (?, ?, ?, ?, ?, ?)"),
           {qs(site.id), qs(site.federationId), qs(site.name), qs(tokenHash), qs(site.state),
            static_cast<qlonglong>(site.enrolledAt)});
}

std::optional<SiteRecord> CoordinatorStore::siteByTokenHash(const std::string& tokenHash) {
    auto q = d->run(kSiteColumns + QStringLiteral(" WHERE token_hash = ?"), {qs(tokenHash)});
    if (!q.next()) return std::nullopt;
    return readSite(q);
}

std::optional<SiteRecord> CoordinatorStore::site(const std::string& id) {
    auto q = d->run(kSiteColumns + QStringLiteral(" WHERE id = ?"), {qs(id)});
    if (!q.next()) return std::nullopt;
    return readSite(q);
}

std::vector<SiteRecord> CoordinatorStore::sites(const std::string& federationId) {
    auto q = d->run(kSiteColumns + QStringLiteral(" WHERE federation_id = ? ORDER BY enrolled_at, id"),
                    {qs(federationId)});
    std::vector<SiteRecord> list;
    while (q.next()) list.push_back(readSite(q));
    return list;
}

std::vector<std::string> CoordinatorStore::activeSiteIds(const std::string& federationId) {
    auto q = d->run(QStringLiteral("SELECT id FROM sites WHERE federation_id = ? AND state = 'active' ORDER BY id"),
                    {qs(federationId)});
    std::vector<std::string> ids;
    while (q.next()) ids.push_back(ss(q.value(0).toString()));
    return ids;
}

void CoordinatorStore::revokeSite(const std::string& siteId, std::int64_t now) {
    d->run(QStringLiteral("UPDATE sites SET state = 'revoked', revoked_at = ? WHERE id = ? AND state = 'active'"),
           {static_cast<qlonglong>(now), qs(siteId)});
}

void CoordinatorStore::touchSite(const std::string& siteId, std::int64_t now) {
    d->run(QStringLiteral("UPDATE sites SET last_seen_at = ? WHERE id = ?"), {static_cast<qlonglong>(now), qs(siteId)});
}

// ---- rounds ----

namespace {
const QString kRoundColumns = QStringLiteral(
    "SELECT federation_id, number, state, opened_at, first_upload_at, deadline_at, published_at, waiting_reason, "
    "participants, total_samples, global_sha256 FROM rounds");
RoundRecord readRound(const QSqlQuery& q) {
    RoundRecord r;
    r.federationId = ss(q.value(0).toString());
    r.number = q.value(1).toInt();
    r.state = ss(q.value(2).toString());
    r.openedAt = q.value(3).toLongLong();
    r.firstUploadAt = optionalInt(q.value(4));
    r.deadlineAt = optionalInt(q.value(5));
    r.publishedAt = optionalInt(q.value(6));
    r.waitingReason = ss(q.value(7).toString());
    r.participants = q.value(8).toInt();
    r.totalSamples = q.value(9).toLongLong();
    r.globalSha256 = ss(q.value(10).toString());
    return r;
}
}  // namespace

void CoordinatorStore::insertRound(const std::string& federationId, int number, std::int64_t now) {
    d->run(QStringLiteral("INSERT INTO rounds(federation_id, number, state, opened_at) VALUES (?, ?, 'open', ?)"),
           {qs(federationId), number, static_cast<qlonglong>(now)});
}

std::optional<RoundRecord> CoordinatorStore::round(const std::string& federationId, int number) {
    auto q = d->run(kRoundColumns + QStringLiteral(" WHERE federation_id = ? AND number = ?"), {qs(federationId), number});
    if (!q.next()) return std::nullopt;
    return readRound(q);
}

std::optional<RoundRecord> CoordinatorStore::latestRound(const std::string& federationId) {
    auto q = d->run(kRoundColumns + QStringLiteral(" WHERE federation_id = ? ORDER BY number DESC LIMIT 1"),
                    {qs(federationId)});
    if (!q.next()) return std::nullopt;
    return readRound(q);
}

std::vector<RoundRecord> CoordinatorStore::rounds(const std::string& federationId) {
    auto q = d->run(kRoundColumns + QStringLiteral(" WHERE federation_id = ? ORDER BY number"), {qs(federationId)});
    std::vector<RoundRecord> list;
    while (q.next()) list.push_back(readRound(q));
    return list;
}

void CoordinatorStore::updateRoundProgress(const RoundRecord& r) {
    d->run(QStringLiteral("UPDATE rounds SET state = ?, first_upload_at = ?, deadline_at = ?, waiting_reason = ? "
                          "WHERE federation_id = ? AND number = ?"),
           {qs(r.state), nullable(r.firstUploadAt), nullable(r.deadlineAt), qs(r.waitingReason), qs(r.federationId),
            r.number});
}

bool CoordinatorStore::publishRound(const std::string& federationId, int number,
                                    const std::vector<std::uint8_t>& payload, const std::string& sha256,
                                    int participants, std::int64_t totalSamples, std::int64_t now) {
    std::optional<Transaction> own;  // the round's state and its payload are written together or not at all
    if (!d->inTransaction) own.emplace(*this);
    const bool published =
        d->run(QStringLiteral("UPDATE rounds SET state = 'published', published_at = ?, waiting_reason = '', "
                              "global_sha256 = ?, participants = ?, total_samples = ? "
                              "WHERE federation_id = ? AND number = ? AND state = 'aggregating'"),
               {static_cast<qlonglong>(now), qs(sha256), participants, static_cast<qlonglong>(totalSamples),
                qs(federationId), number})
            .numRowsAffected() == 1;
    if (!published) return false;
    d->run(QStringLiteral("INSERT INTO global_payloads(federation_id, round, payload) VALUES (?, ?, ?)"),
           {qs(federationId), number, bytes(payload)});
    if (own) own->commit();
    return true;
}

std::vector<std::uint8_t> CoordinatorStore::globalPayload(const std::string& federationId, int number) {
    // A round's payload is written in the transaction that publishes it.
    auto q = d->run(QStringLiteral("SELECT payload FROM global_payloads WHERE federation_id = ? AND round = ?"),
                    {qs(federationId), number});
    if (!q.next()) return {};
    return bytes(q.value(0).toByteArray());
}

// ---- uploads ----

namespace {
QString uploadColumns(bool withPayload) {
    return QStringLiteral("SELECT u.id, u.federation_id, u.round, u.site_id, u.idempotency_key, u.received_at, "
                          "u.sample_count, u.metrics_json, u.payload_sha256, u.l2_norm%1 FROM uploads u%2")
        .arg(withPayload ? QStringLiteral(", p.payload") : QString(),
             withPayload ? QStringLiteral(" JOIN upload_payloads p ON p.upload_id = u.id") : QString());
}
UploadRecord readUpload(const QSqlQuery& q, bool withPayload) {
    UploadRecord u;
    u.id = q.value(0).toLongLong();
    u.federationId = ss(q.value(1).toString());
    u.round = q.value(2).toInt();
    u.siteId = ss(q.value(3).toString());
    u.idempotencyKey = ss(q.value(4).toString());
    u.receivedAt = q.value(5).toLongLong();
    u.sampleCount = q.value(6).toLongLong();
    u.metricsJson = ss(q.value(7).toString());
    u.payloadSha256 = ss(q.value(8).toString());
    u.l2Norm = q.value(9).toDouble();
    if (withPayload) u.payload = bytes(q.value(10).toByteArray());
    return u;
}
}  // namespace

namespace {
const QString kUploadSummaryColumns =
    QStringLiteral("SELECT id, federation_id, round, site_id, sample_count, payload_sha256, l2_norm FROM uploads");
UploadSummary readUploadSummary(const QSqlQuery& q) {
    return UploadSummary{q.value(0).toLongLong(), ss(q.value(1).toString()), q.value(2).toInt(),
                         ss(q.value(3).toString()), q.value(4).toLongLong(), ss(q.value(5).toString()),
                         q.value(6).toDouble()};
}
}  // namespace

std::optional<UploadSummary> CoordinatorStore::uploadByKey(const std::string& siteId,
                                                           const std::string& idempotencyKey) {
    auto q = d->run(kUploadSummaryColumns + QStringLiteral(" WHERE site_id = ? AND idempotency_key = ?"),
                    {qs(siteId), qs(idempotencyKey)});
    if (!q.next()) return std::nullopt;
    return readUploadSummary(q);
}

std::optional<UploadSummary> CoordinatorStore::uploadOfSite(const std::string& federationId, int round,
                                                            const std::string& siteId) {
    auto q = d->run(kUploadSummaryColumns + QStringLiteral(" WHERE federation_id = ? AND round = ? AND site_id = ?"),
                    {qs(federationId), round, qs(siteId)});
    if (!q.next()) return std::nullopt;
    return readUploadSummary(q);
}

std::vector<UploadSummary> CoordinatorStore::uploadSummaries(const std::string& federationId, int round) {
    auto q = d->run(kUploadSummaryColumns + QStringLiteral(" WHERE federation_id = ? AND round = ? ORDER BY site_id"),
                    {qs(federationId), round});
    std::vector<UploadSummary> list;
    while (q.next()) list.push_back(readUploadSummary(q));
    return list;
}

RoundCounts CoordinatorStore::roundCounts(const std::string& federationId, int round) {
    auto q = d->run(QStringLiteral("SELECT (SELECT COUNT(*) FROM sites WHERE federation_id = ? AND state = 'active'), "
                                   "(SELECT COUNT(*) FROM uploads WHERE federation_id = ? AND round = ?), "
                                   "(SELECT COUNT(*) FROM uploads u JOIN sites s ON s.id = u.site_id "
                                   "WHERE u.federation_id = ? AND u.round = ? AND s.state = 'active')"),
                    {qs(federationId), qs(federationId), round, qs(federationId), round});
    if (!q.next()) throw Error(ss(d->description) + ": counting the uploads of round " + std::to_string(round) + " failed");
    return {q.value(0).toInt(), q.value(1).toInt(), q.value(2).toInt()};
}

std::vector<UploadRecord> CoordinatorStore::uploads(const std::string& federationId, int round, bool withPayload) {
    auto q = d->run(uploadColumns(withPayload) +
                        QStringLiteral(" WHERE u.federation_id = ? AND u.round = ? ORDER BY u.site_id"),
                    {qs(federationId), round});
    std::vector<UploadRecord> list;
    while (q.next()) list.push_back(readUpload(q, withPayload));
    return list;
}

std::vector<std::uint8_t> CoordinatorStore::uploadPayload(std::int64_t uploadId) {
    auto q = d->run(QStringLiteral("SELECT payload FROM upload_payloads WHERE upload_id = ?"),
                    {static_cast<qlonglong>(uploadId)});
    if (!q.next()) throw Error(ss(d->description) + ": upload " + std::to_string(uploadId) + " does not exist");
    return bytes(q.value(0).toByteArray());
}

void CoordinatorStore::insertUpload(const UploadRecord& u) {
    std::optional<Transaction> own;  // an upload never exists without its payload, nor the reverse
    if (!d->inTransaction) own.emplace(*this);
    auto q = d->run(QStringLiteral("INSERT INTO uploads(federation_id, round, site_id, idempotency_key, received_at, "
                                   "sample_count, metrics_json, payload_sha256, l2_norm) "
                                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"),
                    {qs(u.federationId), u.round, qs(u.siteId), qs(u.idempotencyKey),
                     static_cast<qlonglong>(u.receivedAt), static_cast<qlonglong>(u.sampleCount), qs(u.metricsJson),
                     qs(u.payloadSha256), u.l2Norm});
    if (!q.next()) throw Error(ss(d->description) + ": INSERT INTO uploads returned no id");
    const auto id = q.value(0).toLongLong();
    q.finish();
    d->run(QStringLiteral("INSERT INTO upload_payloads(upload_id, payload) VALUES (?, ?)"), {id, bytes(u.payload)});
    if (own) own->commit();
}

void CoordinatorStore::insertRejection(const RejectionRecord& r) {
    d->run(QStringLiteral("INSERT INTO rejected_uploads(federation_id, round, site_id, received_at, body_bytes, code, "
                          "reason) VALUES (?, ?, ?, ?, ?, ?, ?)"),
           {qs(r.federationId), r.round, qs(r.siteId), static_cast<qlonglong>(r.receivedAt),
            static_cast<qlonglong>(r.bodyBytes), qs(r.code), qs(r.reason)});
}

std::vector<RejectionRecord> CoordinatorStore::rejections(const std::string& federationId) {
    auto q = d->run(QStringLiteral("SELECT federation_id, round, site_id, received_at, body_bytes, code, reason "
                                   "FROM rejected_uploads WHERE federation_id = ? ORDER BY id"),
                    {qs(federationId)});
    std::vector<RejectionRecord> list;
    while (q.next())
        list.push_back({ss(q.value(0).toString()), q.value(1).toInt(), ss(q.value(2).toString()),
                        q.value(3).toLongLong(), q.value(4).toLongLong(), ss(q.value(5).toString()),
                        ss(q.value(6).toString())});
    return list;
}

// ---- audit log ----

void CoordinatorStore::audit(const AuditEntry& e) {
    d->run(QStringLiteral("INSERT INTO audit_log(at, federation_id, actor, action, detail_json, remote_address) "
                          "VALUES (?, ?, ?, ?, ?, ?)"),
           {static_cast<qlonglong>(e.at), qs(e.federationId), qs(e.actor), qs(e.action), qs(e.detailJson),
            qs(e.remoteAddress)});
}

std::vector<AuditEntry> CoordinatorStore::auditLog(const std::string& federationId, int limit) {
    const QString sql = QStringLiteral("SELECT id, at, federation_id, actor, action, detail_json, remote_address "
                                       "FROM audit_log %1 ORDER BY id DESC LIMIT ?")
                            .arg(federationId.empty() ? QString() : QStringLiteral("WHERE federation_id = ?"));
    QVariantList values;
    if (!federationId.empty()) values << qs(federationId);
    values << limit;
    auto q = d->run(sql, values);
    std::vector<AuditEntry> list;
    while (q.next())
        list.push_back({q.value(0).toLongLong(), q.value(1).toLongLong(), ss(q.value(2).toString()),
                        ss(q.value(3).toString()), ss(q.value(4).toString()), ss(q.value(5).toString()),
                        ss(q.value(6).toString())});
    std::reverse(list.begin(), list.end());
    return list;
}

}  // namespace fmc::federation
