#include "site_agent/coordinator_client.h"

#include "protocol/logging.h"

#include <QCryptographicHash>
#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSslConfiguration>
#include <QSslError>
#include <QTimer>

#include <algorithm>
#include <cmath>

namespace fmc::federation {

QList<QSslCertificate> loadCaCertificates(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) throw Error(ss(path) + ": cannot read the federation's CA certificate");
    const auto certificates = QSslCertificate::fromData(file.readAll(), QSsl::Pem);
    if (certificates.isEmpty()) throw Error(ss(path) + ": no PEM certificate found (expected the federation's CA certificate)");
    return certificates;
}

QString normalizeFingerprint(const QString& text) {
    QString hex = text.trimmed().toLower();
    if (hex.startsWith(QLatin1String("sha256:"))) hex = hex.mid(7);
    hex.remove(QLatin1Char(':'));
    static const QRegularExpression pattern(QStringLiteral("^[0-9a-f]{64}$"));
    if (!pattern.match(hex).hasMatch())
        throw Error("pin: '" + ss(text.left(120)) + "' is not a SHA-256 fingerprint (64 hex digits, colons allowed)");
    return hex;
}

QString certificateFingerprint(const QSslCertificate& certificate) {
    return QString::fromLatin1(certificate.digest(QCryptographicHash::Sha256).toHex());
}

int backoffDelayMs(int attempt, const RetryPolicy& policy, std::mt19937_64& random) {
    const double exponential = policy.initialDelayMs * std::pow(2.0, std::max(0, attempt - 1));
    const int capped = static_cast<int>(std::min<double>(exponential, policy.maxDelayMs));
    std::uniform_int_distribution<int> jitter(0, capped - capped / 2);
    return capped / 2 + jitter(random);
}

QByteArray HttpResult::header(const QByteArray& name) const {
    for (const auto& [key, value] : headers)
        if (key.compare(name, Qt::CaseInsensitive) == 0) return value;
    return {};
}

void throwApiError(const HttpResult& result, const QString& what) {
    const auto error = QJsonDocument::fromJson(result.body).object().value("error").toObject();
    const auto message = error.value("message").toString();
    throw ApiError(result.status, ss(error.value("code").toString(QStringLiteral("http_%1").arg(result.status))),
                   ss(what) + ": the coordinator answered " + std::to_string(result.status) +
                       (message.isEmpty() ? std::string() : ": " + ss(message)),
                   ss(error.value("field").toString()));
}

namespace {

bool isTransientStatus(int status) {
    return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

QString describeCertificate(const QSslCertificate& certificate) {
    if (certificate.isNull()) return QStringLiteral("no certificate");
    const auto fingerprint = certificateFingerprint(certificate);
    return QStringLiteral("subject '%1', issued by '%2', SHA-256 fingerprint %3")
        .arg(certificate.subjectDisplayName(), certificate.issuerDisplayName(), fingerprint);
}

}  // namespace

struct CoordinatorClient::Impl {
    QUrl baseUrl;
    TrustSettings trust;
    QString pin;
    RetryPolicy retry;
    QNetworkAccessManager network;
    QSslConfiguration tls;
    QByteArray authorization;
    std::function<void(const QString&)> log;
    const std::atomic<bool>* cancel = nullptr;
    std::mt19937_64 random{QRandomGenerator::system()->generate64()};
    std::int64_t sent = 0, received = 0;

    bool cancelled() const { return cancel && cancel->load(); }

    void note(const QString& message) const {
        if (log) log(message);
        else qCInfo(lcSiteClient).noquote() << message;
    }

    enum class Outcome { Done, Transient, Fatal };
    struct Attempt {
        Outcome outcome = Outcome::Done;
        HttpResult result;
        QString error;
        int retryAfterMs = 0;
    };

