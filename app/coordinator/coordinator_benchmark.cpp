#include "coordinator_benchmark.h"

#include "coordinator/coordinator_server.h"
#include "coordinator/coordinator_service.h"

#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSslConfiguration>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <cstdio>
#include <random>

namespace fmc::federation {
namespace {

using Clock = std::chrono::steady_clock;

struct Enrolled {
    std::string siteId;
    std::string token;
};

// Enrolls `count` sites through the API, as real sites would.
std::vector<Enrolled> enrollSites(CoordinatorService& service, const std::string& federationId, int count) {
    std::vector<Enrolled> sites;
    for (int i = 0; i < count; ++i) {
        const auto issued = service.issueEnrollmentCode(federationId, "bench site " + std::to_string(i + 1), 3600);
        ApiRequest request;
        request.method = "POST";
        request.path = QStringLiteral("/api/v1/enroll");
        request.body = QJsonDocument(QJsonObject{{"code", qs(issued.code)}}).toJson(QJsonDocument::Compact);
        const auto response = service.handle(request);
        if (response.status != 201) throw Error("bench: enrollment failed: " + response.body.toStdString());
        const auto json = QJsonDocument::fromJson(response.body).object();
        sites.push_back({ss(json.value("site_id").toString()), ss(json.value("token").toString())});
    }
    return sites;
}

ParameterSet randomFam(int dim, std::mt19937_64& random) {
    auto fam = famLayout(dim, true);
    std::normal_distribution<float> weight(0.0f, 0.05f);
    std::uniform_real_distribution<float> threshold(0.0f, 0.01f);
    for (auto& tensor : fam) {
        tensor.values.resize(static_cast<size_t>(tensor.numel()));
        const bool isThreshold = tensor.name.find("threshold") != std::string::npos;
        for (auto& value : tensor.values) value = isThreshold ? threshold(random) : weight(random);
    }
    return fam;
}

QByteArray uploadBody(const std::string& federationId, const Enrolled& site, int round, const std::vector<std::uint8_t>& payload,
                      CodecKind codec, int index) {
    UploadBody upload;
    upload.federationId = federationId;
    upload.round = round;
    upload.siteId = site.siteId;
    upload.idempotencyKey = "bench-" + std::to_string(round) + "-" + std::to_string(index);
    upload.sampleCount = 100 + index;
    upload.metrics = {{"train_loss", 1.0}, {"validation_accuracy", 0.5}};
    upload.codec = codecName(codec);
    upload.payload = payload;
    return uploadToJson(upload);
}

// One site's upload through the API (no network); throws unless it is accepted.
void uploadThroughService(CoordinatorService& service, const std::string& federationId, const Enrolled& site,
                          const std::vector<std::uint8_t>& payload, CodecKind codec, int index) {
    ApiRequest request;
    request.method = "POST";
    request.path = qs("/api/v1/federations/" + federationId + "/rounds/1/uploads");
    request.authorization = QByteArray::fromStdString("Bearer " + site.token);
    request.body = uploadBody(federationId, site, 1, payload, codec, index);
    const auto response = service.handle(request);
    if (response.status != 201) throw Error("bench: upload refused: " + response.body.toStdString());
}

FederationSettings benchSettings(const CoordinatorBenchmarkConfig& config, AggregationRule rule, int minSites) {
    FederationSettings settings;
    settings.name = "benchmark";
    settings.classNames = {"a", "b"};
    settings.bundleName = "bench";
    settings.bundleHash = std::string(64, 'a');
    settings.embeddingDim = config.embeddingDim;
    settings.rounds = 2;
    settings.minSites = minSites;
    settings.roundDeadlineSeconds = 3600;
    settings.codec = config.codec;
    settings.aggregation = rule;
    settings.normBound = 0;
    return settings;
}

// One round through the service (no network): returns {upload seconds, aggregation seconds}.
std::pair<double, double> timeRound(const CoordinatorBenchmarkConfig& config, AggregationRule rule,
                                    const std::vector<std::vector<std::uint8_t>>& payloads, const QString& databasePath,
                                    std::size_t& bodyBytes) {
    QFile::remove(databasePath);
    DatabaseConfig database;
    database.path = databasePath;
    auto store = CoordinatorStore::open(database);
    std::int64_t now = nowMs();
    ServiceOptions options;
    options.clock = [&now] { return now; };
    options.maxBodyBytes = 64 << 20;
    CoordinatorService service(*store, options);
    // One site more than uploads, so the round waits for the deadline and aggregation is timed alone.
    const auto federationId = service.createFederation(benchSettings(config, rule, config.sites));
    const auto sites = enrollSites(service, federationId, config.sites + 1);
    double uploadSeconds = 0;
    for (int i = 0; i < config.sites; ++i) {
        ApiRequest request;
        request.method = "POST";
        request.path = qs("/api/v1/federations/" + federationId + "/rounds/1/uploads");
        request.authorization = QByteArray::fromStdString("Bearer " + sites[static_cast<size_t>(i)].token);
        request.body = uploadBody(federationId, sites[static_cast<size_t>(i)], 1, payloads[static_cast<size_t>(i)],
                                  config.codec, i);
        bodyBytes = static_cast<std::size_t>(request.body.size());
        const auto start = Clock::now();
        const auto response = service.handle(request);
        uploadSeconds += std::chrono::duration<double>(Clock::now() - start).count();
        if (response.status != 201) throw Error("bench: upload refused: " + response.body.toStdString());
    }
    now += 3601 * 1000LL;
    const auto start = Clock::now();
    if (service.tick() != 1) throw Error("bench: the round did not aggregate");
    return {uploadSeconds, std::chrono::duration<double>(Clock::now() - start).count()};
}

void makeCertificate(const QString& dir) {
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"),
                  {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                   dir + "/key.pem", "-out", dir + "/cert.pem", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
                   "subjectAltName=IP:127.0.0.1"});
    if (!openssl.waitForFinished(30000) || openssl.exitCode() != 0)
        throw Error("bench: 'openssl req' failed; the HTTPS measurement needs the openssl command");
}

// Sends `total` requests from a worker thread, `concurrency` in flight; returns requests/s.
double measureRequests(const QUrl& url, const QByteArray& token, const QList<QByteArray>& bodies, int total,
                       int concurrency, const QSslCertificate& trusted) {
    double seconds = 0;
    int failures = 0;
    QThread* worker = QThread::create([&] {
        QNetworkAccessManager network;
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setCaCertificates({trusted});
        QEventLoop loop;
        int started = 0, finished = 0;
        std::function<void()> launch = [&] {
            QNetworkRequest request(url);
            request.setSslConfiguration(tls);
            request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
            QNetworkReply* reply;
            if (bodies.isEmpty()) {
                if (!token.isEmpty()) request.setRawHeader("Authorization", token);
                reply = network.get(request);
            } else {
                const auto& item = bodies[started];
                const auto separator = item.indexOf('\n');
                request.setRawHeader("Authorization", item.left(separator));
                request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
                reply = network.post(request, item.mid(separator + 1));
            }
            ++started;
            QObject::connect(reply, &QNetworkReply::finished, &loop, [&, reply] {
                const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
                if (status < 200 || status >= 300) ++failures;
                reply->deleteLater();
                if (++finished == total) loop.quit();
                else if (started < total) launch();
            });
        };
        QElapsedTimer clock;
        clock.start();
        for (int i = 0; i < std::min(concurrency, total); ++i) launch();
        loop.exec();
        seconds = clock.elapsed() / 1000.0;
    });
    QEventLoop wait;
    QObject::connect(worker, &QThread::finished, &wait, &QEventLoop::quit);
    worker->start();
    wait.exec();
    delete worker;
    if (failures > 0) throw Error("bench: " + std::to_string(failures) + " of " + std::to_string(total) + " requests failed");
    return total / seconds;
}

// Runs this thread's event loop (which serves the in-process coordinator) until `done`; false on timeout.
bool serveUntil(const std::function<bool()>& done, int timeoutMs) {
    if (done()) return true;
    QEventLoop loop;
    QTimer poll;
    QElapsedTimer clock;
    clock.start();
    bool reached = false;
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if ((reached = done()) || clock.elapsed() > timeoutMs) loop.quit();
    });
    poll.start(2);
    loop.exec();
    return reached;
}

