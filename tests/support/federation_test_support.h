#pragma once
// Shared by the federation tests: certificates made with openssl at run time, the real
// coordinator / CLI / nginx processes on 127.0.0.1, and a few protocol helpers. Every wait
// is bounded; every process is stopped by the object that started it.
#include "site_agent/coordinator_client.h"
#include "protocol/protocol.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTest>

#include <cmath>
#include <cstring>
#include <csignal>
#include <functional>
#include <memory>
#include <sys/prctl.h>

namespace fmc::federation::test {

#ifndef FMC_FEDMEDCLIP_COORDINATOR_PATH
#error "core/federation/component.cmake compiles the executables' paths into the federation tests"
#endif

inline QString coordinatorExecutable() {
    return qEnvironmentVariable("FMC_COORDINATOR", QStringLiteral(FMC_FEDMEDCLIP_COORDINATOR_PATH));
}
inline QString cliExecutable() { return qEnvironmentVariable("FMC_CLI", QStringLiteral(FMC_FEDMEDCLIP_CLI_PATH)); }

// Keeps the event loop running until `done` or the timeout; returns done().
inline bool waitUntil(const std::function<bool()>& done, int timeoutMs) {
    QElapsedTimer clock;
    clock.start();
    while (!done()) {
        if (clock.elapsed() > timeoutMs) return false;
        QTest::qWait(50);
    }
    return true;
}

// Runs a short command to completion, the event loop running meanwhile (a proxy in this
// process may be what it talks to); returns {exit code, stdout + stderr}.
inline std::pair<int, QByteArray> runCommand(const QString& program, const QStringList& arguments,
                                             int timeoutMs = 60000, const QString& workingDir = {}) {
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    if (!workingDir.isEmpty()) process.setWorkingDirectory(workingDir);
    process.start(program, arguments);
    if (!process.waitForStarted(10000)) return {-1, "cannot start " + program.toUtf8()};
    if (!waitUntil([&] { return process.state() == QProcess::NotRunning; }, timeoutMs)) {
        process.kill();
        process.waitForFinished(5000);
        return {-1, process.readAll() + "\n(timed out)"};
    }
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1, process.readAll()};
}

inline void runOpenssl(const QStringList& arguments, const QString& dir) {
    const auto [code, output] = runCommand(QStringLiteral("openssl"), arguments, 60000, dir);
    if (code != 0) throw Error("openssl " + ss(arguments.join(' ')) + " failed: " + output.toStdString());
}

// A CA and a server certificate for localhost / 127.0.0.1 signed by it (ECDSA P-256).
struct CertificateSet {
    QString caCertificate, caKey, serverCertificate, serverKey;
};

