#include "coordinator/coordinator_server.h"

#include "protocol/logging.h"

#include <QAbstractHttpServer>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTimer>

namespace fmc::federation {
namespace {

const char* reasonPhrase(int status) {
    switch (status) {
    case 400: return "Bad Request";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 431: return "Request Header Fields Too Large";
    case 503: return "Service Unavailable";
    default: return "Error";
    }
}

// Shadows Qt's parser on one connection. It sees every byte first (its readyRead slot is
// connected before Qt's), checks the request's framing and limits, and on a violation
// answers itself, swallows the input so Qt's parser never gets it, and closes. Like
// nginx's lingering close, it keeps reading for a moment before closing: closing on a
// client that is still sending makes its kernel drop the answer for a reset.
class ConnectionGuard : public QObject {
public:
    ConnectionGuard(QSslSocket* socket, const HttpLimits& limits, std::shared_ptr<int> openConnections)
        : QObject(socket), socket_(socket), limits_(limits), openConnections_(std::move(openConnections)) {
        ++*openConnections_;
        timer_.setSingleShot(true);
        connect(&timer_, &QTimer::timeout, this, &ConnectionGuard::timedOut);
        connect(socket_, &QIODevice::readyRead, this, &ConnectionGuard::inspect);
        connect(socket_, &QAbstractSocket::disconnected, socket_, &QObject::deleteLater);
        startIdle();
    }
    ~ConnectionGuard() override { --*openConnections_; }

    // Answers and closes. `lingerBytes`: the body the client announced and is still sending,
    // swallowed before closing; without it, the close follows a short quiet period.
    void refuse(int status, const std::string& code, const std::string& message, qint64 lingerBytes = 0) {
        if (phase_ == Phase::Lingering || phase_ == Phase::Closing) return;
        phase_ = Phase::Lingering;
        qCInfo(lcCoordinatorHttp).noquote() << socket_->peerAddress().toString() << "refused:" << status << qs(message);
        const auto body = errorBody(status, code, message);
        QByteArray response = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) +
                              "\r\nContent-Type: application/json\r\nContent-Length: " +
                              QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
        socket_->readAll();
        socket_->write(response);
        lingerRemaining_ = lingerBytes;
        lingerClock_.start();
        timer_.start(lingerRemaining_ > 0 ? kLingerMaxMs : kLingerQuietMs);
    }

private:
    enum class Phase { Idle, Headers, Body, Lingering, Closing };
    static constexpr int kLingerQuietMs = 200;
    static constexpr int kLingerMaxMs = 5000;

    void close() {
        phase_ = Phase::Closing;
        socket_->disconnectFromHost();
        timer_.start(2000);  // a client that never reads the answer is cut off
    }

    void linger(qint64 swallowed) {
        if (lingerRemaining_ > 0) {
            if ((lingerRemaining_ -= swallowed) <= 0) close();
        } else if (lingerClock_.elapsed() > kLingerMaxMs) {
            close();
        } else {
            timer_.start(kLingerQuietMs);  // still sending: wait for a quiet moment
        }
    }

    void startIdle() {
        phase_ = Phase::Idle;
        timer_.start(limits_.idleTimeoutMs);
    }

    void timedOut() {
        switch (phase_) {
        case Phase::Idle:
            close();
            return;
        case Phase::Headers:
            refuse(408, "request_timeout", "the request headers did not arrive within " +
                                               std::to_string(limits_.headerTimeoutMs) + " ms");
            return;
        case Phase::Body:
            refuse(408, "request_timeout",
                   "the request did not arrive within " + std::to_string(limits_.requestTimeoutMs) + " ms");
            return;
        case Phase::Lingering:
            close();
            return;
        case Phase::Closing:
            socket_->abort();
            socket_->deleteLater();
            return;
        }
    }

