#pragma once
// PACS passwords and tokens, kept out of the workspace database. With QtKeychain built in
// (Debian's qtkeychain-qt6-dev) and a secret service running, they go to the platform's
// secret store (Secret Service / KWallet); otherwise to a JSON file only its owner may read
// (mode 0600, refused when anyone else can read it), by default
// <config>/fedmedclip/pacs-credentials.json.
#include <QString>

#include <optional>

namespace fmc::pacs {

class CredentialStore {
public:
    // The user's store: the secret service when it is available, else the default file.
    static CredentialStore forUser();
    // A file store at `path` only (tests, machines without a secret service).
    static CredentialStore inFile(const QString& path);

    // Throws fmc::Error when the store cannot be read (the file is readable by others,
    // or is not valid JSON), naming the file.
    std::optional<QString> secret(const QString& account) const;
    void setSecret(const QString& account, const QString& secret);
    void removeSecret(const QString& account);

    QString backendDescription() const;  // "the platform's secret store" or "the file <path>"

private:
    CredentialStore(QString path, bool keychain) : path_(std::move(path)), keychain_(keychain) {}

    QString path_;
    bool keychain_ = false;
};

}  // namespace fmc::pacs
