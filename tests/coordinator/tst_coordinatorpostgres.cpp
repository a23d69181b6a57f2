// fedmedclip-coordinator on PostgreSQL, end to end: the executable, configured with
// "driver": "QPSQL" and a role and database created as docs/operators.md describes (on a
// throw-away server of the test's own), serves a federation over HTTPS. Two sites enroll and
// upload, PostgreSQL restarts under the running coordinator, the coordinator is killed
// mid-round and started again, the federation finishes, and the administrator commands read
// the same state. (tst_coordinatorservice runs every
// store and state-machine case on PostgreSQL too.) Skipped only when the PostgreSQL binaries,
// Qt's QPSQL driver or the openssl command are absent.
#include "common/aggregation.h"
#include "coordinator/coordinator_config.h"
#include "federation_test_support.h"
#include "postgres_test_server.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace fmc;
using namespace fmc::federation;
using namespace fmc::federation::test;

namespace {

constexpr int kDim = 8;

// Mask-aware FedAvg (the default) of what the sites sent (fp16-decoded), as the coordinator
// must publish it.
ParameterSet expectedGlobal(const std::vector<ParameterSet>& fams, const std::vector<double>& weights) {
    std::vector<ParameterSet> decoded;
    for (const auto& fam : fams) decoded.push_back(decodeParameters(encodeParameters(fam, CodecKind::Fp16Zlib)));
    return decodeParameters(encodeParameters(maskAwareAverage(decoded, weights), CodecKind::Fp16Zlib));
}

float largestDifference(const ParameterSet& a, const ParameterSet& b) {
    if (a.size() != b.size()) return INFINITY;
    float largest = 0;
    for (size_t t = 0; t < a.size(); ++t) {
        if (a[t].values.size() != b[t].values.size()) return INFINITY;
        for (size_t i = 0; i < a[t].values.size(); ++i)
            largest = std::max(largest, std::abs(a[t].values[i] - b[t].values[i]));
    }
    return largest;
}

}  // namespace

