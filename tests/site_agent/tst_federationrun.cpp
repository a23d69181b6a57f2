// Whole federations with real processes on 127.0.0.1: a coordinator, nginx in front of it
// (the shipped installer/nginx config), and three `fedmedclip-cli site run` processes, each
// on its own acquiring centre of ../shared/data/dermoscopy-isic9: either the images its
// staff imported into the site's workspace (`fedmedclip-cli import`, the default way) or,
// as in research runs, the centre's slice of the CSV (--data). Checks the result against a
// recomputation from the captured uploads, what the coordinator received (privacy), what
// each site recorded in its store, and the faults: a dropped connection during an upload, a
// site killed mid-round and the coordinator killed mid-round and restarted.
#include "common/aggregation.h"
#include "common/sha256.h"
#include "site_agent/coordinator_client.h"
#include "site_agent/site_agent.h"
#include "federation_test_support.h"
#include "site/site_workspace.h"

#include <QDateTime>
#include <QDirIterator>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>

#include <set>

using namespace fmc;
using namespace fmc::federation;
using namespace fmc::federation::test;

namespace {

const QString kDataCsv = QStringLiteral(FMC_SHARED_DATA_DIR "/dermoscopy-isic9/sites.csv");
const QStringList kCentres{"HAM_rosendahl", "HAM_vidir_modern", "HAM_vidir_molemax"};
constexpr int kImagesPerSite = 150;
constexpr int kImportedImagesPerClass = 6;  // per class and site, into the site's workspace
constexpr int kSiteTimeoutMs = 150'000;

// Forwards TCP between a site and the server and, once, cuts the connection that carried
// an upload just as the answer starts to come back: the upload arrived, the site never
// hears so. TLS passes through untouched.
class DroppingProxy {
public:
    DroppingProxy(quint16 upstreamPort, qint64 uploadBytes) : upstreamPort_(upstreamPort), uploadBytes_(uploadBytes) {
        server_.listen(QHostAddress::LocalHost, 0);
        QObject::connect(&server_, &QTcpServer::newConnection, [this] {
            while (auto* client = server_.nextPendingConnection()) relay(client);
        });
    }
    quint16 port() const { return server_.serverPort(); }
    int dropped() const { return dropped_; }

private:
    void relay(QTcpSocket* client) {
        auto* upstream = new QTcpSocket(client);
        auto sentUp = std::make_shared<qint64>(0);
        auto pending = std::make_shared<QByteArray>();
        QObject::connect(client, &QTcpSocket::readyRead, client, [=] {
            const auto data = client->readAll();
            *sentUp += data.size();
            if (upstream->state() == QAbstractSocket::ConnectedState) upstream->write(data);
            else pending->append(data);
        });
        QObject::connect(upstream, &QTcpSocket::connected, client, [=] { upstream->write(*pending); });
        QObject::connect(upstream, &QTcpSocket::readyRead, client, [=] {
            const auto data = upstream->readAll();
            if (*sentUp >= uploadBytes_ && dropped_ == 0) {
                ++dropped_;
                client->abort();
                upstream->abort();
                return;
            }
            client->write(data);
        });
        QObject::connect(upstream, &QTcpSocket::disconnected, client, [=] { client->disconnectFromHost(); });
        QObject::connect(client, &QTcpSocket::disconnected, client, [=] {
            upstream->disconnectFromHost();
            client->deleteLater();
        });
        upstream->connectToHost(QHostAddress::LocalHost, upstreamPort_);
    }

    QTcpServer server_;
    quint16 upstreamPort_;
    qint64 uploadBytes_;
    int dropped_ = 0;
};

// Debian's nginx with the shipped site config, on a loopback port, with its own files.
class NginxProcess {
public:
    NginxProcess(const QString& dir, const CertificateSet& certificates, quint16 coordinatorPort) : dir_(dir) {
        QDir().mkpath(dir + "/tmp");
        QFile shipped(QStringLiteral(FMC_SOURCE_DIR "/installer/nginx/fedmedclip-coordinator.conf"));
        if (!shipped.open(QIODevice::ReadOnly)) throw Error("cannot read installer/nginx/fedmedclip-coordinator.conf");
        QString site = QString::fromUtf8(shipped.readAll());
        port_ = freePort();
        const auto substitute = [&](const QString& from, const QString& to) {
            if (!site.contains(from)) throw Error("the shipped nginx config no longer contains '" + ss(from) + "'");
            site.replace(from, to);
        };
        substitute("listen 443 ssl http2;", QStringLiteral("listen 127.0.0.1:%1 ssl http2;").arg(port_));
        substitute("    listen [::]:443 ssl http2;\n", {});
        substitute("/etc/fedmedclip-coordinator/tls/fullchain.pem", certificates.serverCertificate);
        substitute("/etc/fedmedclip-coordinator/tls/privkey.pem", certificates.serverKey);
        substitute("/etc/fedmedclip-coordinator/tls/coordinator-ca.pem", certificates.caCertificate);
        substitute("server 127.0.0.1:8443;", QStringLiteral("server 127.0.0.1:%1;").arg(coordinatorPort));
        write(dir + "/site.conf", site.toUtf8());
        write(dir + "/nginx.conf", QStringLiteral("pid %1/nginx.pid;\n"
                                                  "error_log %1/error.log info;\n"
                                                  "daemon off;\n"
                                                  "worker_processes 1;\n"
                                                  "events { worker_connections 256; }\n"
                                                  "http {\n"
                                                  "  access_log %1/access.log;\n"
                                                  "  client_body_temp_path %1/tmp/body;\n"
                                                  "  proxy_temp_path %1/tmp/proxy;\n"
                                                  "  fastcgi_temp_path %1/tmp/fastcgi;\n"
                                                  "  uwsgi_temp_path %1/tmp/uwsgi;\n"
                                                  "  scgi_temp_path %1/tmp/scgi;\n"
                                                  "  include %1/site.conf;\n"
                                                  "}\n")
                                       .arg(dir)
                                       .toUtf8());
    }

