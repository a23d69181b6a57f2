// The coordinator's Prometheus metrics: every line of the exposition parsed against the text
// format 0.0.4, and the counters and gauges followed while a real coordinator process runs a
// round (enrollments, an accepted, a rejected and a closing upload, the aggregation).
#include "coordinator/api_routes.h"
#include "coordinator/coordinator_metrics.h"
#include "federation_test_support.h"

#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QtTest>

#include <map>

using namespace fmc;
using namespace fmc::federation;
using namespace fmc::federation::test;

namespace {

constexpr int kDim = 4;

struct Exposition {
    std::map<QString, double> samples;  // "name{labels}" as written -> value
    QString error;                      // the first invalid line, with why
};

// Parses and checks a whole exposition: HELP/TYPE comments, sample syntax (metric name, label
// names and escaped values, a float value), every sample's family typed before it, each
// family typed once, histogram buckets cumulative with +Inf equal to _count.
Exposition parseExposition(const QByteArray& text) {
    static const QRegularExpression sample(
        "^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"(?:\\\\[\\\\\"n]|[^\"\\\\\\n])*\")(,[a-zA-Z_][a-zA-Z0-9_]*=\"(?:\\\\[\\\\\"n]|[^\"\\\\\\n])*\")*\\})? (?<value>[-+]?(?:[0-9]+(?:\\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|Inf)|NaN)$");
    static const QRegularExpression help("^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*$");
    static const QRegularExpression type("^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|summary|histogram|untyped)$");
    Exposition result;
    std::map<QString, QString> types;
    std::map<QString, double> lastBucket;  // per histogram series (labels without le)
    if (!text.endsWith('\n')) result.error = "the exposition does not end with a newline";
    int number = 0;
    for (const auto& raw : text.split('\n')) {
        ++number;
        const auto line = QString::fromUtf8(raw);
        if (line.isEmpty()) continue;
        const auto where = QStringLiteral("line %1 '%2': ").arg(number).arg(line);
        if (line.startsWith('#')) {
            if (const auto t = type.match(line); t.hasMatch()) {
                if (types.count(t.captured(1))) return {{}, where + "family typed twice"};
                types[t.captured(1)] = t.captured(2);
            } else if (!help.match(line).hasMatch()) {
                return {{}, where + "a comment that is neither HELP nor TYPE"};
            }
            continue;
        }
        const auto m = sample.match(line);
        if (!m.hasMatch()) return {{}, where + "not a valid sample line"};
        const auto name = m.captured(1);
        QString family = name;
        for (const char* suffix : {"_bucket", "_sum", "_count"})
            if (!types.count(family) && name.endsWith(QLatin1String(suffix))) family = name.chopped(int(strlen(suffix)));
        if (!types.count(family)) return {{}, where + "no TYPE line before it"};
        const auto key = line.left(line.lastIndexOf(' '));
        if (result.samples.count(key)) return {{}, where + "sample repeated"};
        const double value = m.captured("value") == "+Inf" ? qInf() : m.captured("value").toDouble();
        result.samples[key] = value;
        if (types[family] == "histogram" && name.endsWith("_bucket")) {
            auto series = key;
            series.remove(QRegularExpression(",?le=\"[^\"]*\""));
            if (lastBucket.count(series) && value < lastBucket[series]) return {{}, where + "buckets not cumulative"};
            lastBucket[series] = value;
        }
    }
    for (const auto& [series, value] : lastBucket) {
        auto count = series;
        count.replace("_bucket{", "_count{");
        if (!result.samples.count(count) || result.samples[count] != value)
            return {{}, series + ": the +Inf bucket differs from _count"};
    }
    return result;
}

std::pair<int, QByteArray> httpGet(const QString& url, const QByteArray& method = "GET") {
    QNetworkAccessManager network;
    QNetworkRequest request{QUrl(url)};
    request.setTransferTimeout(10'000);
    auto* reply = network.sendCustomRequest(request, method);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const auto body = reply->readAll();
    reply->deleteLater();
    return {status, body};
}

}  // namespace

class TestCoordinatorMetrics : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void routeTemplates_data() {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("route");
        QTest::newRow("health") << "/api/v1/health" << "/api/v1/health";
        QTest::newRow("current before {round}") << "/api/v1/federations/fed_x/rounds/current"
                                                << "/api/v1/federations/{federation_id}/rounds/current";
        QTest::newRow("a round") << "/api/v1/federations/fed_x/rounds/12" << "/api/v1/federations/{federation_id}/rounds/{round}";
        QTest::newRow("uploads") << "/api/v1/federations/fed_x/rounds/3/uploads"
                                 << "/api/v1/federations/{federation_id}/rounds/{round}/uploads";
        QTest::newRow("empty segment") << "/api/v1/federations//task" << "";
        QTest::newRow("trailing slash") << "/api/v1/health/" << "";
        QTest::newRow("unknown") << "/wp-admin/login.php" << "";
    }

    void routeTemplates() {
        QFETCH(QString, path);
        QFETCH(QString, route);
        QCOMPARE(routeTemplateOf(path), route);
    }

    void requestsAreCountedByRouteWithCumulativeBuckets() {
        DatabaseConfig database;
        database.path = dir_.filePath("unit.sqlite");
        auto store = CoordinatorStore::open(database);
        CoordinatorMetrics metrics(*store);
        metrics.recordRequest("GET", "/api/v1/federations/fed_a/rounds/1", 200, 0.003);
        metrics.recordRequest("GET", "/api/v1/federations/fed_b/rounds/2", 200, 0.2);
        metrics.recordRequest("GET", "/api/v1/federations/fed_b/rounds/2", 200, 20.0);
        metrics.recordRequest("GET", "/probe\"\\", 404, 0.001);
        const auto parsed = parseExposition(metrics.exposition());
        QVERIFY2(parsed.error.isEmpty(), qPrintable(parsed.error));
        const QString labels = "method=\"GET\",route=\"/api/v1/federations/{federation_id}/rounds/{round}\",status=\"200\"";
        QCOMPARE(parsed.samples.at("fmc_coordinator_http_requests_total{" + labels + "}"), 3.0);
        QCOMPARE(parsed.samples.at("fmc_coordinator_http_request_duration_seconds_bucket{" + labels + ",le=\"0.005\"}"), 1.0);
        QCOMPARE(parsed.samples.at("fmc_coordinator_http_request_duration_seconds_bucket{" + labels + ",le=\"0.25\"}"), 2.0);
        QCOMPARE(parsed.samples.at("fmc_coordinator_http_request_duration_seconds_bucket{" + labels + ",le=\"10\"}"), 2.0);
        QCOMPARE(parsed.samples.at("fmc_coordinator_http_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"}"), 3.0);
        QCOMPARE(parsed.samples.at("fmc_coordinator_http_request_duration_seconds_sum{" + labels + "}"), 20.203);
        // A path no route has is one label value, whatever it was.
        QCOMPARE(parsed.samples.at("fmc_coordinator_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"}"), 1.0);
    }

    void countersMoveAsARoundRuns() {
        const auto certificates = makeCertificates(dir_.filePath("pki"), "federation");
        const auto metricsPort = freePort();
        CoordinatorProcess coordinator(dir_.filePath("coordinator"), certificates, 0,
                                       QJsonObject{{"metrics", QJsonObject{{"address", "127.0.0.1"}, {"port", metricsPort}}}});
        const auto federation = createFederation(coordinator, {"--classes", "a,b", "--bundle-name", "tiny", "--bundle-hash",
                                                              QString(64, 'c'), "--embedding-dim", QString::number(kDim),
                                                              "--rounds", "2", "--min-sites", "2", "--codec", "fp32"});
        coordinator.start();
        QVERIFY2(coordinator.output().contains(QStringLiteral("metrics on http://127.0.0.1:%1/metrics").arg(metricsPort).toUtf8()),
                 coordinator.output().constData());
        const QString url = QStringLiteral("http://127.0.0.1:%1/metrics").arg(metricsPort);
        const auto scrape = [&] {
            const auto [status, body] = httpGet(url);
            if (status != 200) throw Error("scrape: HTTP " + std::to_string(status));
            auto parsed = parseExposition(body);
            if (!parsed.error.isEmpty()) throw Error(parsed.error.toStdString() + "\n" + body.toStdString());
            return parsed.samples;
        };
        try {
            auto before = scrape();
            QCOMPARE(before.at("fmc_coordinator_federations{state=\"running\"}"), 1.0);
            QCOMPARE(before.at("fmc_coordinator_rounds{state=\"open\"}"), 1.0);
            QCOMPARE(before.at("fmc_coordinator_sites{state=\"active\"}"), 0.0);
            QCOMPARE(before.at("fmc_coordinator_uploads_accepted_total"), 0.0);
            QCOMPARE(before.at("fmc_coordinator_aggregation_seconds_count"), 0.0);

            std::vector<std::pair<std::string, std::string>> sites;
            for (const char* name : {"Hospital A", "Hospital B"})
                sites.push_back(enroll(coordinator, federation, name, certificates.caCertificate));
            auto enrolled = scrape();
            QCOMPARE(enrolled.at("fmc_coordinator_sites{state=\"active\"}"), 2.0);
            QCOMPARE(enrolled.at("fmc_coordinator_http_requests_total{method=\"POST\",route=\"/api/v1/enroll\",status=\"201\"}"), 2.0);

            RetryPolicy once;
            once.maxAttempts = 1;
            const auto post = [&](const std::pair<std::string, std::string>& site, const QByteArray& body) {
                CoordinatorClient client(QUrl(coordinator.url()), trustCa(certificates.caCertificate), once);
                client.setToken(site.second);
                return client.post(qs("/federations/" + federation + "/rounds/1/uploads"), body).status;
            };
            const auto fam = [](unsigned seed) { return encodeParameters(syntheticFam(kDim, seed), CodecKind::Fp32Raw); };
            QCOMPARE(post(sites[0], uploadJson(federation, 1, sites[0].first, fam(1), 10, "metrics-a-1", CodecKind::Fp32Raw)), 201);
            QCOMPARE(post(sites[1], uploadJson(federation, 1, sites[1].first, nanPayload(syntheticFam(kDim, 2)), 10,
                                               "metrics-b-bad", CodecKind::Fp32Raw)),
                     400);
            auto midway = scrape();
            QCOMPARE(midway.at("fmc_coordinator_uploads_accepted_total"), 1.0);
            QCOMPARE(midway.at("fmc_coordinator_uploads_rejected_total{reason=\"invalid_payload\"}"), 1.0);
            QCOMPARE(midway.at("fmc_coordinator_rounds{state=\"collecting\"}"), 1.0);
            const QString uploads = "route=\"/api/v1/federations/{federation_id}/rounds/{round}/uploads\"";
            QCOMPARE(midway.at("fmc_coordinator_http_requests_total{method=\"POST\"," + uploads + ",status=\"400\"}"), 1.0);

            QCOMPARE(post(sites[1], uploadJson(federation, 1, sites[1].first, fam(3), 30, "metrics-b-1", CodecKind::Fp32Raw)), 201);
            std::map<QString, double> after;
            QVERIFY(waitUntil([&] {
                after = scrape();
                return after.at("fmc_coordinator_rounds{state=\"published\"}") == 1.0;
            }, 20'000));
            QCOMPARE(after.at("fmc_coordinator_rounds{state=\"open\"}"), 1.0);  // round 2
            QCOMPARE(after.at("fmc_coordinator_rounds{state=\"collecting\"}"), 0.0);
            QCOMPARE(after.at("fmc_coordinator_uploads_accepted_total"), 2.0);
            QCOMPARE(after.at("fmc_coordinator_aggregation_seconds_count"), 1.0);
            QVERIFY(after.at("fmc_coordinator_aggregation_seconds_sum") >= 0.0);
            QCOMPARE(after.at("fmc_coordinator_http_request_duration_seconds_count{method=\"POST\"," + uploads + ",status=\"201\"}"),
                     2.0);

            // HTTPS connections: counted while held, no longer once closed; the peak is the most
            // at once (the scrapes come to the metrics listener, which is not counted).
            const auto connections = [&] { return scrape().at("fmc_coordinator_connections"); };
            const auto peak = [&] { return scrape().at("fmc_coordinator_connections_peak"); };
            QVERIFY(waitUntil([&] { return connections() == 0.0; }, 10'000));  // the clients above are gone
            const double peakOfTheClients = peak();
            QVERIFY(peakOfTheClients >= 1.0);
            const auto hold = [&](int count) {
                std::vector<std::unique_ptr<QSslSocket>> sockets;
                for (int i = 0; i < count; ++i) {
                    auto socket = std::make_unique<QSslSocket>();
                    auto tls = socket->sslConfiguration();
                    tls.setCaCertificates(loadCaCertificates(certificates.caCertificate));
                    socket->setSslConfiguration(tls);
                    socket->connectToHostEncrypted(QStringLiteral("127.0.0.1"), coordinator.port());
                    if (!socket->waitForEncrypted(5000)) throw Error("TLS: " + socket->errorString().toStdString());
                    sockets.push_back(std::move(socket));
                }
                return sockets;
            };
            auto three = hold(3);
            QVERIFY(waitUntil([&] { return connections() == 3.0; }, 10'000));
            const double peakOfThree = std::max(peakOfTheClients, 3.0);
            QCOMPARE(peak(), peakOfThree);
            three.clear();
            QVERIFY(waitUntil([&] { return connections() == 0.0; }, 10'000));
            auto again = hold(3);
            QVERIFY(waitUntil([&] { return connections() == 3.0; }, 10'000));
            QCOMPARE(peak(), peakOfThree);  // three at once again, not six
        } catch (const std::exception& error) {
            QFAIL(error.what());
        }
        // The listener serves GET /metrics and nothing else.
        QCOMPARE(httpGet(url.chopped(int(strlen("metrics"))) + "other").first, 404);
        QCOMPARE(httpGet(url, "POST").first, 405);
    }
};

QTEST_MAIN(TestCoordinatorMetrics)
#include "tst_coordinatormetrics.moc"