class TestCoordinatorPostgres : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::unique_ptr<PostgresTestServer> postgres_;
    DatabaseConfig database_;
    CertificateSet certificates_;

    std::unique_ptr<CoordinatorClient> client(const CoordinatorProcess& coordinator, const std::string& token) const {
        RetryPolicy retry;
        retry.maxAttempts = 3;
        auto site =
            std::make_unique<CoordinatorClient>(QUrl(coordinator.url()), trustCa(certificates_.caCertificate), retry);
        site->setToken(token);
        return site;
    }

    int upload(const CoordinatorProcess& coordinator, const std::string& federationId,
               const std::pair<std::string, std::string>& site, int round, const ParameterSet& fam, int samples) {
        return client(coordinator, site.second)
            ->post(qs("/federations/" + federationId + "/rounds/" + std::to_string(round) + "/uploads"),
                   uploadJson(federationId, round, site.first, encodeParameters(fam, CodecKind::Fp16Zlib), samples,
                              "key-" + site.first + "-" + std::to_string(round)))
            .status;
    }

    // Waits (bounded) until the round is published; the aggregation runs on a worker thread.
    bool waitForPublication(const CoordinatorProcess& coordinator, const std::string& federationId,
                            const std::string& token, int round) {
        auto reader = client(coordinator, token);
        return waitUntil(
            [&] {
                return reader->getJson(qs("/federations/" + federationId + "/rounds/" + std::to_string(round)))
                           .value("state")
                           .toString() == QLatin1String("published");
            },
            20000);
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        const auto unavailable = PostgresTestServer::unavailableReason();
        if (!unavailable.isEmpty()) QSKIP(qPrintable(unavailable));
        if (QStandardPaths::findExecutable(QStringLiteral("openssl")).isEmpty())
            QSKIP("the openssl command is needed to make the test certificates (Debian: openssl)");
        try {
            postgres_ = std::make_unique<PostgresTestServer>();
            database_ =
                postgres_->createDatabase(QStringLiteral("fedmedclip"), QStringLiteral("fedmedclip-coordinator"));
            certificates_ = makeCertificates(dir_.filePath("pki"), "postgres");
        } catch (const std::exception& error) {
            QFAIL(error.what());
        }
    }

    void federationRunsOnPostgres() {
        try {
            const QJsonObject database{{"driver", "QPSQL"},
                                       {"host", database_.host},
                                       {"port", database_.port},
                                       {"name", database_.databaseName},
                                       {"user", database_.user},
                                       {"connect_options", "connect_timeout=10;application_name=fedmedclip"}};
            CoordinatorProcess coordinator(dir_.filePath("coordinator"), certificates_, 0, {{"database", database}});
            const auto federationId = createFederation(
                coordinator, {"--classes", "a,b", "--bundle-name", "tiny", "--bundle-hash", QString(64, 'f'),
                              "--embedding-dim", QString::number(kDim), "--rounds", "2", "--min-sites", "2"});
            coordinator.start();
            QVERIFY2(coordinator.output().contains("with state in PostgreSQL database fedmedclip"),
                     coordinator.output().constData());
            const auto a = enroll(coordinator, federationId, "Hospital A", certificates_.caCertificate);
            const auto b = enroll(coordinator, federationId, "Hospital B", certificates_.caCertificate);

            QCOMPARE(upload(coordinator, federationId, a, 1, syntheticFam(kDim, 1), 10), 201);
            QCOMPARE(upload(coordinator, federationId, b, 1, syntheticFam(kDim, 2), 30), 201);
            QVERIFY(waitForPublication(coordinator, federationId, a.second, 1));
            auto reader = client(coordinator, a.second);
            const auto global = reader->get(qs("/federations/" + federationId + "/rounds/1/global"));
            QCOMPARE(global.status, 200);
            const auto published = decodeParameters(std::vector<std::uint8_t>(global.body.begin(), global.body.end()),
                                                    famLayout(kDim, true));
            QVERIFY(largestDifference(
                        published, expectedGlobal({syntheticFam(kDim, 1), syntheticFam(kDim, 2)}, {10, 30})) < 1e-3f);

            // PostgreSQL restarts under the running coordinator, which opens its connection again.
            postgres_->restart();
            QCOMPARE(upload(coordinator, federationId, a, 2, syntheticFam(kDim, 3), 10), 201);
            QVERIFY2(coordinator.output().contains("the connection was lost and has been opened again"),
                     coordinator.output().right(3000).constData());

            // Killed (SIGKILL) after round 2's first upload; the restarted coordinator goes on.
            coordinator.kill();
            coordinator.start();
            // The retry of an upload that arrived before the kill: acknowledged as a duplicate.
            QCOMPARE(upload(coordinator, federationId, a, 2, syntheticFam(kDim, 3), 10), 200);
            QCOMPARE(upload(coordinator, federationId, b, 2, syntheticFam(kDim, 4), 10), 201);
            QVERIFY(waitForPublication(coordinator, federationId, b.second, 2));
            const auto current =
                client(coordinator, b.second)->getJson(qs("/federations/" + federationId + "/rounds/current"));
            QVERIFY(current.value("finished").toBool());

            // The administrator commands, on the same PostgreSQL database.
            const auto rounds = coordinator.adminJson({"list-rounds", "--federation", qs(federationId)});
            QCOMPARE(rounds.size(), 2);
            for (const auto& round : rounds) {
                QCOMPARE(round.toObject().value("state").toString(), QStringLiteral("published"));
                QCOMPARE(round.toObject().value("participants").toInt(), 2);
            }
            coordinator.admin({"revoke-site", "--site", qs(b.first)});
            QCOMPARE(client(coordinator, b.second)->get(qs("/federations/" + federationId + "/task")).status, 403);
            const auto csvPath = dir_.filePath("history.csv");
            coordinator.admin({"export-history", "--federation", qs(federationId), "--out", csvPath, "--csv"});
            QFile csv(csvPath);
            QVERIFY(csv.open(QIODevice::ReadOnly));
            QCOMPARE(csv.readAll().count('\n'), 1 + 4);  // header, 2 rounds x 2 sites
            int publishedEntries = 0;
            for (const auto& entry : coordinator.adminJson({"audit-log", "--federation", qs(federationId)}))
                if (entry.toObject().value("action").toString() == QLatin1String("round.published")) ++publishedEntries;
            QCOMPARE(publishedEntries, 2);
            coordinator.kill();
        } catch (const std::exception& error) {
            QFAIL(error.what());
        }
    }

    void databaseKeysAreChecked() {
        const auto path = dir_.filePath("typo.json");
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"tls": {"certificate": "c.pem", "key": "k.pem"},
                       "database": {"driver": "QPSQL", "host": "/var/run/postgresql", "name": "fedmedclip",
                                    "user": "fedmedclip-coordinator", "passwd": "x"}})");
        file.close();
        try {
            loadCoordinatorConfig(path);
            QFAIL("a misspelt database key was accepted");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains("typo.json: database.passwd: unknown key"), error.what());
        }
    }

    void cleanupTestCase() { postgres_.reset(); }
};

QTEST_GUILESS_MAIN(TestCoordinatorPostgres)
#include "tst_coordinatorpostgres.moc"