    void start() {
        const QStringList arguments{"-p", dir_, "-c", dir_ + "/nginx.conf", "-e", dir_ + "/error.log"};
        const auto [code, output] = runCommand(executable(), QStringList{"-t"} + arguments);
        if (code != 0) throw Error("nginx -t rejects the generated config: " + output.toStdString());
        process_ = std::make_unique<ChildProcess>("nginx", executable(), arguments);
        process_->start();
        if (!waitUntil([&] {
                QTcpSocket probe;
                probe.connectToHost(QHostAddress::LocalHost, port_);
                return probe.waitForConnected(200);
            },
                       10000))
            throw Error("nginx did not start listening: " + errorLog().toStdString());
    }
    ~NginxProcess() {
        if (process_) process_->terminate();
    }

    static QString executable() {
        const QStringList system{"/usr/sbin", "/usr/local/sbin", "/sbin"};
        return QStandardPaths::findExecutable("nginx", system).isEmpty() ? QStandardPaths::findExecutable("nginx")
                                                                         : QStandardPaths::findExecutable("nginx", system);
    }
    quint16 port() const { return port_; }
    QString url() const { return QStringLiteral("https://127.0.0.1:%1").arg(port_); }
    QByteArray errorLog() const {
        QFile file(dir_ + "/error.log");
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }

private:
    static void write(const QString& path, const QByteArray& data) {
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size()) throw Error("cannot write " + ss(path));
    }

    QString dir_;
    quint16 port_ = 0;
    std::unique_ptr<ChildProcess> process_;
};

QJsonObject roundOf(const QJsonArray& rounds, int number) {
    for (const auto& round : rounds)
        if (round.toObject().value("round").toInt() == number) return round.toObject();
    return {};
}

qint64 msBetween(const QJsonValue& from, const QJsonValue& to) {
    return QDateTime::fromString(from.toString(), Qt::ISODateWithMs)
        .msecsTo(QDateTime::fromString(to.toString(), Qt::ISODateWithMs));
}

}  // namespace

