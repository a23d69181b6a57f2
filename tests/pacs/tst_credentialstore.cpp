// PACS secrets: a file store readable by its owner only; the choice between the platform's
// secret store and that file (with a fake platform backend, since a test machine rarely runs
// a secret service) and the real QtKeychain backend on this machine, whichever way it goes;
// PACS settings that never put a password into the workspace database.
#include "common/types.h"
#include "pacs/credential_store.h"
#include "pacs/pacs_settings.h"
#include "site/site_workspace.h"

#include <QtTest>

#include <map>

using namespace fmc;
using namespace fmc::pacs;

namespace {

// A platform secret store in memory, usable or not as the test says.
class FakePlatformBackend : public SecretBackend {
public:
    bool isUsable = true;
    std::map<QString, QString> secrets;
    int probes = 0;

    bool usable(QString* why) override {
        ++probes;
        if (!isUsable && why) *why = QStringLiteral("no secret service on the session bus (fake)");
        return isUsable;
    }
    std::optional<QString> read(const QString& account) override {
        const auto it = secrets.find(account);
        if (it == secrets.end()) return std::nullopt;
        return it->second;
    }
    void write(const QString& account, const QString& secret) override { secrets[account] = secret; }
    void remove(const QString& account) override { secrets.erase(account); }
    QString description() const override { return QStringLiteral("the fake secret store"); }
};

}  // namespace