    void inspect() {
        if (phase_ == Phase::Lingering || phase_ == Phase::Closing) {
            const auto swallowed = socket_->readAll().size();
            if (phase_ == Phase::Lingering) linger(swallowed);
            return;
        }
        QByteArray data = socket_->peek(socket_->bytesAvailable());
        qsizetype position = 0;
        while (position < data.size() && phase_ != Phase::Lingering) {
            if (phase_ == Phase::Idle) {
                // Empty lines before a request line are allowed (RFC 9112 2.2).
                while (position < data.size() && (data[position] == '\r' || data[position] == '\n')) ++position;
                if (position == data.size()) break;
                phase_ = Phase::Headers;
                clock_.start();
                timer_.start(limits_.headerTimeoutMs);
            }
            if (phase_ == Phase::Headers) {
                const auto searchFrom = std::max<qsizetype>(0, headers_.size() - 3);
                const auto room = static_cast<qsizetype>(limits_.maxHeaderBytes) + 4 - headers_.size();
                const auto take = std::min(data.size() - position, std::max<qsizetype>(room, 0));
                headers_.append(data.constData() + position, take);
                const auto end = headers_.indexOf("\r\n\r\n", searchFrom);
                if (end < 0) {
                    if (headers_.size() > limits_.maxHeaderBytes)
                        return refuse(431, "headers_too_large",
                                      "request headers exceed " + std::to_string(limits_.maxHeaderBytes) + " bytes");
                    position += take;
                    continue;
                }
                // Bytes after the blank line belong to the body (or the next request).
                position += end + 4 - (headers_.size() - take);
                headers_.truncate(end);
                bodyBytesBuffered_ = data.size() - position;
                if (!checkHeaders()) return;
                headers_.clear();
                if (bodyRemaining_ == 0) {
                    startIdle();
                } else {
                    phase_ = Phase::Body;
                    timer_.start(std::max<qint64>(1, limits_.requestTimeoutMs - clock_.elapsed()));
                }
                continue;
            }
            if (phase_ == Phase::Body) {
                const auto take = std::min<qint64>(bodyRemaining_, data.size() - position);
                bodyRemaining_ -= take;
                position += take;
                if (bodyRemaining_ == 0) startIdle();
            }
        }
    }

    // Request line, header syntax and body framing. False when the request was refused.
    bool checkHeaders() {
        static const QRegularExpression requestLine(
            QStringLiteral("^(GET|POST|PUT|DELETE|HEAD|OPTIONS|PATCH) /[\\x21-\\x7e]{0,2047} HTTP/1\\.[01]$"));
        static const QRegularExpression headerLine(QStringLiteral("^[!#$%&'*+.^_`|~0-9A-Za-z-]+:[\\t\\x20-\\x7e]*$"));
        const auto lines = headers_.split('\n');
        bodyRemaining_ = 0;
        bool sawLength = false;
        for (int i = 0; i < lines.size(); ++i) {
            QByteArray line = lines[i];
            if (i + 1 < lines.size()) {
                if (!line.endsWith('\r')) {
                    refuse(400, "malformed_request", "header lines must end with CRLF");
                    return false;
                }
                line.chop(1);
            }
            const auto text = QString::fromLatin1(line);
            if (i == 0) {
                if (!requestLine.match(text).hasMatch()) {
                    refuse(400, "malformed_request", "malformed request line");
                    return false;
                }
                continue;
            }
            if (!headerLine.match(text).hasMatch()) {
                refuse(400, "malformed_request", "malformed header line " + std::to_string(i));
                return false;
            }
            const auto colon = line.indexOf(':');
            const auto name = line.left(colon).toLower();
            const auto value = line.mid(colon + 1).trimmed();
            if (name == "transfer-encoding") {
                refuse(411, "length_required", "Transfer-Encoding is not accepted; send the body with Content-Length");
                return false;
            }
            if (name == "content-length") {
                static const QRegularExpression digits(QStringLiteral("^[0-9]{1,15}$"));
                const auto length = value.toLongLong();
                if (!digits.match(QString::fromLatin1(value)).hasMatch() || (sawLength && length != bodyRemaining_)) {
                    refuse(400, "malformed_request", "invalid Content-Length");
                    return false;
                }
                if (length > limits_.maxBodyBytes) {
                    // A body up to twice the limit is swallowed; anything bigger is cut off.
                    refuse(413, "body_too_large",
                           "body: " + std::to_string(length) + " bytes exceed the limit of " +
                               std::to_string(limits_.maxBodyBytes),
                           std::min<qint64>(length, 2 * limits_.maxBodyBytes) - bodyBytesBuffered_);
                    return false;
                }
                sawLength = true;
                bodyRemaining_ = length;
            }
        }
        return true;
    }