class TestFederationRun : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    CertificateSet certificates_;
    QString bundleDir_, classesFile_;
    QStringList classes_;  // the federation's, in its order
    std::vector<std::unique_ptr<ChildProcess>> sites_;

    static void guarded(const std::function<void()>& run) {
        try {
            run();
        } catch (const std::exception& error) {
            QFAIL(error.what());
        }
    }

    // Everything the processes printed, for a failure's diagnosis.
    void dumpOutputs(const CoordinatorProcess& coordinator) const {
        qWarning().noquote() << "--- coordinator ---\n" << QString::fromUtf8(coordinator.output().right(6000));
        for (const auto& site : sites_)
            qWarning().noquote() << "---" << site->name() << "---\n" << QString::fromUtf8(site->output().right(4000));
    }

    std::string createDermoscopyFederation(const CoordinatorProcess& coordinator, int rounds, int minSites, int deadline) {
        return createFederation(coordinator, {"--classes-file", classesFile_, "--bundle-manifest", bundleDir_ + "/manifest.json",
                                              "--rounds", QString::number(rounds), "--min-sites", QString::number(minSites),
                                              "--deadline", QString::number(deadline)});
    }

    // Issues an invitation for `centre` and joins with it, as a site admin would.
    QString joinSite(const CoordinatorProcess& coordinator, const std::string& federationId, const QString& centre,
                     const QString& url) {
        const auto workspace = coordinator.dir() + "/site-" + centre;
        const auto invitation = coordinator.dir() + "/invitation-" + centre + ".json";
        coordinator.admin({"issue-code", "--federation", qs(federationId), "--site", centre, "--url", url, "--ca",
                           certificates_.caCertificate, "--out", invitation});
        const auto [code, output] = runCommand(cliExecutable(), {"site", "join", workspace, "--invitation", invitation});
        if (code != 0) throw Error("site join " + ss(centre) + ": " + output.toStdString());
        return workspace;
    }

    ChildProcess& startSite(const QString& workspace, const QString& centre, const QString& label = {},
                            const QStringList& extra = {}) {
        sites_.push_back(std::make_unique<ChildProcess>(
            label.isEmpty() ? centre : label, cliExecutable(),
            QStringList{"site", "run", workspace, "--bundle", bundleDir_, "--data", kDataCsv, "--layout", "csv",
                        "--site-column", "center", "--site", centre, "--max-images", QString::number(kImagesPerSite),
                        "--poll-interval", "0.3", "--threads", "1"} + extra));
        sites_.back()->start();
        return *sites_.back();
    }

    // A site that trains on its workspace's imported images; without a bundle, on the
    // workspace's own bundle setting.
    ChildProcess& startStoreSite(const QString& workspace, const QString& centre, bool withBundle = true) {
        QStringList arguments{"site", "run", workspace, "--poll-interval", "0.3", "--threads", "1"};
        if (withBundle) arguments << "--bundle" << bundleDir_;
        sites_.push_back(std::make_unique<ChildProcess>(centre, cliExecutable(), arguments));
        sites_.back()->start();
        return *sites_.back();
    }

    // What a site's staff imported: the counts its store's training must find.
    struct ImportedSlice {
        int train = 0, validation = 0;
        std::set<QString> validationClasses;  // federation classes with validation images
    };

    // Imports the first kImportedImagesPerClass images of each class of the centre's rows of
    // sites.csv with `fedmedclip-cli import --labels-from csv:FILE`, as a site's staff would:
    // every third image of a class in the validation split, the local label "bcc" mapped to
    // the federation's "basal cell carcinoma", and two more images under a label the
    // federation does not have.
    ImportedSlice importSiteImages(const QString& workspace, const QString& centre) const {
        QFile source(kDataCsv);
        if (!source.open(QIODevice::ReadOnly)) throw Error("cannot read " + ss(kDataCsv));
        const auto header = QString::fromUtf8(source.readLine()).trimmed().split(',');
        const auto pathColumn = header.indexOf("path"), labelColumn = header.indexOf("label"),
                   centreColumn = header.indexOf("center"), imageColumn = header.indexOf("image_id");
        ImportedSlice slice;
        std::map<QString, int> taken;
        std::set<QString> images;  // a few images sit in two class folders: import each once
        int unsure = 0;
        QByteArray labels = "path,label,split\n";
        QStringList paths;
        while (!source.atEnd()) {
            const auto fields = QString::fromUtf8(source.readLine()).trimmed().split(',');
            if (fields.size() != header.size() || fields[centreColumn] != centre ||
                !images.insert(fields[imageColumn]).second)
                continue;
            const auto path = QStringLiteral(FMC_SHARED_DATA_DIR "/dermoscopy-isic9/") + fields[pathColumn];
            const auto& label = fields[labelColumn];
            QString localLabel = label == "basal cell carcinoma" ? QStringLiteral("bcc") : label, split = "train";
            if (taken[label] < kImportedImagesPerClass) {
                if (taken[label]++ % 3 == 2) {
                    split = "validation";
                    ++slice.validation;
                    slice.validationClasses.insert(label);
                } else {
                    ++slice.train;
                }
            } else if (unsure < 2) {
                ++unsure;
                localLabel = "unsure";
            } else {
                continue;
            }
            labels += "\"" + path.toUtf8() + "\"," + localLabel.toUtf8() + "," + split.toUtf8() + "\n";
            paths << path;
        }
        const auto labelsFile = workspace + "-labels.csv";
        QFile file(labelsFile);
        if (!file.open(QIODevice::WriteOnly) || file.write(labels) != labels.size())
            throw Error("cannot write " + ss(labelsFile));
        file.close();
        const auto [code, output] = runCommand(cliExecutable(), QStringList{"import", workspace} + paths +
                                                                    QStringList{"--labels-from", "csv:" + labelsFile,
                                                                                "--map", "bcc=basal cell carcinoma"});
        if (code != 0 || !output.contains(QByteArray::number(paths.size()) + " imported"))
            throw Error("import into " + ss(workspace) + ": " + output.toStdString());
        return slice;
    }

    bool allSitesFinished(int timeoutMs) {
        return waitUntil(
            [&] {
                return std::none_of(sites_.begin(), sites_.end(), [](const auto& site) { return site->running(); });
            },
            timeoutMs);
    }

    bool allSitesSucceeded() const {
        return std::all_of(sites_.begin(), sites_.end(), [](const auto& site) { return site->finishedWith(0); });
    }

    static QJsonArray rounds(const CoordinatorProcess& coordinator, const std::string& federationId) {
        return coordinator.adminJson({"list-rounds", "--federation", qs(federationId)});
    }

    // Every round published once, by `participants` distinct sites, each of which uploaded once.
    static void checkRoundsComplete(const QJsonArray& list, int expectedRounds, int participants) {
        QCOMPARE(list.size(), expectedRounds);
        for (int r = 1; r <= expectedRounds; ++r) {
            const auto round = roundOf(list, r);
            QCOMPARE(round.value("state").toString(), QStringLiteral("published"));
            QCOMPARE(round.value("participants").toInt(), participants);
            std::set<QString> uploaders;
            for (const auto& upload : round.value("uploads").toArray())
                uploaders.insert(upload.toObject().value("site_id").toString());
            QCOMPARE(static_cast<int>(uploaders.size()), round.value("uploads").toArray().size());
        }
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        if (QStandardPaths::findExecutable(QStringLiteral("openssl")).isEmpty())
            QSKIP("the openssl command is needed to make the test certificates (Debian: openssl)");
        if (!QFileInfo::exists(kDataCsv))
            QSKIP("../shared/data/dermoscopy-isic9 is absent: the federation runs need its real dermoscopy images");
        try {
            certificates_ = makeCertificates(dir_.filePath("pki"), "federation");
            bundleDir_ = dir_.filePath("bundle-tiny");
            const auto [code, output] = runCommand(cliExecutable(), {"make-bundle", "--shape", "tiny", "--out", bundleDir_,
                                                                     "--seed", "5"});
            QVERIFY2(code == 0, output.constData());
            classesFile_ = dir_.filePath("classes.txt");
            QFile classes(classesFile_);
            QVERIFY(classes.open(QIODevice::WriteOnly));
            classes_ = QDir(QStringLiteral(FMC_SHARED_DATA_DIR "/dermoscopy-isic9/Train"))
                           .entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
            for (const auto& name : classes_) classes.write(name.toUtf8() + '\n');
        } catch (const std::exception& error) {
            QFAIL(error.what());
        }
    }

    void cleanup() {
        for (auto& site : sites_) site->kill();
        sites_.clear();
    }

    // Each run reports an exception (e.g. a helper process that failed) as a failure
    // instead of ending the test program.
    void federationThroughNginx() { guarded([this] { runFederationThroughNginx(); }); }
    void siteKilledMidRound() { guarded([this] { runSiteKilledMidRound(); }); }
    void coordinatorKilledAndRestarted() { guarded([this] { runCoordinatorKilledAndRestarted(); }); }
    void aSiteOfAnotherKindOfImageIsRefused() { guarded([this] { runSiteOfAnotherKind(); }); }
    void deltaCodecFederation() { guarded([this] { runDeltaCodecFederation(); }); }

