#pragma once
// A real Orthanc (Debian's orthanc and orthanc-dicomweb packages) for the PACS tests: its
// own configuration and storage in a temporary folder, HTTP and DICOM ports chosen by the
// OS, loopback only, basic authentication with a random password, the DICOMweb plugin,
// called AE title checked. Never the system service.
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
#include <QThread>
#include <QUuid>

#include <memory>

namespace fmc::test {

inline const char* kOrthancExecutable = "/usr/sbin/Orthanc";
inline const char* kDicomWebPlugin = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so";

inline quint16 freeLoopbackPort() {
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

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

class OrthancTestServer {
public:
    static bool installed() {
        return QFileInfo(QString::fromLatin1(kOrthancExecutable)).isExecutable() &&
               QFileInfo::exists(QString::fromLatin1(kDicomWebPlugin));
    }

    explicit OrthancTestServer(const QString& folder)
        : folder_(folder), password_(QUuid::createUuid().toString(QUuid::Id128)) {
        QDir().mkpath(folder_ + "/storage");
        httpPort_ = freeLoopbackPort();
        dicomPort_ = freeLoopbackPort();
        const QJsonObject config{
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
    static QString user() { return QStringLiteral("site"); }
    const QString& password() const { return password_; }

private:
    QString folder_;
    QString password_;
    quint16 httpPort_ = 0, dicomPort_ = 0;
    std::unique_ptr<QProcess> process_;
};

}  // namespace fmc::test