class TestCredentialStore : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void fileStoreKeepsSecretsForItsOwnerOnly() {
        const auto path = dir_.filePath("config/pacs-credentials.json");
        auto store = CredentialStore::inFile(path);
        QVERIFY(!store.secret("site@https://pacs").has_value());
        store.setSecret("site@https://pacs", "s3cret");
        store.setSecret("token@https://other", "tok");
        // Qt's owner bits are 0x0600; group and other must be clear.
        QCOMPARE(int(QFile(path).permissions() & 0x0fff), int(QFileDevice::ReadUser | QFileDevice::WriteUser));
        QCOMPARE(CredentialStore::inFile(path).secret("site@https://pacs").value(), QString("s3cret"));
        store.removeSecret("site@https://pacs");
        QVERIFY(!store.secret("site@https://pacs").has_value());
        QCOMPARE(store.secret("token@https://other").value(), QString("tok"));
    }

    void aFileOthersCanReadIsRefused_data() {
        QTest::addColumn<int>("extra");
        QTest::newRow("group readable") << int(QFileDevice::ReadGroup);
        QTest::newRow("world readable") << int(QFileDevice::ReadOther);
        QTest::newRow("group writable") << int(QFileDevice::WriteGroup);
    }

    void aFileOthersCanReadIsRefused() {
        QFETCH(int, extra);
        const auto path = dir_.filePath(QStringLiteral("open-%1.json").arg(extra));
        auto store = CredentialStore::inFile(path);
        store.setSecret("a", "b");
        QFile::setPermissions(path, QFile(path).permissions() | QFileDevice::Permissions(extra));
        try {
            store.secret("a");
            QFAIL("read a secret from a file others can read");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains(path) && QString(error.what()).contains("chmod 600"), error.what());
        }
    }

    void aUsablePlatformStoreKeepsTheSecretsAndNoFileIsWritten() {
        qunsetenv("FMC_PACS_CREDENTIALS_FILE_ONLY");
        auto platform = std::make_shared<FakePlatformBackend>();
        const auto file = dir_.filePath("unused/pacs-credentials.json");
        auto store = CredentialStore::choose(platform, file);
        QCOMPARE(store.backendDescription(), QString("the fake secret store"));
        QVERIFY(store.fallbackReason().isEmpty());
        store.setSecret("site@https://pacs", "in-the-keyring");
        QCOMPARE(platform->secrets.at("site@https://pacs"), QString("in-the-keyring"));
        QCOMPARE(store.secret("site@https://pacs").value(), QString("in-the-keyring"));
        store.removeSecret("site@https://pacs");
        QVERIFY(platform->secrets.empty());
        QVERIFY(!QFileInfo::exists(file));
    }

    void anUnusablePlatformStoreFallsBackToThePrivateFileAndSaysWhy() {
        qunsetenv("FMC_PACS_CREDENTIALS_FILE_ONLY");
        auto platform = std::make_shared<FakePlatformBackend>();
        platform->isUsable = false;
        const auto file = dir_.filePath("fallback/pacs-credentials.json");
        auto store = CredentialStore::choose(platform, file);
        QCOMPARE(store.backendDescription(), "the file " + file);
        QVERIFY2(store.fallbackReason().contains("no secret service"), qPrintable(store.fallbackReason()));
        store.setSecret("site@https://pacs", "in-the-file");
        QVERIFY(platform->secrets.empty());
        QCOMPARE(CredentialStore::inFile(file).secret("site@https://pacs").value(), QString("in-the-file"));
        QCOMPARE(int(QFile(file).permissions() & 0x0fff), int(QFileDevice::ReadUser | QFileDevice::WriteUser));
    }

    void theFileOnlySwitchAndAMissingBackendChooseTheFile() {
        auto platform = std::make_shared<FakePlatformBackend>();
        qputenv("FMC_PACS_CREDENTIALS_FILE_ONLY", "1");
        auto forced = CredentialStore::choose(platform, dir_.filePath("forced.json"));
        qunsetenv("FMC_PACS_CREDENTIALS_FILE_ONLY");
        QVERIFY(forced.backendDescription().startsWith("the file "));
        QVERIFY(forced.fallbackReason().contains("FMC_PACS_CREDENTIALS_FILE_ONLY"));
        QCOMPARE(platform->probes, 0);
        const auto none = CredentialStore::choose(nullptr, dir_.filePath("none.json"));
        QVERIFY(none.fallbackReason().contains("no QtKeychain"));
    }

    // The real QtKeychain backend on this machine: with a secret service it must keep a
    // secret; without one (the usual test machine) the user's store falls back to the file
    // and names the reason QtKeychain gave.
    void theRealPlatformStoreWorksOrTheFallbackSaysWhy() {
        qunsetenv("FMC_PACS_CREDENTIALS_FILE_ONLY");
        const auto platform = platformSecretBackend();
#ifdef FMC_TEST_WITH_QTKEYCHAIN
        QVERIFY(platform);
#endif
        if (!platform) QSKIP("built without QtKeychain (qtkeychain-qt6-dev)");
        QString why;
        const bool usable = platform->usable(&why);
        auto store = CredentialStore::forUser();
        if (usable) {
            const auto account = "fmc-test-" + QUuid::createUuid().toString(QUuid::Id128);
            store.setSecret(account, "kept-by-the-platform");
            QCOMPARE(store.secret(account).value(), QString("kept-by-the-platform"));
            store.removeSecret(account);
            QVERIFY(!store.secret(account).has_value());
            QCOMPARE(store.backendDescription(), QString("the platform's secret store"));
        } else {
            qInfo().noquote() << "no usable secret service here:" << why;
            QVERIFY(!why.isEmpty());
            QVERIFY(store.backendDescription().startsWith("the file "));
            QCOMPARE(store.fallbackReason(), why);
        }
    }

    void settingsRoundTripWithoutTheSecret() {
        const auto folder = dir_.filePath("ws");
        {
            auto workspace = SiteWorkspace::open(folder.toStdString());
            PacsSettings settings;
            settings.protocol = PacsProtocol::Dimse;
            settings.dicomWeb.baseUrl = "https://pacs.example.org/dicom-web";
            settings.dicomWeb.auth = AuthKind::Bearer;
            settings.dicomWeb.username = "radiology";
            settings.dicomWeb.secret = "do-not-store-me-4711";
            settings.dicomWeb.caCertificatesPath = "/etc/hospital-ca.pem";
            settings.dimse.host = "pacs.local";
            settings.dimse.port = 11112;
            settings.dimse.callingAeTitle = "SITEA";
            settings.dimse.calledAeTitle = "MAINPACS";
            settings.dimse.retrieve = DimseRetrieve::Move;
            settings.dimse.moveDestinationAeTitle = "SITEA-STORE";
            settings.dimse.moveDestinationPort = 4006;
            savePacsSettings(workspace.store(), settings);
            const auto loaded = loadPacsSettings(workspace.store());
            QCOMPARE(loaded.protocol, PacsProtocol::Dimse);
            QCOMPARE(loaded.dicomWeb.baseUrl, settings.dicomWeb.baseUrl);
            QCOMPARE(loaded.dicomWeb.auth, AuthKind::Bearer);
            QCOMPARE(loaded.dicomWeb.username, QString("radiology"));
            QCOMPARE(loaded.dicomWeb.caCertificatesPath, QString("/etc/hospital-ca.pem"));
            QCOMPARE(loaded.dicomWeb.secret, QString());
            QCOMPARE(loaded.dimse.host, QString("pacs.local"));
            QCOMPARE(loaded.dimse.port, 11112);
            QCOMPARE(loaded.dimse.callingAeTitle, QString("SITEA"));
            QCOMPARE(loaded.dimse.calledAeTitle, QString("MAINPACS"));
            QCOMPARE(loaded.dimse.retrieve, DimseRetrieve::Move);
            QCOMPARE(loaded.dimse.moveDestinationAeTitle, QString("SITEA-STORE"));
            QCOMPARE(loaded.dimse.moveDestinationPort, 4006);
            QCOMPARE(credentialAccount(loaded.dicomWeb), QString("token@https://pacs.example.org/dicom-web"));
        }
        // Not in the database, its WAL, or anywhere else in the workspace folder.
        QDirIterator it(folder, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            QFile file(it.next());
            QVERIFY(file.open(QIODevice::ReadOnly));
            QVERIFY2(!file.readAll().contains("do-not-store-me-4711"), qPrintable(file.fileName()));
        }
    }

    void badSettingsNameTheKey() {
        auto workspace = SiteWorkspace::open(dir_.filePath("bad").toStdString());
        workspace.store().setSetting("pacs.dimse.port", "eleventy");
        try {
            loadPacsSettings(workspace.store());
            QFAIL("accepted");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains("pacs.dimse.port"), error.what());
        }
        workspace.store().setSetting("pacs.dimse.port", "104");
        workspace.store().setSetting("pacs.dimse.move_port", "0");
        try {
            loadPacsSettings(workspace.store());
            QFAIL("accepted");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains("pacs.dimse.move_port"), error.what());
        }
        workspace.store().setSetting("pacs.dimse.move_port", "11112");
        workspace.store().setSetting("pacs.dimse.retrieve", "c-echo");
        QVERIFY_THROWS_EXCEPTION(Error, loadPacsSettings(workspace.store()));
        workspace.store().setSetting("pacs.dimse.retrieve", "move");
        workspace.store().setSetting("pacs.protocol", "hl7");
        QVERIFY_THROWS_EXCEPTION(Error, loadPacsSettings(workspace.store()));
    }
};

QTEST_MAIN(TestCredentialStore)
#include "tst_credentialstore.moc"
