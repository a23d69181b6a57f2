#pragma once
// PACS passwords and tokens, kept out of the workspace database. With QtKeychain built in
// (Debian's qtkeychain-qt6-dev) and a secret service running, they go to the platform's
// secret store (Secret Service / KWallet); otherwise to a JSON file only its owner may read
// (mode 0600, refused when anyone else can read it), by default
// <config>/fedmedclip/pacs-credentials.json, and the store says why it fell back.
#include <QString>

#include <memory>
#include <optional>

namespace fmc::pacs {

// Where secrets are kept. The platform's secret store and the private file are the two
// real ones; tests put a fake behind this to check how the store chooses and uses one.
class SecretBackend {
public:
    virtual ~SecretBackend() = default;
    // Whether the backend works on this machine now; false, with why, e.g. when no secret
    // service runs in the session.
    virtual bool usable(QString* why) = 0;
    // Each throws fmc::Error naming the backend when it cannot do it.
    virtual std::optional<QString> read(const QString& account) = 0;
    virtual void write(const QString& account, const QString& secret) = 0;
    virtual void remove(const QString& account) = 0;
    virtual QString description() const = 0;  // "the platform's secret store", "the file <path>"
};

// The platform's secret store through QtKeychain; nullptr when built without QtKeychain.
std::shared_ptr<SecretBackend> platformSecretBackend();

class CredentialStore {
public:
    // The user's store: the platform's secret store when it is usable, else the default file
    // (also when FMC_PACS_CREDENTIALS_FILE_ONLY is set).
    static CredentialStore forUser();
    // `platform` when it is usable (and FMC_PACS_CREDENTIALS_FILE_ONLY unset), else the file
    // at `fallbackFile`, with fallbackReason() saying why.
    static CredentialStore choose(std::shared_ptr<SecretBackend> platform, const QString& fallbackFile);
    // A file store at `path` only (tests, machines without a secret service).
    static CredentialStore inFile(const QString& path);

    // Throws fmc::Error when the store cannot be read (the file is readable by others,
    // or is not valid JSON), naming the file.
    std::optional<QString> secret(const QString& account) const;
    void setSecret(const QString& account, const QString& secret);
    void removeSecret(const QString& account);

    QString backendDescription() const;  // "the platform's secret store" or "the file <path>"
    // Why the file is used although a platform store was asked for; empty otherwise.
    QString fallbackReason() const { return fallbackReason_; }

private:
    CredentialStore(std::shared_ptr<SecretBackend> backend, QString fallbackReason)
        : backend_(std::move(backend)), fallbackReason_(std::move(fallbackReason)) {}

    std::shared_ptr<SecretBackend> backend_;
    QString fallbackReason_;
};

}  // namespace fmc::pacs
