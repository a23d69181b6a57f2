#pragma once
// A real Orthanc (Debian's orthanc and orthanc-dicomweb packages) for the PACS tests: its
// own configuration and storage in a temporary folder, HTTP and DICOM ports chosen by the
// OS, loopback only, basic authentication with a random password, the DICOMweb plugin,
// called AE title checked, C-MOVE to the test's own AE title at a port chosen for it. Never
// the system service.
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QUuid>

#include <array>
#include <memory>

namespace fmc::test {

inline const char* kOrthancExecutable = "/usr/sbin/Orthanc";
inline const char* kDicomWebPlugin = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so";

// Ports nothing listens on, all different: every probe stays open until all are picked,
// because a probe closed before the next one opens lets the kernel hand out its port again
// (Orthanc's HTTP port once came back as the C-MOVE destination's).
template <std::size_t N>
std::array<quint16, N> distinctFreeLoopbackPorts() {
    std::array<QTcpServer, N> probes;
    std::array<quint16, N> ports{};
    for (std::size_t i = 0; i < N; ++i) {
        probes[i].listen(QHostAddress::LocalHost, 0);
        ports[i] = probes[i].serverPort();
    }
    return ports;
}

inline quint16 freeLoopbackPort() { return distinctFreeLoopbackPorts<1>()[0]; }

// The files the tests load into Orthanc: several studies, modalities and transfer syntaxes
// (explicit/implicit little endian, JPEG baseline, extended and lossless, RLE), two
// instances in one series.
inline QStringList orthancTestFiles(const QString& sharedData) {
    const QString base = sharedData + QStringLiteral("/dicom/");
    return {base + "pydicom-test-files/CT_small.dcm",        base + "pydicom-test-files/MR_small.dcm",
            base + "pydicom-test-files/SC_rgb_jpeg_dcmtk.dcm", base + "pydicom-test-files/SC_rgb_rle.dcm",
            base + "pydicom-test-files/JPGExtended.dcm",       base + "pydicom-test-files/examples_rgb_color.dcm",
            base + "pylibjpeg-ds/JPEGLosslessSV1/RG2_JPLL.dcm"};
}

struct TestCertificates {
    QString certificate, key, ca;  // PEM files; empty when openssl failed
};

// A hospital CA and a server certificate for 127.0.0.1 signed by it, made with openssl in `dir`.
inline TestCertificates makeTestCertificates(const QString& dir) {
    QDir().mkpath(dir);
    const auto run = [&](const QStringList& arguments) {
        QProcess openssl;
        openssl.setWorkingDirectory(dir);
        openssl.start(QStringLiteral("openssl"), arguments);
        return openssl.waitForFinished(60'000) && openssl.exitCode() == 0;
    };
    QFile ext(dir + "/ext.cnf");
    ext.open(QIODevice::WriteOnly);
    ext.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    ext.close();
    const bool ok =
        run({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj",
             "/CN=Test Hospital CA"}) &&
        run({"req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"}) &&
        run({"x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out",
             "server.crt", "-days", "2", "-extfile", "ext.cnf"});
    if (!ok) return {};
    return {dir + "/server.crt", dir + "/server.key", dir + "/ca.pem"};
}

// Debian's nginx terminating HTTPS in front of an Orthanc, as a hospital's reverse proxy does
// (Debian's Orthanc 1.10 resets its own TLS connections), on an OS-chosen loopback port.
class TlsProxy {
public:
    static QString executable() { return QStringLiteral("/usr/sbin/nginx"); }

    TlsProxy(const QString& dir, const TestCertificates& certificates, quint16 backendPort) : dir_(dir) {
        port_ = freeLoopbackPort();
        QDir().mkpath(dir + "/tmp");
        QFile conf(dir + "/nginx.conf");
        conf.open(QIODevice::WriteOnly);
        conf.write(QStringLiteral("pid %1/nginx.pid;\nerror_log %1/error.log;\ndaemon off;\nworker_processes 1;\n"
                                  "events { worker_connections 64; }\n"
                                  "http {\n  access_log off;\n  client_body_temp_path %1/tmp;\n  proxy_temp_path %1/tmp;\n"
                                  "  fastcgi_temp_path %1/tmp;\n  uwsgi_temp_path %1/tmp;\n  scgi_temp_path %1/tmp;\n"
                                  "  server {\n    listen 127.0.0.1:%2 ssl;\n    ssl_certificate %3;\n"
                                  "    ssl_certificate_key %4;\n    client_max_body_size 64m;\n"
                                  "    location / { proxy_pass http://127.0.0.1:%5; }\n  }\n}\n")
                       .arg(dir).arg(port_).arg(certificates.certificate, certificates.key).arg(backendPort)
                       .toUtf8());
    }
    ~TlsProxy() {
        if (process_.state() != QProcess::NotRunning) {
            process_.terminate();
            process_.waitForFinished(10'000);
        }
    }

    bool start() {
        process_.setProcessChannelMode(QProcess::MergedChannels);
        process_.start(executable(), {"-p", dir_, "-c", dir_ + "/nginx.conf", "-e", dir_ + "/error.log"});
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < 10'000 && process_.state() != QProcess::NotRunning) {
            QTcpSocket probe;
            probe.connectToHost(QHostAddress::LocalHost, port_);
            if (probe.waitForConnected(200)) return true;
            QThread::msleep(50);
        }
        return false;
    }

    QString url(const QString& path) const { return QStringLiteral("https://127.0.0.1:%1%2").arg(port_).arg(path); }

private:
    QString dir_;
    quint16 port_ = 0;
    QProcess process_;
};

class OrthancTestServer {
public:
    static bool installed() {
        return QFileInfo(QString::fromLatin1(kOrthancExecutable)).isExecutable() &&
               QFileInfo::exists(QString::fromLatin1(kDicomWebPlugin));
    }

    explicit OrthancTestServer(const QString& folder)
        : folder_(folder), password_(QUuid::createUuid().toString(QUuid::Id128)) {
        QDir().mkpath(folder_ + "/storage");
        const auto ports = distinctFreeLoopbackPorts<4>();
        httpPort_ = ports[0];
        dicomPort_ = ports[1];
        moveDestinationPort_ = ports[2];
        closedPort_ = ports[3];
        QJsonObject config{
            {"Name", "fmc-test"},
            {"StorageDirectory", folder_ + "/storage"},
            {"IndexDirectory", folder_ + "/storage"},
            {"HttpPort", httpPort_},
            {"DicomPort", dicomPort_},
            {"DicomAet", aeTitle()},
            {"DicomCheckCalledAet", true},
            {"RemoteAccessAllowed", false},
            {"AuthenticationEnabled", true},
            {"RegisteredUsers", QJsonObject{{user(), password_}}},
            {"DicomAlwaysAllowEcho", true},
            {"DicomAlwaysAllowStore", true},
            {"DicomAlwaysAllowFind", true},
            {"DicomAlwaysAllowGet", true},
            // C-MOVE only for the modalities it knows: the test's own AE, whose storage SCP
            // listens on moveDestinationPort(), and one at a port where nothing listens.
            {"DicomAlwaysAllowMove", false},
            {"DicomModalities",
             QJsonObject{{"fmctest", QJsonArray{moveAeTitle(), "127.0.0.1", moveDestinationPort_}},
                         {"closed", QJsonArray{closedPortAeTitle(), "127.0.0.1", closedPort_}}}},
            {"DicomAssociationCloseDelay", 0},  // close its C-STORE association to the move destination at once
            {"UnknownSopClassAccepted", true},
            {"SaveJobs", false},
            {"OverwriteInstances", true},  // the accession number is set by rewriting instances in place
            {"Plugins", QJsonArray{QString::fromLatin1(kDicomWebPlugin)}},
            {"DicomWeb", QJsonObject{{"Enable", true}, {"Root", "/dicom-web/"}, {"EnableWado", true}}},
        };
        QFile file(folder_ + "/orthanc.json");
        file.open(QIODevice::WriteOnly);
        file.write(QJsonDocument(config).toJson());
    }

    ~OrthancTestServer() { stop(); }

    // Starts Orthanc and waits until its REST API answers; false (with the log) otherwise.
    bool start(QString* error = nullptr) {
        process_ = std::make_unique<QProcess>();
        process_->setProcessChannelMode(QProcess::MergedChannels);
        process_->setStandardOutputFile(folder_ + "/orthanc.log", QIODevice::Append);
        process_->start(QString::fromLatin1(kOrthancExecutable), {folder_ + "/orthanc.json"});
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < 30'000) {
            if (process_->state() == QProcess::NotRunning) break;
            if (rest("GET", "/system").first == 200) return true;
            QThread::msleep(100);
        }
        if (error) *error = QStringLiteral("Orthanc did not start: ") + log().right(2000);
        return false;
    }

    // Ends Orthanc at once (SIGKILL), as a crash or a pulled cable would.
    void kill() {
        if (!process_) return;
        process_->kill();
        process_->waitForFinished(10'000);
    }

    void stop() {
        if (!process_ || process_->state() == QProcess::NotRunning) return;
        process_->terminate();
        if (!process_->waitForFinished(10'000)) kill();
    }

    QString log() const {
        QFile file(folder_ + "/orthanc.log");
        file.open(QIODevice::ReadOnly);
        return QString::fromUtf8(file.readAll());
    }

    // A request to Orthanc's REST API with the test user's credentials: (status, body).
    std::pair<int, QByteArray> rest(const QByteArray& method, const QString& path, const QByteArray& body = {},
                                    const QByteArray& contentType = "application/octet-stream") {
        QNetworkAccessManager network;
        QNetworkRequest request(QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(httpPort_).arg(path)));
        request.setRawHeader("Authorization", "Basic " + (user() + ":" + password_).toUtf8().toBase64());
        request.setHeader(QNetworkRequest::ContentTypeHeader, contentType);
        request.setTransferTimeout(10'000);
        auto* reply = network.sendCustomRequest(request, method, body);
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const auto answer = reply->readAll();
        reply->deleteLater();
        return {status, answer};
    }

    bool upload(const QString& path) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) return false;
        return rest("POST", "/instances", file.readAll(), "application/dicom").first == 200;
    }

    quint16 httpPort() const { return httpPort_; }
    quint16 dicomPort() const { return dicomPort_; }
    QString dicomWebUrl() const { return QStringLiteral("http://127.0.0.1:%1/dicom-web").arg(httpPort_); }
    static QString aeTitle() { return QStringLiteral("FMCORTHANC"); }
    // The AE title Orthanc knows as a modality (and accepts C-MOVE from), at moveDestinationPort().
    static QString moveAeTitle() { return QStringLiteral("FMCTEST"); }
    static QString closedPortAeTitle() { return QStringLiteral("FMCCLOSED"); }
    quint16 moveDestinationPort() const { return moveDestinationPort_; }
    static QString user() { return QStringLiteral("site"); }
    const QString& password() const { return password_; }

private:
    QString folder_;
    QString password_;
    quint16 httpPort_ = 0, dicomPort_ = 0, moveDestinationPort_ = 0, closedPort_ = 0;
    std::unique_ptr<QProcess> process_;
};

}  // namespace fmc::test
