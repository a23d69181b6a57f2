#include "coordinator/coordinator_server.h"

#include "coordinator/coordinator_metrics.h"
#include "coordinator/coordinator_request_guard.h"
#include "protocol/logging.h"

#include <QAbstractHttpServer>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QSaveFile>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpServer>
#include <QTimer>

#include <malloc.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cerrno>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>

namespace fmc::federation {
namespace {

class ConnectionGuard;

// What every connection holds, shared by the listener and the guards (a guard may outlive
// the server object: its socket is deleted later).
struct ConnectionBook : RequestGuard::Budget {
    // Idle connections that never authenticated, oldest first: the first to go when the
    // coordinator is at its connection limit.
    std::map<std::uint64_t, ConnectionGuard*> idleUnauthenticated;
    std::uint64_t nextSerial = 0;
    int established = 0;  // handed to the HTTP server
    int handshaking = 0;
    std::map<QString, int> perAddress;  // handshaking and established, by client address
    int held = 0, peakHeld = 0;          // every address's connections: now, and the most at once
    bool memoryToGiveBack = false;      // a large body was freed since the last malloc_trim
};

// One connection's place in the book, from accept to the socket's deletion.
class ConnectionSlot : public QObject {
public:
    ConnectionSlot(QObject* socket, std::shared_ptr<ConnectionBook> book, QString address)
        : QObject(socket), book_(std::move(book)), address_(std::move(address)) {
        ++book_->perAddress[address_];
        ++book_->handshaking;
        book_->peakHeld = std::max(book_->peakHeld, ++book_->held);
    }
    ~ConnectionSlot() override {
        handshakeDone();
        if (--book_->perAddress[address_] <= 0) book_->perAddress.erase(address_);
        --book_->held;
    }
    bool handshaking() const { return handshaking_; }
    void handshakeDone() {
        if (!handshaking_) return;
        handshaking_ = false;
        --book_->handshaking;
    }

private:
    std::shared_ptr<ConnectionBook> book_;
    QString address_;
    bool handshaking_ = true;
};

// At most one log line a second for refusals that can come by the thousand.
class RefusalLog {
public:
    void note(const QString& what) {
        ++count_;
        if (clock_.isValid() && clock_.elapsed() < 1000) return;
        qCWarning(lcCoordinatorHttp).noquote() << what << "(" << count_ << "refused in the last second or so)";
        count_ = 0;
        clock_.start();
    }

private:
    QElapsedTimer clock_;
    int count_ = 0;
};

// sd_notify(3) by hand: one datagram to $NOTIFY_SOCKET (nothing when not under systemd).
void notifyServiceManager(const char* message) {
    const char* path = std::getenv("NOTIFY_SOCKET");
    if (!path || !*path) return;
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const std::size_t length = std::strlen(path);
    if (length >= sizeof(address.sun_path)) return;
    std::memcpy(address.sun_path, path, length);
    if (address.sun_path[0] == '@') address.sun_path[0] = '\0';  // an abstract socket
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return;
    // Never blocking: a service manager that does not read must not stop the event loop.
    const auto sent = ::sendto(fd, message, std::strlen(message), MSG_NOSIGNAL | MSG_DONTWAIT,
                               reinterpret_cast<sockaddr*>(&address),
                               static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + length));
    if (sent < 0 && errno != EAGAIN)
        qCWarning(lcCoordinator) << "sd_notify: cannot write to" << path << ":" << std::strerror(errno);
    ::close(fd);
}

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
// connected before Qt's) and hands it to the RequestGuard; on a refusal it answers itself,
// swallows the input so Qt's parser never gets it, and closes. Like nginx's lingering
// close, it keeps reading for a moment before closing: closing on a client that is still
// sending makes its kernel drop the answer for a reset.
class ConnectionGuard : public QObject, private RequestGuard::Events {
public:
    ConnectionGuard(QSslSocket* socket, const HttpLimits& limits, std::shared_ptr<ConnectionBook> book, bool viaProxy)
        : QObject(socket), socket_(socket), limits_(limits), book_(std::move(book)), viaProxy_(viaProxy),
          serial_(book_->nextSerial++), requests_(limits, book_, *this) {
        ++book_->established;
        timer_.setSingleShot(true);
        connect(&timer_, &QTimer::timeout, this, &ConnectionGuard::timedOut);
        connect(socket_, &QIODevice::readyRead, this, &ConnectionGuard::inspect);
        connect(socket_, &QAbstractSocket::disconnected, socket_, &QObject::deleteLater);
        becameIdle();
    }
    ~ConnectionGuard() override {
        book_->idleUnauthenticated.erase(serial_);
        --book_->established;
        if (requests_.largestBody() >= (1 << 20)) book_->memoryToGiveBack = true;
    }

