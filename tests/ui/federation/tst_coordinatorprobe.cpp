// probeCoordinator: a real TLS handshake with a local server shows that server's certificate
// fingerprint; what cannot be reached is explained.
#include "common/types.h"
#include "federation/coordinator_probe.h"

#include <QFile>
#include <QProcess>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTcpServer>
#include <QTest>
#include <QtConcurrent/QtConcurrentRun>

using namespace fmc::ui;

class TestCoordinatorProbe : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void reportsTheServersCertificate();
    void explainsARefusedConnection();
    void explainsAServerWithoutTls();

private:
    QTemporaryDir dir_;
    QSslCertificate certificate_;
    QSslKey key_;
};

void TestCoordinatorProbe::initTestCase() {
    if (!QSslSocket::supportsSsl()) QSKIP("this Qt has no TLS backend");
    const auto openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
    if (openssl.isEmpty()) QSKIP("openssl is needed to make the test certificate");
    QProcess process;
    process.start(openssl, {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                            QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-days"),
                            QStringLiteral("2"), QStringLiteral("-subj"), QStringLiteral("/CN=coordinator.test"),
                            QStringLiteral("-keyout"), dir_.filePath(QStringLiteral("key.pem")), QStringLiteral("-out"),
                            dir_.filePath(QStringLiteral("cert.pem"))});
    QVERIFY(process.waitForFinished(60000));
    QCOMPARE(process.exitCode(), 0);
    certificate_ = QSslCertificate::fromPath(dir_.filePath(QStringLiteral("cert.pem"))).value(0);
    QFile keyFile(dir_.filePath(QStringLiteral("key.pem")));
    QVERIFY(keyFile.open(QIODevice::ReadOnly));
    key_ = QSslKey(&keyFile, QSsl::Rsa);
    QVERIFY(!certificate_.isNull() && !key_.isNull());
}

void TestCoordinatorProbe::reportsTheServersCertificate() {
    QSslServer server;
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificate(certificate_);
    configuration.setPrivateKey(key_);
    configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
    server.setSslConfiguration(configuration);
    QVERIFY(server.listen(QHostAddress::LocalHost));
    const QUrl url(QStringLiteral("https://127.0.0.1:%1").arg(server.serverPort()));
    // The probe blocks, so it runs on a worker while this thread serves the handshake.
    auto future = QtConcurrent::run([url] { return probeCoordinator(url, 10000); });
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), 15000);
    const auto identity = future.result();
    QCOMPARE(identity.certificateSha256, formatFingerprint(certificate_.digest(QCryptographicHash::Sha256)));
    QCOMPARE(identity.certificateSha256.size(), 32 * 3 - 1);
    QCOMPARE(identity.subject, QStringLiteral("coordinator.test"));
    QCOMPARE(identity.expires, certificate_.expiryDate());
}

void TestCoordinatorProbe::explainsARefusedConnection() {
    QTcpServer placeholder;
    QVERIFY(placeholder.listen(QHostAddress::LocalHost));
    const auto port = placeholder.serverPort();
    placeholder.close();  // nothing listens there now
    try {
        probeCoordinator(QUrl(QStringLiteral("https://127.0.0.1:%1").arg(port)), 5000);
        QFAIL("a closed port was accepted");
    } catch (const fmc::Error& error) {
        QVERIFY2(QString::fromUtf8(error.what()).contains(QStringLiteral("refused")), error.what());
        QVERIFY(QString::fromUtf8(error.what()).contains(QString::number(port)));
    }
}

void TestCoordinatorProbe::explainsAServerWithoutTls() {
    QTcpServer plain;
    QVERIFY(plain.listen(QHostAddress::LocalHost));
    connect(&plain, &QTcpServer::newConnection, [&plain] {
        auto* socket = plain.nextPendingConnection();
        socket->write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        socket->disconnectFromHost();
    });
    const QUrl url(QStringLiteral("https://127.0.0.1:%1").arg(plain.serverPort()));
    auto future = QtConcurrent::run([url] {
        try {
            probeCoordinator(url, 5000);
        } catch (const fmc::Error& error) {
            return QString::fromUtf8(error.what());
        }
        return QString();
    });
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), 10000);
    QVERIFY2(future.result().contains(QStringLiteral("Could not reach the coordinator")), qPrintable(future.result()));
}

QTEST_GUILESS_MAIN(TestCoordinatorProbe)
#include "tst_coordinatorprobe.moc"