inline CertificateSet makeCertificates(const QString& dir, const QString& name) {
    QDir().mkpath(dir);
    CertificateSet set{dir + "/" + name + "-ca.pem", dir + "/" + name + "-ca.key", dir + "/" + name + "-server.pem",
                       dir + "/" + name + "-server.key"};
    const QStringList ec{"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"};
    runOpenssl(QStringList{"req", "-x509"} + ec +
                   QStringList{"-keyout", set.caKey, "-out", set.caCertificate, "-days", "7", "-subj",
                               "/CN=FedMedCLIP test CA " + name, "-addext", "basicConstraints=critical,CA:TRUE",
                               "-addext", "keyUsage=critical,keyCertSign,cRLSign"},
               dir);
    const QString csr = dir + "/" + name + "-server.csr", extensions = dir + "/" + name + "-server.ext";
    QFile ext(extensions);
    if (!ext.open(QIODevice::WriteOnly)) throw Error("cannot write " + ss(extensions));
    ext.write("subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
    ext.close();
    runOpenssl(QStringList{"req"} + ec + QStringList{"-keyout", set.serverKey, "-out", csr, "-subj", "/CN=localhost"}, dir);
    runOpenssl({"x509", "-req", "-in", csr, "-CA", set.caCertificate, "-CAkey", set.caKey, "-CAcreateserial", "-out",
                set.serverCertificate, "-days", "7", "-extfile", extensions},
               dir);
    return set;
}

inline quint16 freePort() {
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

// A long-running child process whose output is collected as it arrives.
class ChildProcess {
public:
    ChildProcess(QString name, QString program, QStringList arguments)
        : name_(std::move(name)), program_(std::move(program)), arguments_(std::move(arguments)) {}
    ~ChildProcess() { kill(); }

    void start() {
        process_ = std::make_unique<QProcess>();
        process_->setProcessChannelMode(QProcess::MergedChannels);
        // Dies with the test, even when the test itself crashes.
        process_->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
        QObject::connect(process_.get(), &QProcess::readyRead, [this] { output_ += process_->readAll(); });
        process_->start(program_, arguments_);
        if (!process_->waitForStarted(10000)) throw Error(ss(name_) + ": cannot start " + ss(program_));
    }
    bool running() const { return process_ && process_->state() != QProcess::NotRunning; }
    bool finishedWith(int code) const {
        return process_ && process_->state() == QProcess::NotRunning && process_->exitStatus() == QProcess::NormalExit &&
               process_->exitCode() == code;
    }
    int exitCode() const { return process_ ? process_->exitCode() : -1; }
    qint64 pid() const { return process_ ? process_->processId() : 0; }
    // SIGKILL: no chance to clean up, like a crash or a power cut.
    void kill() {
        if (!running()) return;
        process_->kill();
        process_->waitForFinished(10000);
        output_ += process_->readAll();
    }
    void terminate() {
        if (!running()) return;
        process_->terminate();
        if (!process_->waitForFinished(10000)) kill();
        output_ += process_->readAll();
    }
    const QByteArray& output() const { return output_; }
    bool printed(const QByteArray& text) const { return output_.contains(text); }
    const QString& name() const { return name_; }

private:
    QString name_, program_;
    QStringList arguments_;
    std::unique_ptr<QProcess> process_;
    QByteArray output_;
};

// A coordinator process with its config file, state and optional privacy capture.
class CoordinatorProcess {
public:
    CoordinatorProcess(const QString& dir, const CertificateSet& certificates, quint16 port, const QJsonObject& extra = {})
        : dir_(dir) {
        QDir().mkpath(dir);
        QJsonObject config{{"listen", QJsonObject{{"address", "127.0.0.1"}, {"port", port}}},
                           {"tls", QJsonObject{{"certificate", certificates.serverCertificate},
                                               {"key", certificates.serverKey}}},
                           {"database", QJsonObject{{"path", dir + "/state.sqlite"}}},
                           {"tick_interval_ms", 200}};
        for (auto it = extra.begin(); it != extra.end(); ++it) config.insert(it.key(), it.value());
        configPath_ = dir + "/coordinator.json";
        QFile file(configPath_);
        if (!file.open(QIODevice::WriteOnly)) throw Error("cannot write " + ss(configPath_));
        file.write(QJsonDocument(config).toJson());
    }

    void start() {
        process_ = std::make_unique<ChildProcess>("coordinator", coordinatorExecutable(),
                                                  QStringList{"serve", "--config", configPath_});
        process_->start();
        static const QRegularExpression listening(QStringLiteral("listening on https://127\\.0\\.0\\.1:(\\d+)"));
        if (!waitUntil([&] { return listening.match(QString::fromUtf8(process_->output())).hasMatch() || !process_->running(); },
                       20000) ||
            !process_->running())
            throw Error("the coordinator did not start:\n" + process_->output().toStdString());
        port_ = static_cast<quint16>(listening.match(QString::fromUtf8(process_->output())).captured(1).toUInt());
    }
    void kill() { process_->kill(); }
    bool running() const { return process_ && process_->running(); }

    // An administrator command against this coordinator's state; throws unless it succeeds.
    QByteArray admin(const QStringList& arguments) const {
        QStringList all{arguments.first(), "--config", configPath_};
        all += arguments.mid(1);
        const auto [code, output] = runCommand(coordinatorExecutable(), all);
        if (code != 0) throw Error("fedmedclip-coordinator " + ss(arguments.join(' ')) + ": " + output.toStdString());
        return output;
    }
    QJsonArray adminJson(const QStringList& arguments) const {
        return QJsonDocument::fromJson(admin(arguments + QStringList{"--json"})).array();
    }

    quint16 port() const { return port_; }
    QString url() const { return QStringLiteral("https://127.0.0.1:%1").arg(port_); }
    const QString& configPath() const { return configPath_; }
    const QString& dir() const { return dir_; }
    QByteArray output() const { return process_ ? process_->output() : QByteArray(); }

private:
    QString dir_, configPath_;
    quint16 port_ = 0;
    std::unique_ptr<ChildProcess> process_;
};

// A federation created through the admin CLI for tests (random bundle hash unless given).
inline std::string createFederation(const CoordinatorProcess& coordinator, const QStringList& options) {
    QStringList arguments{"create-federation", "--name", "test federation"};
    arguments += options;
    return coordinator.admin(arguments).trimmed().toStdString();
}

inline TrustSettings trustCa(const QString& caPath) {
    TrustSettings trust;
    trust.caCertificates = loadCaCertificates(caPath);
    return trust;
}

// Enrolls through the API as a site would; returns {site id, token}.
inline std::pair<std::string, std::string> enroll(const CoordinatorProcess& coordinator, const std::string& federationId,
                                                  const QString& siteName, const QString& caPath) {
    const auto code = coordinator.admin({"issue-code", "--federation", qs(federationId), "--site", siteName}).trimmed();
    RetryPolicy retry;
    retry.maxAttempts = 3;
    CoordinatorClient client(QUrl(coordinator.url()), trustCa(caPath), retry);
    const auto json = client.postJson("/enroll", QJsonDocument(QJsonObject{{"code", QString::fromLatin1(code)}}).toJson());
    return {ss(json.value("site_id").toString()), ss(json.value("token").toString())};
}

// A FAM of the federation's layout with values from `seed` (small, finite, in fp16 range).
inline ParameterSet syntheticFam(int dim, unsigned seed, float scale = 0.05f) {
    auto fam = famLayout(dim, true);
    unsigned state = seed * 2654435761u + 12345u;
    for (auto& tensor : fam) {
        tensor.values.resize(static_cast<size_t>(tensor.numel()));
        for (auto& value : tensor.values) {
            state = state * 1664525u + 1013904223u;
            value = scale * (static_cast<float>(state >> 8) / static_cast<float>(1u << 24) - 0.5f);
        }
    }
    return fam;
}

// A well-formed fp32 payload, checksum included, whose first value is NaN: the raw body
// (4 bytes per value) sits just before the 4-byte CRC.
inline std::vector<std::uint8_t> nanPayload(const ParameterSet& fam) {
    auto payload = encodeParameters(fam, CodecKind::Fp32Raw);
    std::size_t values = 0;
    for (const auto& tensor : fam) values += tensor.values.size();
    const float nan = std::nanf("");
    std::memcpy(payload.data() + payload.size() - 4 - values * 4, &nan, 4);
    const auto crc = payloadCrc32(payload.data(), payload.size() - 4);
    for (int i = 0; i < 4; ++i) payload[payload.size() - 4 + i] = static_cast<std::uint8_t>(crc >> (8 * i));
    return payload;
}

inline QByteArray uploadJson(const std::string& federationId, int round, const std::string& siteId,
                             const std::vector<std::uint8_t>& payload, std::int64_t samples, const std::string& key,
                             CodecKind codec = CodecKind::Fp16Zlib) {
    UploadBody upload;
    upload.federationId = federationId;
    upload.round = round;
    upload.siteId = siteId;
    upload.idempotencyKey = key;
    upload.sampleCount = samples;
    upload.metrics = {{"train_loss", 0.5}, {"validation_accuracy", 0.7}};
    upload.codec = codecName(codec);
    upload.payload = payload;
    return uploadToJson(upload);
}

}  // namespace fmc::federation::test