    Attempt attempt(const QByteArray& method, const QString& path, const QByteArray& body, const QByteArray& contentType) {
        QUrl url = baseUrl;
        url.setPath(baseUrl.path() + QString::fromLatin1(kApiPrefix) + path);
        QNetworkRequest request(url);
        request.setSslConfiguration(tls);
        request.setTransferTimeout(retry.requestTimeoutMs);
        request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
        request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
        request.setRawHeader("User-Agent", "fedmedclip-site");
        if (!authorization.isEmpty()) request.setRawHeader("Authorization", authorization);
        if (method == "POST") request.setHeader(QNetworkRequest::ContentTypeHeader, contentType);

        QNetworkReply* reply = method == "POST" ? network.post(request, body) : network.get(request);
        QList<QSslError> tlsErrors;
        QSslCertificate presented;
        QString pinMismatch;
        QObject::connect(reply, &QNetworkReply::sslErrors, reply, [&](const QList<QSslError>& errors) {
            tlsErrors = errors;
            presented = reply->sslConfiguration().peerCertificate();
            if (presented.isNull() && !errors.isEmpty()) presented = errors.first().certificate();
            // A pinned certificate stands for itself: chain and host name do not matter.
            if (!pin.isEmpty() && certificateFingerprint(presented) == pin) reply->ignoreSslErrors(errors);
        });
        QObject::connect(reply, &QNetworkReply::encrypted, reply, [&] {
            const auto certificate = reply->sslConfiguration().peerCertificate();
            if (!pin.isEmpty() && certificateFingerprint(certificate) != pin) {
                presented = certificate;
                pinMismatch = certificateFingerprint(certificate);
                reply->abort();
            }
        });
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        QTimer cancelWatch;
        QObject::connect(&cancelWatch, &QTimer::timeout, reply, [&] {
            if (cancelled()) reply->abort();
        });
        cancelWatch.start(200);
        loop.exec();
        cancelWatch.stop();

        Attempt result;
        result.result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (reply->isOpen()) result.result.body = reply->readAll();
        for (const auto& pair : reply->rawHeaderPairs()) result.result.headers.append(pair);
        const auto networkError = reply->error();
        result.error = reply->errorString();
        reply->disconnect();  // the lambdas above refer to this frame
        reply->deleteLater();

        const QString where = baseUrl.toString(QUrl::RemoveUserInfo | QUrl::RemovePath);
        if (!pinMismatch.isEmpty() || (!tlsErrors.isEmpty() && result.result.status == 0) ||
            networkError == QNetworkReply::SslHandshakeFailedError) {
            QStringList reasons;
            for (const auto& error : tlsErrors) reasons << error.errorString();
            if (!pinMismatch.isEmpty()) reasons << QStringLiteral("its fingerprint is not the pinned %1").arg(pin);
            if (reasons.isEmpty()) reasons << result.error;
            result.outcome = Outcome::Fatal;
            result.error =
                QStringLiteral("TLS: refusing to talk to the coordinator at %1: its certificate (%2) is not trusted "
                               "by this site (%3). If the address is right, the coordinator's certificate was replaced "
                               "or someone is intercepting the connection: ask the coordinator operator for the "
                               "federation's current CA certificate (or fingerprint) and do not continue until it "
                               "matches.")
                    .arg(where, describeCertificate(presented), reasons.join(QStringLiteral("; ")));
            return result;
        }
        if (cancelled()) {
            result.outcome = Outcome::Fatal;
            result.error = QStringLiteral("cancelled");
            return result;
        }
        if (result.result.status == 0) {
            result.outcome = Outcome::Transient;
            return result;
        }
        sent += body.size();
        received += result.result.body.size();
        if (isTransientStatus(result.result.status)) {
            result.outcome = Outcome::Transient;
            result.error = QStringLiteral("HTTP %1").arg(result.result.status);
            bool ok = false;
            const int seconds = result.result.header("Retry-After").toInt(&ok);
            if (ok && seconds > 0) result.retryAfterMs = std::min(seconds, 300) * 1000;
        }
        return result;
    }

