#include "coordinator_probe.h"

#include "common/types.h"
#include "logging.h"

#include <QCoreApplication>
#include <QSslCertificate>
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

}  // namespace

QString formatFingerprint(const QByteArray& digest) {
    QStringList bytes;
    for (const char byte : digest) bytes << QStringLiteral("%1").arg(static_cast<uchar>(byte), 2, 16, QLatin1Char('0')).toUpper();
    return bytes.join(QLatin1Char(':'));
}

CoordinatorIdentity probeCoordinator(const QUrl& url, int timeoutMs) {
    if (!QSslSocket::supportsSsl()) fail(url, CoordinatorProbe::tr("this computer has no TLS support installed"));
    QSslSocket socket;
    // Any certificate is accepted here: the person confirms the fingerprint, not the code.
    socket.setPeerVerifyMode(QSslSocket::QueryPeer);
    QObject::connect(&socket, &QSslSocket::sslErrors, &socket, [&socket] { socket.ignoreSslErrors(); });
    socket.connectToHostEncrypted(url.host(), static_cast<quint16>(url.port(443)));
    if (!socket.waitForEncrypted(timeoutMs)) {
        switch (socket.error()) {
        case QAbstractSocket::HostNotFoundError: fail(url, CoordinatorProbe::tr("no computer with that name was found"));
        case QAbstractSocket::ConnectionRefusedError: fail(url, CoordinatorProbe::tr("the computer refused the connection (is the coordinator running?)"));
        case QAbstractSocket::SocketTimeoutError: fail(url, CoordinatorProbe::tr("no answer within %1 seconds").arg(timeoutMs / 1000));
        case QAbstractSocket::SslHandshakeFailedError:
            fail(url, CoordinatorProbe::tr("the server did not set up an encrypted connection (TLS)"));
        default: fail(url, socket.errorString());
        }
    }
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