// GET /health from a worker thread, one request at a time, back to back, until stopped:
// when each started and ended.
class HealthProbe {
public:
    using Interval = std::pair<Clock::time_point, Clock::time_point>;

    HealthProbe(const QUrl& url, const QSslCertificate& trusted) {
        thread_.reset(QThread::create([this, url, trusted] {
            QNetworkAccessManager network;
            QNetworkRequest request(url);
            auto tls = QSslConfiguration::defaultConfiguration();
            tls.setCaCertificates({trusted});
            request.setSslConfiguration(tls);
            request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
            QEventLoop loop;
            std::function<void()> launch = [&] {
                if (stop_) return loop.quit();
                const auto start = Clock::now();
                auto* reply = network.get(request);
                QObject::connect(reply, &QNetworkReply::finished, &loop, [&, reply, start] {
                    if (reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() != 200) ++failures_;
                    intervals_.emplace_back(start, Clock::now());
                    ++completed_;
                    reply->deleteLater();
                    launch();
                });
            };
            launch();
            loop.exec();
        }));
        thread_->start();
    }
    ~HealthProbe() { stop(); }

    int completed() const { return completed_; }

    std::vector<Interval> finish() {
        stop();
        if (failures_ > 0) throw Error("bench: " + std::to_string(failures_.load()) + " health requests failed");
        return intervals_;
    }

private:
    void stop() {
        stop_ = true;
        // The last request in flight still needs this thread's event loop to be answered.
        serveUntil([&] { return thread_->isFinished(); }, 60000);
        thread_->wait();
    }

