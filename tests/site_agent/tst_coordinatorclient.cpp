// CoordinatorClient against real coordinator processes: trust in the federation's CA or a
// pinned fingerprint, refusal of anything else with an actionable message, no plain HTTP,
// and retries with exponential backoff and jitter.
#include "site_agent/site_agent.h"
#include "federation_test_support.h"

#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include <set>

using namespace fmc;
using namespace fmc::federation;
using namespace fmc::federation::test;

class TestCoordinatorClient : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    CertificateSet federation_, other_;
    std::unique_ptr<CoordinatorProcess> trusted_;   // certificate from the federation's CA
    std::unique_ptr<CoordinatorProcess> stranger_;  // certificate from another CA

    static QString fingerprintOf(const QString& certificatePath) {
        return certificateFingerprint(QSslCertificate::fromPath(certificatePath).first());
    }

    static RetryPolicy quickRetry(int attempts) {
        RetryPolicy retry;
        retry.maxAttempts = attempts;
        retry.initialDelayMs = 200;
        retry.maxDelayMs = 1000;
        retry.requestTimeoutMs = 10000;
        return retry;
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        if (QStandardPaths::findExecutable(QStringLiteral("openssl")).isEmpty())
            QSKIP("the openssl command is needed to make the test certificates (Debian: openssl)");
        try {
            federation_ = makeCertificates(dir_.filePath("pki"), "federation");
            other_ = makeCertificates(dir_.filePath("pki"), "other");
            trusted_ = std::make_unique<CoordinatorProcess>(dir_.filePath("trusted"), federation_, 0);
            trusted_->start();
            stranger_ = std::make_unique<CoordinatorProcess>(dir_.filePath("stranger"), other_, 0);
            stranger_->start();
        } catch (const std::exception& error) {
            QFAIL(error.what());
        }
    }

    void trustsTheFederationsCa() {
        CoordinatorClient client(QUrl(trusted_->url()), trustCa(federation_.caCertificate), quickRetry(1));
        QJsonObject health;
        QVERIFY_THROWS_NO_EXCEPTION(health = client.getJson("/health"));
        QCOMPARE(health.value("status").toString(), QStringLiteral("ok"));
    }

    void refusesACertificateFromAnotherCa() {
        CoordinatorClient client(QUrl(stranger_->url()), trustCa(federation_.caCertificate), quickRetry(5));
        QStringList retryNotes;
        client.setLog([&](const QString& note) { retryNotes << note; });
        try {
            client.get("/health");
            QFAIL("the client talked to a coordinator its federation's CA did not sign");
        } catch (const Error& error) {
            const QString message = error.what();
            QVERIFY2(message.contains("refusing to talk"), error.what());
            QVERIFY2(message.contains("FedMedCLIP test CA other"), error.what());  // who issued it
            QVERIFY2(message.contains(fingerprintOf(other_.serverCertificate)), error.what());
            QVERIFY2(message.contains("ask the coordinator operator"), error.what());
        }
        QVERIFY2(retryNotes.isEmpty(), "a TLS trust failure must not be retried");
    }

    void siteJoinRefusesTheStrangerToo() {
        const auto invitationPath = dir_.filePath("stranger-invitation.json");
        EnrollmentInvitation invitation;
        invitation.coordinatorUrl = stranger_->url();
        invitation.code = "any-code-will-do";
        QFile ca(federation_.caCertificate);
        QVERIFY(ca.open(QIODevice::ReadOnly));
        invitation.caCertificatesPem = QString::fromLatin1(ca.readAll());
        writeInvitation(invitationPath, invitation);
        const auto [code, output] =
            runCommand(cliExecutable(), {"site", "join", dir_.filePath("stranger-site"), "--invitation", invitationPath});
        QCOMPARE(code, 1);
        QVERIFY2(output.contains("refusing to talk"), output.constData());
        QVERIFY(!QFile::exists(dir_.filePath("stranger-site/federation/site.json")));
    }

    void pinnedFingerprint() {
        TrustSettings pinned;
        pinned.pinnedSha256 = "sha256:" + fingerprintOf(other_.serverCertificate).toUpper();
        CoordinatorClient client(QUrl(stranger_->url()), pinned, quickRetry(1));
        HttpResult pinnedResult;
        QVERIFY_THROWS_NO_EXCEPTION(pinnedResult = client.get("/health"));
        QCOMPARE(pinnedResult.status, 200);

        TrustSettings wrong;
        wrong.pinnedSha256 = fingerprintOf(federation_.serverCertificate);
        CoordinatorClient refused(QUrl(stranger_->url()), wrong, quickRetry(3));
        try {
            refused.get("/health");
            QFAIL("a certificate with another fingerprint was accepted");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains("refusing to talk"), error.what());
        }
        // A pin overrides nothing for the CA-trusting client: the right CA alone is not enough
        // when a pin is given and does not match.
        TrustSettings both = trustCa(federation_.caCertificate);
        both.pinnedSha256 = fingerprintOf(other_.serverCertificate);
        CoordinatorClient mismatched(QUrl(trusted_->url()), both, quickRetry(1));
        QVERIFY_THROWS_EXCEPTION(Error, mismatched.get("/health"));
    }

    void refusesPlainHttp() {
        QVERIFY_THROWS_EXCEPTION(Error, CoordinatorClient(QUrl("http://127.0.0.1:1"), trustCa(federation_.caCertificate)));
        QVERIFY_THROWS_EXCEPTION(Error, CoordinatorClient(QUrl(trusted_->url()), TrustSettings{}));
        QVERIFY_THROWS_EXCEPTION(Error, normalizeFingerprint("not-a-fingerprint"));
    }

    void backoffGrowsWithJitter_data() {
        QTest::addColumn<int>("attempt");
        QTest::addColumn<int>("ceiling");
        QTest::newRow("1") << 1 << 500;
        QTest::newRow("2") << 2 << 1000;
        QTest::newRow("3") << 3 << 2000;
        QTest::newRow("6") << 6 << 16000;
        QTest::newRow("7, capped") << 7 << 30000;
        QTest::newRow("30, capped") << 30 << 30000;
    }

    void backoffGrowsWithJitter() {
        QFETCH(int, attempt);
        QFETCH(int, ceiling);
        RetryPolicy policy;  // 500 ms doubling, capped at 30 s
        std::mt19937_64 random(attempt);
        std::set<int> seen;
        for (int i = 0; i < 200; ++i) {
            const int delay = backoffDelayMs(attempt, policy, random);
            QVERIFY(delay >= ceiling / 2 && delay <= ceiling);
            seen.insert(delay);
        }
        QVERIFY2(seen.size() > 20, "the delay has no jitter");
    }

    void givesUpAfterTheLastAttempt() {
        const auto closedPort = freePort();
        CoordinatorClient client(QUrl(QStringLiteral("https://127.0.0.1:%1").arg(closedPort)),
                                 trustCa(federation_.caCertificate), quickRetry(3));
        QStringList notes;
        client.setLog([&](const QString& note) { notes << note; });
        QElapsedTimer clock;
        clock.start();
        try {
            client.get("/health");
            QFAIL("a closed port answered");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains("after 3 attempts"), error.what());
        }
        QCOMPARE(notes.size(), 2);  // two retries announced
        QVERIFY(clock.elapsed() >= 300);   // at least 100 + 200 ms of backoff
    }

    void retriesUntilTheCoordinatorIsBack() {
        const auto port = freePort();
        CoordinatorProcess late(dir_.filePath("late"), federation_, port);
        QTimer::singleShot(1500, [&] { late.start(); });
        CoordinatorClient client(QUrl(QStringLiteral("https://127.0.0.1:%1").arg(port)), trustCa(federation_.caCertificate),
                                 quickRetry(12));
        int retries = 0;
        client.setLog([&](const QString&) { ++retries; });
        HttpResult result;
        QVERIFY_THROWS_NO_EXCEPTION(result = client.get("/health"));
        QCOMPARE(result.status, 200);
        QVERIFY(retries >= 1);
        late.kill();
    }

    void cleanupTestCase() {
        if (trusted_) trusted_->kill();
        if (stranger_) stranger_->kill();
    }
};

QTEST_GUILESS_MAIN(TestCoordinatorClient)
#include "tst_coordinatorclient.moc"
