// CoordinatorService and CoordinatorStore in process, with a controlled clock: the API's
// answers, enrollment, authentication, the round state machine, upload validation,
// aggregation (inline and on a worker thread), restart, the audit log and schema migrations
// with their data. Every case runs on SQLite and on PostgreSQL (a throw-away server of the
// test's own, skipped only when the PostgreSQL binaries or Qt's QPSQL driver are absent).
#include "common/aggregation.h"
#include "common/sha256.h"
#include "coordinator/coordinator_admin.h"
#include "coordinator/coordinator_service.h"
#include "federation_test_support.h"
#include "postgres_test_server.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <functional>
#include <numeric>
#include <optional>
#include <set>

using namespace fmc;
using namespace fmc::federation;
using namespace fmc::federation::test;

namespace {

constexpr int kDim = 8;
const QString kPostgresDatabase = QStringLiteral("fedmedclip");
const QString kPostgresRole = QStringLiteral("fedmedclip-coordinator");

struct Site {
    std::string id, token;
};

}  // namespace

class TestCoordinatorService : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::unique_ptr<PostgresTestServer> postgres_;
    DatabaseConfig postgresDatabase_;
    QString driver_;
    std::unique_ptr<CoordinatorStore> store_;
    std::unique_ptr<CoordinatorService> service_;
    std::int64_t now_ = 1'700'000'000'000;
    std::string federation_;
    std::vector<Site> sites_;

    DatabaseConfig database() const {
        if (driver_ == QLatin1String("QPSQL")) return postgresDatabase_;
        DatabaseConfig sqlite;
        sqlite.path = dir_.filePath("state.sqlite");
        return sqlite;
    }

    void openService(bool aggregateInBackground = false, std::int64_t maxBodyBytes = 1 << 20,
                     const AggregationGuards& guards = {}) {
        store_ = CoordinatorStore::open(database());
        ServiceOptions options;
        options.aggregationGuards = guards;
        options.clock = [this] { return now_; };
        options.maxBodyBytes = maxBodyBytes;
        options.aggregateInBackground = aggregateInBackground;
        service_ = std::make_unique<CoordinatorService>(*store_, options);
    }

    // A process dying: the service and its connection go, the database stays.
    void closeService() {
        service_.reset();
        store_.reset();
    }

    // An empty database for the next test (the connection must be closed).
    void resetDatabase() {
        if (driver_ == QLatin1String("QPSQL")) {
            if (postgres_) postgres_->execute(kPostgresDatabase, "DROP OWNED BY \"" + kPostgresRole + "\"");
            return;
        }
        for (const auto& name : QDir(dir_.path()).entryList(QDir::Files)) QFile::remove(dir_.filePath(name));
    }

    // SQL outside the store, as another program would run it.
    void executeDirectly(const QString& statement) {
        if (driver_ == QLatin1String("QPSQL")) return postgres_->execute(kPostgresDatabase, statement);
        {
            auto db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("direct"));
            db.setDatabaseName(dir_.filePath("state.sqlite"));
            QVERIFY(db.open());
            QSqlQuery query(db);
            QVERIFY2(query.exec(statement), qPrintable(query.lastError().text()));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("direct"));
    }

    // A connection of the test's own to the store's database, as the store's role (not the
    // superuser), for rows written with bound values; removed when `work` returns.
    void withDirectConnection(const std::function<void(QSqlDatabase&)>& work) {
        const auto name = QStringLiteral("direct-bound");
        {
            const auto config = database();
            auto db = QSqlDatabase::addDatabase(config.driver, name);
            if (driver_ == QLatin1String("QPSQL")) {
                db.setHostName(config.host);
                db.setPort(config.port);
                db.setUserName(config.user);
                db.setDatabaseName(config.databaseName);
            } else {
                db.setDatabaseName(config.path);
            }
            if (!db.open()) throw Error("direct connection: " + ss(db.lastError().text()));
            try {
                work(db);
            } catch (...) {
                db.close();
                db = {};
                QSqlDatabase::removeDatabase(name);
                throw;
            }
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
    }

    static void insertRow(QSqlDatabase& db, const QString& sql, const QVariantList& values) {
        QSqlQuery query(db);
        if (!query.prepare(sql)) throw Error(ss(sql) + ": " + ss(query.lastError().text()));
        for (const auto& value : values) query.addBindValue(value);
        if (!query.exec()) throw Error(ss(sql) + ": " + ss(query.lastError().text()));
    }

    static bool statementRuns(QSqlDatabase& db, const QString& sql) { return QSqlQuery(db).exec(sql); }

    static QByteArray blob(const std::vector<std::uint8_t>& data) {
        return QByteArray(reinterpret_cast<const char*>(data.data()), static_cast<qsizetype>(data.size()));
    }

    // A failure between an upload's or a round's row and its payload: the database refuses
    // every insert into `table`, as a full disk would.
    void refuseInsertsInto(const QString& table) {
        if (driver_ == QLatin1String("QPSQL"))
            return postgres_->execute(kPostgresDatabase,
                                      QStringList{"CREATE OR REPLACE FUNCTION refuse_insert() RETURNS trigger LANGUAGE "
                                                  "plpgsql AS $$BEGIN RAISE EXCEPTION 'the disk is full'; END$$",
                                                  "CREATE TRIGGER refuse_insert BEFORE INSERT ON " + table +
                                                      " FOR EACH ROW EXECUTE FUNCTION refuse_insert()"});
        executeDirectly("CREATE TRIGGER refuse_insert BEFORE INSERT ON " + table +
                        " BEGIN SELECT RAISE(ABORT, 'the disk is full'); END");
    }
    void acceptInsertsInto(const QString& table) {
        executeDirectly(driver_ == QLatin1String("QPSQL") ? "DROP TRIGGER refuse_insert ON " + table
                                                          : QStringLiteral("DROP TRIGGER refuse_insert"));
    }

    // What `fedmedclip-coordinator list-rounds` reads: the fastest of five, in milliseconds.
    static double listRoundsMs(CoordinatorStore& store, CoordinatorService& service, const std::string& federationId,
                               QJsonObject& history) {
        double fastest = 1e18;
        for (int repeat = 0; repeat < 5; ++repeat) {
            QElapsedTimer clock;
            clock.start();
            history = service.roundHistory(federationId);
            const auto rounds = store.rounds(federationId);
            fastest = std::min(fastest, static_cast<double>(clock.nsecsElapsed()) / 1e6);
            if (rounds.empty()) qFatal("no rounds listed");
        }
        return fastest;
    }

    // Every byte of the database on disk.
    QByteArray databaseBytes() {
        if (driver_ == QLatin1String("QPSQL")) return postgres_->everythingOnDisk();
        QByteArray everything;
        for (const auto& name : QDir(dir_.path()).entryList({"state.sqlite*"}, QDir::Files)) {
            QFile file(dir_.filePath(name));
            if (file.open(QIODevice::ReadOnly)) everything += file.readAll();
        }
        return everything;
    }

    // Two of three sites upload, the deadline passes: the round is ready to close.
    void twoUploadsPastTheDeadline() {
        QCOMPARE(upload(sites_[0], 1, syntheticFam(kDim, 1), 10, "key-a-0001").status, 201);
        QCOMPARE(upload(sites_[1], 1, syntheticFam(kDim, 2), 30, "key-b-0001").status, 201);
        now_ += 61'000;
    }

    FederationSettings settings(int minSites = 2, AggregationRule rule = AggregationRule::FedAvg) const {
        FederationSettings s;
        s.name = "test";
        s.classNames = {"melanoma", "nevus", "other"};
        s.bundleName = "tiny";
        s.bundleHash = std::string(64, 'b');
        s.embeddingDim = kDim;
        s.rounds = 3;
        s.minSites = minSites;
        s.roundDeadlineSeconds = 60;
        s.aggregation = rule;
        s.trimFraction = 0.2;
        s.normBound = 100;
        return s;
    }

    ApiResponse call(const char* method, const std::string& path, const std::string& token = {},
                     const QByteArray& body = {}) {
        ApiRequest request;
        request.method = method;
        request.path = qs("/api/v1" + path);
        if (!token.empty()) request.authorization = QByteArray::fromStdString("Bearer " + token);
        request.body = body;
        request.remoteAddress = "127.0.0.1";
        return service_->handle(request);
    }

    // The answer to `request`: from handle(), or as the server gets it (handleAsync: an upload
    // is parsed on a worker); status 0 when none came within 10 s.
    ApiResponse answer(const ApiRequest& request, bool onWorker) {
        if (!onWorker) return service_->handle(request);
        std::optional<ApiResponse> answered;
        service_->handleAsync(request, [&](const ApiResponse& response) { answered = response; });
        if (!QTest::qWaitFor([&] { return answered.has_value(); }, 10000)) return ApiResponse{0, {}, "no answer", {}};
        return *answered;
    }

    static QJsonObject json(const ApiResponse& response) { return QJsonDocument::fromJson(response.body).object(); }
    static QString errorCode(const ApiResponse& response) {
        return json(response).value("error").toObject().value("code").toString();
    }

    Site enrollSite(const std::string& federationId, const std::string& name) {
        const auto issued = service_->issueEnrollmentCode(federationId, name, 3600);
        const auto response = call("POST", "/enroll", {}, QJsonDocument(QJsonObject{{"code", qs(issued.code)}}).toJson());
        if (response.status != 201) qFatal("enrollment failed: %s", response.body.constData());
        return {ss(json(response).value("site_id").toString()), ss(json(response).value("token").toString())};
    }

    ApiResponse upload(const Site& site, int round, const ParameterSet& fam, std::int64_t samples,
                       const std::string& key, const std::string& federationId = {}) {
        const auto fid = federationId.empty() ? federation_ : federationId;
        return call("POST", "/federations/" + fid + "/rounds/" + std::to_string(round) + "/uploads", site.token,
                    uploadJson(fid, round, site.id, encodeParameters(fam, CodecKind::Fp16Zlib), samples, key));
    }

    ParameterSet published(int round) {
        return decodeParameters(store_->globalPayload(federation_, round), famLayout(kDim, true));
    }

    // What the coordinator must publish: the (mask-aware, the default) aggregate of the
    // fp16-decoded uploads, through the codec.
    static ParameterSet expectedAverage(const std::vector<ParameterSet>& fams, const std::vector<double>& weights) {
        std::vector<ParameterSet> decoded;
        for (const auto& fam : fams) decoded.push_back(decodeParameters(encodeParameters(fam, CodecKind::Fp16Zlib)));
        return decodeParameters(encodeParameters(maskAwareAverage(decoded, weights), CodecKind::Fp16Zlib));
    }

    // A FAM whose layer rows listed in `pruned` (the same rows of fc1 and fc2) have a threshold
    // above their row score; every other row's threshold lies below it.
    static ParameterSet famPruning(unsigned seed, const std::set<int>& pruned) {
        auto fam = syntheticFam(kDim, seed);
        for (auto& tensor : fam)
            if (tensor.name.size() > 10 && tensor.name.substr(tensor.name.size() - 10) == ".threshold")
                for (int r = 0; r < kDim; ++r) tensor.values[static_cast<size_t>(r)] = pruned.count(r) ? 0.5f : -0.25f;
        return fam;
    }

    // Equal up to one fp16 step: the coordinator sums in site-id order, the test in its own.
    static bool sameValues(const ParameterSet& a, const ParameterSet& b) {
        if (a.size() != b.size()) return false;
        for (size_t t = 0; t < a.size(); ++t) {
            if (a[t].name != b[t].name || a[t].values.size() != b[t].values.size()) return false;
            for (size_t i = 0; i < a[t].values.size(); ++i)
                if (std::abs(a[t].values[i] - b[t].values[i]) > 1e-3f * (1.0f + std::abs(b[t].values[i]))) return false;
        }
        return true;
    }

private slots:
    void initTestCase_data() {
        QTest::addColumn<QString>("driver");
        QTest::newRow("SQLite") << QStringLiteral("QSQLITE");
        QTest::newRow("PostgreSQL") << QStringLiteral("QPSQL");
    }

    void initTestCase() {
        QVERIFY(dir_.isValid());
        if (!PostgresTestServer::unavailableReason().isEmpty()) return;  // its rows skip, saying why
        try {
            QElapsedTimer clock;
            clock.start();
            postgres_ = std::make_unique<PostgresTestServer>();
            postgresDatabase_ = postgres_->createDatabase(kPostgresDatabase, kPostgresRole);
            qInfo("PostgreSQL test server ready in %lld ms", static_cast<long long>(clock.elapsed()));
        } catch (const std::exception& error) {
            QFAIL(error.what());
        }
    }

    void init() {
        QFETCH_GLOBAL(QString, driver);
        driver_ = driver;
        if (driver_ == QLatin1String("QPSQL") && !postgres_)
            QSKIP(qPrintable("PostgreSQL: " + PostgresTestServer::unavailableReason()));
        resetDatabase();
        openService();
        federation_ = service_->createFederation(settings());
        sites_.clear();
        for (const char* name : {"Hospital A", "Hospital B", "Hospital C"}) sites_.push_back(enrollSite(federation_, name));
    }

    void cleanup() {
        closeService();
        resetDatabase();
    }

    void cleanupTestCase() { postgres_.reset(); }

    void migratesOnceAndRefusesNewerSchemas() {
        QCOMPARE(store_->schemaVersion(), CoordinatorStore::latestSchemaVersion());
        closeService();
        openService();  // reopening applies nothing and keeps the data
        QCOMPARE(store_->schemaVersion(), CoordinatorStore::latestSchemaVersion());
        QVERIFY(store_->federation(federation_).has_value());
        {
            CoordinatorStore::Transaction transaction(*store_);
            store_->audit({0, now_, "", "test", "noop", "{}", ""});
            transaction.commit();
        }
        // A database written by a later release (a migration this build does not know) is never touched.
        const auto description = store_->description();
        closeService();
        executeDirectly(QStringLiteral("INSERT INTO schema_migrations VALUES (999, 'from the future', 0)"));
        try {
            CoordinatorStore::open(database());
            QFAIL("a newer schema was accepted");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains("newer coordinator"), error.what());
            QVERIFY2(QString(error.what()).contains(description), error.what());
        }
    }

    // A database of schema version 1 (payloads inline in uploads and rounds), written with
    // version 1's migration only: 100 uploads of a ViT-B/32-sized FAM (D = 512), round 1
    // published, round 2 past its deadline. It migrates with every byte, lists the same history
    // (the time printed, before and after), and round 2 aggregates to the bytes its payloads give.
    void aVersionOneDatabaseMigratesWithItsPayloads() {
        constexpr int kEmbeddingDim = 512;
        constexpr int kSites = 100;
        constexpr int kRoundOneUploads = 2;
        closeService();
        resetDatabase();
        CoordinatorStore::openAtVersion(database(), 1).reset();

        auto s = settings(2);
        s.embeddingDim = kEmbeddingDim;
        const FederationTask task{"fed_version_one", s};
        const auto& fid = task.federationId;
        std::vector<std::string> siteIds, tokens;
        for (int i = 0; i < kSites; ++i) {
            siteIds.push_back(QStringLiteral("site_v1_%1").arg(i, 3, 10, QLatin1Char('0')).toStdString());
            tokens.push_back("fmcs_version_one_" + std::to_string(i));
        }
        const auto oldGlobal = encodeParameters(syntheticFam(kEmbeddingDim, 999), CodecKind::Fp16Zlib);
        std::vector<std::vector<std::uint8_t>> roundOne, roundTwo;  // payloads in site-id order
        std::vector<double> roundTwoWeights;
        std::size_t payloadBytes = 0;
        try {
            withDirectConnection([&](QSqlDatabase& db) {
                const auto at = [&](std::int64_t offset) { return static_cast<qlonglong>(now_ + offset); };
                if (!db.transaction()) throw Error("BEGIN: " + ss(db.lastError().text()));
                // A task of that time: without mask_aware_aggregation, so averaged plainly.
                auto oldTask = taskToJson(task);
                oldTask.remove("mask_aware_aggregation");
                const auto taskJson = QString::fromUtf8(QJsonDocument(oldTask).toJson(QJsonDocument::Compact));
                insertRow(db, "INSERT INTO federations(id, name, task_json, state, created_at) "
                              "VALUES (?, ?, ?, 'running', ?)",
                          {qs(fid), qs(s.name), taskJson, at(0)});
                for (int i = 0; i < kSites; ++i)
                    insertRow(db, "INSERT INTO sites(id, federation_id, name, token_hash, state, enrolled_at) "
                                  "VALUES (?, ?, ?, ?, 'active', ?)",
                              {qs(siteIds[i]), qs(fid), QStringLiteral("Hospital %1").arg(i),
                               qs(secretHash(tokens[i])), at(0)});
                insertRow(db, "INSERT INTO rounds(federation_id, number, state, opened_at, first_upload_at, "
                              "deadline_at, published_at, participants, total_samples, global_payload, global_sha256) "
                              "VALUES (?, 1, 'published', ?, ?, ?, ?, ?, ?, ?, ?)",
                          {qs(fid), at(0), at(1000), at(61'000), at(62'000), kRoundOneUploads, 20, blob(oldGlobal),
                           qs(sha256Hex(oldGlobal.data(), oldGlobal.size()))});
                insertRow(db, "INSERT INTO rounds(federation_id, number, state, opened_at, first_upload_at, "
                              "deadline_at, waiting_reason) "
                              "VALUES (?, 2, 'collecting', ?, ?, ?, 'waiting for the deadline')",
                          {qs(fid), at(62'000), at(63'000), at(123'000)});
                const auto insertUpload = [&](int round, int site, const std::vector<std::uint8_t>& payload,
                                              int samples) {
                    insertRow(db, "INSERT INTO uploads(federation_id, round, site_id, idempotency_key, received_at, "
                                  "sample_count, metrics_json, payload, payload_sha256, l2_norm) "
                                  "VALUES (?, ?, ?, ?, ?, ?, '{\"train_loss\":0.5}', ?, ?, 1.5)",
                              {qs(fid), round, qs(siteIds[site]),
                               QStringLiteral("key-%1-%2").arg(round).arg(site), at(63'000 + site), samples,
                               blob(payload), qs(sha256Hex(payload.data(), payload.size()))});
                    payloadBytes += payload.size();
                };
                for (int i = 0; i < kRoundOneUploads; ++i) {
                    roundOne.push_back(encodeParameters(syntheticFam(kEmbeddingDim, 1000 + i), CodecKind::Fp16Zlib));
                    insertUpload(1, i, roundOne.back(), 10);
                }
                for (int i = 0; i < kSites - kRoundOneUploads; ++i) {
                    roundTwo.push_back(encodeParameters(syntheticFam(kEmbeddingDim, 2000 + i), CodecKind::Fp16Zlib));
                    roundTwoWeights.push_back(10 + i % 7);
                    insertUpload(2, i, roundTwo.back(), 10 + i % 7);
                }
                if (!db.commit()) throw Error("COMMIT: " + ss(db.lastError().text()));
            });
        } catch (const std::exception& error) {
            QFAIL(error.what());
        }

        // list-rounds at schema version 1: the same code, on the old tables.
        QJsonObject historyBefore, historyAfter;
        double beforeMs = 0;
        {
            auto oldStore = CoordinatorStore::openAtVersion(database(), 1);
            QCOMPARE(oldStore->schemaVersion(), 1);
            CoordinatorService oldService(*oldStore);
            beforeMs = listRoundsMs(*oldStore, oldService, fid, historyBefore);
        }
        QElapsedTimer migration;
        migration.start();
        openService(false, 4 << 20);  // a D = 512 FAM decodes to about 1 MB
        const auto migrationMs = migration.elapsed();
        QCOMPARE(store_->schemaVersion(), CoordinatorStore::latestSchemaVersion());
        const double afterMs = listRoundsMs(*store_, *service_, fid, historyAfter);
        qInfo("list-rounds on %d uploads of D = %d (%.1f MB of payloads): %.1f ms at schema version 1, %.1f ms "
              "after the migration (fastest of 5 each); the migration took %lld ms",
              kSites, kEmbeddingDim, static_cast<double>(payloadBytes) / 1e6, beforeMs, afterMs,
              static_cast<long long>(migrationMs));
        QCOMPARE(historyAfter, historyBefore);
        QCOMPARE(historyAfter.value("rounds").toArray()[1].toObject().value("uploads").toArray().size(),
                 kSites - kRoundOneUploads);
        try {
            withDirectConnection([&](QSqlDatabase& db) {
                if (statementRuns(db, "SELECT payload FROM uploads") ||
                    statementRuns(db, "SELECT global_payload FROM rounds"))
                    throw Error("a payload column is still in the uploads or rounds table");
            });
        } catch (const std::exception& error) {
            QFAIL(error.what());
        }

        // Every payload kept, byte for byte; the published global FAM served as before.
        for (const auto& [round, payloads] : {std::pair{1, &roundOne}, std::pair{2, &roundTwo}}) {
            const auto uploads = store_->uploads(fid, round, true);
            QCOMPARE(uploads.size(), payloads->size());
            for (size_t i = 0; i < uploads.size(); ++i) {
                QVERIFY(uploads[i].payload == (*payloads)[i]);
                QCOMPARE(store_->uploadPayload(uploads[i].id), (*payloads)[i]);
            }
        }
        QVERIFY(store_->globalPayload(fid, 1) == oldGlobal);
        const auto global = call("GET", "/federations/" + fid + "/rounds/1/global", tokens[0]);
        QCOMPARE(global.status, 200);
        QVERIFY(global.body == blob(oldGlobal));

        // Round 2 aggregates to the bytes its payloads give, in site-id order as the coordinator sums.
        QCOMPARE(service_->tick(), 0);  // 98 of 100 sites: waits for its deadline
        now_ += 124'000;
        QCOMPARE(service_->tick(), 1);
        const auto published = store_->round(fid, 2);
        QCOMPARE(published->state, std::string("published"));
        std::vector<ParameterSet> decoded;
        for (const auto& payload : roundTwo)
            decoded.push_back(decodeParameters(payload, famLayout(kEmbeddingDim, true)));
        const auto expected = encodeParameters(federatedAverage(decoded, roundTwoWeights), CodecKind::Fp16Zlib);
        QVERIFY(store_->globalPayload(fid, 2) == expected);
        QCOMPARE(published->globalSha256, sha256Hex(expected.data(), expected.size()));
        QCOMPARE(store_->round(fid, 3)->state, std::string("open"));
    }

    // An upload never exists without its payload, nor a published round without its global
    // FAM: a failure writing the payload leaves neither, through the API and through the store.
    void rowAndPayloadAreWrittenTogether_data() {
        QTest::addColumn<QString>("table");
        QTest::newRow("upload") << QStringLiteral("upload_payloads");
        QTest::newRow("global FAM") << QStringLiteral("global_payloads");
    }

    void rowAndPayloadAreWrittenTogether() {
        QFETCH(QString, table);
        if (table == QLatin1String("upload_payloads")) {
            refuseInsertsInto(table);
            QCOMPARE(upload(sites_[0], 1, syntheticFam(kDim, 1), 10, "key-a-0001").status, 500);
            UploadRecord record;
            record.federationId = federation_;
            record.round = 1;
            record.siteId = sites_[1].id;
            record.idempotencyKey = "key-b-0001";
            record.receivedAt = now_;
            record.sampleCount = 10;
            record.metricsJson = "{}";
            record.payload = encodeParameters(syntheticFam(kDim, 2), CodecKind::Fp16Zlib);
            record.payloadSha256 = sha256Hex(record.payload.data(), record.payload.size());
            QVERIFY_THROWS_EXCEPTION(Error, store_->insertUpload(record));  // outside a transaction of the caller's
            QVERIFY(store_->uploads(federation_, 1, false).empty());
            QCOMPARE(store_->round(federation_, 1)->state, std::string("open"));
            acceptInsertsInto(table);
            QCOMPARE(upload(sites_[0], 1, syntheticFam(kDim, 1), 10, "key-a-0001").status, 201);  // the retry
            QCOMPARE(store_->uploads(federation_, 1, true).size(), size_t(1));
            return;
        }
        twoUploadsPastTheDeadline();
        refuseInsertsInto(table);
        QCOMPARE(service_->tick(), 0);
        QCOMPARE(store_->round(federation_, 1)->state, std::string("aggregating"));
        QVERIFY_THROWS_EXCEPTION(Error, store_->publishRound(federation_, 1, {1, 2, 3}, "sha", 2, 40, now_));
        const auto round = store_->round(federation_, 1);
        QCOMPARE(round->state, std::string("aggregating"));
        QVERIFY(round->globalSha256.empty());
        QVERIFY(store_->globalPayload(federation_, 1).empty());
        QCOMPARE(store_->rounds(federation_).size(), size_t(1));
        acceptInsertsInto(table);
        QCOMPARE(service_->tick(), 1);  // finished at the next tick, as after a crash
        QVERIFY(sameValues(published(1), expectedAverage({syntheticFam(kDim, 1), syntheticFam(kDim, 2)}, {10, 30})));
    }

    void healthNeedsNoToken() {
        const auto response = call("GET", "/health");
        QCOMPARE(response.status, 200);
        QCOMPARE(json(response).value("status").toString(), QStringLiteral("ok"));
    }

    void enrollmentCodesAreSingleUseAndExpire() {
        const auto issued = service_->issueEnrollmentCode(federation_, "Hospital D", 600);
        const auto body = QJsonDocument(QJsonObject{{"code", qs(issued.code)}}).toJson();
        QCOMPARE(call("POST", "/enroll", {}, body).status, 201);
        auto again = call("POST", "/enroll", {}, body);
        QCOMPARE(again.status, 403);
        QCOMPARE(errorCode(again), QStringLiteral("code_used"));

        const auto late = service_->issueEnrollmentCode(federation_, "Hospital E", 600);
        now_ += 601'000;
        const auto expired = call("POST", "/enroll", {}, QJsonDocument(QJsonObject{{"code", qs(late.code)}}).toJson());
        QCOMPARE(expired.status, 403);
        QCOMPARE(errorCode(expired), QStringLiteral("code_expired"));

        const auto unknown = call("POST", "/enroll", {}, R"({"code":"not-a-code"})");
        QCOMPARE(unknown.status, 403);
        QCOMPARE(errorCode(unknown), QStringLiteral("unknown_code"));
        QCOMPARE(call("POST", "/enroll", {}, "not json").status, 400);
    }

    void secretsAreStoredOnlyAsHashes() {
        const auto issued = service_->issueEnrollmentCode(federation_, "Hospital F", 600);
        const auto response = call("POST", "/enroll", {}, QJsonDocument(QJsonObject{{"code", qs(issued.code)}}).toJson());
        const auto token = json(response).value("token").toString().toLatin1();
        QVERIFY(token.startsWith("fmcs_"));
        const auto everything = databaseBytes();
        QVERIFY(!everything.isEmpty());
        QVERIFY(!everything.contains(token));
        QVERIFY(!everything.contains(QByteArray::fromStdString(issued.code)));
        QVERIFY(everything.contains(QByteArray::fromStdString(secretHash(token.toStdString()))));
    }

    void authentication_data() {
        QTest::addColumn<QString>("who");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        QTest::newRow("no token") << "none" << 401 << "missing_token";
        QTest::newRow("wrong token") << "wrong" << 401 << "invalid_token";
        QTest::newRow("not a bearer token") << "basic" << 401 << "invalid_token";
        QTest::newRow("revoked site") << "revoked" << 403 << "site_revoked";
        QTest::newRow("another federation's site") << "other" << 403 << "wrong_federation";
        QTest::newRow("member") << "member" << 200 << "";
    }

    void authentication() {
        QFETCH(QString, who);
        QFETCH(int, status);
        QFETCH(QString, code);
        ApiRequest request;
        request.method = "GET";
        request.path = qs("/api/v1/federations/" + federation_ + "/task");
        if (who == "wrong") request.authorization = "Bearer fmcs_guess";
        if (who == "basic") request.authorization = "Basic dXNlcjpwYXNz";
        if (who == "member") request.authorization = QByteArray::fromStdString("Bearer " + sites_[0].token);
        if (who == "revoked") {
            service_->revokeSite(sites_[1].id);
            request.authorization = QByteArray::fromStdString("Bearer " + sites_[1].token);
        }
        if (who == "other") {
            const auto other = service_->createFederation(settings());
            request.authorization = QByteArray::fromStdString("Bearer " + enrollSite(other, "elsewhere").token);
        }
        const auto response = service_->handle(request);
        QCOMPARE(response.status, status);
        QCOMPARE(errorCode(response), code);
        if (status == 401) QVERIFY(!response.headers.empty());  // WWW-Authenticate
        if (status == 200) QCOMPARE(taskFromJson(json(response), "task").federationId, federation_);
    }

    void roundCountsLeaveOutRevokedSites() {
        QCOMPARE(upload(sites_[0], 1, syntheticFam(kDim, 1), 100, "key-a-0001").status, 201);
        QCOMPARE(upload(sites_[1], 1, syntheticFam(kDim, 2), 100, "key-b-0001").status, 201);
        service_->revokeSite(sites_[1].id);
        const auto counts = store_->roundCounts(federation_, 1);
        QCOMPARE(counts.activeSites, 2);
        QCOMPARE(counts.uploads, 2);
        QCOMPARE(counts.uploadsFromActiveSites, 1);
        QCOMPARE(store_->roundCounts(federation_, 2).uploads, 0);
        const auto current = json(call("GET", "/federations/" + federation_ + "/rounds/current", sites_[0].token));
        QCOMPARE(current.value("uploads_received").toInt(), 2);
        QCOMPARE(current.value("active_sites").toInt(), 2);
        QVERIFY(current.value("you_uploaded").toBool());
        QVERIFY(!json(call("GET", "/federations/" + federation_ + "/rounds/current", sites_[2].token))
                     .value("you_uploaded")
                     .toBool());
        // The revoked site's upload does not count: the round still waits for the third site.
        QCOMPARE(store_->round(federation_, 1)->state, std::string("collecting"));
        QCOMPARE(upload(sites_[2], 1, syntheticFam(kDim, 3), 100, "key-c-0001").status, 201);
        QCOMPARE(store_->round(federation_, 1)->participants, 2);
    }

    void newSqliteDatabasesUseLargePages() {
        if (driver_ != QLatin1String("QSQLITE")) QSKIP("SQLite's page size");
        withDirectConnection([](QSqlDatabase& db) {
            QSqlQuery query(db);
            QVERIFY(query.exec(QStringLiteral("PRAGMA page_size")) && query.next());
            QCOMPARE(query.value(0).toInt(), 16384);
        });
    }

    void unknownRoutesAndMethods() {
        QCOMPARE(call("GET", "/nothing").status, 404);
        QCOMPARE(call("GET", "/federations/" + federation_ + "/rounds/x/global", sites_[0].token).status, 404);
        QCOMPARE(call("DELETE", "/health").status, 405);
        QCOMPARE(call("GET", "/enroll").status, 405);
    }

    void roundClosesWhenAllActiveSitesUploaded() {
        const auto fams = std::vector<ParameterSet>{syntheticFam(kDim, 1), syntheticFam(kDim, 2), syntheticFam(kDim, 3)};
        QCOMPARE(upload(sites_[0], 1, fams[0], 100, "key-a-0001").status, 201);
        auto round = store_->round(federation_, 1);
        QCOMPARE(round->state, std::string("collecting"));
        QCOMPARE(*round->deadlineAt, now_ + 60'000);
        QCOMPARE(upload(sites_[1], 1, fams[1], 300, "key-b-0001").status, 201);
        QCOMPARE(store_->round(federation_, 1)->state, std::string("collecting"));  // waits for the third site
        const auto current = json(call("GET", "/federations/" + federation_ + "/rounds/current", sites_[2].token));
        QCOMPARE(current.value("uploads_received").toInt(), 2);
        QVERIFY(current.value("waiting_reason").toString().contains("2 of 3 active sites"));
        QVERIFY(!current.value("you_uploaded").toBool());

        const auto last = upload(sites_[2], 1, fams[2], 600, "key-c-0001");
        QCOMPARE(last.status, 201);
        QCOMPARE(json(last).value("round_state").toString(), QStringLiteral("published"));
        QVERIFY(sameValues(published(1), expectedAverage(fams, {100, 300, 600})));
        QCOMPARE(store_->round(federation_, 1)->participants, 3);
        QCOMPARE(store_->round(federation_, 2)->state, std::string("open"));

        const auto global = call("GET", "/federations/" + federation_ + "/rounds/1/global", sites_[0].token);
        QCOMPARE(global.status, 200);
        QCOMPARE(global.contentType, QByteArray("application/octet-stream"));
        QVERIFY(std::any_of(global.headers.begin(), global.headers.end(), [&](const auto& header) {
            return header.first == "X-FMC-Sha256" &&
                   header.second.toStdString() == sha256Hex(global.body.constData(), global.body.size());
        }));
        QCOMPARE(call("GET", "/federations/" + federation_ + "/rounds/2/global", sites_[0].token).status, 404);
    }

    void deadlineClosesTheRoundWithTheMinimumOfSites() {
        QCOMPARE(upload(sites_[0], 1, syntheticFam(kDim, 1), 10, "key-a-0001").status, 201);
        now_ += 61'000;
        QCOMPARE(service_->tick(), 0);  // one upload, two needed: still open after the deadline
        const auto waiting = store_->round(federation_, 1);
        QCOMPARE(waiting->state, std::string("collecting"));
        QVERIFY2(QString::fromStdString(waiting->waitingReason).contains("1 of the 2 uploads needed"),
                 waiting->waitingReason.c_str());
        QVERIFY(QString::fromStdString(waiting->waitingReason).contains("deadline passed"));
        // The second upload after the deadline closes it at once, without the third site.
        const auto second = upload(sites_[1], 1, syntheticFam(kDim, 2), 30, "key-b-0001");
        QCOMPARE(json(second).value("round_state").toString(), QStringLiteral("published"));
        QCOMPARE(store_->round(federation_, 1)->participants, 2);
        QVERIFY(sameValues(published(1), expectedAverage({syntheticFam(kDim, 1), syntheticFam(kDim, 2)}, {10, 30})));

        // Round 2: two uploads before the deadline wait for the third; the deadline closes it.
        QCOMPARE(upload(sites_[0], 2, syntheticFam(kDim, 4), 10, "key-a-0002").status, 201);
        QCOMPARE(upload(sites_[1], 2, syntheticFam(kDim, 5), 10, "key-b-0002").status, 201);
        now_ += 59'000;
        QCOMPARE(service_->tick(), 0);
        now_ += 1'000;
        QCOMPARE(service_->tick(), 1);
        QCOMPARE(store_->round(federation_, 2)->state, std::string("published"));
    }

    void retriedUploadCountsOnce() {
        const auto first = upload(sites_[0], 1, syntheticFam(kDim, 1), 10, "same-key-01");
        QCOMPARE(first.status, 201);
        const auto retry = upload(sites_[0], 1, syntheticFam(kDim, 1), 10, "same-key-01");
        QCOMPARE(retry.status, 200);
        QVERIFY(json(retry).value("duplicate").toBool());
        QCOMPARE(store_->uploads(federation_, 1, false).size(), size_t(1));
        // Another upload of the same site for the same round is refused.
        const auto other = upload(sites_[0], 1, syntheticFam(kDim, 2), 10, "other-key-01");
        QCOMPARE(other.status, 409);
        QCOMPARE(errorCode(other), QStringLiteral("already_uploaded"));
        // The key is bound to its round.
        QCOMPARE(upload(sites_[1], 1, syntheticFam(kDim, 3), 10, "b-key-0001").status, 201);
        QCOMPARE(upload(sites_[2], 1, syntheticFam(kDim, 4), 10, "c-key-0001").status, 201);
        const auto reused = upload(sites_[0], 2, syntheticFam(kDim, 5), 10, "same-key-01");
        QCOMPARE(reused.status, 409);
        QCOMPARE(errorCode(reused), QStringLiteral("idempotency_key_reused"));
        // A retry that arrives after its upload completed the round is still acknowledged.
        QCOMPARE(upload(sites_[2], 1, syntheticFam(kDim, 4), 10, "c-key-0001").status, 200);
    }

    // A key reused with another payload or sample count is a conflict, not a retry: before,
    // it was acknowledged as a duplicate and the new upload dropped without a word.
    void idempotencyKeyReusedForAnotherUploadIsAConflict() {
        QCOMPARE(upload(sites_[0], 1, syntheticFam(kDim, 1), 10, "same-key-02").status, 201);
        const auto otherPayload = upload(sites_[0], 1, syntheticFam(kDim, 2), 10, "same-key-02");
        QCOMPARE(otherPayload.status, 409);
        QCOMPARE(errorCode(otherPayload), QStringLiteral("idempotency_key_conflict"));
        QVERIFY(json(otherPayload).value("error").toObject().value("message").toString().contains("another payload"));
        const auto otherCount = upload(sites_[0], 1, syntheticFam(kDim, 1), 11, "same-key-02");
        QCOMPARE(otherCount.status, 409);
        QCOMPARE(errorCode(otherCount), QStringLiteral("idempotency_key_conflict"));
        QCOMPARE(upload(sites_[0], 1, syntheticFam(kDim, 1), 10, "same-key-02").status, 200);  // the true retry
        const auto stored = store_->uploads(federation_, 1, true);
        QCOMPARE(stored.size(), size_t(1));
        QCOMPARE(stored[0].payload, encodeParameters(syntheticFam(kDim, 1), CodecKind::Fp16Zlib));
    }

    ApiResponse enrollFrom(const QString& address, const std::string& code) {
        ApiRequest request;
        request.method = "POST";
        request.path = qs("/api/v1/enroll");
        request.body = QJsonDocument(QJsonObject{{"code", qs(code)}}).toJson();
        request.remoteAddress = address;
        return service_->handle(request);
    }

    std::vector<AuditEntry> auditOf(const std::string& action) {
        std::vector<AuditEntry> entries;
        for (const auto& entry : store_->auditLog({}, 100000))
            if (entry.action == action) entries.push_back(entry);
        return entries;
    }

    // Refused enrollments: the first ten per address and minute are audited one by one; then
    // the address gets 429 without its code being looked at, and one entry counts them.
    void refusedEnrollmentsAreThrottledAndCounted() {
        const auto refusedBefore = auditOf("enrollment.refused").size();
        for (int i = 0; i < 25; ++i) {
            const auto response = enrollFrom("10.1.1.1", "guess-" + std::to_string(i));
            QCOMPARE(response.status, i < 10 ? 403 : 429);
            QCOMPARE(errorCode(response), i < 10 ? QStringLiteral("unknown_code") : QStringLiteral("too_many_attempts"));
        }
        // Even a valid code waits: the address is throttled, not the code.
        const auto issued = service_->issueEnrollmentCode(federation_, "Hospital D", 3600);
        QCOMPARE(enrollFrom("10.1.1.1", issued.code).status, 429);
        QCOMPARE(enrollFrom("10.1.1.2", "guess-x").status, 403);  // another address is not affected
        // An IPv6 client owns its /64.
        for (int i = 0; i < 10; ++i) QCOMPARE(enrollFrom("2001:db8:1:2::5", "v6-guess").status, 403);
        QCOMPARE(enrollFrom("2001:db8:1:2::9", "v6-guess").status, 429);
        QCOMPARE(enrollFrom("2001:db8:1:3::1", "v6-guess").status, 403);
        QCOMPARE(auditOf("enrollment.refused").size() - refusedBefore, size_t(10 + 1 + 10 + 1));
        QVERIFY(auditOf("enrollment.throttled").empty());

        now_ += 60'001;  // the minute is over: the counts are written, once
        service_->tick();
        service_->tick();
        const auto throttled = auditOf("enrollment.throttled");
        QCOMPARE(throttled.size(), size_t(2));
        std::map<std::string, QJsonObject> byAddress;
        for (const auto& entry : throttled)
            byAddress[entry.remoteAddress] = QJsonDocument::fromJson(QByteArray::fromStdString(entry.detailJson)).object();
        QCOMPARE(byAddress["10.1.1.1"].value("throttled").toInt(), 16);
        QCOMPARE(byAddress["10.1.1.1"].value("refused").toInt(), 10);
        QCOMPARE(byAddress["2001:db8:1:2::/64"].value("throttled").toInt(), 1);
        QCOMPARE(enrollFrom("10.1.1.1", issued.code).status, 201);  // a new minute
    }

    static ParameterSet scaledTo(ParameterSet fam, double norm) {
        const double factor = norm / l2Norm(fam);
        for (auto& tensor : fam)
            for (auto& value : tensor.values) value = static_cast<float>(value * factor);
        return fam;
    }

    // The attack that owned the global FAM with the default settings: one site claims 10^9
    // samples and sends a FAM of norm 998 (under the per-federation bound of 1000). With the
    // guards (the defaults) the global is the honest sites' average, within their range; off,
    // it is the attacker's FAM.
    void oneSiteCannotOwnTheGlobal_data() {
        QTest::addColumn<bool>("guarded");
        QTest::newRow("default guards") << true;
        QTest::newRow("guards off") << false;
    }

    void oneSiteCannotOwnTheGlobal() {
        QFETCH(bool, guarded);
        closeService();
        openService(false, 1 << 20, guarded ? AggregationGuards{} : AggregationGuards{0, 0});
        auto federationSettings = settings(4);
        federationSettings.normBound = 1000;  // the default
        const auto federation = service_->createFederation(federationSettings);
        std::vector<Site> sites;
        for (int s = 0; s < 4; ++s) sites.push_back(enrollSite(federation, "site " + std::to_string(s)));
        std::vector<ParameterSet> honest;
        const std::vector<double> honestSamples{100, 200, 300};
        for (int s = 0; s < 3; ++s) {
            honest.push_back(syntheticFam(kDim, 50 + s));
            QCOMPARE(upload(sites[s], 1, honest.back(), static_cast<std::int64_t>(honestSamples[s]),
                            "honest-" + std::to_string(s), federation).status,
                     201);
        }
        // The attacker keeps every row (thresholds below every row score), so with mask-aware
        // averaging no row of the global escapes its weight.
        auto attackFam = syntheticFam(kDim, 77);
        for (auto& tensor : attackFam)
            if (tensor.name.find(".threshold") != std::string::npos) std::fill(tensor.values.begin(), tensor.values.end(), -0.025f);
        const auto attack = scaledTo(attackFam, 998);
        const auto attackAnswer = upload(sites[3], 1, attack, 1'000'000'000, "attack-key", federation);
        QVERIFY2(attackAnswer.status == 201, attackAnswer.body.constData());
        const auto global = decodeParameters(store_->globalPayload(federation, 1), famLayout(kDim, true));
        qInfo("global norm %.3f (honest: %.3f %.3f %.3f; attacker 998)", l2Norm(global), l2Norm(honest[0]),
              l2Norm(honest[1]), l2Norm(honest[2]));
        if (!guarded) {
            QVERIFY(std::abs(l2Norm(global) - 998) < 1);  // what the guards prevent
            return;
        }
        QVERIFY(sameValues(global, expectedAverage(honest, honestSamples)));
        std::vector<ParameterSet> decoded;
        for (const auto& fam : honest) decoded.push_back(decodeParameters(encodeParameters(fam, CodecKind::Fp16Zlib)));
        for (size_t t = 0; t < global.size(); ++t)
            for (size_t i = 0; i < global[t].values.size(); ++i) {
                float low = decoded[0][t].values[i], high = low;
                for (const auto& fam : decoded) {
                    low = std::min(low, fam[t].values[i]);
                    high = std::max(high, fam[t].values[i]);
                }
                const float step = 1e-3f * (1.0f + std::abs(high));  // one fp16 rounding
                QVERIFY(global[t].values[i] >= low - step && global[t].values[i] <= high + step);
            }
        const auto published = auditOf("round.published");
        const auto detail = QJsonDocument::fromJson(QByteArray::fromStdString(published.back().detailJson)).object();
        QCOMPARE(detail.value("left_out_norm").toArray().size(), 1);
        QCOMPARE(detail.value("left_out_norm").toArray()[0].toObject().value("site_id").toString(), qs(sites[3].id));
        QCOMPARE(store_->round(federation, 1)->participants, 3);
    }

    // A site whose FAM looks ordinary but claims 10^9 samples weighs as three median sites.
    void sampleCountWeightIsCapped() {
        const auto federation = service_->createFederation(settings(4));
        std::vector<Site> sites;
        for (int s = 0; s < 4; ++s) sites.push_back(enrollSite(federation, "site " + std::to_string(s)));
        const std::vector<std::int64_t> claimed{100, 200, 300, 1'000'000'000};
        std::vector<ParameterSet> fams;
        for (int s = 0; s < 4; ++s) {
            fams.push_back(syntheticFam(kDim, 60 + s));
            QCOMPARE(upload(sites[s], 1, fams.back(), claimed[s], "weighted-" + std::to_string(s), federation).status, 201);
        }
        // median(100, 200, 300, 10^9) = 250; the cap is 3 x 250.
        const auto global = decodeParameters(store_->globalPayload(federation, 1), famLayout(kDim, true));
        QVERIFY(sameValues(global, expectedAverage(fams, {100, 200, 300, 750})));
        QVERIFY(!sameValues(global, expectedAverage(fams, {100, 200, 300, 1e9})));
        const auto detail =
            QJsonDocument::fromJson(QByteArray::fromStdString(auditOf("round.published").back().detailJson)).object();
        std::vector<double> weights;  // in site-id order there
        for (const auto& weight : detail.value("weights").toArray()) weights.push_back(weight.toDouble());
        std::sort(weights.begin(), weights.end());
        QCOMPARE(weights, (std::vector<double>{100, 200, 300, 750}));
    }

    // Site A prunes rows 0-2, B rows 2-4, C rows 2 and 5: row 2 is pruned everywhere.
    void fedAvgIsMaskAwareUnlessSwitchedOff_data() {
        QTest::addColumn<bool>("maskAware");
        QTest::newRow("mask-aware (default)") << true;
        QTest::newRow("plain aggregation") << false;
    }

    void fedAvgIsMaskAwareUnlessSwitchedOff() {
        QFETCH(bool, maskAware);
        auto s = settings(3);
        QVERIFY(s.maskAwareAggregation);
        s.maskAwareAggregation = maskAware;
        const auto federation = service_->createFederation(s);
        QCOMPARE(store_->federation(federation)->task.settings.maskAwareAggregation, maskAware);
        const std::vector<std::set<int>> pruned{{0, 1, 2}, {2, 3, 4}, {2, 5}};
        const std::vector<double> samples{100, 300, 600};
        std::vector<ParameterSet> sent;
        for (int k = 0; k < 3; ++k) {
            const auto site = enrollSite(federation, "pruning site " + std::to_string(k));
            const auto fam = famPruning(70 + static_cast<unsigned>(k), pruned[static_cast<size_t>(k)]);
            sent.push_back(decodeParameters(encodeParameters(fam, CodecKind::Fp16Zlib)));
            QCOMPARE(upload(site, 1, fam, static_cast<std::int64_t>(samples[static_cast<size_t>(k)]),
                            "pruning-" + std::to_string(k), federation)
                         .status,
                     201);
        }
        const auto global = decodeParameters(store_->globalPayload(federation, 1), famLayout(kDim, true));
        // By hand: a weight row (and its threshold) is the sample-weighted mean over the sites
        // that kept it; a row no site kept is zero with the mean threshold of all; biases: all.
        for (size_t t = 0; t < global.size(); ++t) {
            const auto& tensor = global[t];
            const bool masked = tensor.name.find(".bias") == std::string::npos;
            const std::int64_t cols = tensor.shape.size() == 2 ? tensor.shape[1] : 1;
            for (int r = 0; r < kDim; ++r) {
                double sum = 0, weight = 0, allSum = 0;
                for (int k = 0; k < 3; ++k) {
                    const bool kept = !pruned[static_cast<size_t>(k)].count(r);
                    const double v0 = sent[static_cast<size_t>(k)][t].values[static_cast<size_t>(r * cols)];
                    allSum += samples[static_cast<size_t>(k)] * v0;
                    if (kept || !masked || !maskAware) {
                        sum += samples[static_cast<size_t>(k)] * v0;
                        weight += samples[static_cast<size_t>(k)];
                    }
                }
                const bool isThreshold = tensor.name.find(".threshold") != std::string::npos;
                double expected = weight > 0 ? sum / weight : (isThreshold ? allSum / 1000.0 : 0.0);
                const float actual = tensor.values[static_cast<size_t>(r * cols)];
                QVERIFY2(std::abs(actual - expected) <= 1e-3 * (1 + std::abs(expected)),
                         qPrintable(QStringLiteral("%1 row %2: %3, expected %4")
                                        .arg(QString::fromStdString(tensor.name))
                                        .arg(r)
                                        .arg(actual)
                                        .arg(expected)));
            }
        }
        // Row 2, pruned everywhere, stays pruned: zero weights, a threshold above them.
        const auto& fc1 = global[0];
        if (maskAware)
            for (int j = 0; j < kDim; ++j) QCOMPARE(fc1.values[static_cast<size_t>(2 * kDim + j)], 0.0f);
        else
            QVERIFY(fc1.values[static_cast<size_t>(2 * kDim)] != 0.0f);
    }

    // FedAvg streams: each accepted upload is folded into a running sum, the round's answer
    // when no guard acted and nobody was revoked; otherwise (and after a restart, which loses
    // the sum) the stored uploads are folded one at a time. Either way the global is today's
    // batch computation, maskAwareAverage / federatedAverage over all decoded uploads in
    // site-id order with the guarded weights, to one float step per value: the batch sums
    // (w_k / W) x_k, the stream sums w_k x_k in arrival order and divides by W once, both in
    // double with one rounding to float (fp32 payloads: the codec rounds nothing).
    void streamedFedAvgMatchesTheBatchComputation_data() {
        QTest::addColumn<bool>("maskAware");
        QTest::addColumn<bool>("background");
        QTest::addColumn<QString>("event");
        QTest::addColumn<QString>("pass");
        for (const bool maskAware : {true, false}) {
            const QString kind = maskAware ? "mask-aware" : "plain";
            QTest::newRow(qPrintable(kind + ", no guard acts")) << maskAware << false << "none" << "running_sum";
            QTest::newRow(qPrintable(kind + ", no guard acts, worker")) << maskAware << true << "none" << "running_sum";
            QTest::newRow(qPrintable(kind + ", one left out")) << maskAware << false << "left out" << "stored_uploads_one_by_one";
            QTest::newRow(qPrintable(kind + ", one left out, worker"))
                << maskAware << true << "left out" << "stored_uploads_one_by_one";
            QTest::newRow(qPrintable(kind + ", one capped")) << maskAware << false << "capped" << "stored_uploads_one_by_one";
            QTest::newRow(qPrintable(kind + ", one revoked")) << maskAware << false << "revoked" << "stored_uploads_one_by_one";
            QTest::newRow(qPrintable(kind + ", restart mid-round"))
                << maskAware << true << "restart" << "stored_uploads_one_by_one";
        }
    }

    void streamedFedAvgMatchesTheBatchComputation() {
        QFETCH(bool, maskAware);
        QFETCH(bool, background);
        QFETCH(QString, event);
        QFETCH(QString, pass);
        closeService();
        openService(background);
        auto s = settings(4);
        s.codec = CodecKind::Fp32Raw;
        s.maskAwareAggregation = maskAware;
        s.normBound = 1000;
        const auto federation = service_->createFederation(s);
        constexpr int kSites = 5;
        std::vector<Site> sites;
        std::vector<ParameterSet> fams;
        std::vector<double> samples{120, 340, 560, 780, 910};
        for (int k = 0; k < kSites; ++k) {
            sites.push_back(enrollSite(federation, "streaming site " + std::to_string(k)));
            fams.push_back(famPruning(90 + static_cast<unsigned>(k), {k, (k + 3) % kDim}));
        }
        if (event == "left out") fams[3] = scaledTo(fams[3], 900);  // far beyond 5 x the median norm
        if (event == "capped") samples[2] = 1e9;  // median(120, 340, 780, 910, 10^9) = 780: capped at 3 x 780
        std::vector<bool> aggregated(kSites, true);
        if (event == "left out") aggregated[3] = false;
        if (event == "revoked") aggregated[0] = false;
        const auto send = [&](int k) {
            const auto answer = call("POST", "/federations/" + federation + "/rounds/1/uploads", sites[k].token,
                                     uploadJson(federation, 1, sites[k].id, encodeParameters(fams[k], CodecKind::Fp32Raw),
                                                static_cast<std::int64_t>(samples[k]), "stream-" + std::to_string(k),
                                                CodecKind::Fp32Raw));
            QVERIFY2(answer.status == 201, answer.body.constData());
        };
        for (const int k : {3, 0, 4, 1}) send(k);  // not the site-id order
        if (event == "revoked") service_->revokeSite(sites[0].id);
        if (event == "restart") {
            closeService();
            openService(background);
        }
        send(2);
        if (background) service_->finishAggregations();
        QCOMPARE(store_->round(federation, 1)->state, std::string("published"));

        // The batch computation, in site-id order as the coordinator reads the uploads.
        std::vector<int> order(kSites);
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(), [&](int a, int b) { return sites[a].id < sites[b].id; });
        std::vector<ParameterSet> kept;
        std::vector<double> weights;
        for (const int k : order)
            if (aggregated[k]) {
                kept.push_back(fams[k]);
                weights.push_back(event == "capped" && k == 2 ? 3 * 780.0 : samples[k]);
            }
        const auto batch = maskAware ? maskAwareAverage(kept, weights) : federatedAverage(kept, weights);
        const auto global = decodeParameters(store_->globalPayload(federation, 1), famLayout(kDim, true));
        int values = 0, identical = 0;
        for (size_t t = 0; t < batch.size(); ++t)
            for (size_t i = 0; i < batch[t].values.size(); ++i) {
                const float expected = batch[t].values[i], actual = global[t].values[i];
                const float step = std::nextafter(std::abs(expected), INFINITY) - std::abs(expected);
                QVERIFY2(std::abs(actual - expected) <= step,
                         qPrintable(QStringLiteral("%1[%2]: %3, batch %4")
                                        .arg(qs(batch[t].name))
                                        .arg(i)
                                        .arg(static_cast<double>(actual), 0, 'g', 9)
                                        .arg(static_cast<double>(expected), 0, 'g', 9)));
                ++values;
                identical += actual == expected;
            }
        qInfo("%d of %d values identical to the batch computation's, the others one float step apart", identical, values);
        const auto detail =
            QJsonDocument::fromJson(QByteArray::fromStdString(auditOf("round.published").back().detailJson)).object();
        QCOMPARE(detail.value("aggregation_pass").toString(), pass);
        QCOMPARE(detail.value("left_out_norm").toArray().size(), event == "left out" ? 1 : 0);
        QCOMPARE(store_->round(federation, 1)->participants, event == "left out" || event == "revoked" ? 4 : 5);
    }

    // A delta federation (mask-int8-delta-zlib): round 1's uploads are coded against the zero
    // FAM, round 2's against round 1's global as published, which is mask-fp16-zlib. An upload
    // coded against anything else, or in another codec, is rejected naming why, and the round
    // goes on. Inline, and with the uploads parsed on a worker as the server does.
    void deltaUploadsAreDecodedAgainstTheRoundsGlobal_data() {
        QTest::addColumn<bool>("onWorker");
        QTest::newRow("inline") << false;
        QTest::newRow("parsed on a worker") << true;
    }

    void deltaUploadsAreDecodedAgainstTheRoundsGlobal() {
        QFETCH(bool, onWorker);
        closeService();
        openService(onWorker);
        auto s = settings(3);
        s.codec = CodecKind::MaskAwareInt8DeltaZlib;
        const auto federation = service_->createFederation(s);
        std::vector<Site> sites;
        for (int k = 0; k < 3; ++k) sites.push_back(enrollSite(federation, "delta site " + std::to_string(k)));
        const auto send = [&](int k, int round, const std::vector<std::uint8_t>& payload, const std::string& key) {
            ApiRequest request{"POST", qs("/api/v1/federations/" + federation + "/rounds/" + std::to_string(round) + "/uploads"),
                               QByteArray::fromStdString("Bearer " + sites[k].token),
                               uploadJson(federation, round, sites[k].id, payload, 100 * (k + 1), key,
                                          CodecKind::MaskAwareInt8DeltaZlib),
                               "127.0.0.1"};
            const auto response = answer(request, onWorker);
            service_->finishAggregations();
            return response;
        };
        const auto zero = uploadReference(1, s, {});
        for (const auto& tensor : zero)
            QVERIFY(std::all_of(tensor.values.begin(), tensor.values.end(), [](float v) { return v == 0.0f; }));

        std::vector<ParameterSet> round1;  // as the coordinator decodes them
        for (int k = 0; k < 3; ++k) {
            const auto fam = famPruning(40 + static_cast<unsigned>(k), {k});
            if (k == 1) {
                const auto wrong = send(k, 1, encodeDelta(fam, syntheticFam(kDim, 9)), "delta-wrong-1");
                QCOMPARE(wrong.status, 400);
                QCOMPARE(errorCode(wrong), QStringLiteral("invalid_payload"));
                QVERIFY2(wrong.body.contains("reference mismatch"), wrong.body.constData());
                const auto absolute = send(k, 1, encodeParameters(fam, CodecKind::MaskAwareInt8Zlib), "delta-absolute-1");
                QCOMPARE(errorCode(absolute), QStringLiteral("wrong_codec"));
            }
            const auto payload = encodeDelta(fam, zero);
            const auto accepted = send(k, 1, payload, "delta-round1-" + std::to_string(k));
            QVERIFY2(accepted.status == 201, accepted.body.constData());
            round1.push_back(decodeDelta(payload, zero));
        }
        QCOMPARE(store_->round(federation, 1)->state, std::string("published"));
        const auto globalPayload = store_->globalPayload(federation, 1);
        QCOMPARE(globalPayload[6], static_cast<std::uint8_t>(CodecKind::MaskAwareFp16Zlib));
        const auto global = decodeParameters(globalPayload, famLayout(kDim, true));
        QVERIFY(sameValues(global, decodeParameters(encodeParameters(maskAwareAverage(round1, {100, 200, 300}),
                                                                     CodecKind::MaskAwareFp16Zlib))));
        const auto served = call("GET", "/federations/" + federation + "/rounds/1/global", sites[0].token);
        QVERIFY(std::any_of(served.headers.begin(), served.headers.end(), [](const auto& header) {
            return header.first == "X-FMC-Codec" && header.second == "mask-fp16-zlib";
        }));

        // Round 2: coded against round 1's global; the zero FAM is now the wrong reference.
        const auto fam = famPruning(50, {3});
        const auto stale = send(0, 2, encodeDelta(fam, zero), "delta-stale-0");
        QCOMPARE(stale.status, 400);
        QVERIFY2(stale.body.contains("reference mismatch"), stale.body.constData());
        const auto payload = encodeDelta(fam, global);
        const auto accepted = send(0, 2, payload, "delta-round2-0");
        QVERIFY2(accepted.status == 201, accepted.body.constData());
        const auto stored = store_->uploadOfSite(federation, 2, sites[0].id);
        QVERIFY(stored.has_value());
        QCOMPARE(stored->l2Norm, l2Norm(decodeDelta(payload, global)));
        QCOMPARE(store_->rejections(federation).size(), size_t(3));
        // The round's close: the norm guard's reference includes round 1's global, whose norm
        // comes from the reference the uploads were decoded against.
        std::vector<double> norms{stored->l2Norm};
        for (int k = 1; k < 3; ++k) {
            const auto other = encodeDelta(famPruning(51 + static_cast<unsigned>(k), {k}), global);
            QCOMPARE(send(k, 2, other, "delta-round2-" + std::to_string(k)).status, 201);
            norms.push_back(l2Norm(decodeDelta(other, global)));
        }
        QCOMPARE(store_->round(federation, 2)->state, std::string("published"));
        norms.push_back(l2Norm(global));
        std::sort(norms.begin(), norms.end());
        const auto detail =
            QJsonDocument::fromJson(QByteArray::fromStdString(auditOf("round.published").back().detailJson)).object();
        QCOMPARE(detail.value("round").toInt(), 2);
        QCOMPARE(detail.value("reference_norm").toDouble(), (norms[1] + norms[2]) / 2);
    }

    // The server's path: an upload parsed and checked on a worker thread, stored and answered
    // on this one. The same requests get the same answers as through handle().
    void uploadsParsedOnAWorkerAnswerAsInline() {
        closeService();
        openService(true);
        const auto answers = [&](bool onWorker) -> std::vector<QByteArray> {
            const auto federation = service_->createFederation(settings(2));
            std::vector<Site> sites;
            for (int k = 0; k < 2; ++k) sites.push_back(enrollSite(federation, "parsing site " + std::to_string(k)));
            const auto path = "/federations/" + federation + "/rounds/1/uploads";
            const auto body = [&](int k, const ParameterSet& fam, const std::string& key, const std::string& siteId = {},
                                  CodecKind codec = CodecKind::Fp16Zlib) {
                return uploadJson(federation, 1, siteId.empty() ? sites[k].id : siteId, encodeParameters(fam, codec), 10,
                                  key, codec);
            };
            auto wrongCodec = QJsonDocument::fromJson(body(0, syntheticFam(kDim, 1), "codec-key-0")).object();
            wrongCodec["codec"] = "fp32";
            const std::vector<std::pair<int, QByteArray>> requests{
                {0, "{"},
                {0, body(0, syntheticFam(kDim, 1), "mismatch-0", sites[1].id)},
                {0, QJsonDocument(wrongCodec).toJson()},
                {0, body(0, scaledTo(syntheticFam(kDim, 1), 500), "norm-key-0")},
                {0, body(0, syntheticFam(kDim, 1), "accepted-0")},
                {0, body(0, syntheticFam(kDim, 1), "accepted-0")},
                {0, body(0, syntheticFam(kDim, 2), "accepted-0")},
                {0, body(0, syntheticFam(kDim, 1), "another-0")},
                {1, body(1, syntheticFam(kDim, 3), "accepted-1")},
                {1, body(1, syntheticFam(kDim, 3), "late-key-1")},
            };
            std::vector<QByteArray> seen;
            for (const auto& [k, requestBody] : requests) {
                ApiRequest request{"POST", qs("/api/v1" + path), QByteArray::fromStdString("Bearer " + sites[k].token),
                                   requestBody, "127.0.0.1"};
                const auto response = answer(request, onWorker);
                seen.push_back(QByteArray::number(response.status) + ' ' + response.body);
                service_->finishAggregations();  // the last upload closed the round
            }
            return seen;
        };
        const auto inline_ = answers(false);
        const auto onWorker = answers(true);
        QCOMPARE(onWorker, inline_);
        QVERIFY2(inline_.back().startsWith("409") && inline_.back().contains("round_closed"), inline_.back().constData());
        QCOMPARE(inline_[4].left(3), QByteArray("201"));
        QCOMPARE(inline_[5].left(3), QByteArray("200"));
    }

    // Revoked while its body was parsed: refused as a revoked site's request always is.
    void siteRevokedWhileItsUploadIsParsedIsRefused() {
        closeService();
        openService(true);
        std::optional<ApiResponse> answer;
        service_->handleAsync({"POST", qs("/api/v1/federations/" + federation_ + "/rounds/1/uploads"),
                               QByteArray::fromStdString("Bearer " + sites_[0].token),
                               uploadJson(federation_, 1, sites_[0].id, encodeParameters(syntheticFam(kDim, 1), CodecKind::Fp16Zlib),
                                          10, "revoked-while-parsed"),
                               "127.0.0.1"},
                              [&](const ApiResponse& response) { answer = response; });
        QVERIFY(!answer);  // stored and answered by this thread's event loop, which has not run yet
        service_->revokeSite(sites_[0].id);
        QTRY_VERIFY_WITH_TIMEOUT(answer.has_value(), 10000);
        QCOMPARE(answer->status, 403);
        QCOMPARE(errorCode(*answer), QStringLiteral("site_revoked"));
        QVERIFY(store_->uploadSummaries(federation_, 1).empty());
    }

    // A transaction opened inside another is a savepoint: its rollback undoes its own rows only.
    void nestedTransactionsAreSavepoints() {
        const auto commitsBefore = store_->durableCommits();
        {
            CoordinatorStore::Transaction outer(*store_);
            store_->audit({0, now_, federation_, "test", "nested.kept", "{}", ""});
            {
                CoordinatorStore::Transaction inner(*store_);
                store_->audit({0, now_, federation_, "test", "nested.dropped", "{}", ""});
            }  // rolled back
            {
                CoordinatorStore::Transaction inner(*store_);
                store_->audit({0, now_, federation_, "test", "nested.released", "{}", ""});
                inner.commit();
            }
            outer.commit();
        }
        QCOMPARE(store_->durableCommits() - commitsBefore, 1);
        QCOMPARE(auditOf("nested.kept").size(), size_t(1));
        QCOMPARE(auditOf("nested.released").size(), size_t(1));
        QVERIFY(auditOf("nested.dropped").empty());
        {
            CoordinatorStore::Transaction outer(*store_);
            CoordinatorStore::Transaction inner(*store_);
            store_->audit({0, now_, federation_, "test", "nested.outer.dropped", "{}", ""});
            inner.commit();
        }  // the outer one rolls back what its savepoint released
        QVERIFY(auditOf("nested.outer.dropped").empty());
        QCOMPARE(store_->durableCommits() - commitsBefore, 1);
    }

    // Uploads parsed together are stored in one transaction, one flush to disk for all, each
    // answered as it would be alone: a retry, a malformed body and a second upload of a site
    // between them change nothing of the accepted ones.
    void uploadsArrivingTogetherShareOneCommit() {
        closeService();
        openService(true);
        const auto request = [&](int k, const QByteArray& body) {
            return ApiRequest{"POST", qs("/api/v1/federations/" + federation_ + "/rounds/1/uploads"),
                              QByteArray::fromStdString("Bearer " + sites_[k].token), body, "127.0.0.1"};
        };
        const auto body = [&](int k, unsigned seed, const std::string& key) {
            return uploadJson(federation_, 1, sites_[k].id, encodeParameters(syntheticFam(kDim, seed), CodecKind::Fp16Zlib),
                              10 * (k + 1), key);
        };
        const std::vector<ApiRequest> burst{request(0, body(0, 1, "burst-key-0")), request(0, body(0, 1, "burst-key-0")),
                                            request(1, "{"), request(1, body(1, 2, "burst-key-1")),
                                            request(1, body(1, 3, "burst-key-1-again"))};
        std::vector<std::optional<ApiResponse>> answers(burst.size());
        const auto commitsBefore = store_->durableCommits();
        for (size_t i = 0; i < burst.size(); ++i)
            service_->handleAsync(burst[i], [&answers, i](const ApiResponse& response) { answers[i] = response; });
        service_->waitForParsedUploads();
        QTRY_VERIFY_WITH_TIMEOUT(std::all_of(answers.begin(), answers.end(), [](const auto& a) { return a.has_value(); }),
                                 10000);
        const std::vector<int> statuses{201, 200, 400, 201, 409};
        for (size_t i = 0; i < burst.size(); ++i) QCOMPARE(answers[i]->status, statuses[i]);
        QVERIFY(answers[0]->authenticated);
        QCOMPARE(json(*answers[1]).value("duplicate").toBool(), true);
        QCOMPARE(errorCode(*answers[4]), QStringLiteral("already_uploaded"));
        QCOMPARE(json(*answers[3]).value("round_state").toString(), QStringLiteral("collecting"));
        // One commit for the five uploads with their rejection and audit entries, one for the
        // round's waiting reason.
        QCOMPARE(store_->durableCommits() - commitsBefore, 2);
        QCOMPARE(store_->uploadSummaries(federation_, 1).size(), size_t(2));
        QCOMPARE(store_->rejections(federation_).size(), size_t(1));
        QCOMPARE(auditOf("upload.accepted").size(), size_t(2));
        QCOMPARE(auditOf("upload.duplicate").size(), size_t(1));
        QCOMPARE(auditOf("upload.rejected").size(), size_t(1));
        QCOMPARE(auditOf("upload.refused").size(), size_t(1));
        // The batch's uploads are in the running sum: the last site's upload publishes their average.
        std::optional<ApiResponse> last;
        service_->handleAsync(request(2, body(2, 4, "burst-key-2")), [&](const ApiResponse& response) { last = response; });
        QTRY_VERIFY_WITH_TIMEOUT(last.has_value(), 10000);
        QCOMPARE(last->status, 201);
        service_->finishAggregations();
        const auto detail =
            QJsonDocument::fromJson(QByteArray::fromStdString(auditOf("round.published").back().detailJson)).object();
        QCOMPARE(detail.value("aggregation_pass").toString(), QStringLiteral("running_sum"));
        QVERIFY(sameValues(published(1), expectedAverage({syntheticFam(kDim, 1), syntheticFam(kDim, 2), syntheticFam(kDim, 4)},
                                                         {10, 20, 30})));
    }

    // Median and trimmed mean need every upload at once: they keep the path that decodes all.
    void robustRulesDecodeEveryUpload() {
        const auto federation = service_->createFederation(settings(2, AggregationRule::Median));
        std::vector<Site> sites;
        for (int k = 0; k < 2; ++k) sites.push_back(enrollSite(federation, "median site " + std::to_string(k)));
        for (int k = 0; k < 2; ++k)
            QCOMPARE(upload(sites[k], 1, syntheticFam(kDim, 20 + k), 10, "median-" + std::to_string(k), federation).status,
                     201);
        const auto detail =
            QJsonDocument::fromJson(QByteArray::fromStdString(auditOf("round.published").back().detailJson)).object();
        QCOMPARE(detail.value("aggregation_pass").toString(), QStringLiteral("all_in_memory"));
    }

    void lateAndEarlyUploadsAreRefused() {
        for (int s = 0; s < 3; ++s)
            QCOMPARE(upload(sites_[s], 1, syntheticFam(kDim, s), 10, "r1-key-" + std::to_string(s)).status, 201);
        QCOMPARE(store_->round(federation_, 1)->state, std::string("published"));
        const auto late = upload(sites_[0], 1, syntheticFam(kDim, 9), 10, "r1-late-key");
        QCOMPARE(late.status, 409);
        QCOMPARE(errorCode(late), QStringLiteral("round_closed"));
        QVERIFY(json(late).value("error").toObject().value("message").toString().contains("current round is 2"));
        const auto early = upload(sites_[0], 3, syntheticFam(kDim, 9), 10, "r3-early-key");
        QCOMPARE(early.status, 409);
        QCOMPARE(errorCode(early), QStringLiteral("round_not_open"));
    }

    void invalidUploadsAreRejectedAndTheRoundContinues_data() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        QTest::newRow("corrupted (checksum)") << "corrupted" << 400 << "invalid_payload";
        QTest::newRow("truncated") << "truncated" << 400 << "invalid_payload";
        QTest::newRow("NaN values") << "nan" << 400 << "invalid_payload";
        QTest::newRow("wrong shape") << "shape" << 400 << "invalid_payload";
        QTest::newRow("oversized tensor") << "oversized" << 400 << "invalid_payload";
        QTest::newRow("over the norm bound") << "norm" << 400 << "norm_bound";
        QTest::newRow("another codec") << "codec" << 400 << "wrong_codec";
        QTest::newRow("not JSON") << "json" << 400 << "invalid_json";
        QTest::newRow("undocumented field") << "field" << 400 << "invalid_upload";
        QTest::newRow("unknown metric") << "metric" << 400 << "invalid_upload";
        QTest::newRow("bad base64") << "base64" << 400 << "invalid_upload";
        QTest::newRow("another site's id") << "site" << 400 << "mismatch";
        QTest::newRow("zero samples") << "samples" << 400 << "invalid_upload";
        QTest::newRow("body over the limit") << "body" << 413 << "body_too_large";
    }

    void invalidUploadsAreRejectedAndTheRoundContinues() {
        QFETCH(QString, kind);
        QFETCH(int, status);
        QFETCH(QString, code);
        if (kind == "nan") {
            // NaN survives only the fp32 codec: a federation that uses it.
            cleanup();
            openService();
            auto fp32 = settings();
            fp32.codec = CodecKind::Fp32Raw;
            federation_ = service_->createFederation(fp32);
            sites_ = {enrollSite(federation_, "A"), enrollSite(federation_, "B"), enrollSite(federation_, "C")};
        }
        const auto good = syntheticFam(kDim, 7);
        auto payload = encodeParameters(good, CodecKind::Fp16Zlib);
        std::string siteId = sites_[0].id;
        auto codec = CodecKind::Fp16Zlib;
        if (kind == "corrupted") payload[payload.size() / 2] ^= 0x5a;
        if (kind == "truncated") payload.resize(payload.size() - 9);
        if (kind == "nan") {
            payload = nanPayload(good);
            codec = CodecKind::Fp32Raw;
        }
        if (kind == "shape") payload = encodeParameters(syntheticFam(kDim * 2, 7), CodecKind::Fp16Zlib);
        if (kind == "oversized") {
            auto big = good;
            big[1].shape = {kDim * 4};
            big[1].values.resize(kDim * 4, 0.01f);
            payload = encodeParameters(big, CodecKind::Fp16Zlib);
        }
        if (kind == "norm") payload = encodeParameters(syntheticFam(kDim, 7, 200.0f), CodecKind::Fp16Zlib);
        if (kind == "codec") payload = encodeParameters(good, CodecKind::Fp32Raw);
        if (kind == "site") siteId = sites_[1].id;
        QByteArray body = uploadJson(federation_, 1, siteId, payload, 10, "bad-upload-1", codec);
        if (kind == "json") body = "{not json";
        if (kind == "field") body.replace("\"codec\"", "\"file_name\":\"ISIC_0025780.jpg\",\"codec\"");
        if (kind == "metric") body.replace("\"train_loss\"", "\"patient_age\"");
        if (kind == "base64") body.replace("\"payload\":\"", "\"payload\":\"!!!");
        if (kind == "samples") body.replace("\"sample_count\":10", "\"sample_count\":0");
        if (kind == "body") body = QByteArray(2 << 20, 'x');

        const auto response = call("POST", "/federations/" + federation_ + "/rounds/1/uploads", sites_[0].token, body);
        QCOMPARE(response.status, status);
        QCOMPARE(errorCode(response), code);
        QVERIFY(store_->uploads(federation_, 1, false).empty());
        if (status == 400) {
            const auto rejections = store_->rejections(federation_);
            QCOMPARE(rejections.size(), size_t(1));
            QCOMPARE(QString::fromStdString(rejections[0].code), code);
            const auto audit = store_->auditLog(federation_);
            QCOMPARE(QString::fromStdString(audit.back().action), QStringLiteral("upload.rejected"));
        }

        // The round goes on with valid uploads, the rejected site included.
        const auto codecNow = store_->federation(federation_)->task.settings.codec;
        std::vector<ParameterSet> fams{syntheticFam(kDim, 11), syntheticFam(kDim, 12), syntheticFam(kDim, 13)};
        for (int s = 0; s < 3; ++s) {
            const auto ok = call("POST", "/federations/" + federation_ + "/rounds/1/uploads", sites_[s].token,
                                 uploadJson(federation_, 1, sites_[s].id, encodeParameters(fams[s], codecNow), 10 * (s + 1),
                                            "good-upload-" + std::to_string(s), codecNow));
            QCOMPARE(ok.status, 201);
        }
        QCOMPARE(store_->round(federation_, 1)->state, std::string("published"));
        QCOMPARE(store_->round(federation_, 1)->participants, 3);
    }

    void robustAggregationResistsAPoisonedSite_data() {
        QTest::addColumn<int>("rule");
        QTest::newRow("median") << static_cast<int>(AggregationRule::Median);
        QTest::newRow("trimmed mean") << static_cast<int>(AggregationRule::TrimmedMean);
    }

    void robustAggregationResistsAPoisonedSite() {
        QFETCH(int, rule);
        // The rule alone: the norm guard would leave the poisoned upload out before it.
        closeService();
        openService(false, 1 << 20, AggregationGuards{0, 0});
        const auto federation = service_->createFederation(settings(5, static_cast<AggregationRule>(rule)));
        std::vector<Site> sites;
        for (int s = 0; s < 5; ++s) sites.push_back(enrollSite(federation, "site " + std::to_string(s)));
        std::vector<ParameterSet> decoded;
        for (int s = 0; s < 5; ++s) {
            // Site 4 is poisoned: every value pushed to +9 (within the norm bound of 100).
            auto fam = s == 4 ? syntheticFam(kDim, 40, 0.0f) : syntheticFam(kDim, 20 + s);
            if (s == 4)
                for (auto& tensor : fam)
                    for (auto& value : tensor.values) value = 0.9f;
            decoded.push_back(decodeParameters(encodeParameters(fam, CodecKind::Fp16Zlib)));
            QCOMPARE(upload(sites[static_cast<size_t>(s)], 1, fam, 100, "robust-key-" + std::to_string(s), federation).status,
                     201);
        }
        const auto global = decodeParameters(store_->globalPayload(federation, 1), famLayout(kDim, true));
        const auto expected = static_cast<AggregationRule>(rule) == AggregationRule::Median ? coordinateMedian(decoded)
                                                                                              : trimmedMean(decoded, 0.2);
        QVERIFY(sameValues(global, decodeParameters(encodeParameters(expected, CodecKind::Fp16Zlib))));
        float largest = 0;
        for (const auto& tensor : global)
            for (float value : tensor.values) largest = std::max(largest, std::abs(value));
        QVERIFY2(largest < 0.05f, "the poisoned site moved the robust aggregate");
    }

    void revokedSitesAreLeftOut() {
        QCOMPARE(upload(sites_[0], 1, syntheticFam(kDim, 1), 10, "key-a-0001").status, 201);
        QCOMPARE(upload(sites_[1], 1, syntheticFam(kDim, 2), 10, "key-b-0001").status, 201);
        // Revoking the last missing site lets the round close with the others.
        service_->revokeSite(sites_[2].id);
        QCOMPARE(store_->round(federation_, 1)->state, std::string("published"));
        QCOMPARE(store_->round(federation_, 1)->participants, 2);
        // A site revoked after uploading is excluded from the aggregate.
        QCOMPARE(upload(sites_[0], 2, syntheticFam(kDim, 3), 10, "key-a-0002").status, 201);
        QCOMPARE(upload(sites_[1], 2, syntheticFam(kDim, 4), 10, "key-b-0002").status, 201);
        QCOMPARE(store_->round(federation_, 2)->state, std::string("published"));
        const auto third = enrollSite(federation_, "Hospital G");
        QCOMPARE(upload(sites_[0], 3, syntheticFam(kDim, 5), 10, "key-a-0003").status, 201);
        QCOMPARE(upload(third, 3, syntheticFam(kDim, 6), 10, "key-g-0003").status, 201);
        service_->revokeSite(sites_[0].id);
        QCOMPARE(store_->round(federation_, 3)->state, std::string("collecting"));  // 1 active upload < min 2
        QCOMPARE(upload(sites_[1], 3, syntheticFam(kDim, 7), 10, "key-b-0003").status, 201);
        QCOMPARE(store_->round(federation_, 3)->participants, 2);
        QVERIFY(sameValues(published(3), expectedAverage({syntheticFam(kDim, 7), syntheticFam(kDim, 6)}, {10, 10})));
        QCOMPARE(store_->federation(federation_)->state, std::string("finished"));
    }

    void restartResumesMidRound() {
        QCOMPARE(upload(sites_[0], 1, syntheticFam(kDim, 1), 10, "key-a-0001").status, 201);
        QCOMPARE(upload(sites_[1], 1, syntheticFam(kDim, 2), 20, "key-b-0001").status, 201);
        // The process dies; a new one opens the same database.
        closeService();
        openService();
        QCOMPARE(store_->round(federation_, 1)->state, std::string("collecting"));
        QCOMPARE(upload(sites_[1], 1, syntheticFam(kDim, 2), 20, "key-b-0001").status, 200);  // the retry after the crash
        QCOMPARE(upload(sites_[2], 1, syntheticFam(kDim, 3), 30, "key-c-0001").status, 201);
        QVERIFY(sameValues(published(1), expectedAverage({syntheticFam(kDim, 1), syntheticFam(kDim, 2), syntheticFam(kDim, 3)},
                                                         {10, 20, 30})));
    }

    void interruptedAggregationIsFinishedOnStart() {
        for (int s = 0; s < 2; ++s)
            QCOMPARE(upload(sites_[s], 1, syntheticFam(kDim, s), 10, "key-" + std::to_string(s) + "-0001").status, 201);
        auto round = *store_->round(federation_, 1);
        round.state = "aggregating";  // as a crash between the two aggregation transactions leaves it
        store_->updateRoundProgress(round);
        closeService();
        openService();
        QCOMPARE(service_->tick(), 1);
        QCOMPARE(store_->round(federation_, 1)->state, std::string("published"));
        QCOMPARE(store_->round(federation_, 2)->state, std::string("open"));
        QCOMPARE(store_->rounds(federation_).size(), size_t(2));  // not doubled
    }

    int auditCount(const std::string& action) {
        const auto log = store_->auditLog(federation_);
        return static_cast<int>(
            std::count_if(log.begin(), log.end(), [&](const AuditEntry& e) { return e.action == action; }));
    }

    void backgroundAggregationKeepsTheRoundClosedUntilPublished() {
        closeService();
        openService(true);
        twoUploadsPastTheDeadline();
        QCOMPARE(service_->tick(), 1);  // handed to the worker
        QCOMPARE(service_->aggregationsInFlight(), 1);
        QCOMPARE(store_->round(federation_, 1)->state, std::string("aggregating"));
        // Until the event loop gets the result: status says so, late uploads are refused, ticks leave it alone.
        const auto current = json(call("GET", "/federations/" + federation_ + "/rounds/current", sites_[2].token));
        QCOMPARE(current.value("state").toString(), QStringLiteral("aggregating"));
        const auto late = upload(sites_[2], 1, syntheticFam(kDim, 3), 60, "key-c-0001");
        QCOMPARE(late.status, 409);
        QCOMPARE(errorCode(late), QStringLiteral("round_closed"));
        QVERIFY(json(late).value("error").toObject().value("message").toString().contains("(aggregating)"));
        QCOMPARE(service_->tick(), 0);
        QCOMPARE(store_->rounds(federation_).size(), size_t(1));

        QTRY_COMPARE(store_->round(federation_, 1)->state, std::string("published"));
        QCOMPARE(service_->aggregationsInFlight(), 0);
        QCOMPARE(store_->round(federation_, 1)->participants, 2);
        QVERIFY(sameValues(published(1), expectedAverage({syntheticFam(kDim, 1), syntheticFam(kDim, 2)}, {10, 30})));
        QCOMPARE(store_->round(federation_, 2)->state, std::string("open"));
        QCOMPARE(auditCount("round.published"), 1);
    }

    void stopDuringBackgroundAggregation_data() {
        QTest::addColumn<bool>("clean");
        QTest::newRow("clean stop: waits and publishes") << true;
        QTest::newRow("result dropped: redone at the next start") << false;
    }

    void stopDuringBackgroundAggregation() {
        QFETCH(bool, clean);
        closeService();
        openService(true);
        twoUploadsPastTheDeadline();
        QCOMPARE(service_->tick(), 1);
        if (clean) {
            service_->finishAggregations();
            QCOMPARE(store_->round(federation_, 1)->state, std::string("published"));
        }
        closeService();  // without finishAggregations() the worker's result is dropped
        openService(true);
        if (!clean) {
            QCOMPARE(store_->round(federation_, 1)->state, std::string("aggregating"));
            QCOMPARE(service_->tick(), 1);
            QTRY_COMPARE(store_->round(federation_, 1)->state, std::string("published"));
        }
        QCOMPARE(store_->rounds(federation_).size(), size_t(2));
        QCOMPARE(auditCount("round.published"), 1);
        QVERIFY(sameValues(published(1), expectedAverage({syntheticFam(kDim, 1), syntheticFam(kDim, 2)}, {10, 30})));
    }

    void participantRevokedWhileAggregatingIsLeftOut() {
        closeService();
        openService(true);
        twoUploadsPastTheDeadline();
        QCOMPARE(service_->tick(), 1);
        store_->revokeSite(sites_[1].id, now_);  // what the admin command, another process, does meanwhile
        QTRY_COMPARE(store_->round(federation_, 1)->state, std::string("published"));
        QCOMPARE(store_->round(federation_, 1)->participants, 1);
        QVERIFY(sameValues(published(1), expectedAverage({syntheticFam(kDim, 1)}, {10})));
        const auto log = store_->auditLog(federation_);
        const auto publication =
            std::find_if(log.begin(), log.end(), [](const AuditEntry& e) { return e.action == "round.published"; });
        QVERIFY(publication != log.end());
        const auto detail = QJsonDocument::fromJson(QByteArray::fromStdString(publication->detailJson)).object();
        QCOMPARE(detail.value("excluded_revoked").toArray(), QJsonArray{qs(sites_[1].id)});
    }

    void roundPublishedMeanwhileByAnotherProcessIsNotDoubled() {
        closeService();
        openService(true);
        twoUploadsPastTheDeadline();
        QCOMPARE(service_->tick(), 1);
        {
            // An admin command, another process aggregating inline, finishes the round first.
            auto otherStore = CoordinatorStore::open(database());
            ServiceOptions options;
            options.clock = [this] { return now_; };
            CoordinatorService other(*otherStore, options);
            QCOMPARE(other.tick(), 1);
        }
        const auto sha = store_->round(federation_, 1)->globalSha256;
        QTRY_COMPARE(service_->aggregationsInFlight(), 0);
        QCOMPARE(store_->round(federation_, 1)->globalSha256, sha);
        QCOMPARE(store_->rounds(federation_).size(), size_t(2));
        QCOMPARE(auditCount("round.published"), 1);
    }

    void auditLogAndHistory() {
        for (int round = 1; round <= 3; ++round)
            for (int s = 0; s < 3; ++s)
                QCOMPARE(upload(sites_[s], round, syntheticFam(kDim, round * 10 + s), 10 + s,
                                "history-key-" + std::to_string(round) + "-" + std::to_string(s))
                             .status,
                         201);
        QCOMPARE(store_->federation(federation_)->state, std::string("finished"));
        std::map<std::string, int> actions;
        for (const auto& entry : store_->auditLog(federation_)) {
            ++actions[entry.action];
            for (const auto& site : sites_) QVERIFY(entry.detailJson.find(site.token) == std::string::npos);
        }
        QCOMPARE(actions["federation.created"], 1);
        QCOMPARE(actions["code.issued"], 3);
        QCOMPARE(actions["site.enrolled"], 3);
        QCOMPARE(actions["upload.accepted"], 9);
        QCOMPARE(actions["round.published"], 3);
        QCOMPARE(actions["federation.finished"], 1);

        const auto history = service_->roundHistory(federation_);
        QCOMPARE(history.value("rounds").toArray().size(), 3);
        QCOMPARE(history.value("rounds").toArray()[2].toObject().value("uploads").toArray().size(), 3);
        const auto csv = historyToCsv(history);
        QCOMPARE(csv.count('\n'), 1 + 9);
        QVERIFY(csv.startsWith("round,state,published_at,participants,total_samples,site_id,site_name,sample_count"));
    }

    void taskJsonRoundTrips() {
        const auto record = store_->federation(federation_);
        const auto parsed = taskFromJson(taskToJson(record->task), "task");
        QCOMPARE(parsed.federationId, federation_);
        QCOMPARE(parsed.settings.classNames, record->task.settings.classNames);
        QCOMPARE(parsed.settings.initSeed, record->task.settings.initSeed);
        QCOMPARE(taskToJson(parsed), taskToJson(record->task));
        auto broken = taskToJson(record->task);
        broken.insert("embedding_dim", "eight");
        try {
            taskFromJson(broken, "task from test");
            QFAIL("a malformed task was accepted");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains("embedding_dim"), error.what());
        }
    }

    // The kind of image a federation declares reaches the sites in the task they fetch.
    void servesTheDeclaredImageDomain() {
        auto declared = settings();
        declared.imageDomain.modalities = {"photo"};
        declared.imageDomain.photometric = {"colour"};
        const auto federation = service_->createFederation(declared);
        const auto site = enrollSite(federation, "Dermatology A");
        const auto response = call("GET", "/federations/" + federation + "/task", site.token);
        QCOMPARE(response.status, 200);
        const auto body = json(response);
        QCOMPARE(body.value("image_domain").toObject().value("modalities").toArray(), QJsonArray{"photo"});
        QCOMPARE(body.value("image_domain").toObject().value("photometric").toArray(), QJsonArray{"colour"});
        const auto task = taskFromJson(body, "task");
        QCOMPARE(task.settings.imageDomain.modalities, std::vector<std::string>{"photo"});
        QVERIFY(task.settings.imageDomain.bodyParts.empty());
        QCOMPARE(task.settings.imageDomain.photometric, std::vector<std::string>{"colour"});
        QVERIFY(task.settings.imageDomain.declared);
        // A federation without one (as every federation created before) serves no field.
        const auto plain = json(call("GET", "/federations/" + federation_ + "/task", sites_[0].token));
        QVERIFY(!plain.contains("image_domain"));
        QVERIFY(!taskFromJson(plain, "task").settings.imageDomain.declared);
    }

    void refusesABadImageDomain_data() {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QStringList>("modalities");
        QTest::addColumn<QStringList>("photometric");
        QTest::newRow("photometric") << "image_domain.photometric" << QStringList{} << QStringList{"sepia"};
        QTest::newRow("modality code") << "image_domain.modalities" << QStringList{"C/T"} << QStringList{};
        QTest::newRow("twice") << "image_domain.modalities" << QStringList{"CT", "CT"} << QStringList{};
    }
    void refusesABadImageDomain() {
        QFETCH(QString, field);
        QFETCH(QStringList, modalities);
        QFETCH(QStringList, photometric);
        auto bad = settings();
        for (const auto& m : modalities) bad.imageDomain.modalities.push_back(ss(m));
        for (const auto& p : photometric) bad.imageDomain.photometric.push_back(ss(p));
        try {
            service_->createFederation(bad);
            QFAIL("a federation with a bad image domain was created");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).startsWith(field + ":"), error.what());
        }
    }

    void taskImageDomainJsonIsChecked_data() {
        QTest::addColumn<QJsonValue>("domain");
        QTest::addColumn<QString>("field");
        QTest::newRow("not an object") << QJsonValue("photo") << "'image_domain'";
        QTest::newRow("not a list") << QJsonValue(QJsonObject{{"modalities", "photo"}}) << "'image_domain.modalities'";
        QTest::newRow("not strings") << QJsonValue(QJsonObject{{"body_parts", QJsonArray{1}}}) << "'image_domain.body_parts'";
        QTest::newRow("unknown key") << QJsonValue(QJsonObject{{"modality", QJsonArray{"CT"}}}) << "'image_domain.modality'";
        QTest::newRow("photometric") << QJsonValue(QJsonObject{{"photometric", QJsonArray{"sepia"}}})
                                     << "image_domain.photometric: 'sepia'";
    }
    void taskImageDomainJsonIsChecked() {
        QFETCH(QJsonValue, domain);
        QFETCH(QString, field);
        auto task = taskToJson(store_->federation(federation_)->task);
        task.insert("image_domain", domain);
        try {
            taskFromJson(task, "task from test");
            QFAIL("a task with a malformed image_domain was accepted");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).startsWith("task from test: "), error.what());
            QVERIFY2(QString(error.what()).contains(field), error.what());
        }
        // And a good one round-trips.
        task.insert("image_domain", QJsonObject{{"modalities", QJsonArray{"CT", "MR"}}, {"body_parts", QJsonArray{"HEAD"}}});
        const auto parsed = taskFromJson(task, "task");
        QCOMPARE(parsed.settings.imageDomain.modalities, (std::vector<std::string>{"CT", "MR"}));
        QCOMPARE(parsed.settings.imageDomain.bodyParts, std::vector<std::string>{"HEAD"});
        QCOMPARE(taskToJson(parsed).value("image_domain").toObject().value("body_parts").toArray(), QJsonArray{"HEAD"});
        QCOMPARE(taskToJson(taskFromJson(taskToJson(parsed), "again")), taskToJson(parsed));
    }
};

QTEST_GUILESS_MAIN(TestCoordinatorService)
#include "tst_coordinatorservice.moc"