    std::unique_ptr<QThread> thread_;
    std::atomic<bool> stop_{false};
    std::atomic<int> completed_{0}, failures_{0};
    std::vector<Interval> intervals_;  // written by the probe thread, read after it ended
};

// A round of `sites` uploads closes in the running server while a health probe runs: how long
// the server takes to publish it, and how long the health requests in flight meanwhile took.
// The round closes when the one site that did not upload is revoked, so the window holds the
// aggregation and nothing of an upload's own handling.
void measureHealthDuringAggregation(CoordinatorService& service, const CoordinatorBenchmarkConfig& config,
                                    const std::vector<std::vector<std::uint8_t>>& payloads, const QUrl& healthUrl,
                                    const QSslCertificate& certificate, CoordinatorBenchmarkResult& result) {
    const auto federationId = service.createFederation(benchSettings(config, AggregationRule::FedAvg, config.sites));
    const auto sites = enrollSites(service, federationId, config.sites + 1);
    for (int i = 0; i < config.sites; ++i)
        uploadThroughService(service, federationId, sites[static_cast<size_t>(i)], payloads[static_cast<size_t>(i)],
                             config.codec, i);
    HealthProbe probe(healthUrl, certificate);
    if (!serveUntil([&] { return probe.completed() >= 5; }, 30000))
        throw Error("bench: the health probe got no answers");
    const auto start = Clock::now();
    service.revokeSite(sites.back().siteId);
    if (!serveUntil([&] { return service.store().round(federationId, 1)->state == "published"; }, 600000))
        throw Error("bench: the round was not published within 10 minutes");
    const auto end = Clock::now();
    result.servedAggregationSeconds = std::chrono::duration<double>(end - start).count();
    for (const auto& [begin, finish] : probe.finish()) {
        if (finish < start || begin > end) continue;
        ++result.healthRequestsDuringAggregation;
        result.worstHealthMsDuringAggregation = std::max(
            result.worstHealthMsDuringAggregation, std::chrono::duration<double, std::milli>(finish - begin).count());
    }
}

}  // namespace

