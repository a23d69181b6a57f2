#include "coordinator_benchmark.h"

#include "common/sha256.h"
#include "coordinator/coordinator_server.h"
#include "coordinator/coordinator_service.h"

#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSslConfiguration>
#include <QThread>
#include <QTimer>

#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
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
// `body(i)`: "<Authorization value>\n<body>" of the i-th POST, made when it is sent (no GET
// when set), so that a thousand bodies of a megabyte are never held at once. Each request in
// flight has a manager of its own: one QNetworkAccessManager opens at most 6 connections to a
// host, which would cap the requests in flight at 6 whatever `concurrency` says.
double measureRequests(const QUrl& url, const QByteArray& token, const std::function<QByteArray(int)>& body, int total,
                       int concurrency, const QSslCertificate& trusted) {
    double seconds = 0;
    int failures = 0;
    QThread* worker = QThread::create([&] {
        std::vector<std::unique_ptr<QNetworkAccessManager>> networks;
        for (int slot = 0; slot < std::min(concurrency, total); ++slot)
            networks.push_back(std::make_unique<QNetworkAccessManager>());
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setCaCertificates({trusted});
        QEventLoop loop;
        int started = 0, finished = 0;
        std::function<void(QNetworkAccessManager&)> launch = [&](QNetworkAccessManager& network) {
            QNetworkRequest request(url);
            request.setSslConfiguration(tls);
            request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
            QNetworkReply* reply;
            if (!body) {
                if (!token.isEmpty()) request.setRawHeader("Authorization", token);
                reply = network.get(request);
            } else {
                const auto item = body(started);
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
                else if (started < total) launch(network);
            });
        };
        QElapsedTimer clock;
        clock.start();
        for (auto& network : networks) launch(*network);
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

// All uploads arriving at once, as the server takes them (handleAsync: parsed on the upload
// workers, stored in grouped commits), no network: their bodies are built first, then the
// clock runs from the first request to the last answer. Returns seconds; `commits` receives
// the durable commits the uploads took.
double timeUploadsArrivingTogether(const CoordinatorBenchmarkConfig& config,
                                   const std::vector<std::vector<std::uint8_t>>& payloads, const QString& databasePath,
                                   int parsingThreads, std::int64_t& commits) {
    QFile::remove(databasePath);
    DatabaseConfig database;
    database.path = databasePath;
    auto store = CoordinatorStore::open(database);
    ServiceOptions options;
    options.maxBodyBytes = 64 << 20;
    options.aggregateInBackground = true;
    options.uploadParsingThreads = parsingThreads;
    CoordinatorService service(*store, options);
    // One site more than uploads: the round stays open, so only accepting is timed.
    const auto federationId = service.createFederation(benchSettings(config, AggregationRule::FedAvg, config.sites + 1));
    const auto sites = enrollSites(service, federationId, config.sites + 1);
    std::vector<ApiRequest> requests;
    for (int i = 0; i < config.sites; ++i)
        requests.push_back({"POST", qs("/api/v1/federations/" + federationId + "/rounds/1/uploads"),
                            QByteArray::fromStdString("Bearer " + sites[static_cast<size_t>(i)].token),
                            uploadBody(federationId, sites[static_cast<size_t>(i)], 1, payloads[static_cast<size_t>(i)],
                                       config.codec, i),
                            "127.0.0.1"});
    int answered = 0, refused = 0;
    const auto commitsBefore = store->durableCommits();
    const auto start = Clock::now();
    for (const auto& request : requests)
        service.handleAsync(request, [&](const ApiResponse& response) {
            ++answered;
            if (response.status != 201) ++refused;
        });
    if (!serveUntil([&] { return answered == config.sites; }, 600000))
        throw Error("bench: the uploads were not answered within 10 minutes");
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (refused) throw Error("bench: " + std::to_string(refused) + " uploads arriving together were refused");
    commits = store->durableCommits() - commitsBefore;
    return seconds;
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

double medianOf(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values.empty() ? 0 : values[values.size() / 2];
}

void measureUploadStages(const CoordinatorBenchmarkConfig& config, const FederationSettings& settings,
                         const ParameterSet& reference, const std::vector<std::vector<std::uint8_t>>& payloads,
                         CoordinatorBenchmarkResult& result) {
    const Enrolled site{"site_stages", {}};
    std::vector<double> parse, whole, decode, sha;
    const auto ms = [](Clock::time_point start) {
        return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    };
    CodecLimits limits;
    const auto digest = referenceDigest(reference);  // the coordinator keeps it for the round
    for (std::size_t i = 0; i < payloads.size(); ++i) {
        const auto body = uploadBody("fed_stages", site, 1, payloads[i], config.codec, static_cast<int>(i));
        auto start = Clock::now();
        const auto upload = uploadFromJson(body);
        parse.push_back(ms(start));
        start = Clock::now();
        const auto json = QJsonDocument::fromJson(body).object();
        const auto decoded = QByteArray::fromBase64Encoding(json.value("payload").toString().toLatin1(),
                                                            QByteArray::AbortOnBase64DecodingErrors);
        whole.push_back(ms(start));
        if (!decoded || static_cast<std::size_t>(decoded.decoded.size()) != upload.payload.size())
            throw Error("bench: the two parses read different payloads");
        start = Clock::now();
        (void)decodeUpload(upload.payload, settings, reference, limits, &digest);
        decode.push_back(ms(start));
        start = Clock::now();
        (void)sha256Hex(upload.payload.data(), upload.payload.size());
        sha.push_back(ms(start));
    }
    result.parseMs = medianOf(parse);
    result.wholeJsonParseMs = medianOf(whole);
    result.decodeMs = medianOf(decode);
    result.sha256Ms = medianOf(sha);
}

// Resident memory of this process from /proc/self/status ("VmRSS", "VmHWM"), in MB.
double residentMb(const char* field) {
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly)) return 0;
    for (const auto& line : status.readAll().split('\n'))
        if (line.startsWith(field)) return line.mid(static_cast<qsizetype>(std::strlen(field)) + 1).trimmed().split(' ')[0].toDouble() / 1024.0;
    return 0;
}

// Sets VmHWM back to the current resident size (Linux: "5" in clear_refs).
void resetPeakResident() {
    QFile clear(QStringLiteral("/proc/self/clear_refs"));
    if (!clear.open(QIODevice::WriteOnly) || clear.write("5") != 1)
        throw Error("bench: cannot reset the peak resident size (/proc/self/clear_refs)");
}

// A server on an OS-chosen port with the bench's certificate and a fresh database `databaseFile`.
CoordinatorConfig benchServerConfig(const CoordinatorBenchmarkConfig& config, const QString& databaseFile) {
    CoordinatorConfig serverConfig;
    serverConfig.path = config.workDir;
    serverConfig.port = 0;
    serverConfig.certificatePath = QDir(config.workDir).filePath("cert.pem");
    serverConfig.keyPath = QDir(config.workDir).filePath("key.pem");
    serverConfig.database.path = QDir(config.workDir).filePath(databaseFile);
    serverConfig.limits.maxBodyBytes = 64 << 20;
    // Every simulated site connects from 127.0.0.1: one connection per request in flight, and
    // the health probe's.
    serverConfig.limits.maxConnectionsPerAddress =
        std::max(serverConfig.limits.maxConnectionsPerAddress, config.concurrency + 1);
    for (const auto* suffix : {"", "-wal", "-shm"}) QFile::remove(serverConfig.database.path + suffix);
    return serverConfig;
}

// A round of `siteCount` sites in a coordinator of its own, each site uploading once over
// HTTPS (`concurrency` in flight), the last upload closing the round.
CoordinatorBenchmarkResult::ServedRound measureServedRound(const CoordinatorBenchmarkConfig& config, int siteCount,
                                                           bool streaming,
                                                           const std::vector<std::vector<std::uint8_t>>& payloads) {
    CoordinatorBenchmarkResult::ServedRound figures;
    figures.sites = siteCount;
    figures.streaming = streaming;
    auto serverConfig = benchServerConfig(config, "served-round.sqlite");
    serverConfig.streamingAggregation = streaming;
    serverConfig.parseUploadsOnWorkers = streaming;
    CoordinatorServer server(serverConfig);
    const auto port = server.listen();
    auto& service = server.service();
    const auto federationId = service.createFederation(benchSettings(config, AggregationRule::FedAvg, siteCount));
    const auto sites = enrollSites(service, federationId, siteCount);
    const auto certificate = QSslCertificate::fromPath(serverConfig.certificatePath).first();
    const auto uploadRequest = [&](int i) {
        const auto& site = sites[static_cast<size_t>(i)];
        return QByteArray::fromStdString("Bearer " + site.token) + '\n' +
               uploadBody(federationId, site, 1, payloads[static_cast<size_t>(i) % payloads.size()], config.codec, i);
    };
    malloc_trim(0);  // what earlier measurements freed goes back to the system first
    figures.startRssMb = residentMb("VmRSS:");
    resetPeakResident();
    figures.uploadsPerSecond =
        measureRequests(QUrl(QStringLiteral("https://127.0.0.1:%1/api/v1/federations/%2/rounds/1/uploads")
                                 .arg(port)
                                 .arg(qs(federationId))),
                        {}, uploadRequest, siteCount, config.concurrency, certificate);
    if (!serveUntil([&] { return service.store().round(federationId, 1)->state == "published"; }, 600000))
        throw Error("bench: the round was not published within 10 minutes");
    figures.peakRssMb = residentMb("VmHWM:");
    figures.peakConnections = server.peakConnections();
    std::int64_t lastUpload = 0;
    for (const auto& upload : service.store().uploads(federationId, 1, false)) lastUpload = std::max(lastUpload, upload.receivedAt);
    figures.publishMs = static_cast<double>(*service.store().round(federationId, 1)->publishedAt - lastUpload);
    return figures;
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
    if (codecNeedsReference(config.codec) && config.deltaBudgetBytes > 0)
        result.codec += " (at most " + std::to_string(config.deltaBudgetBytes) + " bytes per upload)";

    log(QStringLiteral("encoding %1 random FAMs of D=%2").arg(config.sites).arg(config.embeddingDim));
    std::mt19937_64 random(7);
    std::vector<std::vector<std::uint8_t>> payloads;
    // Every measured round is a federation's round 1: a delta codec codes against the zero FAM.
    const auto settings = benchSettings(config, AggregationRule::FedAvg, config.sites);
    const auto reference = uploadReference(1, settings, {});
    for (int i = 0; i < config.sites; ++i)
        payloads.push_back(encodeUpload(randomFam(config.embeddingDim, random), settings, 1, {}, config.deltaBudgetBytes));
    result.uploadPayloadBytes = payloads[0].size();

    log(QStringLiteral("the stages of one upload's parsing"));
    measureUploadStages(config, settings, reference, payloads, result);
    log(QStringLiteral("one round with FedAvg"));
    std::tie(result.uploadsSeconds, result.aggregationSeconds) =
        timeRound(config, AggregationRule::FedAvg, payloads, QDir(config.workDir).filePath("fedavg.sqlite"),
                  result.uploadBodyBytes);
    log(QStringLiteral("%1 uploads arriving together").arg(config.sites));
    for (const int threads : {0, QThread::idealThreadCount()}) {
        std::int64_t commits = 0;
        const double seconds =
            timeUploadsArrivingTogether(config, payloads, QDir(config.workDir).filePath("together.sqlite"), threads, commits);
        result.arrivingTogether.push_back({threads ? threads : std::max(1, QThread::idealThreadCount() - 1), seconds, commits});
    }
    log(QStringLiteral("one round with the coordinate-wise median"));
    std::size_t ignored = 0;
    result.medianSeconds = timeRound(config, AggregationRule::Median, payloads,
                                     QDir(config.workDir).filePath("median.sqlite"), ignored)
                               .second;

    log(QStringLiteral("HTTPS: generating a certificate and starting the server"));
    makeCertificate(config.workDir);
    const auto serverConfig = benchServerConfig(config, "https.sqlite");
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
        measureRequests(QUrl(base + "/health"), {}, nullptr, config.requests, config.concurrency, certificate);
    log(QStringLiteral("HTTPS: %1 x GET rounds/current").arg(config.requests));
    result.roundRequestsPerSecond =
        measureRequests(QUrl(qs(ss(base) + "/federations/" + federationId + "/rounds/current")),
                        QByteArray::fromStdString("Bearer " + sites[0].token), nullptr, config.requests, config.concurrency,
                        certificate);
    log(QStringLiteral("HTTPS: %1 x POST uploads").arg(config.sites));
    const auto uploadRequest = [&](int i) {
        return QByteArray::fromStdString("Bearer " + sites[static_cast<size_t>(i)].token) + '\n' +
               uploadBody(federationId, sites[static_cast<size_t>(i)], 1, payloads[static_cast<size_t>(i)], config.codec, i);
    };
    result.httpsUploadsPerSecond =
        measureRequests(QUrl(qs(ss(base) + "/federations/" + federationId + "/rounds/1/uploads")), {}, uploadRequest,
                        config.sites, config.concurrency, certificate);
    log(QStringLiteral("HTTPS: GET /health while the server aggregates %1 uploads").arg(config.sites));
    measureHealthDuringAggregation(service, config, payloads, QUrl(base + "/health"), certificate, result);
    // A few distinct FAMs are enough: the figures do not depend on the values.
    payloads.resize(std::min<std::size_t>(payloads.size(), 8));
    for (const int siteCount : config.streamedRoundSites)
        for (const bool streaming : {true, false}) {
            if (!streaming && !config.compareWithAllInMemory) continue;
            log(QStringLiteral("HTTPS: a round of %1 uploads, %2").arg(siteCount).arg(streaming ? "streamed" : "as before"));
            result.servedRounds.push_back(measureServedRound(config, siteCount, streaming, payloads));
        }
    return result;
}

std::string formatCoordinatorBenchmark(const CoordinatorBenchmarkResult& r) {
    char buffer[2048];
    std::snprintf(buffer, sizeof buffer,
                  "coordinator benchmark: %d uploads of a D=%d FAM (%s payload %zu bytes, JSON body %zu bytes)\n"
                  "  accept all uploads (parse, validate, store; no network): %.3f s (%.1f ms each)\n"
                  "  one upload off the server's thread (medians): parse %.2f ms (Qt's JSON parser over the whole "
                  "body: %.2f ms, %.1fx), decode %.2f ms (inflated by %s), SHA-256 %.2f ms\n"
                  "  aggregate one round, FedAvg weighted by samples:        %.3f s\n"
                  "  aggregate one round, coordinate-wise median:            %.3f s\n"
                  "HTTPS, 127.0.0.1 (the coordinator serves requests on one thread):\n"
                  "  GET /api/v1/health:                                     %.0f requests/s\n"
                  "  GET .../rounds/current (token check + database):        %.0f requests/s\n"
                  "  POST .../uploads (%zu-byte bodies, validated + stored):  %.1f uploads/s\n"
                  "  a round of %d uploads closing in the running server:     %.3f s until it is published\n"
                  "  GET /api/v1/health meanwhile (one at a time):           worst %.1f ms over %d requests\n",
                  r.sites, r.embeddingDim, r.codec.c_str(), r.uploadPayloadBytes, r.uploadBodyBytes, r.uploadsSeconds,
                  1000.0 * r.uploadsSeconds / std::max(1, r.sites), r.parseMs, r.wholeJsonParseMs,
                  r.wholeJsonParseMs / std::max(1e-9, r.parseMs), r.decodeMs, payloadInflater(), r.sha256Ms, r.aggregationSeconds,
                  r.medianSeconds,
                  r.healthRequestsPerSecond, r.roundRequestsPerSecond, r.uploadBodyBytes, r.httpsUploadsPerSecond,
                  r.sites, r.servedAggregationSeconds, r.worstHealthMsDuringAggregation,
                  r.healthRequestsDuringAggregation);
    std::string text = buffer;
    std::string together;  // printed beside the uploads accepted one at a time
    for (const auto& figures : r.arrivingTogether) {
        std::snprintf(buffer, sizeof buffer,
                      "  the same uploads arriving at once, as the server takes them (%d parsing thread%s, grouped "
                      "commits; no network): %.3f s, %.1f uploads/s, %lld commits\n",
                      figures.parsingThreads, figures.parsingThreads == 1 ? "" : "s", figures.seconds,
                      r.sites / std::max(1e-9, figures.seconds), static_cast<long long>(figures.commits));
        together += buffer;
    }
    text.insert(text.find("  one upload off"), together);
    if (r.servedRounds.empty()) return text;
    text += "HTTPS rounds, every site uploading once (" + std::to_string(r.uploadPayloadBytes) +
            "-byte payloads), the last upload closing the round:\n"
            "  (before: uploads parsed on the server's thread, every upload decoded into memory at the close)\n"
            "  sites  path            accepted uploads/s  published after last upload  RSS before -> peak  "
            "connections at once\n";
    for (const auto& round : r.servedRounds) {
        std::snprintf(buffer, sizeof buffer, "  %5d  %-14s  %18.1f  %24.0f ms  %7.0f -> %4.0f MB  %19d\n",
                      round.sites, round.streaming ? "streamed" : "before", round.uploadsPerSecond, round.publishMs,
                      round.startRssMb, round.peakRssMb, round.peakConnections);
        text += buffer;
    }
    for (const auto& streamed : r.servedRounds) {
        if (!streamed.streaming) continue;
        for (const auto& old : r.servedRounds) {
            if (old.streaming || old.sites != streamed.sites) continue;
            std::snprintf(buffer, sizeof buffer,
                          "  %5d sites, streamed vs before: accept rate x%.2f, publication %.1fx sooner, "
                          "memory growth %.0f vs %.0f MB\n",
                          streamed.sites, streamed.uploadsPerSecond / old.uploadsPerSecond,
                          old.publishMs / std::max(1.0, streamed.publishMs), streamed.peakRssMb - streamed.startRssMb,
                          old.peakRssMb - old.startRssMb);
            text += buffer;
        }
    }
    return text;
}

}  // namespace fmc::federation