private:
    // Three sites through nginx, one of them through a proxy that drops its first upload's
    // answer. The final global FAM must be the sample-weighted average of the last round's
    // uploads, and the coordinator must have received nothing but the documented fields.
    void runFederationThroughNginx() {
        if (NginxProcess::executable().isEmpty())
            QSKIP("nginx is not installed (Debian: nginx-light); the deployment test needs it");
        const QString captureDir = dir_.filePath("nginx-run/capture");
        CoordinatorProcess coordinator(dir_.filePath("nginx-run"), certificates_, 0,
                                       {{"trusted_proxies", QJsonArray{"127.0.0.1"}}, {"privacy_capture_dir", captureDir}});
        std::unique_ptr<NginxProcess> nginx;
        std::string federationId;
        QString firstWorkspace;
        try {
            federationId = createDermoscopyFederation(coordinator, 3, 2, 120);
            coordinator.start();
            nginx = std::make_unique<NginxProcess>(dir_.filePath("nginx-run/nginx"), certificates_, coordinator.port());
            nginx->start();
        } catch (const std::exception& error) {
            QFAIL(error.what());
        }
        DroppingProxy proxy(nginx->port(), 32 * 1024);
        try {
            for (int s = 0; s < 3; ++s) {
                const auto url = s == 0 ? QStringLiteral("https://127.0.0.1:%1").arg(proxy.port()) : nginx->url();
                const auto workspace = joinSite(coordinator, federationId, kCentres[s], url);
                if (s == 0) firstWorkspace = workspace;
                startSite(workspace, kCentres[s]);
            }
        } catch (const std::exception& error) {
            QFAIL(error.what());
        }
        const bool finished = allSitesFinished(kSiteTimeoutMs);
        if (!finished || !allSitesSucceeded()) {
            dumpOutputs(coordinator);
            qWarning().noquote() << "--- nginx ---\n" << QString::fromUtf8(nginx->errorLog().right(3000));
        }
        QVERIFY(finished);
        QVERIFY(allSitesSucceeded());

        const auto list = rounds(coordinator, federationId);
        checkRoundsComplete(list, 3, 3);

        // The dropped answer: the upload arrived, the site sent it again with the same key (Qt
        // resends a request whose kept-alive connection died; else the client's own retry
        // does), and the coordinator acknowledged the repeat without counting it.
        QCOMPARE(proxy.dropped(), 1);
        const auto audit = coordinator.adminJson({"audit-log", "--federation", qs(federationId)});
        int duplicates = 0, accepted = 0;
        for (const auto& entry : audit) {
            const auto action = entry.toObject().value("action").toString();
            duplicates += action == QLatin1String("upload.duplicate");
            accepted += action == QLatin1String("upload.accepted");
        }
        QCOMPARE(accepted, 9);
        QCOMPARE(duplicates, 1);
        QVERIFY2(sites_[0]->printed("round 1: upload duplicate"), sites_[0]->output().constData());

        // nginx's own limits, before anything reaches the coordinator: enrollment guesses
        // are throttled, bodies over client_max_body_size refused.
        RetryPolicy once;
        once.maxAttempts = 1;
        CoordinatorClient probe(QUrl(nginx->url()), trustCa(certificates_.caCertificate), once);
        int throttled = 0;
        for (int i = 0; i < 12; ++i) {
            try {
                probe.post("/enroll", R"({"code":"a-guess"})");
            } catch (const Error& error) {
                throttled += QString(error.what()).contains("HTTP 429");
            }
        }
        QVERIFY(throttled > 0);
        QCOMPARE(probe.post(qs("/federations/" + federationId + "/rounds/1/uploads"), QByteArray(9 << 20, '{')).status, 413);

        // Privacy: every body the coordinator received, as it received it.
        std::map<std::string, UploadBody> lastRound;  // site id -> its round-3 upload
        int uploads = 0;
        QDirIterator captures(captureDir, {"*.json"}, QDir::Files);
        static const QRegularExpression documentedRoute(QStringLiteral(
            "^/api/v1/(health|enroll|federations/fed_[A-Za-z0-9_-]+/(task|rounds/current|rounds/[0-9]+(/global|/uploads)?))$"));
        while (captures.hasNext()) {
            QFile file(captures.next());
            QVERIFY(file.open(QIODevice::ReadOnly));
            const auto record = QJsonDocument::fromJson(file.readAll()).object();
            const auto path = record.value("path").toString();
            const auto body = QByteArray::fromBase64(record.value("body_base64").toString().toLatin1());
            QVERIFY2(documentedRoute.match(path).hasMatch(), qPrintable(path));
            for (const char* forbidden : {"ISIC_", ".jpg", "Train/", "dermoscopy", "PatientName", "PatientID",
                                          "StudyInstanceUID", "HAM_"})
                QVERIFY2(!body.contains(forbidden), qPrintable(path + " carries " + forbidden));
            if (record.value("method").toString() == QLatin1String("GET")) {
                QVERIFY(body.isEmpty());
            } else if (path.endsWith(QLatin1String("/enroll"))) {
                QCOMPARE(QJsonDocument::fromJson(body).object().keys(), QStringList{"code"});
            } else {
                QVERIFY(path.endsWith(QLatin1String("/uploads")));
                QStringList documented;
                for (const auto& field : uploadBodyFields()) documented << qs(field);
                documented.sort();
                QCOMPARE(QJsonDocument::fromJson(body).object().keys(), documented);
                UploadBody upload;
                try {
                    upload = uploadFromJson(body);
                    const auto fam = decodeParameters(upload.payload, famLayout(128, true));
                    QCOMPARE(fam.size(), size_t(6));  // FAM tensors and nothing else
                } catch (const std::exception& error) {
                    QFAIL(error.what());
                }
                for (const auto& [name, value] : upload.metrics) {
                    const auto& allowed = allowedMetricNames();
                    QVERIFY(std::find(allowed.begin(), allowed.end(), name) != allowed.end());
                }
                ++uploads;
                if (upload.round == 3) lastRound[upload.siteId] = upload;
            }
        }
        QCOMPARE(uploads, 10);  // 9 uploads and the one retry
        QCOMPARE(lastRound.size(), size_t(3));

        // The final global FAM, as site 1 received it, against the recomputed (mask-aware, the
        // default) weighted average, in site-id order as the coordinator sums.
        std::vector<ParameterSet> fams;
        std::vector<double> weights;
        for (const auto& [siteId, upload] : lastRound) {
            fams.push_back(decodeParameters(upload.payload));
            weights.push_back(static_cast<double>(upload.sampleCount));
        }
        const auto expected = decodeParameters(encodeParameters(maskAwareAverage(fams, weights), CodecKind::Fp16Zlib));
        QFile received(firstWorkspace + "/federation/global-fam.fmcp");
        QVERIFY(received.open(QIODevice::ReadOnly));
        const auto bytes = received.readAll();
        const auto global = decodeParameters(std::vector<std::uint8_t>(bytes.begin(), bytes.end()), famLayout(128, true));
        QCOMPARE(global.size(), expected.size());
        for (size_t t = 0; t < global.size(); ++t) {
            QCOMPARE(global[t].name, expected[t].name);
            QVERIFY2(global[t].values == expected[t].values, global[t].name.c_str());
        }
        QCOMPARE(QString::fromStdString(sha256Hex(bytes.constData(), bytes.size())),
                 roundOf(list, 3).value("global_sha256").toString());

        // The site kept its own record of each round.
        QFile roundsFile(firstWorkspace + "/federation/rounds.jsonl");
        QVERIFY(roundsFile.open(QIODevice::ReadOnly));
        QCOMPARE(roundsFile.readAll().count('\n'), 3);
        auto workspace = SiteWorkspace::open(firstWorkspace.toStdString());
        const auto runs = workspace.store().trainingRuns();
        QCOMPARE(runs.size(), size_t(1));
        QCOMPARE(QString::fromStdString(runs[0].info.kind), QStringLiteral("federated"));
        QCOMPARE(QString::fromStdString(runs[0].status), QStringLiteral("finished"));
        QCOMPARE(runs[0].rounds.size(), size_t(3));
        QVERIFY(runs[0].rounds[0].accuracy.has_value());
        QVERIFY(runs[0].rounds[0].bytesSent > 0);
    }

    // A federation created with the delta codec: every upload travels as int8 deltas (round 1
    // from the zero FAM, round 2 from round 1's global as the site received it), every global
    // as mask-fp16-zlib, and the final global is the weighted average of the round-2 uploads
    // as decoded against round 1's global.
    void runDeltaCodecFederation() {
        const QString captureDir = dir_.filePath("delta-run/capture");
        CoordinatorProcess coordinator(dir_.filePath("delta-run"), certificates_, 0, {{"privacy_capture_dir", captureDir}});
        std::string federationId;
        QString workspaces[2];
        try {
            federationId = createFederation(coordinator, {"--classes-file", classesFile_, "--bundle-manifest",
                                                          bundleDir_ + "/manifest.json", "--rounds", "2", "--min-sites",
                                                          "2", "--deadline", "120", "--codec", "mask-int8-delta-zlib"});
            coordinator.start();
            // Site 0 with error feedback, site 1 without but under a byte budget (its
            // near-lossless uploads of a D = 128 FAM are ~25-30 kB): the coordinator decodes
            // all alike.
            for (int s = 0; s < 2; ++s) {
                workspaces[s] = joinSite(coordinator, federationId, kCentres[s], coordinator.url());
                if (s == 0) startSite(workspaces[s], kCentres[s], {}, {"--delta-feedback", "on"});
                else startSite(workspaces[s], kCentres[s], {}, {"--delta-feedback", "off", "--delta-budget", "12000"});
            }
        } catch (const std::exception& error) {
            QFAIL(error.what());
        }
        const bool finished = allSitesFinished(kSiteTimeoutMs);
        if (!finished || !allSitesSucceeded()) dumpOutputs(coordinator);
        QVERIFY(finished);
        QVERIFY(allSitesSucceeded());
        checkRoundsComplete(rounds(coordinator, federationId), 2, 2);

        const auto identity = SiteAgent::loadIdentity(workspaces[0] + "/federation");
        QVERIFY(identity.has_value());
        CoordinatorClient client(QUrl(identity->coordinatorUrl), identity->trust());
        client.setToken(identity->token);
        std::vector<std::uint8_t> globals[3];
        for (int r = 1; r <= 2; ++r) {
            const auto result = client.get(qs("/federations/" + federationId + "/rounds/" + std::to_string(r) + "/global"));
            QCOMPARE(result.status, 200);
            QCOMPARE(result.header("X-FMC-Codec"), QByteArray("mask-fp16-zlib"));
            globals[r].assign(result.body.begin(), result.body.end());
        }
        const auto layout = famLayout(128, true);
        FederationSettings settings;
        settings.embeddingDim = 128;
        const ParameterSet references[3] = {{}, uploadReference(1, settings, {}),
                                            uploadReference(2, settings, decodeParameters(globals[1], layout))};

        const auto budgetedSite = SiteAgent::loadIdentity(workspaces[1] + "/federation");
        QVERIFY(budgetedSite.has_value());
        std::map<std::string, UploadBody> lastRound;  // site id -> its round-2 upload
        int uploads = 0;
        QDirIterator captures(captureDir, {"*.json"}, QDir::Files);
        while (captures.hasNext()) {
            QFile file(captures.next());
            QVERIFY(file.open(QIODevice::ReadOnly));
            const auto record = QJsonDocument::fromJson(file.readAll()).object();
            if (!record.value("path").toString().endsWith(QLatin1String("/uploads"))) continue;
            const auto upload =
                uploadFromJson(QByteArray::fromBase64(record.value("body_base64").toString().toLatin1()));
            QCOMPARE(QString::fromStdString(upload.codec), QStringLiteral("mask-int8-delta-zlib"));
            QCOMPARE(upload.payload[6], static_cast<std::uint8_t>(CodecKind::MaskAwareInt8DeltaZlib));
            try {
                decodeDelta(upload.payload, references[upload.round]);
            } catch (const std::exception& error) {
                QFAIL(qPrintable(QStringLiteral("round %1 upload of %2: %3").arg(upload.round).arg(qs(upload.siteId)).arg(error.what())));
            }
            if (upload.siteId == budgetedSite->siteId) {
                QVERIFY2(upload.payload.size() <= 12000, qPrintable(QString::number(upload.payload.size())));
                // The same FAM at the near-lossless step would not have fit.
                const auto& reference = references[upload.round];
                QVERIFY(encodeDelta(decodeDelta(upload.payload, reference), reference).size() > 12000);
            }
            ++uploads;
            if (upload.round == 2) lastRound[upload.siteId] = upload;
        }
        QCOMPARE(uploads, 4);
        QCOMPARE(lastRound.size(), size_t(2));
        std::vector<ParameterSet> fams;
        std::vector<double> weights;
        for (const auto& [siteId, upload] : lastRound) {
            fams.push_back(decodeDelta(upload.payload, references[2]));
            weights.push_back(static_cast<double>(upload.sampleCount));
        }
        const auto expected =
            decodeParameters(encodeParameters(maskAwareAverage(fams, weights), CodecKind::MaskAwareFp16Zlib));
        const auto global = decodeParameters(globals[2], layout);
        for (size_t t = 0; t < global.size(); ++t) QVERIFY2(global[t].values == expected[t].values, global[t].name.c_str());
        // Site 0 keeps its round-2 upload's residual (confirmed, nothing unsent), zero where that
        // upload sent no int8 row (pruned rows; biases and thresholds are lossless); site 1 keeps none.
        const QStringList residualFilter{"delta-residual-*"};
        QCOMPARE(QDir(workspaces[0] + "/federation").entryList(residualFilter, QDir::Files),
                 QStringList{"delta-residual-2.fmcp"});
        QVERIFY(QDir(workspaces[1] + "/federation").entryList(residualFilter, QDir::Files).isEmpty());
        QFile residualFile(workspaces[0] + "/federation/delta-residual-2.fmcp");
        QVERIFY(residualFile.open(QIODevice::ReadOnly));
        const auto residualBytes = residualFile.readAll();
        const auto residual = decodeParameters(std::vector<std::uint8_t>(residualBytes.begin(), residualBytes.end()), layout);
        // A row the upload left out decodes as zeros (a sent row of all zeros is not plausible).
        const auto sent = decodeDelta(lastRound.at(identity->siteId).payload, references[2]);
        bool carried = false;
        for (std::size_t t = 0; t < residual.size(); ++t) {
            const auto& values = residual[t].values;
            if (residual[t].shape.size() != 2) {
                QVERIFY2(std::all_of(values.begin(), values.end(), [](float v) { return v == 0.0f; }), residual[t].name.c_str());
                continue;
            }
            const std::size_t cols = static_cast<std::size_t>(residual[t].shape[1]);
            for (std::size_t r = 0; r < values.size() / cols; ++r) {
                const auto row = sent[t].values.begin() + static_cast<std::ptrdiff_t>(r * cols);
                const bool rowSent = std::any_of(row, row + static_cast<std::ptrdiff_t>(cols), [](float v) { return v != 0.0f; });
                for (std::size_t j = r * cols; j < (r + 1) * cols; ++j) {
                    if (!rowSent && values[j] != 0.0f) QFAIL(qPrintable(QString("%1 row %2 is not sent but holds a residual").arg(qs(residual[t].name)).arg(r)));
                    carried = carried || values[j] != 0.0f;
                }
            }
        }
        QVERIFY(carried);
        QFile received(workspaces[0] + "/federation/global-fam.fmcp");
        QVERIFY(received.open(QIODevice::ReadOnly));
        const auto bytes = received.readAll();
        QCOMPARE(std::vector<std::uint8_t>(bytes.begin(), bytes.end()), globals[2]);
    }

    // A site dies during round 1; the others finish each round at the deadline. The dead
    // site, started again, resumes and takes the final FAM.
    void runSiteKilledMidRound() {
        constexpr int kDeadline = 4;
        CoordinatorProcess coordinator(dir_.filePath("site-killed"), certificates_, 0);
        std::string federationId;
        QString workspaces[3];
        try {
            federationId = createDermoscopyFederation(coordinator, 2, 2, kDeadline);
            coordinator.start();
            for (int s = 0; s < 3; ++s) workspaces[s] = joinSite(coordinator, federationId, kCentres[s], coordinator.url());
            // Site 0 asks for a byte budget, which this fp16 federation has no use for: said once.
            for (int s = 0; s < 3; ++s)
                startSite(workspaces[s], kCentres[s], {}, s == 0 ? QStringList{"--delta-budget", "50000"} : QStringList{});
        } catch (const std::exception& error) {
            QFAIL(error.what());
        }
        // Killed while it encodes its images, long before its first upload.
        QVERIFY(waitUntil([&] { return sites_[2]->printed("encoding"); }, 60000));
        sites_[2]->kill();
        QVERIFY(allSitesFinished(kSiteTimeoutMs));
        if (!sites_[0]->finishedWith(0) || !sites_[1]->finishedWith(0)) dumpOutputs(coordinator);
        QVERIFY(sites_[0]->finishedWith(0));
        QVERIFY(sites_[1]->finishedWith(0));
        const QByteArray unusedBudget = "--delta-budget applies only to mask-int8-delta-zlib federations and is not used";
        QVERIFY2(sites_[0]->output().count(unusedBudget) == 1, sites_[0]->output().constData());

        const auto list = rounds(coordinator, federationId);
        checkRoundsComplete(list, 2, 2);
        for (int r = 1; r <= 2; ++r) {
            const auto round = roundOf(list, r);
            QVERIFY(msBetween(round.value("first_upload_at"), round.value("published_at")) >= kDeadline * 1000 - 50);
        }

        auto& restarted = startSite(workspaces[2], kCentres[2], kCentres[2] + " (restarted)");
        QVERIFY(waitUntil([&] { return !restarted.running(); }, kSiteTimeoutMs));
        QVERIFY2(restarted.finishedWith(0), restarted.output().constData());
        QVERIFY(restarted.printed("federation finished after 2 rounds"));
    }

    // The sites train on the images their staff imported into their workspaces (no --data);
    // the third trained locally before (train-local), so its features come from its store.
    // The coordinator is killed (SIGKILL) while round 1 collects and started again on the
    // same state: no round lost, none doubled, the uploads before the crash kept. Every
    // site's store then holds its federated rounds with per-class recall, and the
    // coordinator nothing but the allowed metrics.
    // The federation's task declares CT and MR images (create-federation --modalities): a
    // site of dermoscopy photos refuses before encoding anything, naming the federation and
    // both kinds, and uploads nothing.
    void runSiteOfAnotherKind() {
        CoordinatorProcess coordinator(dir_.filePath("coordinator-kind"), certificates_, freePort());
        std::string federationId;
        QString workspace;
        try {
            federationId = createFederation(coordinator, {"--classes-file", classesFile_, "--bundle-manifest",
                                                          bundleDir_ + "/manifest.json", "--rounds", "1", "--min-sites",
                                                          "1", "--modalities", "CT,MR"});
            coordinator.start();
            importSiteImages(coordinator.dir() + "/site-" + kCentres[0], kCentres[0]);
            workspace = joinSite(coordinator, federationId, kCentres[0], coordinator.url());
        } catch (const std::exception& error) {
            QFAIL(error.what());
        }
        const auto [code, output] = runCommand(cliExecutable(), {"site", "run", workspace, "--bundle", bundleDir_,
                                                                 "--poll-interval", "0.3", "--threads", "1"});
        QVERIFY2(code != 0, output.constData());
        QVERIFY2(output.contains("for modality CT or MR"), output.constData());
        const auto refusal = "federation 'test federation' (" + federationId +
                             ") is for another kind of image than this site's training images: modality photo (the "
                             "federation is for CT or MR)";
        QVERIFY2(output.contains(QByteArray::fromStdString(refusal)), output.constData());
        QVERIFY2(!output.contains("encoding the images"), output.constData());
        QVERIFY(roundOf(rounds(coordinator, federationId), 1).value("uploads").toArray().isEmpty());
    }

    void runCoordinatorKilledAndRestarted() {
        CoordinatorProcess coordinator(dir_.filePath("coordinator-killed"), certificates_, freePort());
        std::string federationId;
        QString workspaces[3];
        ImportedSlice slices[3];
        try {
            federationId = createDermoscopyFederation(coordinator, 3, 3, 300);
            coordinator.start();
            for (int s = 0; s < 3; ++s) {
                slices[s] = importSiteImages(coordinator.dir() + "/site-" + kCentres[s], kCentres[s]);
                workspaces[s] = joinSite(coordinator, federationId, kCentres[s], coordinator.url());
            }
            // The third site's bundle is the workspace's own, set by an earlier local training.
            const auto [code, output] = runCommand(cliExecutable(), {"train-local", workspaces[2], "--bundle",
                                                                     bundleDir_, "--rounds", "1", "--threads", "1"});
            if (code != 0) throw Error("train-local: " + output.toStdString());
            startStoreSite(workspaces[0], kCentres[0]);
            startStoreSite(workspaces[1], kCentres[1]);
        } catch (const std::exception& error) {
            QFAIL(error.what());
        }
        // Round 1 waits for the third site, which has not started yet.
        QVERIFY(waitUntil([&] { return roundOf(rounds(coordinator, federationId), 1).value("uploads").toArray().size() == 2; },
                          90000));
        const auto before = roundOf(rounds(coordinator, federationId), 1).value("uploads").toArray();
        coordinator.kill();
        QTest::qWait(1500);  // the sites find nobody there and back off
        try {
            coordinator.start();
        } catch (const std::exception& error) {
            QFAIL(error.what());
        }
        startStoreSite(workspaces[2], kCentres[2], false);
        QVERIFY(allSitesFinished(kSiteTimeoutMs));
        if (!allSitesSucceeded()) dumpOutputs(coordinator);
        QVERIFY(allSitesSucceeded());

        const auto list = rounds(coordinator, federationId);
        checkRoundsComplete(list, 3, 3);
        const auto after = roundOf(list, 1).value("uploads").toArray();
        for (const auto& upload : before) QVERIFY(after.contains(upload));  // kept exactly as received
        int published = 0;
        for (const auto& entry : coordinator.adminJson({"audit-log", "--federation", qs(federationId)}))
            published += entry.toObject().value("action").toString() == QLatin1String("round.published");
        QCOMPARE(published, 3);
        QVERIFY(sites_[0]->printed("retrying") || sites_[1]->printed("retrying"));

        // The sites trained on what their staff imported: the mapped label counts, the
        // label the federation lacks is left out, the third site encoded nothing again.
        QVERIFY2(sites_[0]->printed("class 'basal cell carcinoma': 4 train, 2 validation"),
                 sites_[0]->output().constData());
        for (const auto& site : sites_)
            QVERIFY2(site->printed("label 'unsure' (2 images) maps to none of the federation's classes: left out"),
                     site->output().constData());
        QVERIFY2(sites_[2]->printed(" 0 encoded with the frozen image encoder"), sites_[2]->output().constData());

        // What the coordinator received per upload: the site's own counts, the allowed metrics only.
        const auto& allowed = allowedMetricNames();
        for (int r = 1; r <= 3; ++r)
            for (const auto& value : roundOf(list, r).value("uploads").toArray()) {
                const auto upload = value.toObject();
                const auto s = static_cast<int>(kCentres.indexOf(upload.value("site_name").toString()));
                QVERIFY(s >= 0);
                QCOMPARE(upload.value("sample_count").toInt(), slices[s].train);
                const auto metrics = upload.value("metrics").toObject();
                for (const auto& name : metrics.keys())
                    QVERIFY2(std::find(allowed.begin(), allowed.end(), ss(name)) != allowed.end(), qPrintable(name));
                QCOMPARE(metrics.value("validation_samples").toInt(), slices[s].validation);
            }

        // Each site's store: one federated run of 3 rounds, per-class recall kept locally.
        for (int s = 0; s < 3; ++s) {
            auto workspace = SiteWorkspace::open(workspaces[s].toStdString());
            std::vector<TrainingRun> federated;
            for (const auto& run : workspace.store().trainingRuns())
                if (run.info.kind == "federated") federated.push_back(run);
            QCOMPARE(federated.size(), size_t(1));
            const auto& run = federated.front();
            QCOMPARE(QString::fromStdString(run.status), QStringLiteral("finished"));
            QCOMPARE(run.info.trainImages, slices[s].train);
            QCOMPARE(run.info.evaluationImages, slices[s].validation);
            QCOMPARE(QString::fromStdString(run.info.evaluationSplit), QStringLiteral("validation"));
            QCOMPARE(run.rounds.size(), size_t(3));
            for (const auto& round : run.rounds) {
                QCOMPARE(round.perClassRecall.size(), size_t(classes_.size()));
                double sum = 0;
                int present = 0;
                for (int c = 0; c < classes_.size(); ++c) {
                    const auto& recall = round.perClassRecall[static_cast<size_t>(c)];
                    QCOMPARE(recall.has_value(), slices[s].validationClasses.count(classes_[c]) == 1);
                    if (!recall) continue;
                    QVERIFY(*recall >= 0 && *recall <= 1);
                    sum += *recall;
                    ++present;
                }
                QVERIFY(std::abs(sum / present - round.balancedAccuracy.value()) < 1e-9);
                QVERIFY(round.bytesSent > 0);
            }
            // The federation's final model is the site's newest model, and predictions use it.
            const auto model = workspace.store().latestModelVersion(ModelVersionKind::LocalCheckpoint);
            QVERIFY(model);
            QCOMPARE(model->source, "federation " + federationId);
            QCOMPARE(model->classes, run.info.classes);
            const auto image = workspace.store().images().front();
            const auto prediction = workspace.predict(image.sourcePath);
            QCOMPARE(prediction.modelVersionId, model->id);
            QCOMPARE(prediction.classes, run.info.classes);
        }

        // The operator's export: one CSV row per round and participating site.
        const auto csvPath = coordinator.dir() + "/history.csv";
        try {
            coordinator.admin({"export-history", "--federation", qs(federationId), "--out", csvPath, "--csv"});
        } catch (const std::exception& error) {
            QFAIL(error.what());
        }
        QFile csv(csvPath);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const auto lines = csv.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 1 + 3 * 3);
        QVERIFY(lines[0].startsWith("round,state,published_at,participants,total_samples,site_id"));
    }
};

QTEST_GUILESS_MAIN(TestFederationRun)
#include "tst_federationrun.moc"
