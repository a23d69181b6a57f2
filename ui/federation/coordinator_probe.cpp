#include "federation/coordinator_probe.h"

#include "common/types.h"
#include "shell/logging.h"

#include <QCoreApplication>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslError>
#include <QSslSocket>

namespace fmc::ui {
namespace {

// The translation context of this file's messages.
class CoordinatorProbe {
    Q_DECLARE_TR_FUNCTIONS(CoordinatorProbe)
};

[[noreturn]] void fail(const QUrl& url, const QString& reason) {
    throw Error(CoordinatorProbe::tr("Could not reach the coordinator at %1: %2").arg(url.toDisplayString(), reason).toStdString());
}

[[noreturn]] void failConnecting(const QUrl& url, const QSslSocket& socket, int timeoutMs) {
    switch (socket.error()) {
    case QAbstractSocket::HostNotFoundError: fail(url, CoordinatorProbe::tr("no computer with that name was found"));
    case QAbstractSocket::ConnectionRefusedError:
        fail(url, CoordinatorProbe::tr("the computer refused the connection (is the coordinator running?)"));
    case QAbstractSocket::SocketTimeoutError:
        fail(url, CoordinatorProbe::tr("no answer within %1 seconds").arg(timeoutMs / 1000));
    case QAbstractSocket::SslHandshakeFailedError:
        fail(url, CoordinatorProbe::tr("the server did not set up an encrypted connection (TLS)"));
    default: fail(url, socket.errorString());
    }
}

QString describeTlsError(const QSslError& error, const QUrl& url) {
    switch (error.error()) {
    case QSslError::UnableToGetIssuerCertificate:
    case QSslError::UnableToGetLocalIssuerCertificate:
    case QSslError::UnableToVerifyFirstCertificate:
    case QSslError::SelfSignedCertificate:
    case QSslError::SelfSignedCertificateInChain:
    case QSslError::CertificateSignatureFailed:
    case QSslError::UnableToDecryptCertificateSignature:
    case QSslError::InvalidCaCertificate:
        return CoordinatorProbe::tr("its certificate is not signed by this CA");
    case QSslError::HostNameMismatch:
        return CoordinatorProbe::tr("its certificate is not made out for %1").arg(url.host());
    case QSslError::CertificateExpired: return CoordinatorProbe::tr("its certificate has expired");
    case QSslError::CertificateNotYetValid: return CoordinatorProbe::tr("its certificate is not valid yet");
    default: return error.errorString();
    }
}

}  // namespace

QString formatFingerprint(const QByteArray& digest) {
    QStringList bytes;
    for (const char byte : digest) bytes << QStringLiteral("%1").arg(static_cast<uchar>(byte), 2, 16, QLatin1Char('0')).toUpper();
    return bytes.join(QLatin1Char(':'));
}

QString verifyCoordinatorChain(const QUrl& url, const QList<QSslCertificate>& authorities, int timeoutMs) {
    if (!QSslSocket::supportsSsl()) fail(url, CoordinatorProbe::tr("this computer has no TLS support installed"));
    QSslSocket socket;
    auto configuration = QSslConfiguration::defaultConfiguration();
    configuration.setCaCertificates(authorities);  // these only, not the system's
    configuration.setPeerVerifyMode(QSslSocket::VerifyPeer);
    socket.setSslConfiguration(configuration);
    QList<QSslError> errors;
    QObject::connect(&socket, &QSslSocket::sslErrors, &socket,
                     [&errors](const QList<QSslError>& found) { errors = found; });
    socket.connectToHostEncrypted(url.host(), static_cast<quint16>(url.port(443)));
    const bool encrypted = socket.waitForEncrypted(timeoutMs);
    socket.disconnectFromHost();
    if (encrypted) return {};
    if (errors.isEmpty()) failConnecting(url, socket, timeoutMs);
    QStringList reasons;
    for (const auto& error : errors) {
        const auto reason = describeTlsError(error, url);
        if (!reasons.contains(reason)) reasons << reason;
    }
    qCInfo(lcFederation) << "coordinator certificate does not chain to the given CA:" << reasons;
    return reasons.join(QStringLiteral("; "));
}

CoordinatorIdentity probeCoordinator(const QUrl& url, int timeoutMs) {
    if (!QSslSocket::supportsSsl()) fail(url, CoordinatorProbe::tr("this computer has no TLS support installed"));
    QSslSocket socket;
    // Any certificate is accepted here: the person confirms the fingerprint, not the code.
    socket.setPeerVerifyMode(QSslSocket::QueryPeer);
    QObject::connect(&socket, &QSslSocket::sslErrors, &socket, [&socket] { socket.ignoreSslErrors(); });
    socket.connectToHostEncrypted(url.host(), static_cast<quint16>(url.port(443)));
    if (!socket.waitForEncrypted(timeoutMs)) failConnecting(url, socket, timeoutMs);
    const auto certificate = socket.peerCertificate();
    socket.disconnectFromHost();
    if (certificate.isNull()) fail(url, CoordinatorProbe::tr("the server presented no certificate"));
    CoordinatorIdentity identity;
    identity.url = url.toString();
    identity.certificateSha256 = formatFingerprint(certificate.digest(QCryptographicHash::Sha256));
    identity.subject = certificate.subjectDisplayName();
    identity.issuer = certificate.issuerDisplayName();
    identity.expires = certificate.expiryDate();
    qCInfo(lcFederation) << "coordinator certificate" << identity.certificateSha256 << "from" << url.host();
    return identity;
}

}  // namespace fmc::ui