    QSslSocket* socket_;
    const HttpLimits& limits_;
    std::shared_ptr<int> openConnections_;  // shared: guards may outlive the server object
    QTimer timer_;
    QElapsedTimer clock_, lingerClock_;
    Phase phase_ = Phase::Idle;
    QByteArray headers_;
    qint64 bodyRemaining_ = 0;
    qint64 bodyBytesBuffered_ = 0;  // of the request being checked, already in the socket buffer
    qint64 lingerRemaining_ = 0;
};

// Hands each established TLS connection to Qt's HTTP server with a guard in front.
class GuardedSslServer : public QSslServer {
public:
    GuardedSslServer(const HttpLimits& limits, QObject* parent) : QSslServer(parent), limits_(limits) {
        setHandshakeTimeout(limits.handshakeTimeoutMs);
    }

    QTcpSocket* nextPendingConnection() override {
        auto* socket = qobject_cast<QSslSocket*>(QSslServer::nextPendingConnection());
        if (!socket) return nullptr;
        auto* guard = new ConnectionGuard(socket, limits_, openConnections_);
        if (*openConnections_ > limits_.maxConnections)
            guard->refuse(503, "too_many_connections", "the coordinator is at its connection limit; retry later");
        return socket;
    }

private:
    const HttpLimits& limits_;
    std::shared_ptr<int> openConnections_ = std::make_shared<int>(0);
};

QByteArray methodName(QHttpServerRequest::Method method) {
    switch (method) {
    case QHttpServerRequest::Method::Get: return "GET";
    case QHttpServerRequest::Method::Post: return "POST";
    case QHttpServerRequest::Method::Put: return "PUT";
    case QHttpServerRequest::Method::Delete: return "DELETE";
    case QHttpServerRequest::Method::Head: return "HEAD";
    case QHttpServerRequest::Method::Options: return "OPTIONS";
    case QHttpServerRequest::Method::Patch: return "PATCH";
    default: return "UNKNOWN";
    }
}

QByteArray header(const QHttpServerRequest& request, const QByteArray& name) {
    for (const auto& [key, value] : request.headers())
        if (key.compare(name, Qt::CaseInsensitive) == 0) return value;
    return {};
}

class HttpFrontend : public QAbstractHttpServer {
public:
    HttpFrontend(CoordinatorService& service, const CoordinatorConfig& config) : service_(service), config_(config) {}

protected:
    bool handleRequest(const QHttpServerRequest& request, QTcpSocket* socket) override {
        QElapsedTimer clock;
        clock.start();
        ApiRequest api;
        api.method = methodName(request.method());
        api.path = request.url().path();
        api.authorization = header(request, "Authorization");
        api.body = request.body();
        api.remoteAddress = request.remoteAddress().toString();
        if (config_.trustedProxies.contains(api.remoteAddress)) {
            const auto forwarded = header(request, "X-Real-IP");
            if (!forwarded.isEmpty() && !QHostAddress(QString::fromLatin1(forwarded)).isNull())
                api.remoteAddress = QHostAddress(QString::fromLatin1(forwarded)).toString();
        }
        capture(api, header(request, "Content-Type"));
        const auto response = service_.handle(api);
        auto responder = makeResponder(request, socket);
        responder.writeStatusLine(static_cast<QHttpServerResponder::StatusCode>(response.status));
        responder.writeHeader("Content-Type", response.contentType);
        responder.writeHeader("Cache-Control", "no-store");
        responder.writeHeader("X-Content-Type-Options", "nosniff");
        for (const auto& [name, value] : response.headers) responder.writeHeader(name, value);
        responder.writeHeader("Content-Length", QByteArray::number(response.body.size()));
        responder.writeBody(response.body);
        qCInfo(lcCoordinatorHttp).noquote() << api.remoteAddress << api.method << api.path << response.status
                                            << response.body.size() << "bytes" << clock.elapsed() << "ms";
        return true;
    }

    void missingHandler(const QHttpServerRequest& request, QTcpSocket* socket) override {
        makeResponder(request, socket).write(errorBody(404, "not_found", "no such route"), "application/json",
                                             QHttpServerResponder::StatusCode::NotFound);
    }

private:
    // The privacy audit: the bodies exactly as received, nothing from the headers.
    void capture(const ApiRequest& api, const QByteArray& contentType) {
        if (config_.privacyCaptureDir.isEmpty()) return;
        // Time first, so captures sort in arrival order and a restarted server adds to them.
        QSaveFile file(QDir(config_.privacyCaptureDir)
                           .filePath(QStringLiteral("%1-%2.json").arg(nowMs()).arg(++captured_, 6, 10, QLatin1Char('0'))));
        const QJsonObject record{{"method", QString::fromLatin1(api.method)},
                                 {"path", api.path},
                                 {"content_type", QString::fromLatin1(contentType)},
                                 {"body_base64", QString::fromLatin1(api.body.toBase64())}};
        if (!file.open(QIODevice::WriteOnly) || file.write(QJsonDocument(record).toJson()) < 0 || !file.commit())
            qCWarning(lcCoordinatorHttp) << "privacy capture: cannot write" << file.fileName();
    }

