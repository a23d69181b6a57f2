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

#ifdef FMC_PACS_WITH_QTKEYCHAIN
// Runs one QtKeychain job to its end; false when the secret service is not usable.
bool runJob(QKeychain::Job& job) {
    job.setAutoDelete(false);
    QEventLoop loop;
    QObject::connect(&job, &QKeychain::Job::finished, &loop, &QEventLoop::quit);
    job.start();
    loop.exec();
    return job.error() == QKeychain::NoError || job.error() == QKeychain::EntryNotFound;
}

bool keychainUsable() {
    QKeychain::ReadPasswordJob probe(service());
    probe.setKey(QStringLiteral("probe"));
    const bool usable = runJob(probe);
    if (!usable)
        qCInfo(lcPacs).noquote() << QStringLiteral("no usable secret service (%1); PACS credentials go to a private file")
                                        .arg(probe.errorString());
    return usable;
}
#endif

}  // namespace

CredentialStore CredentialStore::forUser() {
    const auto path = QDir(QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation))
                          .filePath(QStringLiteral("fedmedclip/pacs-credentials.json"));
#ifdef FMC_PACS_WITH_QTKEYCHAIN
    if (qEnvironmentVariableIsEmpty("FMC_PACS_CREDENTIALS_FILE_ONLY") && keychainUsable()) return {path, true};
#endif
    return {path, false};
}

CredentialStore CredentialStore::inFile(const QString& path) { return {path, false}; }

QString CredentialStore::backendDescription() const {
    return keychain_ ? QStringLiteral("the platform's secret store") : QStringLiteral("the file ") + path_;
}

std::optional<QString> CredentialStore::secret(const QString& account) const {
#ifdef FMC_PACS_WITH_QTKEYCHAIN
    if (keychain_) {
        QKeychain::ReadPasswordJob job(service());
        job.setKey(account);
        if (!runJob(job)) throw Error("the platform's secret store: " + ss(job.errorString()));
        if (job.error() == QKeychain::EntryNotFound) return std::nullopt;
        return job.textData();
    }
#endif
    const auto object = readFile(path_);
    if (!object.contains(account)) return std::nullopt;
    return object.value(account).toString();
}

void CredentialStore::setSecret(const QString& account, const QString& secret) {
#ifdef FMC_PACS_WITH_QTKEYCHAIN
    if (keychain_) {
        QKeychain::WritePasswordJob job(service());
        job.setKey(account);
        job.setTextData(secret);
        if (!runJob(job)) throw Error("the platform's secret store: " + ss(job.errorString()));
        return;
    }
#endif
    auto object = readFile(path_);
    object.insert(account, secret);
    writeFile(path_, object);
}

void CredentialStore::removeSecret(const QString& account) {
#ifdef FMC_PACS_WITH_QTKEYCHAIN
    if (keychain_) {
        QKeychain::DeletePasswordJob job(service());
        job.setKey(account);
        runJob(job);
        return;
    }
#endif
    auto object = readFile(path_);
    object.remove(account);
    writeFile(path_, object);
}

}  // namespace fmc::pacs