    // Answers and closes. `lingerBytes`: the body the client announced and is still sending,
    // swallowed before closing; without it, the close follows a short quiet period.
    void refuse(int status, const std::string& code, const std::string& message, qint64 lingerBytes = 0) {
        if (state_ != State::Open) return;
        book_->idleUnauthenticated.erase(serial_);
        state_ = State::Lingering;
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

    // The connection carried a request with a valid site token: the long idle timeout from
    // now on, and it is never evicted.
    void markAuthenticated() {
        if (authenticated_) return;
        authenticated_ = true;
        book_->idleUnauthenticated.erase(serial_);
        if (state_ == State::Open && requests_.phase() == RequestGuard::Phase::Idle) timer_.start(limits_.idleTimeoutMs);
    }

    // Makes room for a new connection: this one was idle and never authenticated.
    void evict() {
        qCInfo(lcCoordinatorHttp).noquote() << socket_->peerAddress().toString()
                                            << "idle unauthenticated connection closed to make room";
        close();
    }

private:
    enum class State { Open, Lingering, Closing };
    static constexpr int kLingerQuietMs = 200;
    static constexpr int kLingerMaxMs = 5000;

    void requestStarted() override {
        book_->idleUnauthenticated.erase(serial_);
        clock_.start();
        timer_.start(limits_.headerTimeoutMs);
    }
    void bodyStarted() override { timer_.start(std::max<qint64>(1, limits_.requestTimeoutMs - clock_.elapsed())); }
    // Until it has made an authenticated request, a connection gets the short idle timeout:
    // idle TLS connections are what one client needs to take every slot.
    void becameIdle() override {
        const bool trusted = viaProxy_ || authenticated_;
        if (!trusted) book_->idleUnauthenticated[serial_] = this;
        timer_.start(trusted ? limits_.idleTimeoutMs : limits_.unauthenticatedIdleTimeoutMs);
    }

    void close() {
        book_->idleUnauthenticated.erase(serial_);
        state_ = State::Closing;
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

    void timedOut() {
        switch (state_) {
        case State::Lingering:
            close();
            return;
        case State::Closing:
            socket_->abort();
            socket_->deleteLater();
            return;
        case State::Open:
            break;
        }
        switch (requests_.phase()) {
        case RequestGuard::Phase::Headers:
            refuse(408, "request_timeout", "the request headers did not arrive within " +
                                               std::to_string(limits_.headerTimeoutMs) + " ms");
            return;
        case RequestGuard::Phase::Body:
            refuse(408, "request_timeout",
                   "the request did not arrive within " + std::to_string(limits_.requestTimeoutMs) + " ms");
            return;
        case RequestGuard::Phase::Idle:
        case RequestGuard::Phase::Refused:
            close();
            return;
        }
    }

    void inspect() {
        if (state_ != State::Open) {
            const auto swallowed = socket_->readAll().size();
            if (state_ == State::Lingering) linger(swallowed);
            return;
        }
        if (const auto refusal = requests_.inspect(socket_->peek(socket_->bytesAvailable())))
            refuse(refusal->status, refusal->code, refusal->message, refusal->lingerBytes);
    }

    QSslSocket* socket_;
    const HttpLimits& limits_;
    std::shared_ptr<ConnectionBook> book_;
    const bool viaProxy_;  // a trusted proxy: it authenticates and limits its clients itself
    const std::uint64_t serial_;  // order of arrival
    bool authenticated_ = false;
    RequestGuard requests_;
    QTimer timer_;
    QElapsedTimer clock_, lingerClock_;
    State state_ = State::Open;
    qint64 lingerRemaining_ = 0;
};

// Owns the TLS handshakes: Qt's QSslServer stops accepting once 30 handshakes are pending
// and frees a slot only on its timeout, so a few dozen connections that close early wedge
// it for good. Here a connection that closes, errs or sends garbage during the handshake
// frees its slot at once, every handshake has a deadline, and one client address holds at
// most max_connections_per_address connections. Established connections go to the HTTP
// server with a guard in front.
class TlsListener : public QTcpServer {
public:
    TlsListener(const HttpLimits& limits, QSslConfiguration tls, QStringList trustedProxies,
                std::shared_ptr<ConnectionBook> book, QObject* parent)
        : QTcpServer(parent), limits_(limits), tls_(std::move(tls)), trustedProxies_(std::move(trustedProxies)),
          book_(std::move(book)) {
        // Out of descriptors (EMFILE) Qt pauses accepting for good: resume a moment later.
        connect(this, &QTcpServer::acceptError, this, [this](QAbstractSocket::SocketError) {
            refusals_.note(QStringLiteral("accept failed (%1); retrying").arg(errorString()));
            QTimer::singleShot(200, this, [this] { resumeAccepting(); });
        });
    }

    // The liveness self-check's connection from address:port is recognised and counted.
    // One probe at a time: a probe that never arrived is forgotten when the next one starts.
    void expectProbe(const QString& address, quint16 port) { probes_ = {{address, port}}; }
    int probesAccepted() const { return probesAccepted_; }

    QTcpSocket* nextPendingConnection() override {
        auto* socket = qobject_cast<QSslSocket*>(QTcpServer::nextPendingConnection());
        if (!socket) return nullptr;
        auto* guard = new ConnectionGuard(socket, limits_, book_, trustedProxies_.contains(socket->peerAddress().toString()));
        if (book_->established > limits_.maxConnections) {
            // Room is made from idle connections that never authenticated, oldest first: holding
            // connections open is all an attacker without a token can do.
            const auto oldest = book_->idleUnauthenticated.begin();
            if (oldest != book_->idleUnauthenticated.end() && oldest->second != guard)
                oldest->second->evict();
            else
                guard->refuse(503, "too_many_connections", "the coordinator is at its connection limit; retry later");
        }
        return socket;
    }

protected:
    void incomingConnection(qintptr descriptor) override {
        auto* socket = new QSslSocket(this);
        if (!socket->setSocketDescriptor(descriptor)) {
            ::close(static_cast<int>(descriptor));
            delete socket;
            return;
        }
        const auto address = socket->peerAddress().toString();
        if (probes_.erase({address, socket->peerPort()})) {
            ++probesAccepted_;
            socket->abort();
            socket->deleteLater();
            return;
        }
        const bool proxy = trustedProxies_.contains(address);
        const auto held = book_->perAddress.find(address);
        if (!proxy && held != book_->perAddress.end() && held->second >= limits_.maxConnectionsPerAddress) {
            refusals_.note(address + QStringLiteral(": connection refused: at its limit of %1 connections")
                                         .arg(limits_.maxConnectionsPerAddress));
            socket->abort();
            socket->deleteLater();
            return;
        }
        if (book_->handshaking >= limits_.maxPendingHandshakes) {
            refusals_.note(address + QStringLiteral(": connection refused: %1 TLS handshakes pending")
                                         .arg(limits_.maxPendingHandshakes));
            socket->abort();
            socket->deleteLater();
            return;
        }
        auto* slot = new ConnectionSlot(socket, book_, address);
        auto* deadline = new QTimer(slot);
        deadline->setSingleShot(true);
        connect(deadline, &QTimer::timeout, socket, [socket] {
            socket->abort();
            socket->deleteLater();
        });
        // Whatever ends a handshake early (the peer closing, garbage, a TLS alert) frees the slot now.
        const auto giveUp = [socket, slot] {
            if (!slot->handshaking()) return;
            socket->abort();
            socket->deleteLater();
        };
        connect(socket, &QAbstractSocket::disconnected, socket, giveUp);
        connect(socket, &QAbstractSocket::errorOccurred, socket, giveUp);
        connect(socket, &QSslSocket::encrypted, this, [this, socket, slot, deadline] {
            delete deadline;
            slot->handshakeDone();
            addPendingConnection(socket);  // the HTTP server takes it at once
        });
        socket->setSslConfiguration(tls_);
        deadline->start(limits_.handshakeTimeoutMs);
        socket->startServerEncryption();
    }

private:
    const HttpLimits& limits_;
    const QSslConfiguration tls_;
    const QStringList trustedProxies_;
    std::shared_ptr<ConnectionBook> book_;
    std::set<std::pair<QString, quint16>> probes_;
    int probesAccepted_ = 0;
    RefusalLog refusals_;
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
        // An upload is answered once a worker has parsed it; the answers of requests a client
        // pipelined behind it wait, so that each connection's answers keep their order.
        auto answer = std::make_shared<Answer>(Answer{makeResponder(request, socket), std::nullopt, api.method, api.path,
                                                      api.remoteAddress, clock});
        const auto [queue, added] = answers_.try_emplace(socket);
        if (added) connect(socket, &QObject::destroyed, this, [this, socket] { answers_.erase(socket); });
        queue->second.push_back(answer);
        service_.handleAsync(api, [self = QPointer<HttpFrontend>(this), answer,
                                   connection = QPointer<QTcpSocket>(socket)](const ApiResponse& response) {
            answer->response = response;
            if (self && connection) self->sendReadyAnswers(connection);
        });
        return true;
    }

    void missingHandler(const QHttpServerRequest& request, QTcpSocket* socket) override {
        makeResponder(request, socket).write(errorBody(404, "not_found", "no such route"), "application/json",
                                             QHttpServerResponder::StatusCode::NotFound);
    }

private:
    struct Answer {
        QHttpServerResponder responder;
        std::optional<ApiResponse> response;  // set once the service answered
        QByteArray method;
        QString path, remoteAddress;
        QElapsedTimer clock;
    };

    // Writes the answers at the front of the connection's queue that are ready.
    void sendReadyAnswers(QTcpSocket* socket) {
        const auto queue = answers_.find(socket);
        if (queue == answers_.end()) return;
        while (!queue->second.empty() && queue->second.front()->response) {
            const auto answer = queue->second.front();
            queue->second.pop_front();
            const auto& response = *answer->response;
            if (response.authenticated)
                for (auto* child : socket->children())
                    if (auto* guard = dynamic_cast<ConnectionGuard*>(child)) guard->markAuthenticated();
            auto& responder = answer->responder;
            responder.writeStatusLine(static_cast<QHttpServerResponder::StatusCode>(response.status));
            responder.writeHeader("Content-Type", response.contentType);
            responder.writeHeader("Cache-Control", "no-store");
            responder.writeHeader("X-Content-Type-Options", "nosniff");
            for (const auto& [name, value] : response.headers) responder.writeHeader(name, value);
            responder.writeHeader("Content-Length", QByteArray::number(response.body.size()));
            responder.writeBody(response.body);
            if (metrics)
                metrics->recordRequest(answer->method, answer->path, response.status, answer->clock.nsecsElapsed() / 1e9);
            qCInfo(lcCoordinatorHttp).noquote() << answer->remoteAddress << answer->method << answer->path
                                                << response.status << response.body.size() << "bytes"
                                                << answer->clock.elapsed() << "ms";
        }
    }

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

public:
    CoordinatorMetrics* metrics = nullptr;

private:
    CoordinatorService& service_;
    const CoordinatorConfig& config_;
    int captured_ = 0;
    // Per connection, the answers not yet written, in the order the requests came.
    std::map<QTcpSocket*, std::deque<std::shared_ptr<Answer>>> answers_;
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
    TlsListener* tcp = nullptr;
    std::shared_ptr<ConnectionBook> book = std::make_shared<ConnectionBook>();
    QTimer tick;
    std::unique_ptr<CoordinatorMetrics> metrics;
    std::optional<quint16> metricsPort;
    // The liveness self-check (see checkLiveness).
    QTimer liveness;
    QPointer<QTcpSocket> probe;
    int probesAcceptedBefore = 0;
    int failedChecks = 0;
    int listenerRestarts = 0;
    quint16 port = 0;

    QHostAddress probeTarget() const {
        if (config.listenAddress == QHostAddress::Any || config.listenAddress == QHostAddress::AnyIPv4)
            return QHostAddress::LocalHost;
        if (config.listenAddress == QHostAddress::AnyIPv6) return QHostAddress::LocalHostIPv6;
        return config.listenAddress;
    }

    // A process that runs but no longer accepts is what Restart=on-failure cannot see. Every
    // interval the coordinator connects to its own port; the listener recognises the probe.
    // Accepted: the service manager's watchdog is fed. Two failures in a row: the listening
    // socket is reopened. Failing still: the watchdog goes hungry and systemd restarts the
    // service (without systemd, serve exits with an error).
    void checkLiveness() {
        const bool accepted = tcp->probesAccepted() > probesAcceptedBefore;
        if (probe) probe->deleteLater();
        if (accepted) {
            failedChecks = 0;
            notifyServiceManager("WATCHDOG=1");
        } else if (++failedChecks == 2) {
            qCCritical(lcCoordinatorHttp) << "liveness: the listener accepted no self-check connection for"
                                          << 2 * config.limits.livenessCheckIntervalMs << "ms; reopening it";
            ++listenerRestarts;
            tcp->close();
            if (!tcp->listen(config.listenAddress, port))
                qCCritical(lcCoordinatorHttp) << "liveness: cannot listen again:" << tcp->errorString();
        } else if (failedChecks >= 4) {
            qCCritical(lcCoordinatorHttp) << "liveness: still not accepting after reopening the listener";
            if (!qEnvironmentVariableIsSet("WATCHDOG_USEC")) QCoreApplication::exit(3);
            return;  // the watchdog goes hungry
        }
        if (book->memoryToGiveBack) {
            book->memoryToGiveBack = false;
            malloc_trim(0);  // large bodies were freed: give the pages back
        }
        probesAcceptedBefore = tcp->probesAccepted();
        auto* socket = new QTcpSocket(http);
        probe = socket;
        const auto target = probeTarget();
        if (!socket->bind(target.protocol() == QAbstractSocket::IPv6Protocol ? QHostAddress::LocalHostIPv6
                                                                             : QHostAddress(target), 0)) {
            qCWarning(lcCoordinatorHttp) << "liveness: cannot bind the self-check socket:" << socket->errorString();
            return;
        }
        tcp->expectProbe(socket->localAddress().toString(), socket->localPort());
        socket->connectToHost(target, port);
    }
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
    options.aggregateInBackground = true;
    options.aggregationGuards = config.aggregationGuards;
    options.streamingAggregation = config.streamingAggregation;
    options.parseUploadsOnWorkers = config.parseUploadsOnWorkers;
    options.enrollmentRefusalsPerMinute = config.limits.enrollmentRefusalsPerMinute;  // health checks and other federations are served meanwhile
    d->service = std::make_unique<CoordinatorService>(*d->store, options);
    d->http = new HttpFrontend(*d->service, d->config);
    d->http->setParent(this);
    if (config.metricsEnabled) {
        d->metrics = std::make_unique<CoordinatorMetrics>(*d->store);
        d->http->metrics = d->metrics.get();
        d->metrics->setConnectionCounts([book = d->book] {
            return CoordinatorMetrics::ConnectionCounts{book->held, book->peakHeld};
        });
    }
    d->book->acceptsToken = [service = d->service.get()](const QByteArray& authorization) {
        return service->acceptsToken(authorization);
    };
    connect(&d->tick, &QTimer::timeout, this, [this] { d->service->tick(); });
    connect(&d->liveness, &QTimer::timeout, this, [this] { d->checkLiveness(); });
}

CoordinatorServer::~CoordinatorServer() {
    d->liveness.stop();
    d->book->acceptsToken = nullptr;  // guards may outlive the service
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
    d->tcp = new TlsListener(d->config.limits, d->tls, d->config.trustedProxies, d->book, nullptr);
    if (!d->tcp->listen(d->config.listenAddress, d->config.port)) {
        const auto message = d->tcp->errorString();
        delete d->tcp;
        d->tcp = nullptr;
        throw Error(ss(d->config.path) + ": listen: cannot listen on " + ss(d->config.listenAddress.toString()) + ":" +
                    std::to_string(d->config.port) + " (" + ss(message) + ")");
    }
    if (d->metrics) d->metricsPort = d->metrics->listen(d->config.metricsAddress, d->config.metricsPort);
    d->http->bind(d->tcp);  // takes ownership
    d->service->tick();     // finish whatever a crash interrupted, close overdue rounds
    d->tick.start(d->config.tickIntervalMs);
    d->port = d->tcp->serverPort();
    // Under systemd's watchdog the self-check feeds it at least three times per period.
    int interval = d->config.limits.livenessCheckIntervalMs;
    bool ok = false;
    const auto watchdogUs = qEnvironmentVariable("WATCHDOG_USEC").toLongLong(&ok);
    if (ok && watchdogUs > 0) interval = std::clamp<int>(static_cast<int>(watchdogUs / 3000), 100, interval);
    d->liveness.start(interval);
    d->checkLiveness();  // the first probe; it is judged at the next interval
    d->failedChecks = 0;
    notifyServiceManager("READY=1");
    return d->port;
}

CoordinatorService& CoordinatorServer::service() { return *d->service; }

std::optional<quint16> CoordinatorServer::metricsPort() const { return d->metricsPort; }
int CoordinatorServer::listenerRestarts() const { return d->listenerRestarts; }

int CoordinatorServer::peakConnections() const { return d->book->peakHeld; }

void CoordinatorServer::pauseAcceptingForTest() { d->tcp->pauseAccepting(); }

}  // namespace fmc::federation