    CoordinatorService& service_;
    const CoordinatorConfig& config_;
    int captured_ = 0;
};

QSslKey loadKey(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) throw Error(ss(path) + ": cannot read the TLS private key (tls.key)");
    const auto pem = file.readAll();
    for (const auto algorithm : {QSsl::Ec, QSsl::Rsa}) {
        QSslKey key(pem, algorithm, QSsl::Pem, QSsl::PrivateKey);
        if (!key.isNull()) return key;
    }
    throw Error(ss(path) + ": not an unencrypted PEM RSA or EC private key (tls.key)");
}

}  // namespace

struct CoordinatorServer::Impl {
    CoordinatorConfig config;
    std::unique_ptr<CoordinatorStore> store;
    std::unique_ptr<CoordinatorService> service;
    QSslConfiguration tls;
    HttpFrontend* http = nullptr;
    GuardedSslServer* tcp = nullptr;
    QTimer tick;
};

CoordinatorServer::CoordinatorServer(const CoordinatorConfig& config, QObject* parent)
    : QObject(parent), d(std::make_unique<Impl>()) {
    d->config = config;
    if (!QSslSocket::supportsSsl())
        throw Error("TLS: Qt has no working TLS backend (install libssl3 and Qt's OpenSSL plugin)");
    const auto chain = QSslCertificate::fromPath(config.certificatePath, QSsl::Pem);
    if (chain.isEmpty()) throw Error(ss(config.certificatePath) + ": no PEM certificate found (tls.certificate)");
    if (chain.first().expiryDate() < QDateTime::currentDateTimeUtc())
        throw Error(ss(config.certificatePath) + ": the certificate expired on " +
                    ss(chain.first().expiryDate().toString(Qt::ISODate)) + " (tls.certificate)");
    d->tls = QSslConfiguration::defaultConfiguration();
    d->tls.setLocalCertificateChain(chain);
    d->tls.setPrivateKey(loadKey(config.keyPath));
    d->tls.setProtocol(QSsl::TlsV1_2OrLater);
    d->tls.setPeerVerifyMode(QSslSocket::VerifyNone);  // sites authenticate with their token
    if (!config.privacyCaptureDir.isEmpty() && !QDir().mkpath(config.privacyCaptureDir))
        throw Error(ss(config.privacyCaptureDir) + ": cannot create the privacy capture folder (privacy_capture_dir)");

    d->store = CoordinatorStore::open(config.database);
    ServiceOptions options;
    options.maxBodyBytes = config.limits.maxBodyBytes;
    options.aggregateInBackground = true;  // health checks and other federations are served meanwhile
    d->service = std::make_unique<CoordinatorService>(*d->store, options);
    d->http = new HttpFrontend(*d->service, d->config);
    d->http->setParent(this);
    connect(&d->tick, &QTimer::timeout, this, [this] { d->service->tick(); });
}

CoordinatorServer::~CoordinatorServer() {
    delete d->http;  // its sockets go before the store they use
    d->http = nullptr;
    d->tick.stop();
    try {
        // A round being aggregated is published rather than redone at the next start.
        d->service->finishAggregations();
    } catch (const std::exception& error) {
        qCCritical(lcCoordinator) << "stopping:" << error.what();
    }
}

quint16 CoordinatorServer::listen() {
    d->tcp = new GuardedSslServer(d->config.limits, nullptr);
    d->tcp->setSslConfiguration(d->tls);
    if (!d->tcp->listen(d->config.listenAddress, d->config.port)) {
        const auto message = d->tcp->errorString();
        delete d->tcp;
        d->tcp = nullptr;
        throw Error(ss(d->config.path) + ": listen: cannot listen on " + ss(d->config.listenAddress.toString()) + ":" +
                    std::to_string(d->config.port) + " (" + ss(message) + ")");
    }
    d->http->bind(d->tcp);  // takes ownership
    d->service->tick();     // finish whatever a crash interrupted, close overdue rounds
    d->tick.start(d->config.tickIntervalMs);
    return d->tcp->serverPort();
}

CoordinatorService& CoordinatorServer::service() { return *d->service; }

}  // namespace fmc::federation
