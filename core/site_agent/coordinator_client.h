#pragma once
// The site's HTTPS client for the coordinator API. TLS only: the coordinator's certificate
// must chain to the federation's CA (received with the enrollment code), or match a pinned
// SHA-256 fingerprint; anything else is refused with a message a site admin can act on.
// Transient failures (connection refused or dropped, timeouts, 429/5xx) are retried with
// exponential backoff and jitter; a request that cannot succeed (TLS trust, 4xx) is not.
//
// Calls block, running a local event loop: use the client from one thread (the CLI's main
// thread, or a worker thread in the desktop app).
#include "protocol/protocol.h"

#include <QByteArray>
#include <QList>
#include <QSslCertificate>
#include <QString>
#include <QUrl>

#include <atomic>
#include <functional>
#include <memory>
#include <random>

namespace fmc::federation {

struct TrustSettings {
    QList<QSslCertificate> caCertificates;  // the federation's CA (PEM from the enrollment file)
    QString pinnedSha256;                   // or the server certificate's SHA-256, hex (colons allowed)
    bool empty() const { return caCertificates.isEmpty() && pinnedSha256.isEmpty(); }
};

// Reads a PEM CA certificate file; throws fmc::Error naming it.
QList<QSslCertificate> loadCaCertificates(const QString& path);
// "sha256:AB:CD..." or "abcd..." -> "abcd..." (64 hex); throws fmc::Error on anything else.
QString normalizeFingerprint(const QString& text);
// Lowercase hex SHA-256 of a certificate's DER encoding (what `openssl x509 -fingerprint -sha256` shows).
QString certificateFingerprint(const QSslCertificate& certificate);

struct RetryPolicy {
    int maxAttempts = 10;
    int initialDelayMs = 500;
    int maxDelayMs = 30'000;
    int requestTimeoutMs = 120'000;  // one attempt, from start to the last byte
};

// Delay before retry number `attempt` (1-based): exponential growth capped at maxDelayMs,
// with "equal jitter": half of it fixed, half uniformly random, so many sites that lost
// the coordinator together do not come back in lockstep.
int backoffDelayMs(int attempt, const RetryPolicy& policy, std::mt19937_64& random);

struct HttpResult {
    int status = 0;
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray header(const QByteArray& name) const;
};

class CoordinatorClient {
public:
    // Throws fmc::Error for a URL that is not https:// or trust settings that are empty.
    CoordinatorClient(const QUrl& baseUrl, TrustSettings trust, RetryPolicy retry = {});
    ~CoordinatorClient();

    void setToken(const std::string& token);
    // Progress notes (retries, waits), e.g. for the CLI's log.
    void setLog(std::function<void(const QString&)> log);
    void setCancelFlag(const std::atomic<bool>* cancel);

    // `path` is below the API prefix, e.g. "/enroll". Returns any HTTP answer that is not
    // transient (2xx-4xx); throws fmc::Error when TLS trust fails, when retries are
    // exhausted or when cancelled.
    HttpResult get(const QString& path);
    HttpResult post(const QString& path, const QByteArray& body, const QByteArray& contentType = "application/json");

    // As above and throws ApiError (status, code and message from the error body) unless 2xx.
    QJsonObject getJson(const QString& path);
    QJsonObject postJson(const QString& path, const QByteArray& body);

    // Waits `ms` while keeping the event loop running; false when cancelled.
    bool sleep(int ms);

    // Total payload bytes sent and received so far.
    std::int64_t bytesSent() const;
    std::int64_t bytesReceived() const;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

// Throws the ApiError an error response carries (or a generic one for a non-JSON body).
[[noreturn]] void throwApiError(const HttpResult& result, const QString& what);

}  // namespace fmc::federation