    HttpResult request(const QByteArray& method, const QString& path, const QByteArray& body,
                       const QByteArray& contentType) {
        for (int attemptNumber = 1;; ++attemptNumber) {
            if (cancelled()) throw Error("cancelled");
            auto outcome = attempt(method, path, body, contentType);
            if (outcome.outcome == Outcome::Done) return outcome.result;
            if (outcome.outcome == Outcome::Fatal) throw Error(ss(outcome.error));
            if (attemptNumber >= retry.maxAttempts)
                throw Error("cannot reach the coordinator at " + ss(baseUrl.toString()) + " (" + method.toStdString() +
                            " " + ss(path) + ") after " + std::to_string(attemptNumber) + " attempts: " +
                            ss(outcome.error));
            const int delay = std::max(backoffDelayMs(attemptNumber, retry, random), outcome.retryAfterMs);
            note(QStringLiteral("%1 %2 failed (%3); retrying in %4 ms (attempt %5 of %6)")
                     .arg(QString::fromLatin1(method), path, outcome.error)
                     .arg(delay)
                     .arg(attemptNumber + 1)
                     .arg(retry.maxAttempts));
            if (!sleep(delay)) throw Error("cancelled");
        }
    }

    bool sleep(int ms) {
        QEventLoop loop;
        QTimer done, watch;
        done.setSingleShot(true);
        QObject::connect(&done, &QTimer::timeout, &loop, &QEventLoop::quit);
        QObject::connect(&watch, &QTimer::timeout, &loop, [&] {
            if (cancelled()) loop.quit();
        });
        done.start(ms);
        watch.start(100);
        loop.exec();
        return !cancelled();
    }
};

CoordinatorClient::CoordinatorClient(const QUrl& baseUrl, TrustSettings trust, RetryPolicy retry)
    : d(std::make_unique<Impl>()) {
    if (!baseUrl.isValid() || baseUrl.scheme() != QLatin1String("https") || baseUrl.host().isEmpty())
        throw Error("coordinator URL: '" + ss(baseUrl.toString()) +
                    "' must be an https:// address; the site never talks to the coordinator without TLS");
    if (trust.empty())
        throw Error("trust: neither the federation's CA certificate nor a pinned fingerprint was given");
    d->baseUrl = baseUrl;
    d->baseUrl.setPath(baseUrl.path().endsWith(QLatin1Char('/')) ? baseUrl.path().chopped(1) : baseUrl.path());
    d->pin = trust.pinnedSha256.isEmpty() ? QString() : normalizeFingerprint(trust.pinnedSha256);
    d->trust = std::move(trust);
    d->retry = retry;
    d->tls = QSslConfiguration::defaultConfiguration();
    d->tls.setCaCertificates(d->trust.caCertificates);  // the federation's CA only, not the system's
    d->tls.setProtocol(QSsl::TlsV1_2OrLater);
    d->tls.setPeerVerifyMode(QSslSocket::VerifyPeer);
}

CoordinatorClient::~CoordinatorClient() = default;

void CoordinatorClient::setToken(const std::string& token) {
    d->authorization = token.empty() ? QByteArray() : "Bearer " + QByteArray::fromStdString(token);
}

void CoordinatorClient::setLog(std::function<void(const QString&)> log) { d->log = std::move(log); }
void CoordinatorClient::setCancelFlag(const std::atomic<bool>* cancel) { d->cancel = cancel; }

HttpResult CoordinatorClient::get(const QString& path) { return d->request("GET", path, {}, {}); }

HttpResult CoordinatorClient::post(const QString& path, const QByteArray& body, const QByteArray& contentType) {
    return d->request("POST", path, body, contentType);
}

QJsonObject CoordinatorClient::getJson(const QString& path) {
    const auto result = get(path);
    if (result.status < 200 || result.status >= 300) throwApiError(result, QStringLiteral("GET ") + path);
    return QJsonDocument::fromJson(result.body).object();
}

QJsonObject CoordinatorClient::postJson(const QString& path, const QByteArray& body) {
    const auto result = post(path, body);
    if (result.status < 200 || result.status >= 300) throwApiError(result, QStringLiteral("POST ") + path);
    return QJsonDocument::fromJson(result.body).object();
}

bool CoordinatorClient::sleep(int ms) { return d->sleep(ms); }
std::int64_t CoordinatorClient::bytesSent() const { return d->sent; }
std::int64_t CoordinatorClient::bytesReceived() const { return d->received; }

}  // namespace fmc::federation
