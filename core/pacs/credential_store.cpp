#include "pacs/credential_store.h"

#include "common/types.h"
#include "pacs/logging.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QStandardPaths>

#ifdef FMC_PACS_WITH_QTKEYCHAIN
#include <QEventLoop>
#include <qt6keychain/keychain.h>
#endif

namespace fmc::pacs {
namespace {

QString service() { return QStringLiteral("fedmedclip-pacs"); }
constexpr QFileDevice::Permissions kOwnerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;

std::string ss(const QString& text) { return text.toStdString(); }

QJsonObject readFile(const QString& path) {
    QFile file(path);
    if (!file.exists()) return {};
    if (file.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup | QFileDevice::WriteOther))
        throw Error(ss(path) + ": the PACS credentials file can be read or written by other users; make it private "
                               "(chmod 600) or delete it and enter the password again");
    if (!file.open(QIODevice::ReadOnly)) throw Error(ss(path) + ": cannot read the PACS credentials file");
    QJsonParseError error{};
    const auto document = QJsonDocument::fromJson(file.readAll(), &error);
    if (!document.isObject()) throw Error(ss(path) + ": the PACS credentials file is not a JSON object (" + ss(error.errorString()) + ")");
    return document.object();
}

void writeFile(const QString& path, const QJsonObject& object) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    QSaveFile file(path);
    // The temporary file gets the owner-only mode before any secret is written to it.
    if (!file.open(QIODevice::WriteOnly) || !file.setPermissions(kOwnerOnly) ||
        file.write(QJsonDocument(object).toJson()) < 0 || !file.commit())
        throw Error(ss(path) + ": cannot write the PACS credentials file (" + ss(file.errorString()) + ")");
    QFile::setPermissions(path, kOwnerOnly);
}

class FileBackend : public SecretBackend {
public:
    explicit FileBackend(QString path) : path_(std::move(path)) {}
    bool usable(QString*) override { return true; }
    std::optional<QString> read(const QString& account) override {
        const auto object = readFile(path_);
        if (!object.contains(account)) return std::nullopt;
        return object.value(account).toString();
    }
    void write(const QString& account, const QString& secret) override {
        auto object = readFile(path_);
        object.insert(account, secret);
        writeFile(path_, object);
    }
    void remove(const QString& account) override {
        auto object = readFile(path_);
        if (!object.contains(account)) return;
        object.remove(account);
        writeFile(path_, object);
    }
    QString description() const override { return QStringLiteral("the file ") + path_; }

private:
    QString path_;
};

#ifdef FMC_PACS_WITH_QTKEYCHAIN
// Runs one QtKeychain job to its end (its own event loop: the calls are synchronous).
void runJob(QKeychain::Job& job) {
    job.setAutoDelete(false);
    job.setInsecureFallback(false);  // never QtKeychain's plain-text fallback in the app's settings
    QEventLoop loop;
    QObject::connect(&job, &QKeychain::Job::finished, &loop, &QEventLoop::quit);
    job.start();
    loop.exec();
}

class KeychainBackend : public SecretBackend {
public:
    bool usable(QString* why) override {
        QKeychain::ReadPasswordJob probe(service());
        probe.setKey(QStringLiteral("probe"));
        runJob(probe);
        const bool ok = probe.error() == QKeychain::NoError || probe.error() == QKeychain::EntryNotFound;
        if (!ok && why)
            *why = QStringLiteral("no Secret Service or KWallet answered (QtKeychain: %1)").arg(probe.errorString());
        return ok;
    }
    std::optional<QString> read(const QString& account) override {
        QKeychain::ReadPasswordJob job(service());
        job.setKey(account);
        runJob(job);
        if (job.error() == QKeychain::EntryNotFound) return std::nullopt;
        if (job.error() != QKeychain::NoError) throw Error("the platform's secret store: " + ss(job.errorString()));
        return job.textData();
    }
    void write(const QString& account, const QString& secret) override {
        QKeychain::WritePasswordJob job(service());
        job.setKey(account);
        job.setTextData(secret);
        runJob(job);
        if (job.error() != QKeychain::NoError) throw Error("the platform's secret store: " + ss(job.errorString()));
    }
    void remove(const QString& account) override {
        QKeychain::DeletePasswordJob job(service());
        job.setKey(account);
        runJob(job);
        if (job.error() != QKeychain::NoError && job.error() != QKeychain::EntryNotFound)
            throw Error("the platform's secret store: " + ss(job.errorString()));
    }
    QString description() const override { return QStringLiteral("the platform's secret store"); }
};
#endif

}  // namespace

std::shared_ptr<SecretBackend> platformSecretBackend() {
#ifdef FMC_PACS_WITH_QTKEYCHAIN
    return std::make_shared<KeychainBackend>();
#else
    return nullptr;
#endif
}

CredentialStore CredentialStore::forUser() {
    const auto path = QDir(QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation))
                          .filePath(QStringLiteral("fedmedclip/pacs-credentials.json"));
    return choose(platformSecretBackend(), path);
}

CredentialStore CredentialStore::choose(std::shared_ptr<SecretBackend> platform, const QString& fallbackFile) {
    QString why;
    if (!platform) why = QStringLiteral("this build has no QtKeychain");
    else if (!qEnvironmentVariableIsEmpty("FMC_PACS_CREDENTIALS_FILE_ONLY")) why = QStringLiteral("FMC_PACS_CREDENTIALS_FILE_ONLY is set");
    else if (platform->usable(&why)) return {std::move(platform), {}};
    else if (why.isEmpty()) why = QStringLiteral("the platform's secret store is not usable");
    qCInfo(lcPacs).noquote() << QStringLiteral("PACS credentials go to a private file: %1").arg(why);
    return {std::make_shared<FileBackend>(fallbackFile), why};
}

CredentialStore CredentialStore::inFile(const QString& path) { return {std::make_shared<FileBackend>(path), {}}; }

QString CredentialStore::backendDescription() const { return backend_->description(); }

std::optional<QString> CredentialStore::secret(const QString& account) const { return backend_->read(account); }

void CredentialStore::setSecret(const QString& account, const QString& secret) { backend_->write(account, secret); }

void CredentialStore::removeSecret(const QString& account) { backend_->remove(account); }

}  // namespace fmc::pacs