CoordinatorBenchmarkResult runCoordinatorBenchmark(const CoordinatorBenchmarkConfig& config) {
    if (config.sites < 1 || config.embeddingDim < 1) throw Error("bench: sites and dim must be positive");
    const auto log = [&](const QString& message) {
        if (config.log) config.log(message);
    };
    QDir().mkpath(config.workDir);
    CoordinatorBenchmarkResult result;
    result.sites = config.sites;
    result.embeddingDim = config.embeddingDim;
    result.codec = codecName(config.codec);

    log(QStringLiteral("encoding %1 random FAMs of D=%2").arg(config.sites).arg(config.embeddingDim));
    std::mt19937_64 random(7);
    std::vector<std::vector<std::uint8_t>> payloads;
    for (int i = 0; i < config.sites; ++i) payloads.push_back(encodeParameters(randomFam(config.embeddingDim, random), config.codec));
    result.uploadPayloadBytes = payloads[0].size();

    log(QStringLiteral("one round with FedAvg"));
    std::tie(result.uploadsSeconds, result.aggregationSeconds) =
        timeRound(config, AggregationRule::FedAvg, payloads, QDir(config.workDir).filePath("fedavg.sqlite"),
                  result.uploadBodyBytes);
    log(QStringLiteral("one round with the coordinate-wise median"));
    std::size_t ignored = 0;
    result.medianSeconds = timeRound(config, AggregationRule::Median, payloads,
                                     QDir(config.workDir).filePath("median.sqlite"), ignored)
                               .second;

    log(QStringLiteral("HTTPS: generating a certificate and starting the server"));
    makeCertificate(config.workDir);
    CoordinatorConfig serverConfig;
    serverConfig.path = config.workDir;
    serverConfig.port = 0;
    serverConfig.certificatePath = QDir(config.workDir).filePath("cert.pem");
    serverConfig.keyPath = QDir(config.workDir).filePath("key.pem");
    serverConfig.database.path = QDir(config.workDir).filePath("https.sqlite");
    serverConfig.limits.maxBodyBytes = 64 << 20;
    QFile::remove(serverConfig.database.path);
    CoordinatorServer server(serverConfig);
    const auto port = server.listen();
    auto& service = server.service();
    // The round never closes during the measurement (one site more than uploads).
    const auto federationId = service.createFederation(benchSettings(config, AggregationRule::FedAvg, config.sites + 1));
    const auto sites = enrollSites(service, federationId, config.sites);
    const QString base = QStringLiteral("https://127.0.0.1:%1/api/v1").arg(port);
    const auto certificate = QSslCertificate::fromPath(serverConfig.certificatePath).first();

    log(QStringLiteral("HTTPS: %1 x GET /health").arg(config.requests));
    result.healthRequestsPerSecond =
        measureRequests(QUrl(base + "/health"), {}, {}, config.requests, config.concurrency, certificate);
    log(QStringLiteral("HTTPS: %1 x GET rounds/current").arg(config.requests));
    result.roundRequestsPerSecond =
        measureRequests(QUrl(qs(ss(base) + "/federations/" + federationId + "/rounds/current")),
                        QByteArray::fromStdString("Bearer " + sites[0].token), {}, config.requests, config.concurrency,
                        certificate);
    log(QStringLiteral("HTTPS: %1 x POST uploads").arg(config.sites));
    QList<QByteArray> bodies;
    for (int i = 0; i < config.sites; ++i)
        bodies << QByteArray::fromStdString("Bearer " + sites[static_cast<size_t>(i)].token) + '\n' +
                      uploadBody(federationId, sites[static_cast<size_t>(i)], 1, payloads[static_cast<size_t>(i)],
                                 config.codec, i);
    result.httpsUploadsPerSecond =
        measureRequests(QUrl(qs(ss(base) + "/federations/" + federationId + "/rounds/1/uploads")), {}, bodies,
                        config.sites, config.concurrency, certificate);
    log(QStringLiteral("HTTPS: GET /health while the server aggregates %1 uploads").arg(config.sites));
    measureHealthDuringAggregation(service, config, payloads, QUrl(base + "/health"), certificate, result);
    return result;
}

std::string formatCoordinatorBenchmark(const CoordinatorBenchmarkResult& r) {
    char buffer[2048];
    std::snprintf(buffer, sizeof buffer,
                  "coordinator benchmark: %d uploads of a D=%d FAM (%s payload %zu bytes, JSON body %zu bytes)\n"
                  "  accept all uploads (parse, validate, store; no network): %.3f s (%.1f ms each)\n"
                  "  aggregate one round, FedAvg weighted by samples:        %.3f s\n"
                  "  aggregate one round, coordinate-wise median:            %.3f s\n"
                  "HTTPS, 127.0.0.1 (the coordinator serves requests on one thread):\n"
                  "  GET /api/v1/health:                                     %.0f requests/s\n"
                  "  GET .../rounds/current (token check + database):        %.0f requests/s\n"
                  "  POST .../uploads (%zu-byte bodies, validated + stored):  %.1f uploads/s\n"
                  "  a round of %d uploads closing in the running server:     %.3f s until it is published\n"
                  "  GET /api/v1/health meanwhile (one at a time):           worst %.1f ms over %d requests\n",
                  r.sites, r.embeddingDim, r.codec.c_str(), r.uploadPayloadBytes, r.uploadBodyBytes, r.uploadsSeconds,
                  1000.0 * r.uploadsSeconds / std::max(1, r.sites), r.aggregationSeconds, r.medianSeconds,
                  r.healthRequestsPerSecond, r.roundRequestsPerSecond, r.uploadBodyBytes, r.httpsUploadsPerSecond,
                  r.sites, r.servedAggregationSeconds, r.worstHealthMsDuringAggregation,
                  r.healthRequestsDuringAggregation);
    return buffer;
}

}  // namespace fmc::federation
